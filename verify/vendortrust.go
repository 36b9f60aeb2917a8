package verify

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"go.yaml.in/yaml/v3"
)

// VendorTrustFormat is the vendor trust file format this package writes.
// Format 1 (no "format" key, unscoped lists) is still read: see
// ParseVendorTrust.
const VendorTrustFormat = 2

// VendorTrust is what vendor signatures are checked against: per vendor
// (and, where it matters, per product) its Authenticode roots and the
// organizations they may sign for, its OpenPGP keys (pinned by primary
// fingerprint), ClamAV's RSA keys and .sign roots. A check receives only
// the anchors of the vendor it checks (For): a Debian archive key never
// validates Mozilla's SHA512SUMS. The fetcher checks downloads with it and
// the mirror re-checks vendor evidence with it. Its file form
// (vendor-trust.yaml) is documented in the README and written by Marshal;
// the real vendors' anchors are built in (media/evidence.DefaultTrust).
type VendorTrust struct {
	Format  int       `yaml:"format"`
	Vendors []Anchors `yaml:"vendors"`

	// Upgraded says what reading a format-1 file did (empty otherwise).
	Upgraded []string `yaml:"-"`
}

// Anchors are the trust anchors of one vendor, or of some of its products.
type Anchors struct {
	Vendor   string   `yaml:"vendor"`
	Products []string `yaml:"products,omitempty"` // empty: every product of the vendor
	// AuthenticodeRoots end the chains of the vendor's Authenticode
	// signatures; AuthenticodeSigners are the subject organizations (O=)
	// a signing certificate must name (required with roots: a public root
	// chains thousands of publishers).
	AuthenticodeRoots   []NamedPEM    `yaml:"authenticode_roots,omitempty"`
	AuthenticodeSigners []string      `yaml:"authenticode_signers,omitempty"`
	OpenPGPKeys         []NamedPGPKey `yaml:"openpgp_keys,omitempty"`
	ClamAVKeys          []ClamAVKey   `yaml:"clamav_keys,omitempty"`
	ClamAVSignRoots     []NamedPEM    `yaml:"clamav_sign_roots,omitempty"`
}

// NamedPEM is one certificate in PEM form.
type NamedPEM struct {
	Name string `yaml:"name"`
	PEM  string `yaml:"pem"`
}

// NamedPGPKey is one armored OpenPGP public key (with its subkeys).
type NamedPGPKey struct {
	Name        string `yaml:"name"`
	Fingerprint string `yaml:"fingerprint"` // primary key, 40 hex digits; must match the key
	Armored     string `yaml:"armored"`
}

// ClamAVKey is one of ClamAV's RSA keys, as decimal integers.
type ClamAVKey struct {
	Name string `yaml:"name"`
	Use  string `yaml:"use"` // cvd (legacy dsig), cdiff, info
	N    string `yaml:"n"`
	E    int64  `yaml:"e"`
}

// MaxVendorTrust bounds a vendor trust file.
const MaxVendorTrust = 4 << 20

// format1Roots are the Authenticode roots a format-1 file could carry that
// format 2 knows the scope of: the Microsoft roots patchferry has built in
// (certificate SHA-256 → vendor and signer).
var format1Roots = map[string][2]string{
	"df545bf919a2439c36983b54cdfc903dfa4f37d3996d8d84b4c31eec6f3c163e": {"microsoft", "Microsoft Corporation"}, // Microsoft Root Certificate Authority 2010
	"847df6a78497943f27fc72eb93f9a637320a02b561d0a91b09e87a7807ed7c61": {"microsoft", "Microsoft Corporation"}, // Microsoft Root Certificate Authority 2011
}

