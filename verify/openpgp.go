package verify

import (
	"bytes"
	"crypto"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// MaxArmoredSignature bounds a detached armored OpenPGP signature file
// (SHA512SUMS.asc). A single RSA-4096 signature is under 1 KiB armored.
const MaxArmoredSignature = 64 << 10

// maxSignaturePackets bounds the signatures in one detached signature file.
const maxSignaturePackets = 16

// Errors of VerifyDetachedArmored, besides ErrBadSignature (the data or the
// signature was changed) and ErrUntrusted (no key of the keyring made it).
var (
	ErrPGPExpired  = errors.New("OpenPGP signing key or signature is expired or not yet valid")
	ErrPGPRevoked  = errors.New("OpenPGP signing key is revoked")
	ErrPGPWeakHash = errors.New("OpenPGP signature uses a weak or unsupported hash")
)

// PGPSigner is who made a good detached OpenPGP signature.
type PGPSigner struct {
	PrimaryFingerprint    string    // 40 upper-case hex digits: the key pinned in the vendor trust
	SigningKeyFingerprint string    // the (sub)key that signed; equals PrimaryFingerprint for primary-key signatures
	Created               time.Time // the signature's creation time, as the signer claims it
}

// strongHashes are the hashes accepted in signatures over vendor files. MD5,
// SHA-1 and RIPEMD-160 are refused (go-crypto's v1 API does not refuse them
// in detached signatures).
var strongHashes = map[crypto.Hash]bool{
	crypto.SHA224: true, crypto.SHA256: true, crypto.SHA384: true, crypto.SHA512: true,
	crypto.SHA3_256: true, crypto.SHA3_512: true,
}

// VerifyDetachedArmored checks an armored detached signature (for example
// Mozilla's SHA512SUMS.asc) over data against keyring at time now. Keys
// include their subkeys: a signature by a signing subkey counts for its
// primary key. Expiry and revocation of the primary key, the signing subkey,
// their binding signatures and the signature itself are judged at now. Text
// before the armor (as in Mozilla's KEY) and a missing checksum line are
// tolerated; MD5, SHA-1 and RIPEMD-160 signatures are refused. The check is
// go-crypto's VerifyDetachedSignature (what CheckArmoredDetachedSignature
// runs after unarmoring; it also returns the signature packet) with a config
// whose Time returns now.
//
// Errors wrap ErrBadSignature (data or signature changed), ErrUntrusted (no
// key of the keyring made the signature), ErrPGPExpired, ErrPGPRevoked,
// ErrPGPWeakHash, a *LimitError, or the error of reading data.
func VerifyDetachedArmored(data io.Reader, armoredSig []byte, keyring openpgp.EntityList, now time.Time) (*PGPSigner, error) {
	if len(armoredSig) > MaxArmoredSignature {
		return nil, &LimitError{What: "OpenPGP signature file", Limit: MaxArmoredSignature}
	}
	if len(keyring) == 0 {
		return nil, fmt.Errorf("%w: the keyring is empty; add the vendor's OpenPGP key to the vendor trust (openpgp_keys)", ErrUntrusted)
	}
	body, err := decodeSignatureArmor(armoredSig)
	if err != nil {
		return nil, err
	}
	first, err := firstTrustedSignature(body, keyring)
	if err != nil {
		return nil, err
	}
	if !strongHashes[first.Hash] {
		return nil, weakHashError(first)
	}

	config := &packet.Config{Time: func() time.Time { return now }}
	rd := &errReader{r: data}
	sig, signer, err := openpgp.VerifyDetachedSignature(keyring, rd, bytes.NewReader(body), config)
	if rd.err != nil {
		return nil, fmt.Errorf("read the signed data: %w", rd.err)
	}
	if err != nil {
		return nil, classifyPGPError(err, first, keyring, now)
	}
	if sig == nil || signer == nil {
		return nil, fmt.Errorf("%w: no signer returned", ErrBadSignature)
	}
	if !strongHashes[sig.Hash] {
		return nil, weakHashError(sig)
	}
	signing, err := signingKeyOf(signer, sig)
	if err != nil {
		return nil, err
	}
	return &PGPSigner{
		PrimaryFingerprint:    fingerprintHex(signer.PrimaryKey.Fingerprint),
		SigningKeyFingerprint: fingerprintHex(signing.Fingerprint),
		Created:               sig.CreationTime,
	}, nil
}

// decodeSignatureArmor returns the packets inside a "PGP SIGNATURE" armor.
func decodeSignatureArmor(armored []byte) ([]byte, error) {
	block, err := armor.Decode(bytes.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("%w: not an armored OpenPGP signature (%v)", ErrBadSignature, err)
	}
	if block.Type != openpgp.SignatureType {
		return nil, fmt.Errorf("%w: armor holds a %q, want a %q", ErrBadSignature, block.Type, openpgp.SignatureType)
	}
	body, err := io.ReadAll(block.Body) // bounded: the armored input is at most MaxArmoredSignature
	if err != nil {
		return nil, fmt.Errorf("%w: damaged armor (%v); download the .asc file again", ErrBadSignature, err)
	}
	return body, nil
}

// firstTrustedSignature returns the signature packet that go-crypto will
// check: the first whose issuer is a signing key of keyring. It refuses
// anything but binary or text signatures.
func firstTrustedSignature(body []byte, keyring openpgp.EntityList) (*packet.Signature, error) {
	packets := packet.NewReader(bytes.NewReader(body))
	var issuers []string
	var unsupported error
	for i := 0; ; i++ {
		if i == maxSignaturePackets {
			return nil, fmt.Errorf("%w: more than %d packets in the signature file", ErrBadSignature, maxSignaturePackets)
		}
		p, err := packets.NextWithUnsupported()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: unreadable signature packet (%v)", ErrBadSignature, err)
		}
		if up, ok := p.(*packet.UnsupportedPacket); ok {
			// go-crypto skips these (for example MD5 signatures).
			if unsupported == nil {
				unsupported = up.Error
			}
			continue
		}
		sig, ok := p.(*packet.Signature)
		if !ok {
			return nil, fmt.Errorf("%w: the signature file holds a %T packet, want only signatures", ErrBadSignature, p)
		}
		if sig.SigType != packet.SigTypeBinary && sig.SigType != packet.SigTypeText {
			return nil, fmt.Errorf("%w: signature type %#x is not a document signature", ErrBadSignature, uint8(sig.SigType))
		}
		if sig.IssuerKeyId == nil {
			return nil, fmt.Errorf("%w: the signature names no issuer key", ErrBadSignature)
		}
		if len(keyring.KeysByIdUsage(*sig.IssuerKeyId, packet.KeyFlagSign)) > 0 {
			return sig, nil
		}
		issuers = append(issuers, issuerHex(sig))
	}
	if unsupported != nil && strings.Contains(unsupported.Error(), "hash function") {
		return nil, fmt.Errorf("%w: %v; only SHA-2 and SHA-3 signatures are accepted", ErrPGPWeakHash, unsupported)
	}
	if len(issuers) == 0 {
		if unsupported != nil {
			return nil, fmt.Errorf("%w: no usable signature in the armor (%v)", ErrBadSignature, unsupported)
		}
		return nil, fmt.Errorf("%w: the armor holds no signature", ErrBadSignature)
	}
	return nil, fmt.Errorf("%w: signed by OpenPGP key %s, which is not a signing key in the vendor trust; "+
		"if the vendor has rotated its signing subkey, get its current KEY file, check that the primary "+
		"fingerprint is the pinned one, and update openpgp_keys", ErrUntrusted, strings.Join(issuers, ", "))
}

