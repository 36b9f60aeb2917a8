package verify

import (
	"crypto"
	"crypto/hmac"
	_ "crypto/sha512" // SHA-384/512 signers
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/sassoftware/relic/v7/lib/pkcs7"
	"github.com/sassoftware/relic/v7/lib/x509tools"
)

// ErrClamSignUnusable is wrapped when a .sign file offers no signature that
// can be checked: malformed, none for the f-level, or none that chains to a
// trusted root. ClamAV then falls back to the legacy signature (VerifyCVD,
// VerifyCdiff) unless FIPS limits are on. A .sign whose signature is checked
// and fails wraps ErrBadSignature instead, and ClamAV treats that as fatal.
var ErrClamSignUnusable = errors.New("no usable ClamAV .sign signature")

const clamSignHeader = "#clamsign-1.0"

// clamSignLine is one signature line of a .sign file.
type clamSignLine struct {
	no       int // 1-based line number
	min, max int // max < 0: open
	sd       *pkcs7.ContentInfoSignedData
	si       *pkcs7.SignerInfo
	hash     crypto.Hash
}

// VerifyClamSign checks a ClamAV ≥ 1.5 detached signature file (scheme C)
// over data (the whole .cvd or .cdiff, streamed once). The file is
// "#clamsign-1.0" and then lines "<min f-level>:<max f-level>:pkcs7-pem:<base64
// DER PKCS#7>" (empty max = open; empty and '#' lines skipped). Lines whose
// range excludes flevel — the functionality level of the engine the check is
// made for, not the database's; Talos' lines start at 230 — are skipped. Each
// other line must be a detached SignedData over data with one signer,
// SHA-256/384/512 and signed attributes; the signer must chain to roots at
// now (EKU codeSigning or emailProtection, or none/any; no revocation check).
// The first line that verifies and chains wins, like ClamAV's
// verify_signed_file. A signature that does not verify wraps
// ErrBadSignature; everything else that stops a check wraps
// ErrClamSignUnusable.
func VerifyClamSign(signFile []byte, data io.Reader, roots *x509.CertPool, flevel int, now time.Time) error {
	lines, err := parseClamSign(signFile, flevel)
	if err != nil {
		return err
	}
	hashes := map[crypto.Hash]hash.Hash{}
	var ws []io.Writer
	for _, l := range lines {
		if hashes[l.hash] == nil {
			hashes[l.hash] = l.hash.New()
			ws = append(ws, hashes[l.hash])
		}
	}
	if _, err := io.Copy(io.MultiWriter(ws...), data); err != nil {
		return fmt.Errorf(".sign: reading the signed file: %w", err)
	}
	var untrusted []string
	for _, l := range lines {
		digest := hashes[l.hash].Sum(nil)
		var md []byte
		if err := l.si.AuthenticatedAttributes.GetOne(pkcs7.OidAttributeMessageDigest, &md); err != nil {
			return fmt.Errorf(".sign line %d: no message digest attribute: %w", l.no, ErrClamSignUnusable)
		}
		if !hmac.Equal(md, digest) {
			return fmt.Errorf(".sign line %d: signed %v digest differs from the file's: %w; the file is damaged or was tampered with",
				l.no, l.hash, ErrBadSignature)
		}
		// The digest matches; now the signature over the signed attributes.
		// skipDigests is safe: parseClamSign required signed attributes, so
		// relic verifies the signature over them.
		sig, err := l.sd.Content.Verify(nil, true)
		if err != nil {
			return fmt.Errorf(".sign line %d: %v: %w", l.no, err, ErrBadSignature)
		}
		inter := x509.NewCertPool()
		for _, c := range sig.Intermediates {
			inter.AddCert(c)
		}
		_, err = sig.Certificate.Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: inter,
			CurrentTime:   now,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning, x509.ExtKeyUsageEmailProtection},
		})
		if err == nil {
			return nil
		}
		untrusted = append(untrusted, fmt.Sprintf("line %d (signer %q): %v", l.no, sig.Certificate.Subject.CommonName, err))
	}
	return fmt.Errorf(".sign: no signature chains to a trusted ClamAV .sign root (%s): %w; check clamav_sign_roots in the vendor trust and the clock",
		strings.Join(untrusted, "; "), ErrClamSignUnusable)
}

