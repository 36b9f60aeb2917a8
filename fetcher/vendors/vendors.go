package vendors

import (
	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendors/clamav"
	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
	"github.com/patchferry/patchferry/fetcher/vendortest"
)

// Vendor is one vendor: its fetcher side (configuration section, source)
// and its part of the fake upstream.
type Vendor interface {
	fetcher.Vendor
	vendortest.Vendor
}

// All returns every vendor, in the order their sources run and their
// sections are written. Adding a vendor is one line here.
func All() []Vendor {
	return []Vendor{
		clamav.Vendor{},
		mozilla.Vendor{},
	}
}

// Fetcher returns the vendors' fetcher sides, for fetcher.LoadConfig and
// fetcher.EnabledSources.
func Fetcher() []fetcher.Vendor {
	var out []fetcher.Vendor
	for _, v := range All() {
		out = append(out, v)
	}
	return out
}
