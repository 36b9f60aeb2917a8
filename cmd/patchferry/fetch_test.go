package main

// `patchferry fetch` and `patchferry config` against a fake vendor upstream
// (fetcher/vendortest) on loopback. The config file points every source at
// the upstream, and vendor_trust at the upstream's test roots and keys.

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendors"
	"github.com/patchferry/patchferry/fetcher/vendors/clamav"
	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
	"github.com/patchferry/patchferry/fetcher/vendortest"
)

// fetchSite is a fake upstream and a configuration that points at it.
type fetchSite struct {
	u      *vendortest.Upstream
	c      *clamav.Fake
	m      *mozilla.Fake
	dir    string
	config string // the config file
}

// newFetchSite serves ClamAV (daily) and Mozilla (firefox-esr) and writes
// patchferry.yaml and vendor-trust.yaml; top holds extra top-level keys.
func newFetchSite(t *testing.T, top string) *fetchSite {
	t.Helper()
	u := vendortest.New()
	u.Start()
	t.Cleanup(u.Close)
	s := &fetchSite{u: u, c: clamav.AddFake(u, "daily"), m: mozilla.AddFake(u), dir: t.TempDir()}
	trust, err := u.VendorTrust().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "vendor-trust.yaml"), trust, 0o644); err != nil {
		t.Fatal(err)
	}
	s.config = filepath.Join(s.dir, "patchferry.yaml")
	s.writeConfig(t, top, u.URL()+"/1.0")
	return s
}