func weakHashError(sig *packet.Signature) error {
	return fmt.Errorf("%w: %v (signature by %s); only SHA-2 and SHA-3 signatures are accepted", ErrPGPWeakHash, sig.Hash, issuerHex(sig))
}

// classifyPGPError maps go-crypto's verdicts to this package's errors.
func classifyPGPError(err error, sig *packet.Signature, keyring openpgp.EntityList, now time.Time) error {
	id := issuerHex(sig)
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return fmt.Errorf("%w: signed by OpenPGP key %s, which is not in the vendor trust (%w)", ErrUntrusted, id, err)
	case errors.Is(err, pgperrors.ErrKeyExpired), errors.Is(err, pgperrors.ErrSignatureExpired):
		return fmt.Errorf("%w: %s at %s (%w); if the vendor has rotated its signing subkey, get its current "+
			"KEY file, check the primary fingerprint and update openpgp_keys; otherwise check this computer's clock",
			ErrPGPExpired, describeValidity(sig, keyring), now.UTC().Format(time.RFC3339), err)
	case errors.Is(err, pgperrors.ErrKeyRevoked):
		return fmt.Errorf("%w: signing key %s or its primary key was revoked by its owner (%w); do not use these files", ErrPGPRevoked, id, err)
	}
	return fmt.Errorf("%w: OpenPGP signature by %s (%w); the file or its .asc was changed or damaged, download both again",
		ErrBadSignature, id, err)
}

