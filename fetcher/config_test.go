package fetcher_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendors"
	"github.com/patchferry/patchferry/fetcher/vendors/clamav"
	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
)

// The registry's vendors: the sections a configuration may hold.
var registry = vendors.Fetcher()

func clamavOf(c *fetcher.Config) *clamav.Config   { return c.Sources["clamav"].(*clamav.Config) }
func mozillaOf(c *fetcher.Config) *mozilla.Config { return c.Sources["mozilla"].(*mozilla.Config) }

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "patchferry.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Every invalid value is an error that names the file and its line.
func TestLoadConfigErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, text string
		line       int
		mention    string
	}{
		{"unknown key", "site: a\nconcurrncy: 3\n", 2, "concurrncy"},
		{"unknown key in a source", "sources:\n  mozilla:\n    product: [firefox]\n", 3, "product"},
		{"unknown source", "site: a\nsources:\n  clamav: {}\n  chrome:\n    url: https://x\n", 4, `unknown source "chrome"`},
		{"concurrency 0", "# comment\nconcurrency: 0\n", 2, `"0"`},
		{"concurrency word", "concurrency: four\n", 1, `"four"`},
		{"ftp url", "sources:\n  clamav:\n    url: ftp://x\n", 3, `"ftp://x"`},
		{"url without host", "sources:\n  mozilla:\n    product_details_url: https://\n", 3, "https://"},
		{"bandwidth fast", "site: a\n\nbandwidth_limit: fast\n", 3, "fast"},
		{"database ..", "sources:\n  clamav:\n    databases:\n      - main\n      - ../x\n", 5, `"../x"`},
		{"database in flow list", "sources:\n  clamav:\n    databases: [\"../x\"]\n", 3, `"../x"`},
		{"product chrome", "sources:\n  mozilla:\n    products: [chrome]\n", 3, `"chrome"`},
		{"language with a slash", "sources:\n  mozilla:\n    languages: [ja, a/b]\n", 3, `"a/b"`},
		{"proxy scheme", "proxy: ftp://proxy:21\n", 1, "proxy"},
		{"dns_server without port", "sources:\n  clamav:\n    dns_server: 127.0.0.1\n", 3, "host:port"},
		{"negative cdiffs", "sources:\n  clamav:\n    cdiffs: -1\n", 3, `"-1"`},
		{"site", "site: ../x\n", 1, "site"},
		{"not a mapping", "- a\n- b\n", 1, "want a mapping"},
		{"section is a list", "sources:\n  clamav:\n    - a\n", 3, "sources.clamav: want a mapping"},
		{"list is a mapping", "sources:\n  clamav:\n    databases:\n      main: 1\n", 4, "sources.clamav.databases: want a list"},
		{"value is a list", "sources:\n  clamav:\n    dns: [a]\n", 3, "sources.clamav.dns: want a value"},
		{"key twice", "site: a\nconcurrency: 2\nsite: b\n", 3, "site is already set on line 1"},
		{"over-indented key", "sources:\n  clamav:\n    databases: [main]\n      dns: x\n", 4, "not valid YAML"},
		{"under-indented key", "sources:\n  clamav:\n    databases: [main]\n   dns: x\n", 4, "not valid YAML"},
		{"under-indented list item", "sources:\n  clamav:\n    databases:\n    - main\n   - daily\n", 5, "not valid YAML"},
		{"tab", "site: a\nsources:\n  clamav:\n\tdatabases: [main]\n", 4, "not valid YAML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.text)
			c, err := fetcher.LoadConfig(path, registry)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			msg := err.Error()
			line := regexp.MustCompile(fmt.Sprintf(`\bline %d\b`, tc.line))
			if !line.MatchString(msg) || !strings.Contains(msg, tc.mention) || !strings.Contains(msg, path) {
				t.Errorf("error %q: want the file, \"line %d\" and %q", msg, tc.line, tc.mention)
			}
			var ce *fetcher.ConfigError
			if !errors.As(err, &ce) || ce.Path != path {
				t.Errorf("error %T %v: want a *fetcher.ConfigError with the path", err, err)
			}
			if strings.Contains(msg, "fetcher.") || strings.Contains(msg, "clamav.Config") || strings.Contains(msg, "struct {") {
				t.Errorf("error %q names a Go type", msg)
			}
		})
	}
}

