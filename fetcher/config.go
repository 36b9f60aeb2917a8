package fetcher

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patchferry/patchferry/media"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the embedded default configuration, with comments:
// what `patchferry config init` writes.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// Config is the fetcher configuration.
type Config struct {
	CacheDir       string    `yaml:"cache_dir" json:"cache_dir"`
	VendorTrust    string    `yaml:"vendor_trust" json:"vendor_trust"`
	Key            string    `yaml:"key" json:"key"`
	Out            string    `yaml:"out" json:"out"`
	Site           siteName  `yaml:"site" json:"site"`
	Concurrency    posInt    `yaml:"concurrency" json:"concurrency"`
	BandwidthLimit sizeValue `yaml:"bandwidth_limit" json:"bandwidth_limit"`
	Proxy          proxyURL  `yaml:"proxy" json:"proxy"`
	Sources        Sources   `yaml:"sources" json:"sources"`

	// Path is the file the configuration came from ("" for the default).
	Path string `yaml:"-" json:"-"`
}

// Sources holds the configuration of every source.
type Sources struct {
	ClamAV  ClamAVConfig  `yaml:"clamav" json:"clamav"`
	Mozilla MozillaConfig `yaml:"mozilla" json:"mozilla"`
}

// ClamAVConfig configures the ClamAV source.
type ClamAVConfig struct {
	Enabled   bool      `yaml:"enabled" json:"enabled"`
	URL       httpURL   `yaml:"url" json:"url"`
	Databases []dbName  `yaml:"databases" json:"databases"`
	DNS       string    `yaml:"dns" json:"dns"`
	DNSServer hostPort  `yaml:"dns_server" json:"dns_server"`
	Cdiffs    nonNegInt `yaml:"cdiffs" json:"cdiffs"`
}

// MozillaConfig configures the Mozilla source.
type MozillaConfig struct {
	Enabled           bool         `yaml:"enabled" json:"enabled"`
	URL               httpURL      `yaml:"url" json:"url"`
	ProductDetailsURL httpURL      `yaml:"product_details_url" json:"product_details_url"`
	Products          []mozProduct `yaml:"products" json:"products"`
	Platforms         []simpleWord `yaml:"platforms" json:"platforms"`
	Languages         []simpleWord `yaml:"languages" json:"languages"`
}

// sourceNames are the sources this fetcher knows, in order.
var sourceNames = []string{"clamav", "mozilla"}

// DefaultConfig returns the embedded default.
func DefaultConfig() (*Config, error) {
	var c Config
	if err := decodeStrict(defaultYAML, &c); err != nil {
		return nil, fmt.Errorf("embedded default config: %w", err)
	}
	return &c, c.finish()
}

// LoadConfig reads a configuration file; "" means the embedded default. A
// file replaces the default: sources it does not list are disabled, keys it
// does not set keep their default values. Errors name the line.
func LoadConfig(path string) (*Config, error) {
	c, err := DefaultConfig()
	if err != nil || path == "" {
		return c, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(b) > 1<<20 {
		return nil, fmt.Errorf("config %s: larger than 1 MiB", path)
	}
	var listed struct {
		Sources yaml.Node `yaml:"sources" json:"sources"`
	}
	if err := yaml.Unmarshal(b, &listed); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	on := make(map[string]bool)
	if s := listed.Sources; s.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(s.Content); i += 2 {
			k := s.Content[i] // the key's line: its value may start below
			if !containsName(sourceNames, k.Value) {
				return nil, fmt.Errorf("config %s: line %d: unknown source %q (known: %s)", path, k.Line, k.Value, strings.Join(sourceNames, ", "))
			}
			on[k.Value] = true
		}
	}
	// Sources the file does not list are off; listed ones are on unless the
	// file says enabled: false.
	c.Sources.ClamAV.Enabled = on["clamav"]
	c.Sources.Mozilla.Enabled = on["mozilla"]
	if err := decodeStrict(b, c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.Path = path
	if err := c.finish(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

func containsName(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func decodeStrict(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return nil // an empty file
	}
	return err
}

// finish fills computed defaults and checks what decoding cannot.
func (c *Config) finish() error {
	if c.CacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("cache_dir: no user cache directory (%v); set cache_dir", err)
		}
		c.CacheDir = filepath.Join(dir, "patchferry")
	}
	if c.Path != "" {
		base := filepath.Dir(c.Path)
		for _, p := range []*string{&c.CacheDir, &c.VendorTrust, &c.Key, &c.Out} {
			if *p != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(base, *p) // relative to the config file
			}
		}
	}
	var errs []error
	if c.Sources.ClamAV.Enabled && len(c.Sources.ClamAV.Databases) == 0 {
		errs = append(errs, errors.New("sources.clamav.databases: list at least one database, e.g. [main, daily, bytecode]"))
	}
	if m := c.Sources.Mozilla; m.Enabled && (len(m.Products) == 0 || len(m.Platforms) == 0 || len(m.Languages) == 0) {
		errs = append(errs, errors.New("sources.mozilla: products, platforms and languages must each list at least one entry"))
	}
	return errors.Join(errs...)
}

