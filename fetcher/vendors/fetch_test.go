package vendors_test

// End-to-end tests: fetcher.Run with the configured sources against the
// fake vendor upstream (fetcher/vendortest) on loopback, with a real cache
// and fetch state in t.TempDir.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendors"
	"github.com/patchferry/patchferry/fetcher/vendors/clamav"
	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/fetcher/vendortest/conformance"
	"github.com/patchferry/patchferry/media/evidence"
)

// newRig is a fetcher of every registered vendor, from config
// (UPSTREAM: the upstream's URL), as conformance.NewRig makes it.
func newRig(t *testing.T, u *vendortest.Upstream, config string) *conformance.Rig {
	t.Helper()
	return conformance.NewRig(t, u, vendors.Fetcher(), config)
}

func current(t *testing.T, st *fetcher.State, source string) *fetcher.SourceState {
	t.Helper()
	cur, err := st.Current(source)
	if err != nil {
		t.Fatal(err)
	}
	if cur == nil {
		t.Fatalf("no current state for %s", source)
	}
	return cur
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// want is an artifact a fetch must record: the file at path on the
// upstream, recorded under that URL and version.
type want struct {
	source, path, version, kind string
}

// published returns what the upstream serves at path.
func published(t *testing.T, u *vendortest.Upstream, path string) []byte {
	t.Helper()
	b, ok := u.Get(path)
	if !ok {
		t.Fatalf("the upstream has nothing at %s", path)
	}
	return b
}

// urlOf is the URL the fetcher asks for path (spaces escaped).
func urlOf(u *vendortest.Upstream, path string) string {
	return u.URL() + strings.ReplaceAll(path, " ", "%20")
}

// checkRecorded checks that each wanted artifact is recorded with the
// upstream's bytes, that its blob and evidence are in the cache (and hash
// to their names), and that it is current for its source. It returns the
// artifacts.
func checkRecorded(t *testing.T, r *conformance.Rig, wants []want) []*fetcher.Artifact {
	t.Helper()
	var out []*fetcher.Artifact
	for _, w := range wants {
		a, err := r.State.FindArtifact(w.source, urlOf(r.U, w.path), w.version)
		if err != nil {
			t.Fatal(err)
		}
		if a == nil {
			t.Errorf("%s %s: not recorded", w.path, w.version)
			continue
		}
		out = append(out, a)
		data := published(t, r.U, w.path)
		if a.SHA256 != sha256Hex(data) || a.Size != int64(len(data)) {
			t.Errorf("%s: recorded %s/%d, the upstream has %s/%d", w.path, a.SHA256, a.Size, sha256Hex(data), len(data))
		}
		if a.Kind != w.kind || a.Source != w.source {
			t.Errorf("%s: kind %q source %q, want %q %q", w.path, a.Kind, a.Source, w.kind, w.source)
		}
		if got, err := r.State.Artifact(a.SHA256); err != nil || got == nil || got.URL != a.URL {
			t.Errorf("%s: State.Artifact(%s) = %v, %v", w.path, a.SHA256, got, err)
		}
		checkBlob(t, r, a.SHA256)
		for _, ev := range a.Evidence {
			checkBlob(t, r, ev.SHA256)
		}
		if cur := current(t, r.State, w.source); !slices.Contains(cur.Artifacts, a.SHA256) {
			t.Errorf("%s: not current for %s", w.path, w.source)
		}
	}
	return out
}

// checkBlob checks that the cache holds a blob that hashes to its name.
func checkBlob(t *testing.T, r *conformance.Rig, sha string) {
	t.Helper()
	f, err := os.Open(r.Cache.BlobPath(sha))
	if err != nil {
		t.Errorf("cache blob: %v", err)
		return
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		t.Errorf("cache blob %s hashes to %s", sha, got)
	}
}

// checkNotRecorded checks that refused bytes were never recorded, are not
// in the cache, and that no download was left in partial/.
func checkNotRecorded(t *testing.T, r *conformance.Rig, what string, data []byte) {
	t.Helper()
	sha := sha256Hex(data)
	if a, err := r.State.Artifact(sha); err != nil || a != nil {
		t.Errorf("%s: recorded as fetched: %+v %v", what, a, err)
	}
	if r.Cache.Has(sha) {
		t.Errorf("%s: in the cache", what)
	}
	if left, _ := os.ReadDir(filepath.Join(r.Cfg.CacheDir, "partial")); len(left) > 0 {
		t.Errorf("%s: partial/ still holds %d files", what, len(left))
	}
}

// clamavWants lists what a fetch of db at its current version records:
// the cvd, its .sign, and every cdiff (with .sign) from 2 on.
func clamavWants(c *clamav.Fake, db string) []want {
	v := c.Version(db)
	out := []want{
		{"clamav", "/" + db + ".cvd", fmt.Sprint(v), "cvd"},
		{"clamav", fmt.Sprintf("/%s-%d.cvd.sign", db, v), fmt.Sprint(v), "sign"},
	}
	for n := uint64(2); n <= v; n++ {
		out = append(out,
			want{"clamav", fmt.Sprintf("/%s-%d.cdiff", db, n), fmt.Sprint(n), "cdiff"},
			want{"clamav", fmt.Sprintf("/%s-%d.cdiff.sign", db, n), fmt.Sprint(n), "sign"})
	}
	return out
}

// mozillaWants lists the installers and complete MARs of a product's
// current version, in the languages given.
func mozillaWants(m *mozilla.Fake, product string, langs ...string) []want {
	v := m.Version(product)
	var out []want
	for _, rel := range m.Files(product, v) {
		kind := ""
		switch {
		case strings.HasSuffix(rel, ".exe"):
			kind = "installer-exe"
		case strings.HasSuffix(rel, ".msi"):
			kind = "installer-msi"
		case strings.HasSuffix(rel, ".complete.mar"):
			kind = "mar-complete"
		default:
			continue // win64_info.txt is metadata
		}
		if lang := strings.Split(strings.TrimPrefix(rel, "update/"), "/")[1]; !slices.Contains(langs, lang) {
			continue
		}
		out = append(out, want{"mozilla", m.Dir(product, v) + "/" + rel, v, kind})
	}
	return out
}

// isPayload tells vendor payloads from metadata by their path.
func isPayload(path string) bool {
	for _, ext := range []string{".cvd", ".cdiff", ".exe", ".msi", ".mar"} {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return false
}

const headProbe = "bytes=0-511"

// payloadBytes is the body bytes the upstream sent for payloads, header
// probes left out, and which payload paths sent any.
func payloadBytes(u *vendortest.Upstream) (int64, []string) {
	var n int64
	seen := map[string]bool{}
	for _, r := range u.Requests() {
		if isPayload(r.Path) && r.Range != headProbe {
			n += r.Bytes
			if r.Bytes > 0 {
				seen[r.Path] = true
			}
		}
	}
	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return n, paths
}

func pathsOf(ws []want) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.path)
	}
	sort.Strings(out)
	return out
}

