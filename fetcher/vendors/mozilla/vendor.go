package mozilla

import (
	"errors"

	"go.yaml.in/yaml/v3"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendortest"
)

// Vendor is Mozilla, for the registry (fetcher/vendors).
type Vendor struct{}

// Name implements fetcher.Vendor and vendortest.Vendor.
func (Vendor) Name() string { return "mozilla" }

// Config is the section sources.mozilla.
type Config struct {
	fetcher.SourceBase `yaml:",inline"`
	URL                fetcher.HTTPURL `yaml:"url" json:"url"`
	ProductDetailsURL  fetcher.HTTPURL `yaml:"product_details_url" json:"product_details_url"`
	Products           []Product       `yaml:"products" json:"products"`
	Platforms          []fetcher.Word  `yaml:"platforms" json:"platforms"`
	Languages          []fetcher.Word  `yaml:"languages" json:"languages"`
}

// Product is a Mozilla product track: firefox-esr, firefox (release) or
// thunderbird.
type Product string

// UnmarshalYAML implements yaml.Unmarshaler.
func (p *Product) UnmarshalYAML(n *yaml.Node) error {
	if _, ok := products[n.Value]; !ok {
		return &fetcher.ValueError{Line: n.Line, Value: n.Value, Want: fetcher.WantOneOf, What: "Mozilla product", OneOf: []string{"firefox-esr", "firefox", "thunderbird"}}
	}
	*p = Product(n.Value)
	return nil
}

// Validate implements fetcher.SourceConfig.
func (c *Config) Validate() error {
	if len(c.Products) == 0 || len(c.Platforms) == 0 || len(c.Languages) == 0 {
		return errors.New("sources.mozilla: products, platforms and languages must each list at least one entry")
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
    url: https://archive.mozilla.org
    product_details_url: https://product-details.mozilla.org/1.0
    # firefox-esr, firefox (release), thunderbird
    products: [firefox-esr, thunderbird]
    platforms: [win64]
    languages: [ja, en-US]
`
}

// Fake implements vendortest.Vendor (see AddFake).
func (Vendor) Fake(u *vendortest.Upstream) vendortest.Fake { return AddFake(u) }
