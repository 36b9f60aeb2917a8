package clamav

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
	"github.com/patchferry/patchferry/verify/verifytest"
)

func httpGet(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// cvdMembers unpacks a CVD body with archive/tar, in order.
func cvdMembers(t *testing.T, cvd []byte) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(cvd[verify.CVDHeaderSize:]))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		if h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(time.Unix(0, 0)) || strings.Contains(h.Name, "/") {
			t.Errorf("member %+v", h)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		files[h.Name] = b
	}
	return names, files
}

// verifyInfo checks a .info as libclamav's cli_loadinfo does: the DSIG line
// (scheme B, "info" key), each member's size and SHA-256, and line 1
// against the CVD header. rsa.VerifyPSS accepts ClamAV's encoding.
func verifyInfo(t *testing.T, vt *verify.Anchors, h *verify.CVDHeader, info []byte, files map[string][]byte) {
	t.Helper()
	i := bytes.LastIndex(info, []byte("DSIG:"))
	if i < 0 || !bytes.HasSuffix(info, []byte("\n")) {
		t.Fatalf(".info without a DSIG line: %q", info)
	}
	n, e, err := vt.ClamAVKey("info")
	if err != nil {
		t.Fatal(err)
	}
	sig := decodeDigits(t, strings.TrimSpace(string(info[i+5:])))
	sum := sha256.Sum256(info[:i])
	if err := rsa.VerifyPSS(&rsa.PublicKey{N: n, E: int(e)}, crypto.SHA256, sum[:], sig.FillBytes(make([]byte, 256)),
		&rsa.PSSOptions{SaltLength: 32}); err != nil {
		t.Errorf(".info DSIG: %v", err)
	}
	lines := strings.Split(string(info[:i]), "\n")
	wantHead, _ := (&verify.CVDHeader{BuildTime: h.BuildTime, Version: h.Version, Signatures: h.Signatures, FLevel: h.FLevel,
		MD5: "X", DSig: "X", Builder: h.Builder, BuildUnix: h.BuildUnix}).Encode()
	if lines[0] != strings.TrimRight(string(wantHead), " ") {
		t.Errorf(".info line 1 %q does not match the header", lines[0])
	}
	for _, l := range lines[1 : len(lines)-1] {
		f := strings.Split(l, ":")
		sum := sha256.Sum256(files[f[0]])
		if len(f) != 3 || f[1] != strconv.Itoa(len(files[f[0]])) || f[2] != hex.EncodeToString(sum[:]) {
			t.Errorf(".info line %q does not match the member", l)
		}
	}
}

func decodeDigits(t *testing.T, s string) *big.Int {
	const digits = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
	v := new(big.Int)
	for i := len(s) - 1; i >= 0; i-- {
		d := strings.IndexByte(digits, s[i])
		if d < 0 {
			t.Fatalf("not a ClamAV digit: %q", s[i])
		}
		v.Lsh(v, 6).Or(v, big.NewInt(int64(d)))
	}
	return v
}

