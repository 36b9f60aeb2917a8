package verify

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/patchferry/patchferry/verify/verifytest"
)

func TestVendorTrustRoundTrip(t *testing.T) {
	vt := realTrust(t)
	if err := vt.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := vt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseVendorTrust(b)
	if err != nil {
		t.Fatalf("the default does not read back from its file form: %v", err)
	}
	if len(back.Upgraded) != 0 {
		t.Errorf("a format-2 file was upgraded: %v", back.Upgraded)
	}
	clam, moz, ms := back.For("clamav", "daily"), back.For("mozilla", "firefox-esr"), back.For("microsoft", "windows")
	if len(clam.ClamAVKeys) != 3 || len(clam.ClamAVSignRoots) != 1 || len(moz.OpenPGPKeys) != 1 ||
		len(ms.AuthenticodeRoots) != 2 || !slices.Equal(ms.AuthenticodeSigners, []string{"Microsoft Corporation"}) {
		t.Fatalf("round trip lost entries:\n%s", strings.Join(back.Summary(), "\n"))
	}
	for _, use := range []string{"cvd", "cdiff", "info"} {
		if _, _, err := clam.ClamAVKey(use); err != nil {
			t.Error(err)
		}
	}
	kr, err := moz.Keyring()
	if err != nil || len(kr) != 1 {
		t.Fatalf("keyring: %d keys, %v", len(kr), err)
	}
	s := strings.Join(back.Summary(), "\n")
	for _, want := range []string{
		"mozilla: openpgp key: Mozilla Software Releases <release@mozilla.com> (14F26682D0916CDD81E37B6D61B7B526D98F0353)",
		"microsoft: authenticode root: Microsoft Root Certificate Authority 2011 (SHA-256 847df6a78497943f27fc72eb93f9a637320a02b561d0a91b09e87a7807ed7c61), signers: Microsoft Corporation",
		"clamav: clamav cvd key: ClamAV CVD signing key (legacy dsig) (1024 bits)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if !bytes.Contains(b, []byte("format: 2")) || !bytes.Contains(b, []byte("vendor: mozilla")) {
		t.Errorf("file form without format and scopes:\n%.400s", b)
	}
}

// A check gets the anchors of its vendor only: nothing of another vendor,
// and a product-scoped entry only for its products.
func TestVendorTrustFor(t *testing.T) {
	vt := &VendorTrust{Format: VendorTrustFormat, Vendors: []Anchors{
		{Vendor: "clamav", ClamAVKeys: []ClamAVKey{{Name: "c", Use: "cvd"}}},
		{Vendor: "mozilla", Products: []string{"thunderbird"}, OpenPGPKeys: []NamedPGPKey{{Name: "tb"}}},
		{Vendor: "mozilla", OpenPGPKeys: []NamedPGPKey{{Name: "all"}}},
		{Vendor: "debian", OpenPGPKeys: []NamedPGPKey{{Name: "deb"}}},
	}}
	names := func(a *Anchors) []string {
		var out []string
		for _, k := range a.OpenPGPKeys {
			out = append(out, k.Name)
		}
		return out
	}
	for _, tc := range []struct {
		vendor, product string
		want            []string
	}{
		{"mozilla", "firefox", []string{"all"}},
		{"mozilla", "thunderbird", []string{"tb", "all"}},
		{"debian", "bookworm", []string{"deb"}},
		{"clamav", "daily", nil},
		{"nobody", "x", nil},
	} {
		a := vt.For(tc.vendor, tc.product)
		if got := names(a); !slices.Equal(got, tc.want) || a.Vendor != tc.vendor {
			t.Errorf("For(%s, %s): keys %v of %s, want %v", tc.vendor, tc.product, got, a.Vendor, tc.want)
		}
	}
	if n := len(vt.For("mozilla", "firefox").ClamAVKeys); n != 0 {
		t.Errorf("mozilla's anchors hold %d ClamAV keys", n)
	}
}