// A file replaces the default: sources it does not list are off, keys it
// does not set keep their default values.
func TestLoadConfigDefaults(t *testing.T) {
	def, err := fetcher.DefaultConfig(registry)
	if err != nil {
		t.Fatal(err)
	}
	if got := def.Enabled(); !slices.Equal(got, []string{"clamav", "mozilla"}) {
		t.Fatalf("default enables %v", got)
	}

	c, err := fetcher.LoadConfig(writeConfig(t, "sources:\n  clamav:\n    databases: [daily]\n"), registry)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Enabled(); !slices.Equal(got, []string{"clamav"}) || mozillaOf(c).On {
		t.Errorf("a file listing only clamav enables %v", got)
	}
	cl := clamavOf(c)
	if len(cl.Databases) != 1 || cl.Databases[0] != "daily" {
		t.Errorf("databases %v, want exactly [daily] (a list replaces the default)", cl.Databases)
	}
	if cl.URL != clamavOf(def).URL || cl.DNS != clamavOf(def).DNS || cl.Cdiffs != 30 ||
		c.Concurrency != 4 || c.Site != "default" || c.BandwidthLimit != 0 || c.Proxy != "" {
		t.Errorf("unset keys lost their defaults: %+v", c)
	}
	if c.CacheDir != def.CacheDir {
		t.Errorf("cache_dir %q, want the default %q", c.CacheDir, def.CacheDir)
	}

	// Listed with no value: on, with every default.
	c, err = fetcher.LoadConfig(writeConfig(t, "sources:\n  mozilla:\n"), registry)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Enabled(); !slices.Equal(got, []string{"mozilla"}) ||
		!slices.Equal(mozillaOf(c).Products, mozillaOf(def).Products) || mozillaOf(c).URL != mozillaOf(def).URL {
		t.Errorf("mozilla listed empty: enabled %v, %+v", got, mozillaOf(c))
	}

	// enabled: false turns a listed source off; other keys still apply.
	c, err = fetcher.LoadConfig(writeConfig(t, "concurrency: 9\nbandwidth_limit: 10M\nsources:\n  clamav:\n    enabled: false\n  mozilla:\n    products: [firefox]\n"), registry)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Enabled(); !slices.Equal(got, []string{"mozilla"}) || c.Concurrency != 9 || c.BandwidthLimit != 10_000_000 ||
		len(mozillaOf(c).Products) != 1 || mozillaOf(c).Products[0] != "firefox" {
		t.Errorf("enabled %v, %+v", got, c)
	}

	// An empty file lists no source.
	c, err = fetcher.LoadConfig(writeConfig(t, ""), registry)
	if err != nil || len(c.Enabled()) != 0 {
		t.Errorf("empty file: %v, %v", c, err)
	}

	// A listed source needs something to fetch.
	if _, err := fetcher.LoadConfig(writeConfig(t, "sources:\n  clamav:\n    databases: []\n"), registry); err == nil || !strings.Contains(err.Error(), "databases") {
		t.Errorf("no databases: %v", err)
	}
}

// cache_dir, vendor_trust and key are relative to the config file.
func TestLoadConfigRelativePaths(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "elsewhere")
	path := writeConfig(t, fmt.Sprintf("cache_dir: cache\nvendor_trust: trust/vendor-trust.yaml\nkey: %s\n", abs))
	c, err := fetcher.LoadConfig(path, registry)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	if c.CacheDir != filepath.Join(dir, "cache") || c.VendorTrust != filepath.Join(dir, "trust", "vendor-trust.yaml") || c.Key != abs {
		t.Errorf("cache_dir %q, vendor_trust %q, key %q; want them under %s (key absolute, unchanged)", c.CacheDir, c.VendorTrust, c.Key, dir)
	}
	if c.Path != path {
		t.Errorf("Path %q, want %q", c.Path, path)
	}
}