// ParseVendorTrust reads a vendor trust file (YAML; unknown keys are errors
// that name the line) and checks every certificate and key in it.
//
// A format-1 file (written before anchors were scoped: top-level
// authenticode_roots, openpgp_keys, clamav_keys, clamav_sign_roots) is read
// as format 1 meant it: ClamAV's keys and .sign roots belong to vendor
// clamav, OpenPGP keys to mozilla (the only vendors format 1 knew);
// Authenticode roots that are the Microsoft roots patchferry builds in
// belong to microsoft, and any other Authenticode root is left out, because format 1
// does not say which vendor and organization it may sign for (no check used
// those roots before format 2). Upgraded says what was done; Marshal writes
// format 2.
func ParseVendorTrust(b []byte) (*VendorTrust, error) {
	if len(b) > MaxVendorTrust {
		return nil, &LimitError{What: "vendor trust file", Limit: MaxVendorTrust}
	}
	var top yaml.Node
	if err := yaml.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("vendor trust file: %w", err)
	}
	var vt *VendorTrust
	if isFormat1(&top) {
		var v1 vendorTrustV1
		if err := decodeStrict(b, &v1); err != nil {
			return nil, fmt.Errorf("vendor trust file (format 1): %w", err)
		}
		vt = v1.upgrade()
	} else {
		vt = &VendorTrust{}
		if err := decodeStrict(b, vt); err != nil {
			return nil, fmt.Errorf("vendor trust file: %w", err)
		}
		if vt.Format != VendorTrustFormat {
			return nil, fmt.Errorf("vendor trust file: format %d: this patchferry reads format %d (and 1); write the file again with `patchferry mirror trust --show-vendor-trust`, or update patchferry", vt.Format, VendorTrustFormat)
		}
	}
	if err := vt.Validate(); err != nil {
		return nil, fmt.Errorf("vendor trust file: %w", err)
	}
	return vt, nil
}

func decodeStrict(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// isFormat1 reports whether a parsed file has the unscoped lists of
// format 1 and neither "format" nor "vendors".
func isFormat1(doc *yaml.Node) bool {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return false
	}
	m := doc.Content[0]
	old := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		switch m.Content[i].Value {
		case "format", "vendors":
			return false
		case "authenticode_roots", "openpgp_keys", "clamav_keys", "clamav_sign_roots":
			old = true
		}
	}
	return old
}

// vendorTrustV1 is the file form of format 1.
type vendorTrustV1 struct {
	AuthenticodeRoots []NamedPEM    `yaml:"authenticode_roots"`
	OpenPGPKeys       []NamedPGPKey `yaml:"openpgp_keys"`
	ClamAVKeys        []ClamAVKey   `yaml:"clamav_keys"`
	ClamAVSignRoots   []NamedPEM    `yaml:"clamav_sign_roots"`
}

func (v1 *vendorTrustV1) upgrade() *VendorTrust {
	vt := &VendorTrust{Format: VendorTrustFormat}
	var scoped []NamedPEM
	var scope [2]string // vendor, signer
	for _, r := range v1.AuthenticodeRoots {
		known, ok := format1Roots[pemFingerprint(r.PEM)]
		if !ok {
			vt.Upgraded = append(vt.Upgraded, fmt.Sprintf("Authenticode root %q left out: format 1 does not say which vendor it signs for; give it a vendor and authenticode_signers in a format-2 file", r.Name))
			continue
		}
		scoped, scope = append(scoped, r), known
	}
	if len(v1.ClamAVKeys)+len(v1.ClamAVSignRoots) > 0 {
		vt.Vendors = append(vt.Vendors, Anchors{Vendor: "clamav", ClamAVKeys: v1.ClamAVKeys, ClamAVSignRoots: v1.ClamAVSignRoots})
		vt.Upgraded = append(vt.Upgraded, "ClamAV keys and .sign roots belong to vendor clamav")
	}
	if len(scoped) > 0 {
		vt.Vendors = append(vt.Vendors, Anchors{Vendor: scope[0], AuthenticodeRoots: scoped, AuthenticodeSigners: []string{scope[1]}})
		vt.Upgraded = append(vt.Upgraded, fmt.Sprintf("the Microsoft roots belong to vendor %s, signer %s", scope[0], scope[1]))
	}
	if len(v1.OpenPGPKeys) > 0 {
		vt.Vendors = append(vt.Vendors, Anchors{Vendor: "mozilla", OpenPGPKeys: v1.OpenPGPKeys})
		vt.Upgraded = append(vt.Upgraded, "OpenPGP keys belong to vendor mozilla")
	}
	return vt
}

