package main

// The weekly cycle through the CLI against a fake vendor upstream
// (fetcher/vendortest) on loopback: run, export --since, add, and a mirror
// that re-verifies the vendor evidence of what it imports. The fetcher
// configuration is the demo's (writeDemoConfig); bundles are signed with
// the shared publisher key.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ulikunitz/xz"

	"github.com/patchferry/patchferry/fetcher/vendors/clamav"
	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// weeklySite is a fake upstream and a fetcher configuration pointing at it.
// The upstream's clock starts two weeks before testNow, so a simulated week
// later is still in the past for the commands (whose clock is testNow).
type weeklySite struct {
	up      *vendortest.Upstream
	clamav  *clamav.Fake
	mozilla *mozilla.Fake
	dir     string
	config  string // patchferry.yaml: site demo, cache, media and vendor-trust.yaml beside it
}

func startWeeklySite(dir string) (*weeklySite, error) {
	up := vendortest.New()
	up.SetNow(testNow.Add(-14 * 24 * time.Hour))
	s := &weeklySite{up: up, clamav: clamav.AddFake(up), mozilla: mozilla.AddFake(up), dir: dir, config: filepath.Join(dir, "patchferry.yaml")}
	up.Start()
	if err := writeDemoConfig(s.config, up); err != nil {
		up.Close()
		return nil, err
	}
	return s, nil
}

func newWeeklySite(t *testing.T) *weeklySite {
	t.Helper()
	s, err := startWeeklySite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.up.Close)
	return s
}

func (s *weeklySite) trust() string { return filepath.Join(s.dir, "vendor-trust.yaml") }

// bundle is the folder of bundle seq.
func (s *weeklySite) bundle(seq int) string {
	return filepath.Join(s.dir, "media", fmt.Sprintf("patchferry-demo-%d", seq))
}

// run is the command line of the weekly job with the shared publisher key.
func (s *weeklySite) run(f *fixtures, extra ...string) []string {
	return append([]string{"run", "--config", s.config, "--key", f.publisher.priv}, extra...)
}

func (s *weeklySite) export(f *fixtures, extra ...string) []string {
	return append([]string{"export", "--config", s.config, "--key", f.publisher.priv}, extra...)
}

// nextWeek advances the upstream a week and releases ClamAV daily and
// Firefox ESR 128.6.0esr.
func (s *weeklySite) nextWeek() {
	s.up.Advance(7 * 24 * time.Hour)
	s.clamav.Release("daily")
	s.mozilla.Release("firefox-esr", "128.6.0esr")
}

// weeklyFixture is bundle 1 of a weekly site, made once per test binary;
// its upstream is stopped afterwards (tests may publish faulty files into
// it, never fetch from it).
type weeklyFixture struct {
	site *weeklySite
	key  *verify.PrivateKey // the shared publisher key, decrypted
}

var sharedWeekly = sync.OnceValues(func() (*weeklyFixture, error) {
	f, err := sharedFixtures()
	if err != nil {
		return nil, err
	}
	s, err := startWeeklySite(filepath.Join(sharedRoot, "weekly"))
	if err != nil {
		return nil, err
	}
	defer s.up.Close()
	a, stdout, stderr := newTestApp(pwEnv)
	if code := run(context.Background(), a, s.run(f)); code != exitOK {
		return nil, fmt.Errorf("run: exit %d: %s%s", code, stdout, stderr)
	}
	pem, err := os.ReadFile(f.publisher.priv)
	if err != nil {
		return nil, err
	}
	key, err := verify.ParsePrivateKey(pem, []byte(testPassword))
	if err != nil {
		return nil, err
	}
	return &weeklyFixture{site: s, key: key}, nil
})

func weekly(t *testing.T) *weeklyFixture {
	t.Helper()
	w, err := sharedWeekly()
	if err != nil {
		t.Fatalf("make the weekly fixture: %v", err)
	}
	return w
}

// inspected is `bundle inspect --json`.
type inspected struct {
	Sequence  uint64               `json:"sequence"`
	Base      uint64               `json:"base"`
	Artifacts []media.Artifact     `json:"artifacts"`
	Catalog   []media.CatalogEntry `json:"catalog"`
	Retired   []media.Retired      `json:"retired"`
	Meta      []media.MetaFile     `json:"meta"`
}

func inspectBundle(t *testing.T, dir string) *inspected {
	t.Helper()
	var b inspected
	decodeJSON(t, mustRun(t, nil, "--json", "bundle", "inspect", dir), &b)
	return &b
}

