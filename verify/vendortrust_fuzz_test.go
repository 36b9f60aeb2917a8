package verify

import (
	"slices"
	"testing"
	"time"
)

// FuzzParseVendorTrust: whatever parses writes back in format 2 and reads
// back to the same anchors, and For never hands a vendor's check an anchor
// of another vendor.
func FuzzParseVendorTrust(f *testing.F) {
	// Small seeds (test keys, no real 4096-bit ones) keep each run fast.
	f.Add(readTestdata(f, "vendor-trust/format1-demo.yaml"))
	_, key := testPGPKey(f, "fuzz", time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	small := &VendorTrust{Format: VendorTrustFormat, Vendors: []Anchors{
		{Vendor: "mozilla", Products: []string{"firefox"}, OpenPGPKeys: []NamedPGPKey{key}},
		{Vendor: "mozilla", OpenPGPKeys: []NamedPGPKey{key}},
		{Vendor: "clamav", ClamAVKeys: []ClamAVKey{{Name: "k", Use: "cvd", N: "13407807929942597099574024998205846127479365820592393377723561443721764030073546976801874298166903427690031858186486050853753882811946569946433649006084171", E: 65537}}},
	}}
	b, err := small.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("format: 2\nvendors:\n  - vendor: mozilla\n    products: [firefox]\n"))
	f.Add([]byte("format: 2\nvendors: []\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		vt, err := ParseVendorTrust(b)
		if err != nil {
			return
		}
		out, err := vt.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed trust: %v", err)
		}
		back, err := ParseVendorTrust(out)
		if err != nil {
			t.Fatalf("the file form of a parsed trust does not parse: %v\n%s", err, out)
		}
		if len(back.Upgraded) != 0 || !slices.Equal(back.Summary(), vt.Summary()) {
			t.Fatalf("round trip changed the anchors:\n%q\n%q", vt.Summary(), back.Summary())
		}
		for _, a := range vt.Vendors {
			for _, p := range append([]string{""}, a.Products...) {
				got := vt.For(a.Vendor, p)
				if got.Vendor != a.Vendor {
					t.Fatalf("For(%q) is for %q", a.Vendor, got.Vendor)
				}
				var want int
				for _, e := range vt.Vendors {
					if e.Vendor == a.Vendor && (len(e.Products) == 0 || slices.Contains(e.Products, p)) {
						want += len(e.OpenPGPKeys)
					}
				}
				if len(got.OpenPGPKeys) != want {
					t.Fatalf("For(%q, %q): %d OpenPGP keys, its entries hold %d", a.Vendor, p, len(got.OpenPGPKeys), want)
				}
			}
		}
	})
}