// fullUpstream is a fake upstream with ClamAV (main at version 2, daily at
// 3, bytecode at 1) and Mozilla (firefox-esr, firefox, thunderbird).
func fullUpstream(t *testing.T) (*vendortest.Upstream, *clamav.Fake, *mozilla.Fake) {
	t.Helper()
	u := vendortest.New()
	u.Start()
	t.Cleanup(u.Close)
	c := clamav.AddFake(u)
	c.Release("main")
	c.Release("daily")
	c.Release("daily")
	m := mozilla.AddFake(u)
	return u, c, m
}

const fullConfig = `
cache_dir: cache
sources:
  clamav:
    url: UPSTREAM
    databases: [main, daily, bytecode]
    dns: ""
  mozilla:
    url: UPSTREAM
    product_details_url: UPSTREAM/1.0
    products: [firefox-esr, firefox, thunderbird]
    languages: [en-US, ja]
`

var (
	clamavDBs       = []string{"main", "daily", "bytecode"}
	mozillaProducts = []string{"firefox-esr", "firefox", "thunderbird"}
)

func fullWants(c *clamav.Fake, m *mozilla.Fake) (clam, moz []want) {
	for _, db := range clamavDBs {
		clam = append(clam, clamavWants(c, db)...)
	}
	for _, p := range mozillaProducts {
		moz = append(moz, mozillaWants(m, p, "en-US", "ja")...)
	}
	return clam, moz
}