// files lists "vendor/product version language file" of every artifact,
// sorted.
func (b *inspected) files() []string {
	var out []string
	for _, a := range b.Artifacts {
		out = append(out, strings.Join([]string{a.Vendor + "/" + a.Product, a.Version, a.Language, a.FileName}, " "))
	}
	sort.Strings(out)
	return out
}

func (b *inspected) versions() map[string]string {
	out := make(map[string]string)
	for _, c := range b.Catalog {
		out[c.Vendor+"/"+c.Product] = c.Version
	}
	return out
}

// weekTwoFiles is what ClamAV daily 2 and Firefox ESR 128.6.0esr add.
var weekTwoFiles = func() []string {
	out := []string{"clamav/daily 2  daily.cvd", "clamav/daily 2  daily-2.cvd.sign", "clamav/daily 2  daily-2.cdiff", "clamav/daily 2  daily-2.cdiff.sign"}
	for _, lang := range []string{"ja", "en-US"} {
		for _, f := range []string{"Firefox Setup 128.6.0esr.exe", "Firefox Setup 128.6.0esr.msi", "firefox-128.6.0esr.complete.mar"} {
			out = append(out, "mozilla/firefox-esr 128.6.0esr "+lang+" "+f)
		}
	}
	sort.Strings(out)
	return out
}()

// mirrorState is the part of `mirror status --json` the tests read.
type mirrorState struct {
	Sequence  uint64 `json:"sequence"`
	StateCode string `json:"state_code"`
	Catalog   []struct {
		Product string `json:"product"`
		Version string `json:"version"`
		Files   int    `json:"files"`
	} `json:"catalog"`
	LastAttempt *struct {
		Bundle string `json:"bundle"`
		Result string `json:"result"`
		Reason string `json:"reason"`
	} `json:"last_attempt"`
}

func readMirrorState(t *testing.T, data string) *mirrorState {
	t.Helper()
	var s mirrorState
	decodeJSON(t, mustRun(t, nil, "--json", "mirror", "status", "--data", data), &s)
	return &s
}

// newVendorMirror creates a mirror trusting the shared publisher and the
// vendors in vendorTrust.
func newVendorMirror(t *testing.T, vendorTrust string) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, nil, "mirror", "init", "--data", data, "--trust", shared(t).publisher.pub, "--vendor-trust", vendorTrust, "--operator", "tester")
	return data
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// `run` twice: the second finds nothing new and writes nothing; a week
// later the third writes a delta holding only the new files.
func TestWeeklyRun(t *testing.T) {
	t.Parallel()
	f := shared(t)
	s := newWeeklySite(t)

	out := mustRun(t, pwEnv, s.run(f)...)
	wantContains(t, "first run", out, "Bundle written", "(full)", s.bundle(1), "refused 0", "State code:")
	first := inspectBundle(t, s.bundle(1))
	if first.Sequence != 1 || first.Base != 0 || len(first.Artifacts) == 0 {
		t.Fatalf("bundle 1: sequence %d base %d, %d artifacts", first.Sequence, first.Base, len(first.Artifacts))
	}

	// Nothing changed upstream: nothing written, said in English and Japanese.
	out = mustRun(t, pwEnv, s.run(f)...)
	wantContains(t, "second run", out, "nothing new: no bundle written (the last bundle is sequence 1)")
	out = mustRun(t, pwEnv, append([]string{"--lang", "ja"}, s.run(f)...)...)
	wantContains(t, "second run in Japanese", out, "新しい更新はありません", "ログ: ")
	if exists(s.bundle(2)) {
		t.Fatal("a run with nothing new wrote bundle 2")
	}
	logs, _ := filepath.Glob(filepath.Join(s.dir, "cache", "logs", "run-*.log"))
	if len(logs) != 1 {
		t.Fatalf("run logs: %v, want one (every run here has the same clock)", logs)
	}
	log, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, "run log", string(log), "run started", "run finished", "nothing_new=true", "clamav: new", "mozilla: new",
		"Bundle written", "nothing new", "新しい更新はありません")

	// A week later: the delta holds exactly ClamAV daily 2 and Firefox ESR
	// 128.6.0esr.
	s.nextWeek()
	out = mustRun(t, pwEnv, append([]string{"--json"}, s.run(f)...)...)
	var raw map[string]any
	decodeJSON(t, out, &raw)
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !slices.Equal(keys, []string{"export", "fetch", "log", "ok"}) || raw["ok"] != true {
		t.Fatalf("run --json: keys %v, ok %v", keys, raw["ok"])
	}
	var res struct {
		Export struct {
			NothingNew bool   `json:"nothing_new"`
			Sequence   uint64 `json:"sequence"`
			Base       uint64 `json:"base"`
			StateCode  string `json:"state_code"`
		} `json:"export"`
		Log string `json:"log"`
	}
	decodeJSON(t, out, &res)
	if res.Export.NothingNew || res.Export.Sequence != 2 || res.Export.Base != 1 || !exists(res.Log) {
		t.Fatalf("third run: %+v", res)
	}
	delta := inspectBundle(t, s.bundle(2))
	if got := delta.files(); delta.Base != 1 || !slices.Equal(got, weekTwoFiles) {
		t.Errorf("delta on %d holds\n%s\nwant\n%s", delta.Base, strings.Join(got, "\n"), strings.Join(weekTwoFiles, "\n"))
	}
	old := make(map[string]bool)
	for _, a := range first.Artifacts {
		old[a.SHA256] = true
	}
	for _, a := range delta.Artifacts {
		if old[a.SHA256] {
			t.Errorf("the delta carries %s again", a.FileName)
		}
	}
	want := map[string]string{"clamav/main": "1", "clamav/daily": "2", "clamav/bytecode": "1",
		"mozilla/firefox-esr": "128.6.0esr", "mozilla/thunderbird": "128.5.0esr"}
	if got := delta.versions(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delta catalog %v, want %v", got, want)
	}
}