// parseClamSign parses a .sign file and returns the lines for flevel.
func parseClamSign(b []byte, flevel int) ([]clamSignLine, error) {
	text := strings.Split(string(b), "\n")
	if strings.TrimRight(text[0], "\r") != clamSignHeader {
		return nil, fmt.Errorf(".sign: first line is not %q: %w", clamSignHeader, ErrClamSignUnusable)
	}
	var out []clamSignLine
	for i, line := range text[1:] {
		no := i + 2
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, ":", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf(".sign line %d: want <min f-level>:<max f-level>:pkcs7-pem:<base64>: %w", no, ErrClamSignUnusable)
		}
		l := clamSignLine{no: no, max: -1}
		v, err := parseDecimal(f[0], 31)
		if err != nil {
			return nil, fmt.Errorf(".sign line %d: min f-level: %v: %w", no, err, ErrClamSignUnusable)
		}
		l.min = int(v)
		if f[1] != "" {
			v, err := parseDecimal(f[1], 31)
			if err != nil {
				return nil, fmt.Errorf(".sign line %d: max f-level: %v: %w", no, err, ErrClamSignUnusable)
			}
			l.max = int(v)
		}
		if f[2] != "pkcs7-pem" {
			return nil, fmt.Errorf(".sign line %d: signature type %q, want pkcs7-pem: %w", no, f[2], ErrClamSignUnusable)
		}
		if flevel < l.min || (l.max >= 0 && flevel > l.max) {
			continue
		}
		if err := l.parse(f[3]); err != nil {
			return nil, fmt.Errorf(".sign line %d: %v: %w", no, err, ErrClamSignUnusable)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf(".sign: no signature line for f-level %d: %w", flevel, ErrClamSignUnusable)
	}
	return out, nil
}

// parse decodes the PKCS#7 of a line and checks its shape.
func (l *clamSignLine) parse(b64 string) error {
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return fmt.Errorf("base64: %v", err)
	}
	sd, err := pkcs7.Unmarshal(der)
	if err != nil {
		return fmt.Errorf("PKCS#7: %v", err)
	}
	if !sd.ContentType.Equal(pkcs7.OidSignedData) {
		return fmt.Errorf("PKCS#7 content type %v, want SignedData", sd.ContentType)
	}
	ci := sd.Content.ContentInfo
	if !ci.ContentType.Equal(pkcs7.OidData) {
		return fmt.Errorf("signed content type %v, want data", ci.ContentType)
	}
	if content, err := ci.Bytes(); err != nil || content != nil {
		return errors.New("the PKCS#7 embeds content; want a detached signature")
	}
	if len(sd.Content.SignerInfos) != 1 {
		return fmt.Errorf("%d signers, want 1", len(sd.Content.SignerInfos))
	}
	si := &sd.Content.SignerInfos[0]
	if len(si.AuthenticatedAttributes) == 0 {
		return errors.New("no signed attributes")
	}
	var ctype asn1.ObjectIdentifier
	if err := si.AuthenticatedAttributes.GetOne(pkcs7.OidAttributeContentType, &ctype); err != nil || !ctype.Equal(pkcs7.OidData) {
		return errors.New("signed content-type attribute missing or not data")
	}
	h, err := x509tools.PkixDigestToHashE(si.DigestAlgorithm)
	if err != nil {
		return err
	}
	switch h {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return fmt.Errorf("digest %v is not accepted; want SHA-256, SHA-384 or SHA-512", h)
	}
	l.sd, l.si, l.hash = sd, si, h
	return nil
}