// Real keys: with the Debian archive key trusted for debian, Mozilla's
// scope holds Mozilla's key only, and the reverse.
func TestVendorTrustScopesRealKeys(t *testing.T) {
	const (
		mozillaFpr = "14F26682D0916CDD81E37B6D61B7B526D98F0353"
		debianFpr  = "05AB90340C0C5E797F44A8C8254CF3B5AEC0A8F0" // bookworm-security automatic
	)
	vt := realTrust(t)
	vt.Vendors = append(vt.Vendors, Anchors{Vendor: "debian", OpenPGPKeys: []NamedPGPKey{{Name: "Debian Security Archive Automatic Signing Key (12/bookworm)",
		Fingerprint: debianFpr, Armored: string(verifytest.Fixture(t, "openpgp/debian-archive-bookworm-security-automatic.asc"))}}})
	if err := vt.Validate(); err != nil {
		t.Fatal(err)
	}
	fprs := func(vendor string) []string {
		kr, err := vt.For(vendor, "").Keyring()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range kr {
			out = append(out, strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint)))
		}
		return out
	}
	if got := fprs("mozilla"); !slices.Equal(got, []string{mozillaFpr}) {
		t.Errorf("mozilla's keyring: %v", got)
	}
	if got := fprs("debian"); !slices.Equal(got, []string{debianFpr}) {
		t.Errorf("debian's keyring: %v", got)
	}
}

// A SHA512SUMS signed by another vendor's trusted key is refused under the
// checked vendor's scope, though that key is in the vendor trust.
func TestVendorTrustScopeRefusesOtherVendorsKey(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	debian, debianKey := testPGPKey(t, "TEST Debian Archive", now)
	mozilla, mozillaKey := testPGPKey(t, "TEST Mozilla", now)
	vt := &VendorTrust{Format: VendorTrustFormat, Vendors: []Anchors{
		{Vendor: "debian", OpenPGPKeys: []NamedPGPKey{debianKey}},
		{Vendor: "mozilla", OpenPGPKeys: []NamedPGPKey{mozillaKey}},
	}}
	sums := []byte(strings.Repeat("0", 128) + "  win64/ja/Firefox Setup 1.0.exe\n")
	for _, tc := range []struct {
		name   string
		signer *openpgp.Entity
		vendor string
		ok     bool
	}{
		{"mozilla's key for mozilla", mozilla, "mozilla", true},
		{"debian's key for mozilla", debian, "mozilla", false},
		{"mozilla's key for debian", mozilla, "debian", false},
		{"any key for an unknown vendor", mozilla, "google", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sig bytes.Buffer
			if err := openpgp.ArmoredDetachSign(&sig, tc.signer, bytes.NewReader(sums), &packet.Config{DefaultHash: crypto.SHA512, Time: func() time.Time { return now }}); err != nil {
				t.Fatal(err)
			}
			kr, err := vt.For(tc.vendor, "firefox").Keyring()
			if err != nil {
				t.Fatal(err)
			}
			_, err = VerifyDetachedArmored(bytes.NewReader(sums), sig.Bytes(), kr, now)
			if tc.ok != (err == nil) {
				t.Fatalf("verify: %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok && !errors.Is(err, ErrUntrusted) {
				t.Errorf("err = %v, want ErrUntrusted", err)
			}
		})
	}
}

func testPGPKey(t testing.TB, name string, now time.Time) (*openpgp.Entity, NamedPGPKey) {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return now.Add(-time.Hour) }}
	e, err := openpgp.NewEntity(name, "", "test@example.invalid", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err == nil {
		err = e.Serialize(w)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return e, NamedPGPKey{Name: name, Fingerprint: strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint)), Armored: buf.String()}
}

