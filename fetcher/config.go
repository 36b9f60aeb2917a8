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
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/patchferry/patchferry/media"
)

//go:embed default.yaml
var settingsYAML string

// DefaultYAML returns the default configuration with comments — the
// settings, then each vendor's section — what `patchferry config init`
// writes.
func DefaultYAML(vendors []Vendor) []byte {
	var b strings.Builder
	b.WriteString(settingsYAML)
	b.WriteString("sources:\n")
	for i, v := range vendors {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  %s:\n%s", v.Name(), strings.TrimRight(v.DefaultYAML(), "\n")+"\n")
	}
	return []byte(b.String())
}

// Config is the fetcher configuration: the settings, and each vendor's
// section decoded with that vendor's own type.
type Config struct {
	Settings `yaml:",inline"`
	Sources  map[string]SourceConfig `yaml:"sources" json:"sources"`

	// Path is the file the configuration came from ("" for the default).
	Path string `yaml:"-" json:"-"`
	// lines holds the line of each key the file sets (dotted keys).
	lines map[string]int
}

// Settings are the configuration's keys besides the sources.
type Settings struct {
	CacheDir       string    `yaml:"cache_dir" json:"cache_dir"`
	VendorTrust    string    `yaml:"vendor_trust" json:"vendor_trust"`
	Key            string    `yaml:"key" json:"key"`
	Out            string    `yaml:"out" json:"out"`
	Site           siteName  `yaml:"site" json:"site"`
	Concurrency    posInt    `yaml:"concurrency" json:"concurrency"`
	BandwidthLimit sizeValue `yaml:"bandwidth_limit" json:"bandwidth_limit"`
	Proxy          proxyURL  `yaml:"proxy" json:"proxy"`
}

// DefaultConfig returns the built-in default of these vendors.
func DefaultConfig(vendors []Vendor) (*Config, error) {
	c := &Config{Sources: make(map[string]SourceConfig)}
	for _, v := range vendors {
		c.Sources[v.Name()] = v.NewConfig()
	}
	if err := c.decode(DefaultYAML(vendors), vendors); err != nil {
		return nil, fmt.Errorf("embedded default config: %w", err)
	}
	return c, c.finish(vendors)
}

// maxConfig bounds a configuration file.
const maxConfig = 1 << 20

// LoadConfig reads a configuration file; "" means the built-in default. A
// file replaces the default: sources it does not list are disabled, keys it
// does not set keep their default values. Each source's section is decoded
// with its vendor's type. Errors are *ConfigError and name the line: an
// unknown key (with the known key it most resembles), a key set twice, a
// value of the wrong kind or an invalid value, the line that breaks the
// YAML; every unknown or repeated key and value of the wrong kind at once
// (joined).
func LoadConfig(path string, vendors []Vendor) (*Config, error) {
	c, err := DefaultConfig(vendors)
	if err != nil || path == "" {
		return c, err
	}
	b, err := readConfig(path)
	if err != nil {
		return nil, &ConfigError{Path: path, Err: err}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		if se := syntaxError(b, err); se != nil {
			return nil, &ConfigError{Path: path, Err: se}
		}
		return nil, &ConfigError{Path: path, Err: err}
	}
	w := keyCheck{lines: make(map[string]int), sources: make(map[string]reflect.Type)}
	for _, v := range vendors {
		w.sources[v.Name()] = reflect.TypeOf(c.Sources[v.Name()])
	}
	w.document(&doc)
	if len(w.errs) > 0 {
		errs := make([]error, len(w.errs))
		for i, e := range w.errs {
			errs[i] = &ConfigError{Path: path, Err: e}
		}
		return nil, errors.Join(errs...)
	}
	// Sources the file does not list are off; listed ones are on unless the
	// file says enabled: false.
	for name, sc := range c.Sources {
		_, on := w.lines["sources."+name]
		sc.SetEnabled(on)
	}
	if err := c.decode(b, vendors); err != nil {
		return nil, &ConfigError{Path: path, Err: err}
	}
	c.Path = path
	c.lines = w.lines
	if err := c.finish(vendors); err != nil {
		return nil, &ConfigError{Path: path, Err: err}
	}
	return c, nil
}

func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfig+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxConfig {
		return nil, fmt.Errorf("larger than %d bytes", maxConfig)
	}
	return b, nil
}

// decode decodes b over c, strictly (unknown keys name their line): the
// settings into c.Settings, each source's section into its vendor's typed
// configuration. The document's type is built from the vendors: one field
// per vendor under "sources", of that vendor's configuration type.
func (c *Config) decode(b []byte, vendors []Vendor) error {
	var fields []reflect.StructField
	for i, v := range vendors {
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("V%d", i), Type: reflect.TypeOf(c.Sources[v.Name()]),
			Tag: reflect.StructTag(fmt.Sprintf(`yaml:%q`, v.Name()))})
	}
	doc := reflect.New(reflect.StructOf([]reflect.StructField{
		{Name: "Settings", Type: reflect.TypeOf(c.Settings), Tag: `yaml:",inline"`},
		{Name: "Sources", Type: reflect.StructOf(fields), Tag: `yaml:"sources"`},
	})).Elem()
	doc.Field(0).Set(reflect.ValueOf(c.Settings))
	for i, v := range vendors {
		doc.Field(1).Field(i).Set(reflect.ValueOf(c.Sources[v.Name()])) // a pointer: decoded in place
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(doc.Addr().Interface()); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
		return err
	}
	c.Settings = doc.Field(0).Interface().(Settings)
	return nil
}