var scopeName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Validate parses every certificate and key and checks every scope.
func (vt *VendorTrust) Validate() error {
	var errs []error
	for i := range vt.Vendors {
		a := &vt.Vendors[i]
		at := fmt.Sprintf("vendors[%d]", i)
		if !scopeName.MatchString(a.Vendor) {
			errs = append(errs, fmt.Errorf("%s: vendor %q: use lower-case letters, digits, '.', '_' or '-' (e.g. mozilla)", at, a.Vendor))
		} else {
			at += " (" + a.Vendor + ")"
		}
		for _, p := range a.Products {
			if !scopeName.MatchString(p) {
				errs = append(errs, fmt.Errorf("%s: product %q: use lower-case letters, digits, '.', '_' or '-'", at, p))
			}
		}
		if len(a.AuthenticodeRoots) > 0 && len(a.AuthenticodeSigners) == 0 {
			errs = append(errs, fmt.Errorf("%s: authenticode_roots without authenticode_signers: list the organizations (the O= of the signing certificate, e.g. \"Microsoft Corporation\") these roots may sign for", at))
		}
		for j, s := range a.AuthenticodeSigners {
			if strings.TrimSpace(s) == "" {
				errs = append(errs, fmt.Errorf("%s: authenticode_signers[%d] is empty", at, j))
			}
		}
		for j, r := range a.AuthenticodeRoots {
			if _, err := parseCert(r.PEM); err != nil {
				errs = append(errs, fmt.Errorf("%s: authenticode_roots[%d] (%s): %w", at, j, r.Name, err))
			}
		}
		for j, r := range a.ClamAVSignRoots {
			if _, err := parseCert(r.PEM); err != nil {
				errs = append(errs, fmt.Errorf("%s: clamav_sign_roots[%d] (%s): %w", at, j, r.Name, err))
			}
		}
		for j, k := range a.OpenPGPKeys {
			if _, err := k.Entities(); err != nil {
				errs = append(errs, fmt.Errorf("%s: openpgp_keys[%d] (%s): %w", at, j, k.Name, err))
			}
		}
		for j, k := range a.ClamAVKeys {
			if _, _, err := k.Parse(); err != nil {
				errs = append(errs, fmt.Errorf("%s: clamav_keys[%d] (%s): %w", at, j, k.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Marshal returns the file form of vt (format 2).
func (vt *VendorTrust) Marshal() ([]byte, error) {
	out := *vt
	out.Format = VendorTrustFormat
	var buf bytes.Buffer
	buf.WriteString("# patchferry vendor trust: per vendor, the roots and keys its signatures are checked against.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&out); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// For returns the anchors that checks of a vendor's product may use: every
// entry of that vendor whose products include product (or that names no
// products), merged. Anchors of other vendors are never included; a vendor
// nobody listed gets empty anchors, which verify nothing.
func (vt *VendorTrust) For(vendor, product string) *Anchors {
	out := &Anchors{Vendor: vendor}
	if product != "" {
		out.Products = []string{product}
	}
	for _, a := range vt.Vendors {
		if a.Vendor != vendor || (len(a.Products) > 0 && !slices.Contains(a.Products, product)) {
			continue
		}
		out.AuthenticodeRoots = append(out.AuthenticodeRoots, a.AuthenticodeRoots...)
		out.AuthenticodeSigners = append(out.AuthenticodeSigners, a.AuthenticodeSigners...)
		out.OpenPGPKeys = append(out.OpenPGPKeys, a.OpenPGPKeys...)
		out.ClamAVKeys = append(out.ClamAVKeys, a.ClamAVKeys...)
		out.ClamAVSignRoots = append(out.ClamAVSignRoots, a.ClamAVSignRoots...)
	}
	return out
}

// Summary lists one line per root or key: its scope (vendor, products),
// kind, name and fingerprint.
func (vt *VendorTrust) Summary() []string {
	var out []string
	for _, a := range vt.Vendors {
		out = append(out, a.summary()...)
	}
	return out
}

func (a *Anchors) summary() []string {
	scope := a.Vendor
	if len(a.Products) > 0 {
		scope += " (" + strings.Join(a.Products, ", ") + ")"
	}
	var out []string
	cert := func(kind string, list []NamedPEM, extra string) {
		for _, r := range list {
			out = append(out, fmt.Sprintf("%s: %s: %s (SHA-256 %s)%s", scope, kind, r.Name, pemFingerprint(r.PEM), extra))
		}
	}
	signers := ""
	if len(a.AuthenticodeSigners) > 0 {
		signers = ", signers: " + strings.Join(a.AuthenticodeSigners, ", ")
	}
	cert("authenticode root", a.AuthenticodeRoots, signers)
	for _, k := range a.OpenPGPKeys {
		out = append(out, fmt.Sprintf("%s: openpgp key: %s (%s)", scope, k.Name, k.Fingerprint))
	}
	for _, k := range a.ClamAVKeys {
		n, _, _ := k.Parse()
		bits := 0
		if n != nil {
			bits = n.BitLen()
		}
		out = append(out, fmt.Sprintf("%s: clamav %s key: %s (%d bits)", scope, k.Use, k.Name, bits))
	}
	cert("clamav .sign root", a.ClamAVSignRoots, "")
	return out
}

// pemFingerprint is the hex SHA-256 of a PEM certificate's DER, or "?".
func pemFingerprint(s string) string {
	c, err := parseCert(s)
	if err != nil {
		return "?"
	}
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// AuthenticodePool returns the Authenticode roots as a pool.
func (a *Anchors) AuthenticodePool() (*x509.CertPool, error) {
	return certPool(a.AuthenticodeRoots)
}

// ClamAVSignPool returns the roots of ClamAV .sign files as a pool.
func (a *Anchors) ClamAVSignPool() (*x509.CertPool, error) {
	return certPool(a.ClamAVSignRoots)
}

func certPool(list []NamedPEM) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, r := range list {
		c, err := parseCert(r.PEM)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		pool.AddCert(c)
	}
	return pool, nil
}

// Keyring returns the OpenPGP keys as one keyring.
func (a *Anchors) Keyring() (openpgp.EntityList, error) {
	var all openpgp.EntityList
	for _, k := range a.OpenPGPKeys {
		el, err := k.Entities()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.Name, err)
		}
		all = append(all, el...)
	}
	return all, nil
}

// ClamAVKey returns the key for a use (cvd, cdiff, info): the first listed.
func (a *Anchors) ClamAVKey(use string) (n *big.Int, e int64, err error) {
	for _, k := range a.ClamAVKeys {
		if k.Use == use {
			return k.Parse()
		}
	}
	return nil, 0, fmt.Errorf("no ClamAV %s key in the vendor trust of %s", use, a.Vendor)
}

// Entities parses the armored key and returns the key whose primary
// fingerprint is the pinned one (with its subkeys); other keys in the same
// armored block are not trusted.
func (k NamedPGPKey) Entities() (openpgp.EntityList, error) {
	el, err := openpgp.ReadArmoredKeyRing(strings.NewReader(k.Armored))
	if err != nil {
		return nil, fmt.Errorf("not an armored OpenPGP public key: %w", err)
	}
	if len(el) == 0 {
		return nil, errors.New("no key in the armored block")
	}
	want := strings.ToUpper(strings.ReplaceAll(k.Fingerprint, " ", ""))
	for _, e := range el {
		if strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint)) == want {
			return openpgp.EntityList{e}, nil // only the pinned key, not others in the same block
		}
	}
	return nil, fmt.Errorf("no key with fingerprint %s in the armored block", k.Fingerprint)
}

// Parse returns the modulus and exponent.
func (k ClamAVKey) Parse() (*big.Int, int64, error) {
	switch k.Use {
	case "cvd", "cdiff", "info":
	default:
		return nil, 0, fmt.Errorf("use %q: want cvd, cdiff or info", k.Use)
	}
	n, ok := new(big.Int).SetString(k.N, 10)
	if !ok || n.BitLen() < 512 || k.E < 3 {
		return nil, 0, errors.New("n must be a decimal RSA modulus of at least 512 bits and e at least 3")
	}
	return n, k.E, nil
}

func parseCert(s string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}