// The effective configuration (config show) hides a proxy password, in
// YAML and in JSON, and loads back as the same configuration.
func TestConfigMarshal(t *testing.T) {
	path := writeConfig(t, "proxy: http://soumu:s3cret@proxy.example.lg.jp:8080\nbandwidth_limit: 2Mi\ncache_dir: /var/cache/pf\nsources:\n  clamav:\n    dns: \"\"\n")
	c, err := fetcher.LoadConfig(path, registry)
	if err != nil {
		t.Fatal(err)
	}
	if c.Proxy != "http://soumu:s3cret@proxy.example.lg.jp:8080" {
		t.Fatalf("proxy %q", c.Proxy)
	}
	y, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]string{"YAML": string(y), "JSON": string(j)} {
		if strings.Contains(out, "s3cret") || !strings.Contains(out, "soumu:xxxxx@proxy.example.lg.jp:8080") {
			t.Errorf("%s: the proxy password is not hidden:\n%s", what, out)
		}
	}

	// What `config show` prints is a valid configuration with the same values.
	back, err := fetcher.LoadConfig(writeConfig(t, string(y)), registry)
	if err != nil {
		t.Fatalf("config show output does not load: %v\n%s", err, y)
	}
	if back.BandwidthLimit != 2<<20 || back.CacheDir != "/var/cache/pf" || !slices.Equal(back.Enabled(), []string{"clamav"}) ||
		clamavOf(back).On != true || mozillaOf(back).On != false || clamavOf(back).DNS != "" ||
		!slices.Equal(clamavOf(back).Databases, clamavOf(c).Databases) {
		t.Errorf("loaded back: %+v", back)
	}
}

// The embedded default is what `config init` writes, and it loads.
func TestDefaultYAMLLoads(t *testing.T) {
	c, err := fetcher.LoadConfig(writeConfig(t, string(fetcher.DefaultYAML(registry))), registry)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := fetcher.DefaultConfig(registry)
	if !slices.Equal(c.Enabled(), def.Enabled()) || clamavOf(c).URL != "https://database.clamav.net" ||
		!slices.Equal(mozillaOf(c).Languages, mozillaOf(def).Languages) {
		t.Errorf("default.yaml loaded as a file: %+v", c)
	}
}

// A mistyped key names its section and line, and the known key it most
// resembles; a key indented too little names the section it belongs to.
// Every such key is reported at once.
func TestLoadConfigUnknownKeys(t *testing.T) {
	cases := []struct {
		name, text string
		want       []fetcher.UnknownKeyError
		text1      string // err.Error() contains it
	}{
		{"typo in a source", "site: a\nsources:\n  clamav:\n    databses: [main]\n",
			[]fetcher.UnknownKeyError{{Section: "sources.clamav", Key: "databses", Line: 4, Suggestion: "databases"}},
			`sources.clamav: unknown key "databses" (line 4); did you mean "databases"?`},
		{"typo in the settings", "concurency: 3\n",
			[]fetcher.UnknownKeyError{{Key: "concurency", Line: 1, Suggestion: "concurrency"}},
			`unknown key "concurency" (line 1); did you mean "concurrency"?`},
		{"swapped letters", "sources:\n  mozilla:\n    langauges: [ja]\n",
			[]fetcher.UnknownKeyError{{Section: "sources.mozilla", Key: "langauges", Line: 3, Suggestion: "languages"}}, `did you mean "languages"?`},
		{"nothing close", "sources:\n  clamav:\n    mirror: x\n",
			[]fetcher.UnknownKeyError{{Section: "sources.clamav", Key: "mirror", Line: 3}}, "known: cdiffs, databases, dns, dns_server, enabled, url"},
		{"unknown source", "sources:\n  clamv: {}\n",
			[]fetcher.UnknownKeyError{{Section: "sources", Key: "clamv", Line: 2, Suggestion: "clamav"}}, `sources: unknown source "clamv" (line 2); did you mean "clamav"?`},
		{"indented too little", "sources:\n  clamav:\n  databases: [main]\n",
			[]fetcher.UnknownKeyError{{Section: "sources", Key: "databases", Line: 3, Under: "sources.clamav"}}, "indent it below sources.clamav"},
		{"source at the top", "sources:\nmozilla:\n  languages: [ja]\n",
			[]fetcher.UnknownKeyError{{Key: "mozilla", Line: 2, Under: "sources"}}, "indent it below sources"},
		{"two at once", "sitee: a\nsources:\n  clamav:\n    dnss: x\n",
			[]fetcher.UnknownKeyError{{Key: "sitee", Line: 1, Suggestion: "site"}, {Section: "sources.clamav", Key: "dnss", Line: 4, Suggestion: "dns"}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.text)
			_, err := fetcher.LoadConfig(path, registry)
			if err == nil {
				t.Fatal("accepted")
			}
			var got []fetcher.UnknownKeyError
			for _, e := range joined(err) {
				var ce *fetcher.ConfigError
				var ue *fetcher.UnknownKeyError
				if !errors.As(e, &ce) || ce.Path != path || !errors.As(e, &ue) {
					t.Fatalf("%T %v: want a *ConfigError with the path and an *UnknownKeyError", e, e)
				}
				got = append(got, fetcher.UnknownKeyError{Section: ue.Section, Key: ue.Key, Line: ue.Line, Suggestion: ue.Suggestion, Under: ue.Under})
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text1) {
				t.Errorf("%q does not contain %q", err, tc.text1)
			}
		})
	}
}