func TestClamAVPublishesVerifiableFiles(t *testing.T) {
	u := vendortest.New()
	c := AddFake(u, "main", "daily")
	u.Start()
	defer u.Close()
	vt := u.VendorTrust().For("clamav", "main")
	pool, err := vt.ClamAVSignPool()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := vt.ClamAVKey("cdiff"); err != nil || len(vt.ClamAVSignRoots) != 1 {
		t.Fatalf("trust: %v %v", err, u.VendorTrust().Summary())
	}
	checkCVD := func(db string, want uint64) {
		t.Helper()
		resp, b := httpGet(t, u.URL()+"/"+db+".cvd", nil)
		h, err := verify.VerifyCVD(bytes.NewReader(b), vt)
		if err != nil {
			t.Fatalf("%s.cvd: %v", db, err)
		}
		if h.Version != want || h.Version != c.Version(db) || h.Signatures != want || h.FLevel != ClamAVFLevel {
			t.Errorf("%s.cvd header %+v, want version %d", db, h, want)
		}
		if lm, _ := http.ParseTime(resp.Header.Get("Last-Modified")); lm.Unix() != h.BuildUnix || !c.BuildTime(db).Equal(lm) {
			t.Errorf("Last-Modified %s, build time %d", resp.Header.Get("Last-Modified"), h.BuildUnix)
		}
		names, files := cvdMembers(t, b)
		if strings.Join(names, " ") != "COPYING "+db+".info "+db+".hdb" {
			t.Errorf("members %v", names)
		}
		if n := strings.Count(string(files[db+".hdb"]), "\n"); n != int(want) {
			t.Errorf("%d .hdb lines, want %d", n, want)
		}
		verifyInfo(t, vt, h, files[db+".info"], files)
		sign, ok := u.Get(fmt.Sprintf("/%s-%d.cvd.sign", db, want))
		if !ok {
			t.Fatalf("no %s-%d.cvd.sign", db, want)
		}
		if err := verify.VerifyClamSign(sign, bytes.NewReader(b), pool, ClamAVSignMinFLevel, time.Now()); err != nil {
			t.Errorf("%s-%d.cvd.sign: %v", db, want, err)
		}
		// The fake's keys are not ClamAV's: production trust refuses.
		if _, err := verify.VerifyCVD(bytes.NewReader(b), evidence.DefaultTrust().For("clamav", "daily")); !errors.Is(err, verify.ErrBadSignature) {
			t.Errorf("real ClamAV key accepted the fake: %v", err)
		}
	}
	checkCVD("main", 1)
	checkCVD("daily", 1)

	for v := uint64(2); v <= 4; v++ {
		u.Advance(3 * time.Hour)
		if got := c.Release("daily"); got != v {
			t.Fatalf("Release gave %d, want %d", got, v)
		}
		checkCVD("daily", v)
		name := fmt.Sprintf("/daily-%d.cdiff", v)
		resp, cd := httpGet(t, u.URL()+name, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", name, resp.Status)
		}
		got, err := verify.VerifyCdiff(cd, vt)
		if err != nil || got.Version != v {
			t.Fatalf("%s: %v %+v", name, err, got)
		}
		sign, _ := u.Get(name + ".sign")
		if err := verify.VerifyClamSign(sign, bytes.NewReader(cd), pool, 1000, time.Now()); err != nil {
			t.Errorf("%s.sign: %v", name, err)
		}
		if _, err := verify.VerifyCdiff(cd, evidence.DefaultTrust().For("clamav", "daily")); !errors.Is(err, verify.ErrBadSignature) {
			t.Errorf("real ClamAV key accepted the fake cdiff: %v", err)
		}
	}
	checkCVD("main", 1)

	// freshclam's probe and its conditional GET with the local build time.
	resp, head := httpGet(t, u.URL()+"/daily.cvd", map[string]string{"Range": "bytes=0-511"})
	h, err := verify.ParseCVDHeader(head)
	if resp.StatusCode != http.StatusPartialContent || err != nil || h.Version != 4 {
		t.Fatalf("probe: %s %v %+v", resp.Status, err, h)
	}
	ims := time.Unix(h.BuildUnix, 0).UTC().Format(http.TimeFormat)
	if resp, _ := httpGet(t, u.URL()+"/daily.cvd", map[string]string{"If-Modified-Since": ims}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since the build time: %s", resp.Status)
	}
	old := time.Unix(h.BuildUnix-1, 0).UTC().Format(http.TimeFormat)
	if resp, _ := httpGet(t, u.URL()+"/daily.cvd", map[string]string{"If-Modified-Since": old}); resp.StatusCode != http.StatusOK {
		t.Errorf("If-Modified-Since an older build: %s", resp.Status)
	}
	want := []string{"/daily-1.cvd.sign", "/daily-2.cdiff", "/daily-2.cdiff.sign", "/daily-2.cvd.sign", "/daily-3.cdiff",
		"/daily-3.cdiff.sign", "/daily-3.cvd.sign", "/daily-4.cdiff", "/daily-4.cdiff.sign", "/daily-4.cvd.sign",
		"/daily.cvd", "/main-1.cvd.sign", "/main.cvd"}
	if got := u.Paths(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("paths %v", got)
	}
}

// applyScript applies a cdiff script (OPEN, ADD, XCHG, DEL, CLOSE) to the
// files of a database, as libclamav's cdiff_apply does.
func applyScript(t *testing.T, files map[string][]byte, script string) {
	t.Helper()
	var open string
	var adds []string
	edits := map[int][2]string{} // line → orig prefix, new line ("" deletes)
	for _, line := range strings.Split(strings.TrimSuffix(script, "\n"), "\n") {
		verb, rest, _ := strings.Cut(line, " ")
		switch verb {
		case "OPEN":
			open, adds, edits = rest, nil, map[int][2]string{}
		case "ADD":
			adds = append(adds, rest)
		case "XCHG", "DEL":
			f := strings.SplitN(rest, " ", 3)
			n, _ := strconv.Atoi(f[0])
			e := [2]string{f[1], ""}
			if verb == "XCHG" {
				e[1] = f[2]
			}
			edits[n] = e
		case "CLOSE":
			lines := strings.Split(strings.TrimSuffix(string(files[open]), "\n"), "\n")
			var out []string
			for i, l := range lines {
				e, ok := edits[i+1]
				switch {
				case !ok:
					out = append(out, l)
				case !strings.HasPrefix(l, e[0]):
					t.Fatalf("%s line %d %q does not start with %q", open, i+1, l, e[0])
				case e[1] != "":
					out = append(out, e[1])
				}
			}
			files[open] = []byte(strings.Join(append(out, adds...), "\n") + "\n")
		default:
			t.Fatalf("unknown cdiff verb in %q", line)
		}
	}
}