// The first fetch records every file of every source, verified, in the
// cache and current; versions are read from the .cvd headers (dns: "").
func TestFetchEndToEnd(t *testing.T) {
	t.Parallel()
	u, c, m := fullUpstream(t)
	r := newRig(t, u, fullConfig)
	sum := r.Fetch(t)
	conformance.WantOK(t, sum)
	clam, moz := fullWants(c, m)
	if len(clam) != 2+2+2*2+2+2 || len(moz) != 3*6 {
		t.Fatalf("test setup: %d ClamAV and %d Mozilla artifacts expected", len(clam), len(moz))
	}

	for source, ws := range map[string][]want{"clamav": clam, "mozilla": moz} {
		rep := conformance.Report(t, sum, source)
		if len(rep.New) != len(ws) || rep.Unchanged != 0 {
			t.Errorf("%s: %d new, %d unchanged; want %d new:\n%s", source, len(rep.New), rep.Unchanged, len(ws), strings.Join(rep.New, "\n"))
		}
		if cur := current(t, r.State, source); len(cur.Artifacts) != len(ws) || !sort.StringsAreSorted(cur.Artifacts) {
			t.Errorf("%s: %d current artifacts, want %d, sorted", source, len(cur.Artifacts), len(ws))
		}
	}
	if sum.NewCount() != len(clam)+len(moz) {
		t.Errorf("NewCount %d, want %d", sum.NewCount(), len(clam)+len(moz))
	}

	for _, a := range checkRecorded(t, r, clam) {
		db := a.Product
		switch a.Kind {
		case "cvd":
			if a.Version != fmt.Sprint(c.Version(db)) || !a.Released.Equal(c.BuildTime(db)) ||
				a.Verification.Method != evidence.MethodClamAVCVD || a.Verification.Signer != "vendortest" || len(a.Evidence) != 1 {
				t.Errorf("%s.cvd: %+v", db, a)
			}
		case "cdiff":
			if a.Verification.Method != evidence.MethodClamAVCdiff {
				t.Errorf("%s: method %q", a.FileName, a.Verification.Method)
			}
		case "sign":
			if a.Verification.Method != evidence.MethodClamAVSign {
				t.Errorf("%s: method %q", a.FileName, a.Verification.Method)
			}
		}
	}
	cur := current(t, r.State, "clamav")
	for _, db := range clamavDBs {
		if got, want := cur.Versions["clamav/"+db], fmt.Sprint(c.Version(db)); got != want {
			t.Errorf("current version of %s: %q, want %q", db, got, want)
		}
	}

	for _, a := range checkRecorded(t, r, moz) {
		if a.BuildID == "" || a.BuildID != m.BuildID(a.Product, a.Version) {
			t.Errorf("%s: build ID %q, want %q", a.FileName, a.BuildID, m.BuildID(a.Product, a.Version))
		}
		if a.Verification.Method != evidence.MethodMozillaSums || len(a.Evidence) != 2 || a.Platform != "win64" {
			t.Errorf("%s: %+v", a.FileName, a)
		}
	}
	cur = current(t, r.State, "mozilla")
	for _, p := range mozillaProducts {
		if cur.Versions["mozilla/"+p] != m.Version(p) {
			t.Errorf("current version of %s: %q, want %q", p, cur.Versions["mozilla/"+p], m.Version(p))
		}
	}

	// dns: "" reads each version from a header probe.
	probes := map[string]bool{}
	for _, req := range u.Requests() {
		if req.Range == headProbe {
			probes[req.Path] = true
		}
	}
	for _, db := range clamavDBs {
		if !probes["/"+db+".cvd"] {
			t.Errorf("no header probe for %s.cvd", db)
		}
	}
}