// finish fills computed defaults and checks what decoding cannot.
func (c *Config) finish(vendors []Vendor) error {
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
	for _, v := range vendors {
		if sc := c.Sources[v.Name()]; sc.Enabled() {
			errs = append(errs, sc.Validate())
		}
	}
	return errors.Join(errs...)
}

// Enabled lists the names of the enabled sources, sorted.
func (c *Config) Enabled() []string {
	var out []string
	for name, sc := range c.Sources {
		if sc.Enabled() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Marshal returns the effective configuration as YAML (config show).
func (c *Config) Marshal() ([]byte, error) {
	return yaml.Marshal(c)
}

// Origin says where an effective value comes from.
type Origin struct {
	Key  string // dotted: "concurrency", "sources.clamav.databases"
	Line int    // the line of the configuration file (Path) that sets it; 0: the built-in default
}

// Origins lists every key of the effective configuration that holds a
// value or a list (not the sections), in the order
// Marshal prints them, with where its value comes from. A source's
// "enabled" that the file does not set has the line that lists the
// source (listing a source turns it on); for a source the file does not
// list it is 0, although such a source is off.
func (c *Config) Origins() ([]Origin, error) {
	var out []Origin
	_, err := c.walkShown(func(o Origin, _, _ *yaml.Node) { out = append(out, o) })
	return out, err
}

// MarshalOrigins is Marshal with a comment after each key that holds a
// value or a list: note(its Origin), or none when note returns "". What it prints loads as the same
// configuration.
func (c *Config) MarshalOrigins(note func(Origin) string) ([]byte, error) {
	n, err := c.walkShown(func(o Origin, k, v *yaml.Node) {
		if v.Kind == yaml.ScalarNode {
			v.LineComment = note(o)
		} else {
			k.LineComment = note(o)
		}
	})
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(n)
}

// walkShown encodes c as Marshal does and calls f with every key that
// holds a value or a list, and that value, in order.
func (c *Config) walkShown(f func(o Origin, k, v *yaml.Node)) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return nil, err
	}
	var walk func(n *yaml.Node, section string)
	walk = func(n *yaml.Node, section string) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := joinKey(section, k.Value)
			if v.Kind == yaml.MappingNode {
				walk(v, key)
			} else {
				f(Origin{Key: key, Line: c.lineOf(key)}, k, v)
			}
		}
	}
	walk(&n, "")
	return &n, nil
}

func (c *Config) lineOf(key string) int {
	if l, ok := c.lines[key]; ok {
		return l
	}
	if section, ok := strings.CutSuffix(key, ".enabled"); ok && strings.HasPrefix(section, "sources.") {
		return c.lines[section]
	}
	return 0
}

// Value types that check themselves while decoding, so an invalid value is
// an error naming its line.

type siteName string

func (s *siteName) UnmarshalYAML(n *yaml.Node) error {
	if err := media.ValidSite(n.Value); err != nil {
		return &ValueError{Line: n.Line, Value: n.Value, Want: WantSite, Err: err}
	}
	*s = siteName(n.Value)
	return nil
}

type posInt int

func (p *posInt) UnmarshalYAML(n *yaml.Node) error {
	var v int
	if err := n.Decode(&v); err != nil || v < 1 || v > 64 {
		return &ValueError{Line: n.Line, Value: n.Value, Want: WantConcurrency}
	}
	*p = posInt(v)
	return nil
}

// Count is a whole number from 0 to 10000 that checks itself while
// decoding.
type Count int

// UnmarshalYAML implements yaml.Unmarshaler.
func (p *Count) UnmarshalYAML(n *yaml.Node) error {
	var v int
	if err := n.Decode(&v); err != nil || v < 0 || v > 10000 {
		return &ValueError{Line: n.Line, Value: n.Value, Want: WantCount}
	}
	*p = Count(v)
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
		return &ValueError{Line: n.Line, Value: n.Value, Want: WantSize, Err: err}
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

// HTTPURL is an http:// or https:// URL (without a trailing slash) that
// checks itself while decoding.
type HTTPURL string

// UnmarshalYAML implements yaml.Unmarshaler.
func (u *HTTPURL) UnmarshalYAML(n *yaml.Node) error {
	p, err := url.Parse(n.Value)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return &ValueError{Line: n.Line, Value: n.Value, Want: WantURL}
	}
	*u = HTTPURL(strings.TrimSuffix(n.Value, "/"))
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
		return &ValueError{Line: n.Line, Value: n.Value, Want: WantProxy}
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

// HostPort is host:port (or empty) that checks itself while decoding.
type HostPort string

// UnmarshalYAML implements yaml.Unmarshaler.
func (h *HostPort) UnmarshalYAML(n *yaml.Node) error {
	if n.Value != "" && !regexp.MustCompile(`^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$`).MatchString(n.Value) {
		return &ValueError{Line: n.Line, Value: n.Value, Want: WantHostPort}
	}
	*h = HostPort(n.Value)
	return nil
}

var wordRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// Word is a short name — letters, digits, '.', '_' or '-' — that checks
// itself while decoding: a database, platform or language name.
type Word string

// UnmarshalYAML implements yaml.Unmarshaler.
func (w *Word) UnmarshalYAML(n *yaml.Node) error {
	if !wordRE.MatchString(n.Value) || strings.Contains(n.Value, "..") {
		return &ValueError{Line: n.Line, Value: n.Value, Want: WantWord}
	}
	*w = Word(n.Value)
	return nil
}