func TestClamAVCdiffsPatchTheDatabase(t *testing.T) {
	u := vendortest.New()
	c := AddFake(u, "daily")
	cvd1, _ := u.Get("/daily.cvd")
	_, files := cvdMembers(t, cvd1)
	for v := 2; v <= 5; v++ {
		u.Advance(time.Hour)
		c.Release("daily")
		cd, _ := u.Get(fmt.Sprintf("/daily-%d.cdiff", v))
		p, err := verify.ParseCdiff(cd)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(p.Gzip))
		if err != nil {
			t.Fatal(err)
		}
		script, _ := io.ReadAll(zr)
		if int64(len(script)) != p.ScriptLen {
			t.Errorf("script %d bytes, header says %d", len(script), p.ScriptLen)
		}
		if !bytes.HasPrefix(script, []byte("OPEN daily.info\nXCHG 1 ClamAV-VDB:")) {
			t.Errorf("script %q", script)
		}
		// The new header carries the version's build time, as Talos' do.
		if got, err := verify.CdiffBuildTime(cd); err != nil || !got.Equal(c.BuildTime("daily")) {
			t.Errorf("daily-%d.cdiff: build time %v (%v), want %v", v, got, err, c.BuildTime("daily"))
		}
		applyScript(t, files, string(script))
		cvd, _ := u.Get("/daily.cvd")
		_, want := cvdMembers(t, cvd)
		for _, name := range []string{"daily.info", "daily.hdb"} {
			if !bytes.Equal(files[name], want[name]) {
				t.Fatalf("v%d %s after patching:\n%s\nwant:\n%s", v, name, files[name], want[name])
			}
		}
	}
}

func TestClamAVBadFiles(t *testing.T) {
	u := vendortest.New()
	c := AddFake(u, "daily")
	vt := u.VendorTrust().For("clamav", "daily")
	c.Release("daily")
	good, _ := u.Get("/daily.cvd")

	c.PutBadCVD("daily")
	bad, _ := u.Get("/daily.cvd")
	if _, err := verify.VerifyCVD(bytes.NewReader(bad), vt); !errors.Is(err, verify.ErrBadSignature) {
		t.Errorf("PutBadCVD: %v", err)
	}
	if h, err := verify.ParseCVDHeader(bad[:verify.CVDHeaderSize]); err != nil || h.Version != 2 {
		t.Errorf("bad CVD header: %v %+v", err, h)
	}
	u.Put("/daily.cvd", good, c.BuildTime("daily"))
	c.PutDamagedCVD("daily")
	damaged, _ := u.Get("/daily.cvd")
	if _, err := verify.VerifyCVD(bytes.NewReader(damaged), vt); !errors.Is(err, verify.ErrMismatch) {
		t.Errorf("PutDamagedCVD: %v", err)
	}
	sign, _ := u.Get("/daily-2.cvd.sign")
	pool, _ := vt.ClamAVSignPool()
	if err := verify.VerifyClamSign(sign, bytes.NewReader(damaged), pool, ClamAVSignMinFLevel, u.Now()); !errors.Is(err, verify.ErrBadSignature) {
		t.Errorf(".sign over the damaged CVD: %v", err)
	}

	c.PutBadCdiff("daily", 2)
	cd, _ := u.Get("/daily-2.cdiff")
	if _, err := verify.VerifyCdiff(cd, vt); !errors.Is(err, verify.ErrBadSignature) {
		t.Errorf("PutBadCdiff: %v", err)
	}
	if p, err := verify.ParseCdiff(cd); err != nil || p.Version != 2 {
		t.Errorf("bad cdiff structure: %v", err)
	}
}

