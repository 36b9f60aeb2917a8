package fetcher_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendors/clamav"
	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
	"github.com/patchferry/patchferry/media"
)

// FuzzLoadConfig: a configuration file is edited by hand and may come from
// anywhere. One that loads has only the registry's sources; a source is on
// exactly when the file lists it and does not say enabled: false; every
// enabled source passes its Validate; every setting holds what its type
// promises (site, 1–64 downloads, a size, a proxy URL, absolute paths, words,
// http(s) URLs, counts); what `config show` prints loads back and prints the
// same; and the built-in default file loads as DefaultConfig.
func FuzzLoadConfig(f *testing.F) {
	defaultYAML := fetcher.DefaultYAML(registry)
	def, err := fetcher.DefaultConfig(registry)
	if err != nil {
		f.Fatal(err)
	}
	defShow, err := def.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(defaultYAML), "", "site: a\n", "sources:\n  mozilla:\n",
		"concurrency: 9\nbandwidth_limit: 10M\nsources:\n  clamav:\n    enabled: false\n  mozilla:\n    products: [firefox]\n",
		"proxy: http://soumu:s3cret@proxy.example.lg.jp:8080\ncache_dir: cache\nkey: /k\nsources:\n  clamav:\n    dns: \"\"\n    dns_server: \"[::1]:53\"\n    cdiffs: 0\n",
		"sources:\n  clamav:\n    databases: [\"../x\"]\n", "sources:\n  chrome: {}\n", "sources:\n  clamav:\n    databases: ~\n    enabled: false\n",
		"sources: &a\n  clamav: {}\nx: *a\n", "sources:\n  <<: {clamav: {}}\n", "- a\n", "sources:\n  clamav:\n    enabled: yes\n",
		"site: a\nsite: b\n", "bandwidth_limit: 4611686018427387904\n", "concurrency: 0x10\n",
		"site: a\nsources:\n  clamav:\n    databses: [main]\n", "sources:\n  clamav:\n  databases: [main]\n", "sources:\n  clamav:\n    databases: [main]\n   dns: x\n",
		"concurency: 3\nsitee: a\n", "sources:\n  clamav:\n    - a\n", "site: a\nsite: b\n",
		"site: ~\n", "concurrency: ~\n", "cache_dir: ~\n", "sources:\n  clamav:\n    url: ~\n    cdiffs: ~\n", "sources:\n  mozilla:\n    products: [~]\n",
	} {
		f.Add([]byte(s))
	}
	names := make([]string, 0, len(registry))
	for _, v := range registry {
		names = append(names, v.Name())
	}
	word := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	goodWord := func(w fetcher.Word) bool {
		return word.MatchString(string(w)) && !bytes.Contains([]byte(w), []byte(".."))
	}
	goodURL := func(u fetcher.HTTPURL) bool {
		p, err := url.Parse(string(u))
		return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "patchferry.yaml")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := fetcher.LoadConfig(path, registry)
		if err != nil {
			// Every error names the file; a key error its line, and a
			// suggestion only among the section's keys.
			for _, e := range joined(err) {
				var ce *fetcher.ConfigError
				if !errors.As(e, &ce) || ce.Path != path {
					t.Fatalf("error %T %v: want a *fetcher.ConfigError naming the file", e, e)
				}
				var ue *fetcher.UnknownKeyError
				if errors.As(e, &ue) && (ue.Line < 1 || ue.Suggestion != "" && !slices.Contains(ue.Known, ue.Suggestion) || slices.Contains(ue.Known, ue.Key)) {
					t.Fatalf("unknown key error %+v", ue)
				}
			}
			return
		}
		show, err := c.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a loaded configuration: %v", err)
		}
		if bytes.Equal(b, defaultYAML) && !bytes.Equal(show, defShow) {
			t.Fatalf("DefaultYAML loads as\n%s\nnot as DefaultConfig\n%s", show, defShow)
		}

		// Sources: the registry's, each on exactly when listed and not
		// switched off, each enabled one valid.
		var keys []string
		for k := range c.Sources {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, names) {
			t.Fatalf("sources %v, want the registry's %v", keys, names)
		}
		var doc map[string]any
		if yaml.Unmarshal(b, &doc) == nil {
			listed, _ := doc["sources"].(map[string]any)
			for name := range listed {
				if !slices.Contains(names, name) {
					t.Fatalf("loaded although it lists the unknown source %q", name)
				}
			}
			for _, name := range names {
				sec, on := listed[name]
				if m, ok := sec.(map[string]any); ok {
					if e, ok := m["enabled"].(bool); ok {
						on = e
					}
				}
				if c.Sources[name].Enabled() != on {
					t.Fatalf("source %s enabled = %v; the file lists it: %v", name, c.Sources[name].Enabled(), sec)
				}
			}
		}
		for name, sc := range c.Sources {
			if sc.Enabled() {
				if err := sc.Validate(); err != nil {
					t.Fatalf("enabled source %s loaded although Validate says: %v", name, err)
				}
			}
		}

		// Settings and the vendors' sections hold what their types promise.
		if err := media.ValidSite(string(c.Site)); err != nil {
			t.Fatalf("site %q: %v", c.Site, err)
		}
		if c.Concurrency < 1 || c.Concurrency > 64 || c.BandwidthLimit < 0 {
			t.Fatalf("concurrency %d, bandwidth_limit %d", c.Concurrency, c.BandwidthLimit)
		}
		if c.Proxy != "" {
			p, err := url.Parse(string(c.Proxy))
			if err != nil || !slices.Contains([]string{"http", "https", "socks5"}, p.Scheme) || p.Host == "" {
				t.Fatalf("proxy %q", c.Proxy)
			}
		}
		if c.CacheDir == "" {
			t.Fatal("no cache_dir")
		}
		for _, p := range []string{c.CacheDir, c.VendorTrust, c.Key, c.Out} {
			if p != "" && !filepath.IsAbs(p) {
				t.Fatalf("path %q is not absolute (relative paths are the config file's)", p)
			}
		}
		cl := c.Sources["clamav"].(*clamav.Config)
		if !goodURL(cl.URL) || cl.Cdiffs < 0 || cl.Cdiffs > 10000 {
			t.Fatalf("clamav section %+v", cl)
		}
		mz := c.Sources["mozilla"].(*mozilla.Config)
		for _, w := range slices.Concat(cl.Databases, mz.Platforms, mz.Languages) {
			if !goodWord(w) {
				t.Fatalf("word %q", w)
			}
		}
		for _, p := range mz.Products {
			if !slices.Contains([]mozilla.Product{"firefox-esr", "firefox", "thunderbird"}, p) {
				t.Fatalf("mozilla product %q", p)
			}
		}
		if !goodURL(mz.URL) || !goodURL(mz.ProductDetailsURL) {
			t.Fatalf("mozilla URLs %q, %q", mz.URL, mz.ProductDetailsURL)
		}

		// `config show` prints a configuration that loads back as itself.
		back := filepath.Join(dir, "show.yaml")
		if err := os.WriteFile(back, show, 0o644); err != nil {
			t.Fatal(err)
		}
		c2, err := fetcher.LoadConfig(back, registry)
		if err != nil {
			t.Fatalf("config show output does not load: %v\n%s", err, show)
		}
		show2, err := c2.Marshal()
		if err != nil || !bytes.Equal(show, show2) {
			t.Fatalf("config show changed through loading (%v):\n%s\n%s", err, show, show2)
		}
		// … also with the origins of the values as comments.
		annotated, err := c.MarshalOrigins(func(o fetcher.Origin) string { return fmt.Sprintf("%s: line %d", o.Key, o.Line) })
		if err != nil {
			t.Fatalf("MarshalOrigins: %v", err)
		}
		if err := os.WriteFile(back, annotated, 0o644); err != nil {
			t.Fatal(err)
		}
		c3, err := fetcher.LoadConfig(back, registry)
		if err != nil {
			t.Fatalf("config show with origins does not load: %v\n%s", err, annotated)
		}
		if show3, err := c3.Marshal(); err != nil || !bytes.Equal(show, show3) {
			t.Fatalf("config show with origins changed through loading (%v):\n%s\n%s", err, show, show3)
		}
		lines := bytes.Count(b, []byte("\n")) + 1
		origins, err := c.Origins()
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range origins {
			if o.Line < 0 || o.Line > lines {
				t.Fatalf("%s: line %d of a file of %d lines", o.Key, o.Line, lines)
			}
		}
	})
}