// A key pinned by fingerprint trusts that key only, even when the armored
// block carries another one.
func TestPinnedKeyOnly(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	other, _ := testPGPKey(t, "other", now)
	pinned, pk := testPGPKey(t, "pinned", now)
	var buf bytes.Buffer // one armored block holding both keys, the other one first
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*openpgp.Entity{other, pinned} {
		if err := e.Serialize(w); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	both := NamedPGPKey{Name: "two keys", Fingerprint: pk.Fingerprint, Armored: buf.String()}
	el, err := both.Entities()
	if err != nil {
		t.Fatal(err)
	}
	if len(el) != 1 || !bytes.Equal(el[0].PrimaryKey.Fingerprint, pinned.PrimaryKey.Fingerprint) {
		t.Errorf("entities: %d keys; want only the pinned one", len(el))
	}
	for _, e := range el {
		if bytes.Equal(e.PrimaryKey.Fingerprint, other.PrimaryKey.Fingerprint) {
			t.Error("the unpinned key is trusted")
		}
	}
}

// Files written before scopes (format 1, committed from release a2a7147)
// still load, with ClamAV's anchors under clamav, OpenPGP keys under
// mozilla and the built-in Microsoft roots under microsoft; an Authenticode
// root that format 1 did not scope is left out and said so.
func TestParseVendorTrustFormat1(t *testing.T) {
	vt, err := ParseVendorTrust(readTestdata(t, "vendor-trust/format1-default.yaml"))
	if err != nil {
		t.Fatalf("format-1 file refused: %v", err)
	}
	if n := len(vt.For("clamav", "daily").ClamAVKeys); n != 3 {
		t.Errorf("clamav keys: %d", n)
	}
	if kr, err := vt.For("mozilla", "firefox").Keyring(); err != nil || len(kr) != 1 {
		t.Errorf("mozilla keyring: %d, %v", len(kr), err)
	}
	ms := vt.For("microsoft", "windows")
	if len(ms.AuthenticodeRoots) != 2 || !slices.Equal(ms.AuthenticodeSigners, []string{"Microsoft Corporation"}) {
		t.Errorf("microsoft: %d roots, signers %v", len(ms.AuthenticodeRoots), ms.AuthenticodeSigners)
	}
	notes := strings.Join(vt.Upgraded, "\n")
	if !strings.Contains(notes, `"USERTrust RSA Certification Authority" left out`) {
		t.Errorf("upgrade notes do not name the unscoped root:\n%s", notes)
	}
	// What it upgrades to reads back as format 2, unchanged.
	out, err := vt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseVendorTrust(out)
	if err != nil || len(back.Upgraded) != 0 || !slices.Equal(back.Summary(), vt.Summary()) {
		t.Errorf("format 2 of the upgraded file: %v, %v", err, back.Upgraded)
	}

	demo, err := ParseVendorTrust(readTestdata(t, "vendor-trust/format1-demo.yaml"))
	if err != nil {
		t.Fatalf("the demo's format-1 file refused: %v", err)
	}
	if len(demo.For("clamav", "main").ClamAVKeys) != 3 || len(demo.For("mozilla", "firefox-esr").OpenPGPKeys) != 1 {
		t.Errorf("demo file upgraded to:\n%s", strings.Join(demo.Summary(), "\n"))
	}
}

func TestParseVendorTrustRefuses(t *testing.T) {
	root := realTrust(t).For("microsoft", "").AuthenticodeRoots[0]
	indent := func(s string) string {
		return "          " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n          ")
	}
	cases := map[string]struct{ in, want string }{
		"unknown key":         {"format: 2\nvendors: []\nsurprise: 1\n", "line 3"},
		"unknown key (v1)":    {"authenticode_roots: []\nsurprise: 1\n", "line 2"},
		"unknown anchor key":  {"format: 2\nvendors:\n  - vendor: x\n    roots: []\n", "line 4"},
		"bad certificate":     {"format: 2\nvendors:\n  - vendor: x\n    authenticode_signers: [X]\n    authenticode_roots:\n      - name: x\n        pem: nope\n", "not a PEM certificate"},
		"root without signer": {"format: 2\nvendors:\n  - vendor: x\n    authenticode_roots:\n      - name: r\n        pem: |\n" + indent(root.PEM) + "\n", "authenticode_signers"},
		"bad vendor name":     {"format: 2\nvendors:\n  - vendor: Mozilla Corp\n", "vendor \"Mozilla Corp\""},
		"bad product name":    {"format: 2\nvendors:\n  - vendor: mozilla\n    products: [\"../x\"]\n", "product \"../x\""},
		"bad clamav use":      {"format: 2\nvendors:\n  - vendor: clamav\n    clamav_keys:\n      - name: x\n        use: other\n        n: \"123\"\n        e: 3\n", "want cvd, cdiff or info"},
		"wrong pgp fpr":       {"format: 2\nvendors:\n  - vendor: m\n    openpgp_keys:\n      - name: x\n        fingerprint: 00\n        armored: x\n", "openpgp_keys[0]"},
		"future format":       {"format: 3\nvendors: []\n", "format 3"},
		"no format":           {"vendors: []\n", "format 0"},
		"not yaml at all":     {"{{{{", "vendor trust file"},
		"small rsa number":    {"clamav_keys:\n  - name: x\n    use: cvd\n    n: \"123\"\n    e: 3\n", "512 bits"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseVendorTrust([]byte(tc.in))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func readTestdata(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