// export --since the mirror's state code: a delta on what the mirror has,
// even when bundles in between were lost; a wrong code is refused.
func TestWeeklyExportSince(t *testing.T) {
	t.Parallel()
	f := shared(t)
	s := newWeeklySite(t)
	mustRun(t, pwEnv, s.run(f)...)
	data := newVendorMirror(t, s.trust())
	mustRun(t, nil, "mirror", "import", "--data", data, s.bundle(1))
	code1 := readMirrorState(t, data).StateCode

	s.nextWeek()
	mustRun(t, nil, "fetch", "--config", s.config)
	var res struct {
		Export struct {
			Sequence  uint64 `json:"sequence"`
			Base      uint64 `json:"base"`
			StateCode string `json:"state_code"`
		} `json:"export"`
	}
	decodeJSON(t, mustRun(t, pwEnv, append([]string{"--json"}, s.export(f, "--since", code1)...)...), &res)
	if res.Export.Sequence != 2 || res.Export.Base != 1 {
		t.Fatalf("export --since %s: %+v", code1, res.Export)
	}
	if got := inspectBundle(t, s.bundle(2)).files(); !slices.Equal(got, weekTwoFiles) {
		t.Errorf("export --since %s holds\n%s\nwant\n%s", code1, strings.Join(got, "\n"), strings.Join(weekTwoFiles, "\n"))
	}
	mustRun(t, nil, "mirror", "import", "--data", data, s.bundle(2))
	st := readMirrorState(t, data)
	if st.Sequence != 2 || st.StateCode != res.Export.StateCode {
		t.Fatalf("mirror after the delta: sequence %d code %s, the fetcher said %s", st.Sequence, st.StateCode, res.Export.StateCode)
	}

	// Bundle 3 (daily 3) is lost on the way; the mirror still says code 2.
	s.up.Advance(24 * time.Hour)
	s.clamav.Release("daily")
	mustRun(t, pwEnv, s.run(f)...)
	mustRun(t, pwEnv, s.export(f, "--since", st.StateCode)...)
	wantDaily3 := []string{"clamav/daily 3  daily-3.cdiff", "clamav/daily 3  daily-3.cdiff.sign", "clamav/daily 3  daily-3.cvd.sign", "clamav/daily 3  daily.cvd"}
	b4 := inspectBundle(t, s.bundle(4))
	if got := b4.files(); b4.Base != 2 || !slices.Equal(got, wantDaily3) {
		t.Errorf("export --since %s: base %d, holds %v, want base 2 and %v", st.StateCode, b4.Base, got, wantDaily3)
	}
	mustRun(t, nil, "mirror", "import", "--data", data, s.bundle(4))
	if st := readMirrorState(t, data); st.Sequence != 4 {
		t.Errorf("mirror at %d after bundle 4", st.Sequence)
	}

	// A code with a wrong check, a bundle never written: refused, named,
	// nothing written, and before the key's password is needed (none is
	// given here).
	for _, tc := range []struct{ since, want string }{
		{wrongCheck(code1), "does not match"},
		{"99", "never wrote bundle 99"},
	} {
		stdout, stderr, code := runCLI(t, nil, s.export(f, "--since", tc.since)...)
		if code != exitFailed || !strings.Contains(stderr, "unknown mirror state") || !strings.Contains(stderr, tc.want) {
			t.Errorf("export --since %s: exit %d, want 1 saying %q\nstdout: %s\nstderr: %s", tc.since, code, tc.want, stdout, stderr)
		}
	}
	// Neither a number nor a code: a usage error.
	if _, stderr, code := runCLI(t, nil, s.export(f, "--since", "latest")...); code != exitUsage || !strings.Contains(stderr, "not a sequence number or state code") {
		t.Errorf("export --since latest: exit %d, want 2\n%s", code, stderr)
	}
	if exists(s.bundle(5)) {
		t.Error("a refused --since wrote bundle 5")
	}
}

