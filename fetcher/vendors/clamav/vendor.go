package clamav

import (
	"errors"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendortest"
)

// Vendor is ClamAV, for the registry (fetcher/vendors).
type Vendor struct{}

// Name implements fetcher.Vendor and vendortest.Vendor.
func (Vendor) Name() string { return "clamav" }

// Config is the section sources.clamav.
type Config struct {
	fetcher.SourceBase `yaml:",inline"`
	URL                fetcher.HTTPURL  `yaml:"url" json:"url"`
	Databases          []fetcher.Word   `yaml:"databases" json:"databases"`
	DNS                string           `yaml:"dns" json:"dns"`
	DNSServer          fetcher.HostPort `yaml:"dns_server" json:"dns_server"`
	Cdiffs             fetcher.Count    `yaml:"cdiffs" json:"cdiffs"`
}

// Validate implements fetcher.SourceConfig.
func (c *Config) Validate() error {
	if len(c.Databases) == 0 {
		return errors.New("sources.clamav.databases: list at least one database, e.g. [main, daily, bytecode]")
	}
	return nil
}

// NewConfig implements fetcher.Vendor.
func (Vendor) NewConfig() fetcher.SourceConfig { return &Config{} }

// NewSource implements fetcher.Vendor.
func (Vendor) NewSource(c fetcher.SourceConfig) fetcher.Source { return &Source{cfg: *c.(*Config)} }

// DefaultYAML implements fetcher.Vendor.
func (Vendor) DefaultYAML() string {
	return `    enabled: true
    url: https://database.clamav.net
    databases: [main, daily, bytecode]
    # DNS TXT record with the current versions; empty: read the versions
    # from the .cvd headers over HTTP (as private mirrors do).
    dns: current.cvd.clamav.net
    # DNS server for the TXT lookup (host:port); empty: the system resolver.
    dns_server: ""
    # How many past versions of cdiffs to keep.
    cdiffs: 30
`
}

// Fake implements vendortest.Vendor: ClamAV's main, daily and bytecode
// databases (see AddFake).
func (Vendor) Fake(u *vendortest.Upstream) vendortest.Fake { return AddFake(u) }