func (s *fetchSite) writeConfig(t *testing.T, top, detailsURL string) {
	t.Helper()
	text := fmt.Sprintf(`# written by fetch_test.go
cache_dir: cache
vendor_trust: vendor-trust.yaml
%s
sources:
  clamav:
    url: %[2]s
    databases: [daily]
    dns: ""
  mozilla:
    url: %[2]s
    product_details_url: %[3]s
    products: [firefox-esr]
    languages: [ja]
`, top, s.u.URL(), detailsURL)
	if err := os.WriteFile(s.config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fetchJSON is the shape of `patchferry --json fetch`.
type fetchJSON struct {
	OK      bool `json:"ok"`
	New     int  `json:"new"`
	Sources []struct {
		Source    string   `json:"source"`
		New       []string `json:"new"`
		Unchanged int      `json:"unchanged"`
		Refused   []struct {
			What   string `json:"what"`
			Reason string `json:"reason"`
		} `json:"refused"`
		Error    string            `json:"error"`
		Versions map[string]string `json:"versions"`
	} `json:"sources"`
}

// fetch runs `patchferry --json fetch --config F`, checks the exit code
// and the JSON's key set, and returns the summary.
func (s *fetchSite) fetch(t *testing.T, wantCode int) *fetchJSON {
	t.Helper()
	stdout, stderr, code := runCLI(t, nil, "--json", "fetch", "--config", s.config)
	if code != wantCode {
		t.Fatalf("fetch: exit %d, want %d\nstdout: %s\nstderr: %s", code, wantCode, stdout, stderr)
	}
	var raw map[string]any
	decodeJSON(t, stdout, &raw)
	if got := sortedKeys(raw); !slices.Equal(got, []string{"new", "ok", "sources"}) {
		t.Errorf("JSON keys %v, want new, ok, sources", got)
	}
	for _, src := range raw["sources"].([]any) {
		keys := sortedKeys(src.(map[string]any))
		keys = slices.DeleteFunc(keys, func(k string) bool { return k == "error" })
		if !slices.Equal(keys, []string{"new", "refused", "source", "unchanged", "versions"}) {
			t.Errorf("JSON source keys %v", keys)
		}
	}
	var out fetchJSON
	decodeJSON(t, stdout, &out)
	if out.OK != (wantCode == exitOK) {
		t.Errorf("ok %v with exit %d", out.OK, code)
	}
	n := 0
	for _, src := range out.Sources {
		n += len(src.New)
	}
	if n != out.New {
		t.Errorf("new %d, but the sources list %d", out.New, n)
	}
	return &out
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// refused lists "source: what" of every refusal.
func (f *fetchJSON) refused() []string {
	var out []string
	for _, s := range f.Sources {
		for _, r := range s.Refused {
			out = append(out, s.Source+": "+r.What)
		}
	}
	return out
}

func TestFetchCommand(t *testing.T) {
	t.Parallel()
	s := newFetchSite(t, "")
	first := s.fetch(t, exitOK)
	if len(first.Sources) != 2 || first.Sources[0].Source != "clamav" || first.Sources[1].Source != "mozilla" {
		t.Fatalf("sources %+v", first.Sources)
	}
	// daily.cvd and its .sign; the installers and MAR of firefox-esr ja.
	if first.New != 5 || len(first.Sources[0].New) != 2 || first.Sources[0].Versions["clamav/daily"] != "1" ||
		first.Sources[1].Versions["mozilla/firefox-esr"] != s.m.Version("firefox-esr") {
		t.Errorf("first fetch: %+v", first)
	}
	// cache_dir is relative to the config file.
	if _, err := os.Stat(filepath.Join(s.dir, "cache", fetcher.StateName)); err != nil {
		t.Errorf("fetch state: %v", err)
	}

	// Nothing new, in text form.
	stdout := mustRun(t, nil, "fetch", "--config", s.config)
	wantContains(t, "second fetch", stdout, "clamav: new 0, unchanged 2, refused 0", "mozilla: new 0, unchanged 3, refused 0")
	if strings.Contains(stdout, "+ ") || strings.Contains(stdout, "! ") {
		t.Errorf("second fetch lists files:\n%s", stdout)
	}

	// Each vendor file that fails its check: exit 1, named; once the
	// upstream is good again, exit 0.
	esrExe := func(v string) string { return "win64/ja/Firefox Setup " + v + ".exe" }
	steps := []struct {
		name   string
		spoil  func() string // returns the refusal expected
		repair func()
	}{
		{"CVD with a bad signature", func() string {
			v := s.c.Release("daily")
			s.c.PutBadCVD("daily")
			return fmt.Sprintf("clamav: daily.cvd %d", v)
		}, func() { s.c.Release("daily") }},
		{"damaged CVD", func() string {
			v := s.c.Release("daily")
			s.c.PutDamagedCVD("daily")
			return fmt.Sprintf("clamav: daily.cvd %d", v)
		}, func() { s.c.Release("daily") }},
		{"file not matching SHA512SUMS", func() string {
			s.m.Release("firefox-esr", "128.6.0esr")
			s.m.TamperFile("firefox-esr", "128.6.0esr", esrExe("128.6.0esr"))
			return "mozilla: firefox-esr 128.6.0esr " + esrExe("128.6.0esr")
		}, func() { s.m.Release("firefox-esr", "128.6.0esr") }},
		{"SHA512SUMS with a bad signature", func() string {
			s.m.Release("firefox-esr", "128.7.0esr")
			s.m.BadSumsSignature("firefox-esr", "128.7.0esr")
			return "mozilla: firefox-esr 128.7.0esr SHA512SUMS"
		}, func() { s.m.Release("firefox-esr", "128.7.0esr") }},
		{"SHA512SUMS signed by an unknown key", func() string {
			s.m.Release("firefox-esr", "128.8.0esr")
			s.m.UnknownKeySums("firefox-esr", "128.8.0esr")
			return "mozilla: firefox-esr 128.8.0esr SHA512SUMS"
		}, func() { s.m.Release("firefox-esr", "128.8.0esr") }},
		{"cdiff with a bad signature", func() string {
			v := s.c.Release("daily")
			s.c.PutBadCdiff("daily", v)
			return fmt.Sprintf("clamav: daily-%d.cdiff", v)
		}, nil},
	}
	for _, st := range steps {
		want := st.spoil()
		got := s.fetch(t, exitFailed)
		if r := got.refused(); len(r) != 1 || r[0] != want {
			t.Errorf("%s: refused %q, want %q", st.name, r, want)
		}
		if st.repair != nil {
			st.repair()
			if ok := s.fetch(t, exitOK); ok.New == 0 {
				t.Errorf("%s: nothing new after the repair", st.name)
			}
		}
	}

	// The text form names the refusal too.
	stdout, _, code := runCLI(t, nil, "fetch", "--config", s.config)
	if code != exitFailed {
		t.Errorf("text fetch with a bad cdiff: exit %d", code)
	}
	wantContains(t, "text fetch", stdout, fmt.Sprintf("  ! daily-%d.cdiff: ", s.c.Version("daily")), "signature does not verify")
}

func TestFetchCommandExitCodes(t *testing.T) {
	t.Parallel()
	s := newFetchSite(t, "")
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	usage := []struct {
		name string
		args []string
		want string
	}{
		{"unknown key", []string{"fetch", "--config", write("typo.yaml", "cache_dir: c\nconcurency: 2\n")}, `unknown key "concurency" (line 2); did you mean "concurrency"?`},
		{"bad value", []string{"fetch", "--config", write("bad.yaml", "cache_dir: c\nsources:\n  mozilla:\n    products: [chrome]\n")}, "line 4:"},
		{"no such config", []string{"fetch", "--config", filepath.Join(dir, "none.yaml")}, "none.yaml"},
		{"no such vendor trust", []string{"fetch", "--config", write("trust.yaml", "cache_dir: c\nvendor_trust: missing.yaml\n")}, "missing.yaml"},
		{"argument", []string{"fetch", "extra"}, `"extra"`},
	}
	for _, tc := range usage {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, nil, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitUsage, stdout, stderr)
			}
			wantContains(t, "stderr", stderr, tc.want)
		})
	}

	// A source that fails as a whole (its feed is gone): exit 1, named,
	// and the other source still runs.
	s.writeConfig(t, "", s.u.URL()+"/no-such-feed")
	got := s.fetch(t, exitFailed)
	if len(got.Sources) != 2 || got.Sources[0].Error != "" || len(got.Sources[0].New) != 2 ||
		!strings.Contains(got.Sources[1].Error, "404") {
		t.Errorf("failed source: %+v", got.Sources)
	}
	stdout, _, code := runCLI(t, nil, "fetch", "--config", s.config)
	if code != exitFailed {
		t.Errorf("text: exit %d", code)
	}
	wantContains(t, "text", stdout, "  ! source failed: ")

	// Nothing enabled: nothing to do, and that is fine.
	stdout = mustRun(t, nil, "fetch", "--config", write("empty.yaml", "cache_dir: c\n"))
	wantContains(t, "no sources", stdout, "No source is enabled")
}