// joined returns the errors of a joined error, or err alone.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// config show: every value that holds a value or a list names the line
// that sets it, 0 for a default; "enabled" of a listed source comes from
// the line that lists it. The annotated YAML loads as the same
// configuration.
func TestConfigOrigins(t *testing.T) {
	text := "site: tokyo\n# comment\nconcurrency: 2\nsources:\n  clamav:\n    databases:\n      - main\n  mozilla:\n    enabled: false\n"
	c, err := fetcher.LoadConfig(writeConfig(t, text), registry)
	if err != nil {
		t.Fatal(err)
	}
	os, err := c.Origins()
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]int)
	var keys []string
	for _, o := range os {
		got[o.Key] = o.Line
		keys = append(keys, o.Key)
	}
	want := map[string]int{"site": 1, "concurrency": 3, "cache_dir": 0, "proxy": 0, "sources.clamav.enabled": 5,
		"sources.clamav.databases": 6, "sources.clamav.url": 0, "sources.mozilla.enabled": 9, "sources.mozilla.languages": 0}
	for k, l := range want {
		if g, ok := got[k]; !ok || g != l {
			t.Errorf("%s: line %d (listed %v), want %d", k, g, ok, l)
		}
	}
	if _, ok := got["sources"]; ok || !slices.Contains(keys, "sources.clamav.dns_server") || keys[0] != "cache_dir" {
		t.Errorf("keys %v: want every value in Marshal's order, not the sections", keys)
	}

	// The default configuration: everything is a default.
	def, _ := fetcher.DefaultConfig(registry)
	dos, _ := def.Origins()
	for _, o := range dos {
		if o.Line != 0 {
			t.Errorf("default %s: line %d", o.Key, o.Line)
		}
	}

	y, err := c.MarshalOrigins(func(o fetcher.Origin) string { return fmt.Sprintf("%s from %d", o.Key, o.Line) })
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"site: tokyo # site from 1\n", "concurrency: 2 # concurrency from 3\n", "        databases: # sources.clamav.databases from 6\n"} {
		if !strings.Contains(string(y), line) {
			t.Errorf("annotated YAML lacks %q:\n%s", line, y)
		}
	}
	back, err := fetcher.LoadConfig(writeConfig(t, string(y)), registry)
	if err != nil {
		t.Fatalf("annotated YAML does not load: %v\n%s", err, y)
	}
	b1, _ := c.Marshal()
	b2, _ := back.Marshal()
	if string(b1) != string(b2) {
		t.Errorf("annotated YAML loads as\n%s\nnot\n%s", b2, b1)
	}
}

// Invalid values are *ValueError saying what the key takes, so commands
// can say it in the user's language.
func TestLoadConfigValueErrors(t *testing.T) {
	for text, want := range map[string]fetcher.Want{
		"site: Tokyo\n":                                  fetcher.WantSite,
		"concurrency: 0\n":                               fetcher.WantConcurrency,
		"bandwidth_limit: x\n":                           fetcher.WantSize,
		"proxy: ftp://x:1\n":                             fetcher.WantProxy,
		"sources:\n  clamav:\n    cdiffs: -1\n":          fetcher.WantCount,
		"sources:\n  clamav:\n    url: ftp://x\n":        fetcher.WantURL,
		"sources:\n  clamav:\n    dns_server: x\n":       fetcher.WantHostPort,
		"sources:\n  clamav:\n    databases: [a/b]\n":    fetcher.WantWord,
		"sources:\n  mozilla:\n    products: [chrome]\n": fetcher.WantOneOf,
	} {
		_, err := fetcher.LoadConfig(writeConfig(t, text), registry)
		var ve *fetcher.ValueError
		if !errors.As(err, &ve) || ve.Want != want || ve.Line < 1 || ve.Value == "" {
			t.Errorf("%q: %T %v, want a *ValueError (Want %d)", text, err, err, want)
		}
	}
}