// A second fetch with nothing new downloads no payload byte (and, with
// conditional requests, no byte at all); a third downloads exactly the
// new files.
func TestFetchAgainDownloadsOnlyWhatIsNew(t *testing.T) {
	t.Parallel()
	u, c, m := fullUpstream(t)
	r := newRig(t, u, fullConfig)
	conformance.WantOK(t, r.Fetch(t))
	clam, moz := fullWants(c, m)
	before := map[string]*fetcher.SourceState{"clamav": current(t, r.State, "clamav"), "mozilla": current(t, r.State, "mozilla")}

	u.ResetLog()
	sum := r.Fetch(t)
	conformance.WantOK(t, sum)
	if n, paths := payloadBytes(u); n != 0 {
		t.Errorf("second fetch: %d payload bytes from %v", n, paths)
	}
	if n := u.BytesServed("/"); n != 0 {
		t.Errorf("second fetch: %d bytes in all, want 0 (conditional requests)", n)
	}
	if sum.NewCount() != 0 {
		t.Errorf("second fetch: %d new", sum.NewCount())
	}
	for source, ws := range map[string][]want{"clamav": clam, "mozilla": moz} {
		if rep := conformance.Report(t, sum, source); rep.Unchanged != len(ws) {
			t.Errorf("%s: %d unchanged, want %d", source, rep.Unchanged, len(ws))
		}
		if cur := current(t, r.State, source); !slices.Equal(cur.Artifacts, before[source].Artifacts) {
			t.Errorf("%s: current artifacts changed on a fetch with nothing new", source)
		}
	}

	// New versions: only their files come down.
	c.Release("daily")
	m.Release("firefox", "134.0")
	u.ResetLog()
	sum = r.Fetch(t)
	conformance.WantOK(t, sum)
	newClam := []want{
		{"clamav", "/daily.cvd", "4", "cvd"},
		{"clamav", "/daily-4.cdiff", "4", "cdiff"},
	}
	newSigns := []want{
		{"clamav", "/daily-4.cvd.sign", "4", "sign"},
		{"clamav", "/daily-4.cdiff.sign", "4", "sign"},
	}
	newMoz := mozillaWants(m, "firefox", "en-US", "ja")
	payloads := append(append([]want{}, newClam...), newMoz...)
	var wantBytes int64
	for _, w := range payloads {
		wantBytes += int64(len(published(t, u, w.path)))
	}
	n, paths := payloadBytes(u)
	if n != wantBytes || !slices.Equal(paths, pathsOf(payloads)) {
		t.Errorf("third fetch: %d payload bytes from\n%v\nwant %d bytes from\n%v", n, paths, wantBytes, pathsOf(payloads))
	}
	for _, w := range newSigns {
		if got, want := u.BytesServed(w.path), int64(len(published(t, u, w.path))); got != want {
			t.Errorf("%s: %d bytes served, want %d", w.path, got, want)
		}
	}
	for _, req := range u.Requests() {
		if req.Range == headProbe && req.Bytes > 0 && (req.Path != "/daily.cvd" || req.Bytes > 512) {
			t.Errorf("header probe of %s sent %d bytes", req.Path, req.Bytes)
		}
	}
	// daily.cvd v3 and its .sign are no longer current; the rest is.
	if rep := conformance.Report(t, sum, "clamav"); len(rep.New) != 4 || rep.Unchanged != len(clam)-2 {
		t.Errorf("clamav: %d new %v, %d unchanged", len(rep.New), rep.New, rep.Unchanged)
	}
	if rep := conformance.Report(t, sum, "mozilla"); len(rep.New) != 6 || rep.Unchanged != 12 {
		t.Errorf("mozilla: %d new, %d unchanged", len(rep.New), rep.Unchanged)
	}
	checkRecorded(t, r, append(append(newClam, newSigns...), newMoz...))
	cur := current(t, r.State, "mozilla")
	if cur.Versions["mozilla/firefox"] != "134.0" || len(cur.Artifacts) != 18 {
		t.Errorf("mozilla current: %v, %d artifacts", cur.Versions, len(cur.Artifacts))
	}
	for _, w := range moz {
		if !strings.Contains(w.path, "/133.0/") {
			continue
		}
		a, _ := r.State.FindArtifact("mozilla", urlOf(u, w.path), "133.0")
		if a == nil {
			t.Errorf("%s: the record of the old version is gone", w.path)
		} else if slices.Contains(cur.Artifacts, a.SHA256) {
			t.Errorf("%s: still current after 134.0", w.path)
		}
	}
	if v := current(t, r.State, "clamav").Versions["clamav/daily"]; v != "4" {
		t.Errorf("current daily version %q, want 4", v)
	}
}

// A connection reset in the middle of an installer: the fetch resumes it
// and the server sends its bytes exactly once.
func TestFetchResumesCutDownload(t *testing.T) {
	t.Parallel()
	u := vendortest.New()
	u.Start()
	t.Cleanup(u.Close)
	m := mozilla.AddFake(u)
	r := newRig(t, u, `
cache_dir: cache
sources:
  mozilla:
    url: UPSTREAM
    product_details_url: UPSTREAM/1.0
    products: [firefox-esr]
    languages: [ja]
`)
	path := m.Dir("firefox-esr", "128.5.0esr") + "/win64/ja/Firefox Setup 128.5.0esr.msi"
	u.Inject(path, vendortest.FaultReset)
	sum := r.Fetch(t)
	conformance.WantOK(t, sum)
	if n := len(conformance.Report(t, sum, "mozilla").New); n != 3 {
		t.Errorf("%d new, want 3", n)
	}
	data := published(t, u, path)
	if got := u.BytesServed(path); got != int64(len(data)) {
		t.Errorf("%s: %d bytes served for a %d-byte file", path, got, len(data))
	}
	var ranges []string
	for _, req := range u.Requests() {
		if req.Path == path {
			ranges = append(ranges, req.Range)
		}
	}
	if len(ranges) != 2 || ranges[0] != "" || ranges[1] != fmt.Sprintf("bytes=%d-", len(data)/2) {
		t.Errorf("requests for the cut file: ranges %q, want a full GET then bytes=%d-", ranges, len(data)/2)
	}
	checkRecorded(t, r, mozillaWants(m, "firefox-esr", "ja"))
}