// wrongCheck returns a state code with its first check character changed.
func wrongCheck(code string) string {
	seq, chk, _ := strings.Cut(code, "-")
	c := "A"
	if chk[0] == 'A' {
		c = "B"
	}
	return seq + "-" + c + chk[1:]
}

// Files added by hand travel in the next bundle as "manual", reach the
// mirror byte for byte, and a new version replaces the old one.
func TestWeeklyManual(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "patchferry.yaml")
	if err := os.WriteFile(config, []byte("cache_dir: cache\nout: media\nsite: city\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	add := func(version string, size int) string {
		p := filepath.Join(t.TempDir(), "ichitaro-"+version+"-update.exe")
		if err := os.WriteFile(p, append([]byte(version), payload(size)...), 0o644); err != nil {
			t.Fatal(err)
		}
		out := mustRun(t, nil, "add", "--config", config, "--product", "justsystems/ichitaro", "--version", version, p)
		wantContains(t, "add", out, "+ justsystems/ichitaro "+version+" "+filepath.Base(p))
		return p
	}
	runArgs := []string{"run", "--config", config, "--key", f.publisher.priv}
	data := initMirror(t)

	v1 := add("2026.1", 30000)
	mustRun(t, pwEnv, runArgs...)
	b1 := inspectBundle(t, filepath.Join(dir, "media", "patchferry-city-1"))
	if len(b1.Artifacts) != 1 || b1.Artifacts[0].SHA256 != sha256File(t, v1) || b1.Artifacts[0].Verification.Method != evidence.MethodManual ||
		b1.Artifacts[0].Version != "2026.1" || b1.Artifacts[0].Kind != "manual" {
		t.Fatalf("bundle 1 artifacts %+v, want the added file, method manual", b1.Artifacts)
	}
	mustRun(t, nil, "mirror", "import", "--data", data, filepath.Join(dir, "media", "patchferry-city-1"))
	st := readMirrorState(t, data)
	if len(st.Catalog) != 1 || st.Catalog[0].Product != "justsystems/ichitaro" || st.Catalog[0].Version != "2026.1" || st.Catalog[0].Files != 1 {
		t.Fatalf("mirror catalog %+v", st.Catalog)
	}
	want, _ := os.ReadFile(v1)
	stored, err := os.ReadFile(filepath.Join(data, store.BlobsDir, "sha256", b1.Artifacts[0].SHA256[:2], b1.Artifacts[0].SHA256))
	if err != nil || !bytes.Equal(stored, want) {
		t.Fatalf("the stored blob differs from the added file (%d and %d bytes): %v", len(stored), len(want), err)
	}

	v2 := add("2026.2", 20000)
	mustRun(t, pwEnv, runArgs...)
	b2 := inspectBundle(t, filepath.Join(dir, "media", "patchferry-city-2"))
	if len(b2.Artifacts) != 1 || b2.Artifacts[0].SHA256 != sha256File(t, v2) || b2.Base != 1 {
		t.Errorf("bundle 2: base %d, artifacts %+v, want only 2026.2 on 1", b2.Base, b2.Artifacts)
	}
	if len(b2.Retired) != 1 || b2.Retired[0].SHA256 != b1.Artifacts[0].SHA256 || b2.Retired[0].Version != "2026.1" {
		t.Errorf("bundle 2 retires %+v, want 2026.1", b2.Retired)
	}
	mustRun(t, nil, "mirror", "import", "--data", data, filepath.Join(dir, "media", "patchferry-city-2"))
	st = readMirrorState(t, data)
	if len(st.Catalog) != 1 || st.Catalog[0].Version != "2026.2" || st.Catalog[0].Files != 1 {
		t.Errorf("mirror catalog %+v, want only 2026.2", st.Catalog)
	}
}