// describeValidity says when the key that made sig is valid, for messages.
func describeValidity(sig *packet.Signature, keyring openpgp.EntityList) string {
	keys := keyring.KeysByIdUsage(*sig.IssuerKeyId, packet.KeyFlagSign)
	if len(keys) == 0 {
		return "signing key " + issuerHex(sig)
	}
	k := keys[0]
	what := "signing subkey"
	if k.PublicKey == k.Entity.PrimaryKey {
		what = "signing key"
	}
	s := fmt.Sprintf("%s %s of %s is valid from %s", what, fingerprintHex(k.PublicKey.Fingerprint),
		fingerprintHex(k.Entity.PrimaryKey.Fingerprint), k.PublicKey.CreationTime.UTC().Format(time.RFC3339))
	if k.SelfSignature != nil && k.SelfSignature.KeyLifetimeSecs != nil && *k.SelfSignature.KeyLifetimeSecs > 0 {
		exp := k.PublicKey.CreationTime.Add(time.Duration(*k.SelfSignature.KeyLifetimeSecs) * time.Second)
		s += " to " + exp.UTC().Format(time.RFC3339)
	}
	return s + ", signature made " + sig.CreationTime.UTC().Format(time.RFC3339) + ", checked"
}

// signingKeyOf finds the primary key or subkey of e that made sig.
func signingKeyOf(e *openpgp.Entity, sig *packet.Signature) (*packet.PublicKey, error) {
	match := func(pk *packet.PublicKey) bool {
		if sig.IssuerFingerprint != nil {
			return bytes.Equal(pk.Fingerprint, sig.IssuerFingerprint)
		}
		return sig.IssuerKeyId != nil && pk.KeyId == *sig.IssuerKeyId
	}
	if match(e.PrimaryKey) {
		return e.PrimaryKey, nil
	}
	for _, sk := range e.Subkeys {
		if match(sk.PublicKey) {
			return sk.PublicKey, nil
		}
	}
	// The key ID matched (go-crypto checked with it) but the issuer
	// fingerprint subpacket names another key: inconsistent, refuse.
	return nil, fmt.Errorf("%w: the signature's issuer fingerprint %X does not match the key that verified it", ErrBadSignature, sig.IssuerFingerprint)
}

func fingerprintHex(fp []byte) string { return strings.ToUpper(hex.EncodeToString(fp)) }

func issuerHex(sig *packet.Signature) string {
	if len(sig.IssuerFingerprint) > 0 {
		return fingerprintHex(sig.IssuerFingerprint)
	}
	if sig.IssuerKeyId != nil {
		return fmt.Sprintf("%016X", *sig.IssuerKeyId)
	}
	return "(no issuer)"
}

// errReader remembers the first read error of the signed data, so that an
// I/O error (or a digest error of a checking reader) is not reported as a
// bad signature.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// Limits of ParseSums. A Firefox release's SHA512SUMS lists about ten
// thousand files in about 2 MB.
const (
	MaxSumsFile  = 16 << 20
	MaxSumsLines = 200_000
	MaxSumsLine  = 4096
)

// ErrNotInSums is wrapped when a file is not listed in the signed checksum
// file, so nothing vouches for it.
var ErrNotInSums = errors.New("file is not listed in the signed checksum file")