// Versions from DNS: the TXT record of ServeDNS; no header probe is sent.
func TestFetchClamAVVersionsFromDNS(t *testing.T) {
	t.Parallel()
	u := vendortest.New()
	u.Start()
	t.Cleanup(u.Close)
	c := clamav.AddFake(u)
	c.Release("daily")
	addr, err := u.ServeDNS("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, u, fmt.Sprintf(`
cache_dir: cache
sources:
  clamav:
    url: UPSTREAM
    dns: current.cvd.clamav.net
    dns_server: %q
`, addr))
	sum := r.Fetch(t)
	conformance.WantOK(t, sum)
	var ws []want
	for _, db := range clamavDBs {
		ws = append(ws, clamavWants(c, db)...)
	}
	checkRecorded(t, r, ws)
	if n := len(conformance.Report(t, sum, "clamav").New); n != len(ws) {
		t.Errorf("%d new, want %d", n, len(ws))
	}
	for _, req := range u.Requests() {
		if req.Range != "" {
			t.Errorf("%s %s Range %q: versions must come from DNS, not header probes", req.Method, req.Path, req.Range)
		}
	}

	// A new version in the record: fetched, still without probes.
	c.Release("daily")
	u.ResetLog()
	conformance.WantOK(t, r.Fetch(t))
	checkRecorded(t, r, clamavWants(c, "daily"))
	for _, req := range u.Requests() {
		if req.Range != "" || strings.HasPrefix(req.Path, "/main") || strings.HasPrefix(req.Path, "/bytecode") {
			t.Errorf("second fetch: %s %s Range %q", req.Method, req.Path, req.Range)
		}
	}
}

// A .sign file the server publishes after its database file was fetched is
// picked up by the next fetch, checked against the cached file; one that
// does not hold is refused and the database file stays current.
func TestFetchPicksUpLateSign(t *testing.T) {
	t.Parallel()
	u, _, _ := fullUpstream(t)
	r := newRig(t, u, fullConfig)
	late := []want{
		{"clamav", "/daily-3.cvd.sign", "3", "sign"},
		{"clamav", "/daily-3.cdiff.sign", "3", "sign"},
	}
	saved := map[string][]byte{}
	for _, w := range late {
		saved[w.path] = published(t, u, w.path)
		u.Remove(w.path)
	}
	conformance.WantOK(t, r.Fetch(t))
	for _, w := range late {
		if a, _ := r.State.FindArtifact("clamav", urlOf(u, w.path), w.version); a != nil {
			t.Fatalf("%s recorded before the server had it", w.path)
		}
	}

	// The good one appears; the other appears signed for other bytes.
	u.Put(late[0].path, saved[late[0].path], u.Now())
	u.Put(late[1].path, saved["/daily-3.cvd.sign"], u.Now())
	u.ResetLog()
	sum := r.Fetch(t)
	if n, paths := payloadBytes(u); n != 0 {
		t.Errorf("payload bytes fetched again: %d from %v", n, paths)
	}
	rep := conformance.Report(t, sum, "clamav")
	if len(rep.New) != 1 || !strings.Contains(rep.New[0], "daily-3.cvd.sign") {
		t.Errorf("new: %v, want the late daily-3.cvd.sign", rep.New)
	}
	if len(rep.Refused) != 1 || rep.Refused[0].What != "daily-3.cdiff.sign" || !strings.Contains(rep.Refused[0].Reason, "legacy signature") {
		t.Errorf("refused: %+v, want the bad late daily-3.cdiff.sign", rep.Refused)
	}
	checkRecorded(t, r, late[:1])
	cdiff := checkRecorded(t, r, []want{{"clamav", "/daily-3.cdiff", "3", "cdiff"}})
	if cur := current(t, r.State, "clamav"); !slices.Contains(cur.Artifacts, cdiff[0].SHA256) {
		t.Error("the cdiff whose late .sign was refused is no longer current")
	}
}