// A bundle whose vendor evidence was altered and re-signed by the publisher
// — a compromised internet-side PC — is refused by the mirror's own
// re-verification, with a ledger row saying why.
func TestWeeklyMirrorRefusesAlteredEvidence(t *testing.T) {
	t.Parallel()
	w := weekly(t)
	otherKey := func() *openpgp.Entity {
		e, err := openpgp.NewEntity("Not Mozilla", "", "nobody@example.invalid", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA,
			Time: func() time.Time { return testNow.Add(-30 * 24 * time.Hour) }})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	esrAsc := "mozilla-firefox-esr-128.5.0esr-SHA512SUMS.asc"
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		refuse string // "": imported
	}{
		{"re-signed unchanged", func(t *testing.T, dir string) {
			changeMeta(t, dir, "clamav-daily-1.cvd-header", func(b []byte) []byte { return b }, w.key)
		}, ""},
		{"CVD header evidence", func(t *testing.T, dir string) {
			changeMeta(t, dir, "clamav-daily-1.cvd-header", func(b []byte) []byte {
				return bytes.Replace(b, []byte(":vendortest:"), []byte(":vendortesT:"), 1)
			}, w.key)
		}, "clamav-daily-1.cvd-header does not match the CVD's header"},
		{"SHA512SUMS signed by another key", func(t *testing.T, dir string) {
			changeMeta(t, dir, esrAsc, func([]byte) []byte {
				sums := readMeta(t, dir, "mozilla-firefox-esr-128.5.0esr-SHA512SUMS")
				var asc bytes.Buffer
				if err := openpgp.ArmoredDetachSign(&asc, otherKey(), bytes.NewReader(sums), nil); err != nil {
					t.Fatal(err)
				}
				return asc.Bytes()
			}, w.key)
		}, "SHA512SUMS.asc"},
		{"SHA512SUMS.asc garbage", func(t *testing.T, dir string) {
			changeMeta(t, dir, esrAsc, func([]byte) []byte {
				return []byte("-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJl\n-----END PGP SIGNATURE-----\n")
			}, w.key)
		}, "SHA512SUMS.asc"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "patchferry-demo-1")
			copyTree(t, w.site.bundle(1), dir)
			tc.change(t, dir)
			mustRun(t, nil, "bundle", "verify", "--trust", shared(t).publisher.pub, dir) // the publisher signature holds
			data := newVendorMirror(t, w.site.trust())
			wantEvidenceRefused(t, data, dir, tc.refuse)
		})
	}

	// A CVD signed by a key ClamAV does not hold, in a bundle made by hand:
	// its SHA-256 in the manifest is right, its vendor signature is not.
	t.Run("CVD with a bad signature", func(t *testing.T) {
		t.Parallel()
		w.site.clamav.PutBadCVD("main")
		cvd, _ := w.site.up.Get("/main.cvd")
		src := t.TempDir()
		for name, b := range map[string][]byte{"main.cvd": cvd, "header": bytes.TrimRight(cvd[:verify.CVDHeaderSize], "\x00")} {
			if err := os.WriteFile(filepath.Join(src, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		written, err := media.Write(t.Context(), media.WriteOptions{Out: filepath.Join(t.TempDir(), "media"), Site: "demo", Sequence: 1,
			Created: testNow.Add(-time.Hour), Key: w.key}, media.Contents{
			Inputs: []media.Input{{Path: filepath.Join(src, "main.cvd"), Artifact: media.Artifact{Vendor: "clamav", Product: "main",
				Version: "1", Kind: "cvd", FileName: "main.cvd", Verification: media.Verification{Method: evidence.MethodClamAVCVD,
					Time: testNow.Add(-time.Hour), Evidence: []string{"clamav-main-1.cvd-header"}}}}},
			Meta: []media.MetaInput{{Name: "clamav-main-1.cvd-header", Path: filepath.Join(src, "header")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		data := newVendorMirror(t, w.site.trust())
		wantEvidenceRefused(t, data, written.Dirs[0], verify.ErrBadSignature.Error())
	})
}

// wantEvidenceRefused imports dir into data: it must be imported when
// refuse is "", else refused (exit 1) for the vendor evidence, saying
// refuse, with the mirror unchanged and a ledger row saying why.
func wantEvidenceRefused(t *testing.T, data, dir, refuse string) {
	t.Helper()
	stdout, stderr, code := runCLI(t, nil, "mirror", "import", "--data", data, "--label", "USB-09", dir)
	st := readMirrorState(t, data)
	if refuse == "" {
		if code != exitOK || st.Sequence != 1 {
			t.Fatalf("import: exit %d, sequence %d, want imported\nstdout: %s\nstderr: %s", code, st.Sequence, stdout, stderr)
		}
		return
	}
	if code != exitFailed || !strings.Contains(stderr, "vendor evidence does not hold") || !strings.Contains(stderr, refuse) {
		t.Fatalf("import: exit %d, want 1 for the vendor evidence (%q)\nstdout: %s\nstderr: %s", code, refuse, stdout, stderr)
	}
	if st.Sequence != 0 || len(st.Catalog) != 0 {
		t.Errorf("the refused import changed the mirror: sequence %d, catalog %v", st.Sequence, st.Catalog)
	}
	if r := st.LastAttempt; r == nil || r.Result != "refused" || !strings.Contains(r.Reason, "vendor evidence does not hold") || !strings.Contains(r.Reason, refuse) {
		t.Errorf("ledger row %+v, want refused saying %q", r, refuse)
	}
}

// readMeta returns the decompressed meta file name of the bundle in dir.
func readMeta(t *testing.T, dir, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(media.MetaPath(name))))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := xz.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// changeMeta rewrites meta file name of the bundle in dir with fn, updates
// its entry in bundle.json and signs bundle.json again with key: what a
// publisher whose PC was taken over could do.
func changeMeta(t *testing.T, dir, name string, fn func([]byte) []byte, key *verify.PrivateKey) {
	t.Helper()
	changed := fn(readMeta(t, dir, name))
	var xzBuf bytes.Buffer
	zw, err := xz.WriterConfig{DictCap: 8 << 20}.NewWriter(&xzBuf)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(changed)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	overwrite(t, filepath.Join(dir, filepath.FromSlash(media.MetaPath(name))), xzBuf.Bytes())
	raw, err := os.ReadFile(filepath.Join(dir, media.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := media.ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i := range m.Meta {
		if mf := &m.Meta[i]; mf.Name == name {
			sum := sha256.Sum256(xzBuf.Bytes())
			mf.Size, mf.SHA256, mf.Expanded, found = int64(xzBuf.Len()), hex.EncodeToString(sum[:]), int64(len(changed)), true
		}
	}
	if !found {
		t.Fatalf("bundle.json lists no meta file %s", name)
	}
	if raw, err = m.Marshal(); err != nil {
		t.Fatal(err)
	}
	sig, err := verify.Sign(key, raw)
	if err != nil {
		t.Fatal(err)
	}
	overwrite(t, filepath.Join(dir, media.ManifestName), raw)
	overwrite(t, filepath.Join(dir, media.SignatureName), verify.EncodeSignature(sig))
}

func overwrite(t *testing.T, p string, b []byte) {
	t.Helper()
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A ClamAV .sign the CDN publishes a week after its database file: the next
// run ships it alone in a delta, and the mirror checks it against the file
// it already has.
func TestWeeklyLateSign(t *testing.T) {
	t.Parallel()
	f := shared(t)
	s := newWeeklySite(t)
	const late = "/main-1.cvd.sign"
	sign, ok := s.up.Get(late)
	if !ok {
		t.Fatalf("the fake upstream has no %s", late)
	}
	s.up.Remove(late)
	mustRun(t, pwEnv, s.run(f)...)
	data := initMirror(t, "--vendor-trust", s.trust())
	mustRun(t, nil, "mirror", "import", "--data", data, s.bundle(1))

	s.up.Put(late, sign, s.up.Now())
	mustRun(t, pwEnv, s.run(f)...)
	delta := inspectBundle(t, s.bundle(2))
	if got := delta.files(); delta.Base != 1 || len(got) != 1 || !strings.Contains(got[0], "main-1.cvd.sign") {
		t.Fatalf("bundle 2: base %d, files %v; want the late main-1.cvd.sign alone", delta.Base, got)
	}
	out := mustRun(t, nil, "mirror", "import", "--data", data, s.bundle(2))
	wantContains(t, "import of the late .sign", out, "Imported sequence 2")
}
