package verify

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"embed"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"go.yaml.in/yaml/v3"
)

// VendorTrust is what vendor signatures are checked against: Authenticode
// roots, OpenPGP keys (Mozilla), ClamAV's RSA keys and .sign roots. The
// fetcher checks downloads with it and the mirror re-checks vendor evidence
// with it. Its file form (vendor-trust.yaml) is documented in the README and
// written by MarshalYAML; the default is built in (DefaultVendorTrust).
type VendorTrust struct {
	AuthenticodeRoots []NamedPEM    `yaml:"authenticode_roots"`
	OpenPGPKeys       []NamedPGPKey `yaml:"openpgp_keys"`
	ClamAVKeys        []ClamAVKey   `yaml:"clamav_keys"`
	ClamAVSignRoots   []NamedPEM    `yaml:"clamav_sign_roots"`
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

//go:embed roots
var builtinRoots embed.FS

// ClamAV's production keys (libclamav/dsig.c, libclamav_rust/src/cdiff.rs,
// libclamav/readdb.c).
const (
	clamavCVDN   = "118640995551645342603070001658453189751527774412027743746599405743243142607464144767361060640655844749760788890022283424922762488917565551002467771109669598189410434699034532232228621591089508178591428456220796841621637175567590476666928698770143328137383952820383197532047771780196576957695822641224262693037"
	clamavCdiffN = "14783905874077467090262228516557917570254599638376203532031989214105552847269687489771975792123442185817287694951949800908791527542017115600501303394778618535864845235700041590056318230102449612217458549016089313306591388590790796515819654102320725712300822356348724011232654837503241736177907784198700834440681124727060540035754699658105895050096576226753008596881698828185652424901921668758326578462003247906470982092298106789657211905488986281078346361469524484829559560886227198091995498440676639639830463593211386055065360288422394053998134458623712540683294034953818412458362198117811990006021989844180721010947"
	clamavInfoN  = "11088894983048545473659556106627194923928941791795047620591658697413581043322715912172496806525381055880964520618400224333320534660299233983755341740679502866829909679955734391392668378361221524205396631090105151641270857277080310734320951653700508941717419168723942507890702904702707587451621691050754307850383399865346487203798464178537392211402786481359824461197231102895415093770394216666324484593935762408468516826633192140826667923494822045805347809932848454845886971706424360558667862775876072059437703365380209101697738577515476935085469455279994113145977994084618328482151013142393373316337519977244732747977"
)

// DefaultVendorTrust returns the real vendor roots and keys built into
// patchferry: Microsoft Root CA 2010 and 2011 and USERTrust RSA
// (Authenticode), Mozilla's release key (14F26682D0916CDD81E37B6D61B7B526D98F0353),
// ClamAV's CVD, cdiff and info keys, and ClamAV's .sign root.
func DefaultVendorTrust() *VendorTrust {
	read := func(name string) string {
		b, err := builtinRoots.ReadFile("roots/" + name)
		if err != nil {
			panic("verify: built-in root missing: " + name) // a build error, caught by tests
		}
		return string(b)
	}
	return &VendorTrust{
		AuthenticodeRoots: []NamedPEM{
			{Name: "Microsoft Root Certificate Authority 2010", PEM: read("microsoft-root-ca-2010.pem")},
			{Name: "Microsoft Root Certificate Authority 2011", PEM: read("microsoft-root-ca-2011.pem")},
			{Name: "USERTrust RSA Certification Authority", PEM: read("usertrust-rsa-ca.pem")},
		},
		OpenPGPKeys: []NamedPGPKey{{
			Name: "Mozilla Software Releases <release@mozilla.com>", Fingerprint: "14F26682D0916CDD81E37B6D61B7B526D98F0353",
			Armored: read("mozilla-release-key.asc"),
		}},
		ClamAVKeys: []ClamAVKey{
			{Name: "ClamAV CVD signing key (legacy dsig)", Use: "cvd", N: clamavCVDN, E: 100001027},
			{Name: "ClamAV cdiff signing key", Use: "cdiff", N: clamavCdiffN, E: 100002053},
			{Name: "ClamAV .info signing key", Use: "info", N: clamavInfoN, E: 100002049},
		},
		ClamAVSignRoots: []NamedPEM{{Name: "Cisco Software Identity Root CA RSA 4096 SHA512 2099", PEM: read("clamav-sign-root.pem")}},
	}
}

// ParseVendorTrust reads a vendor trust file (YAML; unknown keys are errors
// that name the line) and checks every certificate and key in it.
func ParseVendorTrust(b []byte) (*VendorTrust, error) {
	if len(b) > MaxVendorTrust {
		return nil, &LimitError{What: "vendor trust file", Limit: MaxVendorTrust}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var vt VendorTrust
	if err := dec.Decode(&vt); err != nil {
		return nil, fmt.Errorf("vendor trust file: %w", err)
	}
	if err := vt.Validate(); err != nil {
		return nil, fmt.Errorf("vendor trust file: %w", err)
	}
	return &vt, nil
}

// Validate parses every certificate and key.
func (vt *VendorTrust) Validate() error {
	var errs []error
	for i, r := range vt.AuthenticodeRoots {
		if _, err := parseCert(r.PEM); err != nil {
			errs = append(errs, fmt.Errorf("authenticode_roots[%d] (%s): %w", i, r.Name, err))
		}
	}
	for i, r := range vt.ClamAVSignRoots {
		if _, err := parseCert(r.PEM); err != nil {
			errs = append(errs, fmt.Errorf("clamav_sign_roots[%d] (%s): %w", i, r.Name, err))
		}
	}
	for i, k := range vt.OpenPGPKeys {
		if _, err := k.Entities(); err != nil {
			errs = append(errs, fmt.Errorf("openpgp_keys[%d] (%s): %w", i, k.Name, err))
		}
	}
	for i, k := range vt.ClamAVKeys {
		if _, _, err := k.Parse(); err != nil {
			errs = append(errs, fmt.Errorf("clamav_keys[%d] (%s): %w", i, k.Name, err))
		}
	}
	return errors.Join(errs...)
}

// MarshalYAML-compatible encoding: the file form of vt.
func (vt *VendorTrust) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# patchferry vendor trust: roots and keys that vendor signatures are checked against.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(vt); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// Summary lists one line per root or key: kind, name and fingerprint.
func (vt *VendorTrust) Summary() []string {
	var out []string
	cert := func(kind string, list []NamedPEM) {
		for _, r := range list {
			fp := "?"
			if c, err := parseCert(r.PEM); err == nil {
				sum := sha256.Sum256(c.Raw)
				fp = hex.EncodeToString(sum[:8])
			}
			out = append(out, fmt.Sprintf("%s: %s (SHA-256 %s…)", kind, r.Name, fp))
		}
	}
	cert("authenticode root", vt.AuthenticodeRoots)
	for _, k := range vt.OpenPGPKeys {
		out = append(out, fmt.Sprintf("openpgp key: %s (%s)", k.Name, k.Fingerprint))
	}
	for _, k := range vt.ClamAVKeys {
		n, _, _ := k.Parse()
		bits := 0
		if n != nil {
			bits = n.BitLen()
		}
		out = append(out, fmt.Sprintf("clamav %s key: %s (%d bits)", k.Use, k.Name, bits))
	}
	cert("clamav .sign root", vt.ClamAVSignRoots)
	return out
}

// AuthenticodePool returns the Authenticode roots as a pool.
func (vt *VendorTrust) AuthenticodePool() (*x509.CertPool, error) {
	return certPool(vt.AuthenticodeRoots)
}

// ClamAVSignPool returns the roots of ClamAV .sign files as a pool.
func (vt *VendorTrust) ClamAVSignPool() (*x509.CertPool, error) {
	return certPool(vt.ClamAVSignRoots)
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

// Keyring returns every OpenPGP key as one keyring.
func (vt *VendorTrust) Keyring() (openpgp.EntityList, error) {
	var all openpgp.EntityList
	for _, k := range vt.OpenPGPKeys {
		el, err := k.Entities()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.Name, err)
		}
		all = append(all, el...)
	}
	return all, nil
}

// ClamAVKey returns the key for a use (cvd, cdiff, info): the first listed.
func (vt *VendorTrust) ClamAVKey(use string) (n *big.Int, e int64, err error) {
	for _, k := range vt.ClamAVKeys {
		if k.Use == use {
			return k.Parse()
		}
	}
	return nil, 0, fmt.Errorf("no ClamAV %s key in the vendor trust", use)
}

// Entities parses the armored key and checks its fingerprint.
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
			return el, nil
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
