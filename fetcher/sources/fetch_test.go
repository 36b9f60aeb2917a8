package sources_test

// End-to-end tests: fetcher.Run with the configured sources against the
// fake vendor upstream (fetcher/vendortest) on loopback, with a real cache
// and fetch state in t.TempDir.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/sources"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// rig is a fetcher set up as `patchferry fetch` sets it up, from a config
// file pointing at a fake upstream.
type rig struct {
	u     *vendortest.Upstream
	cfg   *fetcher.Config
	cache *fetcher.Cache
	state *fetcher.State
	trust *verify.VendorTrust // nil: the upstream's VendorTrust at each fetch
	now   func() time.Time
	log   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newRig writes config (UPSTREAM stands for the upstream's URL) into a
// temporary directory, loads it and opens the cache and state it names.
func newRig(t *testing.T, u *vendortest.Upstream, config string) *rig {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "patchferry.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(config, "UPSTREAM", u.URL())), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := fetcher.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "cache"); cfg.CacheDir != want {
		t.Fatalf("cache_dir %q, want %q (relative to the config file)", cfg.CacheDir, want)
	}
	cache, err := fetcher.OpenCache(cfg.CacheDir)
	if err != nil {
		t.Fatal(err)
	}
	state, err := fetcher.OpenState(cfg.CacheDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { state.Close() })
	// A little after the upstream's clock: its signatures are dated "now".
	return &rig{u: u, cfg: cfg, cache: cache, state: state, log: &syncBuffer{},
		now: func() time.Time { return u.Now().Add(time.Hour) }}
}

// fetch runs every enabled source once.
func (r *rig) fetch(t *testing.T) *fetcher.Summary {
	t.Helper()
	log := slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	d, err := fetcher.NewDownloader(r.cfg, r.cache, r.state, log)
	if err != nil {
		t.Fatal(err)
	}
	d.Backoff = func(int) time.Duration { return time.Millisecond }
	trust := r.trust
	if trust == nil {
		trust = r.u.VendorTrust()
	}
	env := fetcher.Env{Config: r.cfg, Downloader: d, Cache: r.cache, State: r.state, Trust: trust, Log: log, Now: r.now}
	sum, err := fetcher.Run(t.Context(), env, sources.Enabled(r.cfg))
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	return sum
}

func report(t *testing.T, sum *fetcher.Summary, source string) *fetcher.SourceReport {
	t.Helper()
	for _, r := range sum.Sources {
		if r.Source == source {
			return r
		}
	}
	t.Fatalf("no report for source %s in %+v", source, sum.Sources)
	return nil
}

// wantOK fails unless no source failed and nothing was refused.
func wantOK(t *testing.T, sum *fetcher.Summary) {
	t.Helper()
	for _, r := range sum.Sources {
		if r.Error != "" || len(r.Refused) > 0 {
			t.Fatalf("%s: error %q, refused %+v", r.Source, r.Error, r.Refused)
		}
	}
	if !sum.OK() {
		t.Fatal("Summary.OK() is false")
	}
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
func (r *rig) checkRecorded(t *testing.T, wants []want) []*fetcher.Artifact {
	t.Helper()
	var out []*fetcher.Artifact
	for _, w := range wants {
		a, err := r.state.FindArtifact(w.source, urlOf(r.u, w.path), w.version)
		if err != nil {
			t.Fatal(err)
		}
		if a == nil {
			t.Errorf("%s %s: not recorded", w.path, w.version)
			continue
		}
		out = append(out, a)
		data := published(t, r.u, w.path)
		if a.SHA256 != sha256Hex(data) || a.Size != int64(len(data)) {
			t.Errorf("%s: recorded %s/%d, the upstream has %s/%d", w.path, a.SHA256, a.Size, sha256Hex(data), len(data))
		}
		if a.Kind != w.kind || a.Source != w.source {
			t.Errorf("%s: kind %q source %q, want %q %q", w.path, a.Kind, a.Source, w.kind, w.source)
		}
		if got, err := r.state.Artifact(a.SHA256); err != nil || got == nil || got.URL != a.URL {
			t.Errorf("%s: State.Artifact(%s) = %v, %v", w.path, a.SHA256, got, err)
		}
		r.checkBlob(t, a.SHA256)
		for _, ev := range a.Evidence {
			r.checkBlob(t, ev.SHA256)
		}
		if cur := current(t, r.state, w.source); !slices.Contains(cur.Artifacts, a.SHA256) {
			t.Errorf("%s: not current for %s", w.path, w.source)
		}
	}
	return out
}

// checkBlob checks that the cache holds a blob that hashes to its name.
func (r *rig) checkBlob(t *testing.T, sha string) {
	t.Helper()
	f, err := os.Open(r.cache.BlobPath(sha))
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
func (r *rig) checkNotRecorded(t *testing.T, what string, data []byte) {
	t.Helper()
	sha := sha256Hex(data)
	if a, err := r.state.Artifact(sha); err != nil || a != nil {
		t.Errorf("%s: recorded as fetched: %+v %v", what, a, err)
	}
	if r.cache.Has(sha) {
		t.Errorf("%s: in the cache", what)
	}
	if left, _ := os.ReadDir(filepath.Join(r.cfg.CacheDir, "partial")); len(left) > 0 {
		t.Errorf("%s: partial/ still holds %d files", what, len(left))
	}
}

// clamavWants lists what a fetch of db at its current version records:
// the cvd, its .sign, and every cdiff (with .sign) from 2 on.
func clamavWants(c *vendortest.ClamAV, db string) []want {
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
func mozillaWants(m *vendortest.Mozilla, product string, langs ...string) []want {
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
func fullUpstream(t *testing.T) (*vendortest.Upstream, *vendortest.ClamAV, *vendortest.Mozilla) {
	t.Helper()
	u := vendortest.New()
	u.Start()
	t.Cleanup(u.Close)
	c := u.AddClamAV()
	c.Release("main")
	c.Release("daily")
	c.Release("daily")
	m := u.AddMozilla()
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

func fullWants(c *vendortest.ClamAV, m *vendortest.Mozilla) (clam, moz []want) {
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
	sum := r.fetch(t)
	wantOK(t, sum)
	clam, moz := fullWants(c, m)
	if len(clam) != 2+2+2*2+2+2 || len(moz) != 3*6 {
		t.Fatalf("test setup: %d ClamAV and %d Mozilla artifacts expected", len(clam), len(moz))
	}

	for source, ws := range map[string][]want{"clamav": clam, "mozilla": moz} {
		rep := report(t, sum, source)
		if len(rep.New) != len(ws) || rep.Unchanged != 0 {
			t.Errorf("%s: %d new, %d unchanged; want %d new:\n%s", source, len(rep.New), rep.Unchanged, len(ws), strings.Join(rep.New, "\n"))
		}
		if cur := current(t, r.state, source); len(cur.Artifacts) != len(ws) || !sort.StringsAreSorted(cur.Artifacts) {
			t.Errorf("%s: %d current artifacts, want %d, sorted", source, len(cur.Artifacts), len(ws))
		}
	}
	if sum.NewCount() != len(clam)+len(moz) {
		t.Errorf("NewCount %d, want %d", sum.NewCount(), len(clam)+len(moz))
	}

	for _, a := range r.checkRecorded(t, clam) {
		db := a.Product
		switch a.Kind {
		case "cvd":
			if a.Version != fmt.Sprint(c.Version(db)) || !a.Released.Equal(c.BuildTime(db)) ||
				a.Verification.Method != media.MethodClamAVCVD || a.Verification.Signer != "vendortest" || len(a.Evidence) != 1 {
				t.Errorf("%s.cvd: %+v", db, a)
			}
		case "cdiff":
			if a.Verification.Method != media.MethodClamAVCdiff {
				t.Errorf("%s: method %q", a.FileName, a.Verification.Method)
			}
		case "sign":
			if a.Verification.Method != media.MethodClamAVSign {
				t.Errorf("%s: method %q", a.FileName, a.Verification.Method)
			}
		}
	}
	cur := current(t, r.state, "clamav")
	for _, db := range clamavDBs {
		if got, want := cur.Versions["clamav/"+db], fmt.Sprint(c.Version(db)); got != want {
			t.Errorf("current version of %s: %q, want %q", db, got, want)
		}
	}

	for _, a := range r.checkRecorded(t, moz) {
		if a.BuildID == "" || a.BuildID != m.BuildID(a.Product, a.Version) {
			t.Errorf("%s: build ID %q, want %q", a.FileName, a.BuildID, m.BuildID(a.Product, a.Version))
		}
		if a.Verification.Method != media.MethodMozillaSums || len(a.Evidence) != 2 || a.Platform != "win64" {
			t.Errorf("%s: %+v", a.FileName, a)
		}
	}
	cur = current(t, r.state, "mozilla")
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
	wantOK(t, r.fetch(t))
	clam, moz := fullWants(c, m)
	before := map[string]*fetcher.SourceState{"clamav": current(t, r.state, "clamav"), "mozilla": current(t, r.state, "mozilla")}

	u.ResetLog()
	sum := r.fetch(t)
	wantOK(t, sum)
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
		if rep := report(t, sum, source); rep.Unchanged != len(ws) {
			t.Errorf("%s: %d unchanged, want %d", source, rep.Unchanged, len(ws))
		}
		if cur := current(t, r.state, source); !slices.Equal(cur.Artifacts, before[source].Artifacts) {
			t.Errorf("%s: current artifacts changed on a fetch with nothing new", source)
		}
	}

	// New versions: only their files come down.
	c.Release("daily")
	m.Release("firefox", "134.0")
	u.ResetLog()
	sum = r.fetch(t)
	wantOK(t, sum)
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
	if rep := report(t, sum, "clamav"); len(rep.New) != 4 || rep.Unchanged != len(clam)-2 {
		t.Errorf("clamav: %d new %v, %d unchanged", len(rep.New), rep.New, rep.Unchanged)
	}
	if rep := report(t, sum, "mozilla"); len(rep.New) != 6 || rep.Unchanged != 12 {
		t.Errorf("mozilla: %d new, %d unchanged", len(rep.New), rep.Unchanged)
	}
	r.checkRecorded(t, append(append(newClam, newSigns...), newMoz...))
	cur := current(t, r.state, "mozilla")
	if cur.Versions["mozilla/firefox"] != "134.0" || len(cur.Artifacts) != 18 {
		t.Errorf("mozilla current: %v, %d artifacts", cur.Versions, len(cur.Artifacts))
	}
	for _, w := range moz {
		if !strings.Contains(w.path, "/133.0/") {
			continue
		}
		a, _ := r.state.FindArtifact("mozilla", urlOf(u, w.path), "133.0")
		if a == nil {
			t.Errorf("%s: the record of the old version is gone", w.path)
		} else if slices.Contains(cur.Artifacts, a.SHA256) {
			t.Errorf("%s: still current after 134.0", w.path)
		}
	}
	if v := current(t, r.state, "clamav").Versions["clamav/daily"]; v != "4" {
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
	m := u.AddMozilla()
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
	sum := r.fetch(t)
	wantOK(t, sum)
	if n := len(report(t, sum, "mozilla").New); n != 3 {
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
	r.checkRecorded(t, mozillaWants(m, "firefox-esr", "ja"))
}

// Versions from DNS: the TXT record of ServeDNS; no header probe is sent.
func TestFetchClamAVVersionsFromDNS(t *testing.T) {
	t.Parallel()
	u := vendortest.New()
	u.Start()
	t.Cleanup(u.Close)
	c := u.AddClamAV()
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
	sum := r.fetch(t)
	wantOK(t, sum)
	var ws []want
	for _, db := range clamavDBs {
		ws = append(ws, clamavWants(c, db)...)
	}
	r.checkRecorded(t, ws)
	if n := len(report(t, sum, "clamav").New); n != len(ws) {
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
	wantOK(t, r.fetch(t))
	r.checkRecorded(t, clamavWants(c, "daily"))
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
	wantOK(t, r.fetch(t))
	for _, w := range late {
		if a, _ := r.state.FindArtifact("clamav", urlOf(u, w.path), w.version); a != nil {
			t.Fatalf("%s recorded before the server had it", w.path)
		}
	}

	// The good one appears; the other appears signed for other bytes.
	u.Put(late[0].path, saved[late[0].path], u.Now())
	u.Put(late[1].path, saved["/daily-3.cvd.sign"], u.Now())
	u.ResetLog()
	sum := r.fetch(t)
	if n, paths := payloadBytes(u); n != 0 {
		t.Errorf("payload bytes fetched again: %d from %v", n, paths)
	}
	rep := report(t, sum, "clamav")
	if len(rep.New) != 1 || !strings.Contains(rep.New[0], "daily-3.cvd.sign") {
		t.Errorf("new: %v, want the late daily-3.cvd.sign", rep.New)
	}
	if len(rep.Refused) != 1 || rep.Refused[0].What != "daily-3.cdiff.sign" || !strings.Contains(rep.Refused[0].Reason, "legacy signature") {
		t.Errorf("refused: %+v, want the bad late daily-3.cdiff.sign", rep.Refused)
	}
	r.checkRecorded(t, late[:1])
	cdiff := r.checkRecorded(t, []want{{"clamav", "/daily-3.cdiff", "3", "cdiff"}})
	if cur := current(t, r.state, "clamav"); !slices.Contains(cur.Artifacts, cdiff[0].SHA256) {
		t.Error("the cdiff whose late .sign was refused is no longer current")
	}
}
