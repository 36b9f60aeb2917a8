package fetcher

// Vendor is one vendor's fetcher side: its configuration section and its
// source. Each vendor is a package of its own (fetcher/vendors/<name>);
// the registry (fetcher/vendors) lists them, and commands hand that list
// to LoadConfig and EnabledSources. This package never imports a vendor.
type Vendor interface {
	// Name is the vendor's section under "sources:" and its scope in the
	// vendor trust (clamav, mozilla, …).
	Name() string
	// DefaultYAML is the vendor's section of the default configuration,
	// with comments: the lines under "sources.<name>:", indented by four
	// spaces. It sets every default of the section (enabled included).
	DefaultYAML() string
	// NewConfig returns a new, zero configuration (a pointer) that the
	// section decodes into, unknown keys refused.
	NewConfig() SourceConfig
	// NewSource returns the source for a configuration NewConfig made.
	NewSource(SourceConfig) Source
}

// SourceConfig is a vendor's typed configuration section.
type SourceConfig interface {
	Enabled() bool
	SetEnabled(bool)
	// Validate checks what decoding cannot (e.g. a list that must not be
	// empty); errors name the key (sources.<name>.<key>) and the fix.
	Validate() error
}

// SourceBase holds what every source section has; vendors embed it with
// `yaml:",inline"`.
type SourceBase struct {
	On bool `yaml:"enabled" json:"enabled"`
}

// Enabled implements SourceConfig.
func (b *SourceBase) Enabled() bool { return b.On }

// SetEnabled implements SourceConfig.
func (b *SourceBase) SetEnabled(on bool) { b.On = on }

// EnabledSources returns the sources cfg enables, in the order of vendors.
func EnabledSources(cfg *Config, vendors []Vendor) []Source {
	var out []Source
	for _, v := range vendors {
		if sc := cfg.Sources[v.Name()]; sc != nil && sc.Enabled() {
			out = append(out, v.NewSource(sc))
		}
	}
	return out
}