// The proxy of the configuration carries every request, with its
// credentials.
func TestFetchCommandThroughProxy(t *testing.T) {
	t.Parallel()
	var (
		mu      sync.Mutex
		seen    int
		badAuth []string
		hosts   = map[string]bool{}
	)
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("soumu:s3cret"))
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen++
		if got := r.Header.Get("Proxy-Authorization"); got != wantAuth {
			badAuth = append(badAuth, got)
		}
		hosts[r.URL.Host] = true
		mu.Unlock()
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Authorization")
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(proxy.Close)
	pu, err := url.Parse(proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	pu.User = url.UserPassword("soumu", "s3cret")
	s := newFetchSite(t, "proxy: "+pu.String())

	got := s.fetch(t, exitOK)
	if got.New != 5 {
		t.Errorf("%d new through the proxy, want 5", got.New)
	}
	mu.Lock()
	defer mu.Unlock()
	upstream := strings.TrimPrefix(s.u.URL(), "http://")
	if n := len(s.u.Requests()); seen == 0 || seen != n {
		t.Errorf("the proxy saw %d requests, the upstream answered %d", seen, n)
	}
	if len(badAuth) > 0 {
		t.Errorf("Proxy-Authorization %q, want %q", badAuth, wantAuth)
	}
	if len(hosts) != 1 || !hosts[upstream] {
		t.Errorf("the proxy was asked for %v, want only %s", hosts, upstream)
	}

	// config show hides the password.
	stdout := mustRun(t, nil, "config", "show", "--config", s.config)
	if strings.Contains(stdout, "s3cret") || !strings.Contains(stdout, "soumu:xxxxx@") {
		t.Errorf("config show:\n%s", stdout)
	}
	stdout = mustRun(t, nil, "--json", "config", "show", "--config", s.config)
	if strings.Contains(stdout, "s3cret") || !strings.Contains(stdout, "soumu:xxxxx@") {
		t.Errorf("config show --json:\n%s", stdout)
	}
}

func TestConfigCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "patchferry.yaml")

	stdout, stderr, code := runCLI(t, nil, "config", "init", "--out", out)
	if code != exitOK || stdout != "" || !strings.Contains(stderr, out) {
		t.Fatalf("config init: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil || string(b) != string(fetcher.DefaultYAML(vendors.Fetcher())) {
		t.Fatalf("config init wrote %d bytes (%v), want the default", len(b), err)
	}

	// Never overwritten.
	if err := os.WriteFile(out, []byte("site: mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, nil, "config", "init", "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "never overwritten") {
		t.Errorf("config init over a file: exit %d\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "site: mine\n" {
		t.Errorf("config init overwrote the file: %q", b)
	}

	// - and no file: the default on stdout.
	if got := mustRun(t, nil, "config", "init", "--out", "-"); got != string(fetcher.DefaultYAML(vendors.Fetcher())) {
		t.Errorf("config init --out -: %q", got)
	}

	// show: the built-in default, or a file's effective configuration.
	wantContains(t, "config show", mustRun(t, nil, "config", "show"), "https://database.clamav.net", "firefox-esr")
	shown := mustRun(t, nil, "config", "show", "--config", out)
	wantContains(t, "config show --config", shown, "site: mine", "enabled: false")
	if strings.Contains(shown, "enabled: true") {
		t.Errorf("config show: a file listing no source enables one:\n%s", shown)
	}
	var cfg map[string]any
	js := mustRun(t, nil, "--json", "config", "show", "--config", out)
	decodeJSON(t, js, &cfg)
	wantContains(t, "config show --json", js, `"mine"`)

	// A bad file: exit 2, naming the line.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("site: a\nsources:\n  clamav:\n    url: ftp://x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, nil, "config", "show", "--config", bad)
	if code != exitUsage || !strings.Contains(stderr, "line 4:") {
		t.Errorf("config show of a bad file: exit %d\n%s", code, stderr)
	}
}