func TestClamAVTXT(t *testing.T) {
	u := vendortest.New()
	c := AddFake(u)
	u.Advance(time.Hour)
	c.Release("daily")
	c.Release("daily")
	c.Release("bytecode")
	txt, err := verify.ParseClamAVTXT(c.TXT())
	if err != nil {
		t.Fatal(err)
	}
	want := verify.ClamAVTXT{Engine: ClamAVEngine, Main: 1, Daily: 3, Time: u.Now().Unix(), VersionWarn: true,
		FLevel: ClamAVFLevel, SafeBrowsing: clamavSafeBrowsing, Bytecode: 2}
	if !reflect.DeepEqual(*txt, want) {
		t.Errorf("TXT %+v", txt)
	}
	if got, _ := u.TXT("daily.cvd.clamav.net"); got != fmt.Sprintf("3:%d", u.Now().Unix()) {
		t.Errorf("daily.cvd.clamav.net %q", got)
	}
	// Builds are ordered even when the clock stands still: v2 and v3 of
	// daily were released at the same upstream time.
	if got := c.BuildTime("daily"); !got.Equal(u.Now().Add(time.Second)) {
		t.Errorf("build time of daily v3 %v, want a second after %v", got, u.Now())
	}
}

func TestAddFakeTwice(t *testing.T) {
	u := vendortest.New()
	c := AddFake(u, "main")
	if c2 := AddFake(u, "daily"); c2 != c {
		t.Error("a second AddFake made a second ClamAV")
	}
	if c3 := (Vendor{}).Fake(u); c3 != c {
		t.Error("Vendor.Fake made a second ClamAV")
	}
	if v := c.Version("main"); v != 1 {
		t.Errorf("main at version %d after AddFake(main) again", v)
	}
	AddFake(u, "main") // published already: nothing happens
	all := u.VendorTrust()
	if a := all.For("clamav", "main"); len(a.ClamAVKeys) != 3 || len(a.ClamAVSignRoots) != 1 || len(all.Vendors) != 1 {
		t.Errorf("trust after three calls: %v", all.Summary())
	}
	for _, bad := range []string{"Daily", "../x", ""} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AddFake(%q) did not panic", bad)
				}
			}()
			AddFake(u, bad)
		}()
	}
}

// The fake's files have the shape of Talos' real ones (testdata/fixtures/clamav).
func TestClamAVLooksLikeReal(t *testing.T) {
	real, err := os.ReadFile(verifytest.FixturePath(t, "clamav/test-6.cvd"))
	if err != nil {
		t.Fatal(err)
	}
	realCdiff, err := os.ReadFile(verifytest.FixturePath(t, "clamav/test-6.cdiff"))
	if err != nil {
		t.Fatal(err)
	}
	u := vendortest.New()
	c := AddFake(u, "daily")
	c.Release("daily")
	fake, _ := u.Get("/daily.cvd")
	fakeCdiff, _ := u.Get("/daily-2.cdiff")

	// gzip headers: no name, mtime 0, XFL 2, OS 3.
	if !bytes.Equal(fake[512:522], real[512:522]) {
		t.Errorf("CVD gzip header %x, real %x", fake[512:522], real[512:522])
	}
	fp, _ := verify.ParseCdiff(fakeCdiff)
	rp, _ := verify.ParseCdiff(realCdiff)
	if !bytes.Equal(fp.Gzip[:10], rp.Gzip[:10]) {
		t.Errorf("cdiff gzip header %x, real %x", fp.Gzip[:10], rp.Gzip[:10])
	}
	// The first tar header: sigtool's layout, byte for byte apart from
	// name, size and checksum.
	tarHead := func(cvd []byte) []byte {
		zr, err := gzip.NewReader(bytes.NewReader(cvd[512:]))
		if err != nil {
			t.Fatal(err)
		}
		h := make([]byte, 512)
		if _, err := io.ReadFull(zr, h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	fh, rh := tarHead(fake), tarHead(real)
	for _, r := range [][2]int{{0, 8}, {100, 124}, {136, 148}, {155, 512}} { // "COPYING\0", mode/uid/gid, mtime, after checksum
		if !bytes.Equal(fh[r[0]:r[1]], rh[r[0]:r[1]]) {
			t.Errorf("tar header bytes %d–%d: %q, real %q", r[0], r[1], fh[r[0]:r[1]], rh[r[0]:r[1]])
		}
	}
	if fh[154] != 0 || fh[155] != 0 || fh[148] < '0' || fh[148] > '7' || rh[154] != 0 {
		t.Errorf("tar size/checksum fields %q %q", fh[124:136], fh[148:156])
	}
	// Header fields: same kinds of values in the same places.
	fhd, _ := verify.ParseCVDHeader(fake[:512])
	rhd, _ := verify.ParseCVDHeader(real[:512])
	if len(fhd.BuildTime) != len(rhd.BuildTime) || len(fhd.DSig) < 160 || len(fhd.DSig) > 171 {
		t.Errorf("fake header %+v\nreal header %+v", fhd, rhd)
	}
	if d := len(fakeCdiff) - bytes.LastIndexByte(fakeCdiff, ':') - 1; d < 330 || d > 342 {
		t.Errorf("cdiff signature of %d digits; real ones have 341–342", d)
	}
}