// Enabled lists the names of the enabled sources.
func (c *Config) Enabled() []string {
	var out []string
	if c.Sources.ClamAV.Enabled {
		out = append(out, "clamav")
	}
	if c.Sources.Mozilla.Enabled {
		out = append(out, "mozilla")
	}
	sort.Strings(out)
	return out
}

// Marshal returns the effective configuration as YAML (config show).
func (c *Config) Marshal() ([]byte, error) {
	return yaml.Marshal(c)
}

// Value types that check themselves while decoding, so an invalid value is
// an error naming its line.

type siteName string

func (s *siteName) UnmarshalYAML(n *yaml.Node) error {
	if err := media.ValidSite(n.Value); err != nil {
		return fmt.Errorf("line %d: site: %w", n.Line, err)
	}
	*s = siteName(n.Value)
	return nil
}

type posInt int

func (p *posInt) UnmarshalYAML(n *yaml.Node) error {
	var v int
	if err := n.Decode(&v); err != nil || v < 1 || v > 64 {
		return fmt.Errorf("line %d: want a whole number from 1 to 64, got %q", n.Line, n.Value)
	}
	*p = posInt(v)
	return nil
}

type nonNegInt int

func (p *nonNegInt) UnmarshalYAML(n *yaml.Node) error {
	var v int
	if err := n.Decode(&v); err != nil || v < 0 || v > 10000 {
		return fmt.Errorf("line %d: want a whole number from 0 to 10000, got %q", n.Line, n.Value)
	}
	*p = nonNegInt(v)
	return nil
}

type sizeValue int64

func (s *sizeValue) UnmarshalYAML(n *yaml.Node) error {
	if n.Value == "" {
		*s = 0
		return nil
	}
	v, err := media.ParseSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = sizeValue(v)
	return nil
}

func (s sizeValue) MarshalYAML() (any, error) {
	if s == 0 {
		return "", nil
	}
	return fmt.Sprint(int64(s)), nil
}

type httpURL string

func (u *httpURL) UnmarshalYAML(n *yaml.Node) error {
	p, err := url.Parse(n.Value)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("line %d: want an http:// or https:// URL, got %q", n.Line, n.Value)
	}
	*u = httpURL(strings.TrimSuffix(n.Value, "/"))
	return nil
}

type proxyURL string

func (u *proxyURL) UnmarshalYAML(n *yaml.Node) error {
	if n.Value == "" {
		*u = ""
		return nil
	}
	p, err := url.Parse(n.Value)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https" && p.Scheme != "socks5") || p.Host == "" {
		return fmt.Errorf("line %d: proxy: want http://[user:password@]host:port, got %q", n.Line, n.Value)
	}
	*u = proxyURL(n.Value)
	return nil
}

// MarshalYAML hides a proxy password in `config show`.
func (u proxyURL) MarshalYAML() (any, error) { return u.redacted(), nil }

// MarshalJSON hides a proxy password in `config show --json`.
func (u proxyURL) MarshalJSON() ([]byte, error) { return json.Marshal(u.redacted()) }

func (u proxyURL) redacted() string {
	p, err := url.Parse(string(u))
	if err != nil || p.User == nil {
		return string(u)
	}
	if _, ok := p.User.Password(); ok {
		p.User = url.UserPassword(p.User.Username(), "xxxxx")
	}
	return p.String()
}

type hostPort string

func (h *hostPort) UnmarshalYAML(n *yaml.Node) error {
	if n.Value != "" && !regexp.MustCompile(`^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$`).MatchString(n.Value) {
		return fmt.Errorf("line %d: want host:port, got %q", n.Line, n.Value)
	}
	*h = hostPort(n.Value)
	return nil
}

var wordRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

type dbName string

func (d *dbName) UnmarshalYAML(n *yaml.Node) error {
	if !wordRE.MatchString(n.Value) || strings.Contains(n.Value, "..") {
		return fmt.Errorf("line %d: database name %q: use letters, digits, '.', '_' or '-'", n.Line, n.Value)
	}
	*d = dbName(n.Value)
	return nil
}

type simpleWord string

func (w *simpleWord) UnmarshalYAML(n *yaml.Node) error {
	if !wordRE.MatchString(n.Value) || strings.Contains(n.Value, "..") {
		return fmt.Errorf("line %d: %q: use letters, digits, '.', '_' or '-'", n.Line, n.Value)
	}
	*w = simpleWord(n.Value)
	return nil
}

type mozProduct string

func (p *mozProduct) UnmarshalYAML(n *yaml.Node) error {
	switch n.Value {
	case "firefox-esr", "firefox", "thunderbird":
		*p = mozProduct(n.Value)
		return nil
	}
	return fmt.Errorf("line %d: Mozilla product %q: want firefox-esr, firefox or thunderbird", n.Line, n.Value)
}
