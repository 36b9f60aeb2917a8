package fetcher_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
		{"not a mapping", "- a\n- b\n", 1, "cannot unmarshal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.text)
			c, err := fetcher.LoadConfig(path, registry)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("line %d:", tc.line)) || !strings.Contains(msg, tc.mention) || !strings.Contains(msg, path) {
				t.Errorf("error %q: want the file, \"line %d:\" and %q", msg, tc.line, tc.mention)
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