// ParseSums reads a SHA512SUMS or SHA256SUMS file (the output of
// sha512sum/sha256sum): lines "<hex>  <path>" with two spaces, or
// "<hex> *<path>" (binary mode marker). The digest length is fixed by the
// first line (128 hex digits: SHA-512; 64: SHA-256) and must be the same on
// every line. Paths are relative, non-empty UTF-8 without control
// characters, leading "/" or ".." elements; spaces are kept (Mozilla's
// "win64/ja/Firefox Setup 133.0.exe"). Empty lines and CRLF endings are
// tolerated; a path listed twice must have the same digest. It returns path
// → lower-case hex digest.
func ParseSums(b []byte) (map[string]string, error) {
	if len(b) > MaxSumsFile {
		return nil, &LimitError{What: "checksum file", Limit: MaxSumsFile}
	}
	out := make(map[string]string)
	hexLen := 0
	for n := 1; len(b) > 0; n++ {
		if n > MaxSumsLines {
			return nil, fmt.Errorf("checksum file has more than %d lines", MaxSumsLines)
		}
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		if len(line) > MaxSumsLine {
			return nil, fmt.Errorf("checksum file line %d: longer than %d bytes", n, MaxSumsLine)
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			continue
		}
		sum, path, err := parseSumLine(string(line), hexLen)
		if err != nil {
			return nil, fmt.Errorf("checksum file line %d: %w", n, err)
		}
		hexLen = len(sum)
		if prev, ok := out[path]; ok && prev != sum {
			return nil, fmt.Errorf("checksum file line %d: %q is listed twice with different digests", n, path)
		}
		out[path] = sum
	}
	if len(out) == 0 {
		return nil, errors.New("checksum file lists no files")
	}
	return out, nil
}

func parseSumLine(line string, hexLen int) (sum, path string, err error) {
	i := strings.IndexByte(line, ' ')
	if i < 0 || i+2 > len(line) {
		return "", "", errors.New(`want "<hex digest>  <path>"`)
	}
	sum, mode, path := line[:i], line[i+1], line[i+2:]
	switch {
	case hexLen != 0 && len(sum) != hexLen:
		return "", "", fmt.Errorf("digest has %d hex digits, earlier lines %d", len(sum), hexLen)
	case len(sum) != 2*sha512.Size && len(sum) != 64:
		return "", "", fmt.Errorf("digest has %d characters, want 128 hex digits (SHA-512) or 64 (SHA-256)", len(sum))
	case mode != ' ' && mode != '*':
		return "", "", errors.New(`want two spaces (or " *") between digest and path`)
	}
	for j := 0; j < len(sum); j++ {
		c := sum[j]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return "", "", fmt.Errorf("digest %q is not hex", sum)
		}
	}
	if err := checkSumsPath(path); err != nil {
		return "", "", err
	}
	return strings.ToLower(sum), path, nil
}

func checkSumsPath(p string) error {
	if p == "" {
		return errors.New("empty path")
	}
	if !utf8.ValidString(p) {
		return errors.New("path is not UTF-8")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("path %q holds a control character", p)
		}
	}
	if p[0] == '/' {
		return fmt.Errorf("path %q is absolute", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return fmt.Errorf("path %q leaves its directory", p)
		}
	}
	return nil
}

// SHA512Hex returns the lower-case hex SHA-512 of a small in-memory value.
// For payloads, hash while streaming (sha512.New with io.MultiWriter).
func SHA512Hex(b []byte) string {
	sum := sha512.Sum512(b)
	return hex.EncodeToString(sum[:])
}

// SumError reports a file whose digest differs from its line in a signed
// checksum file.
type SumError struct {
	Path      string
	Want, Got string // lower-case hex
}

func (e *SumError) Error() string {
	return fmt.Sprintf("%s: digest is %s, the signed checksum file says %s", e.Path, e.Got, e.Want)
}

// Unwrap makes errors.Is(err, ErrMismatch) true.
func (e *SumError) Unwrap() error { return ErrMismatch }

// CheckSum compares got (hex, of the algorithm of sums) with the entry for
// path. It returns a *SumError on a mismatch and wraps ErrNotInSums when the
// path is not listed.
func CheckSum(sums map[string]string, path, got string) error {
	want, ok := sums[path]
	if !ok {
		return fmt.Errorf("%s: %w", path, ErrNotInSums)
	}
	if g := strings.ToLower(got); g != want {
		return &SumError{Path: path, Want: want, Got: g}
	}
	return nil
}
