package verify

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/sigstore/sigstore/pkg/signature"
)

// MaxSignatureFile bounds a signature file. A base64 ECDSA P-256 DER
// signature is at most 96 characters; the slack allows line breaks.
const MaxSignatureFile = 1024

// ErrBadSignature is wrapped by every signature that does not verify.
var ErrBadSignature = errors.New("signature does not verify")

// Sign signs msg with SHA-256 and ECDSA. The signature is deterministic
// (RFC 6979), so the same key and bytes always give the same signature and a
// bundle is reproducible down to its .sig files. It returns ASN.1 DER.
func Sign(k *PrivateKey, msg []byte) ([]byte, error) {
	sum := sha256.Sum256(msg)
	sig, err := k.key.Sign(nil, sum[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return sig, nil
}

// EncodeSignature returns the signature file text: base64 of the DER
// signature, as `cosign sign-blob --output-signature` writes it, plus a
// newline.
func EncodeSignature(der []byte) []byte {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(der))+1)
	base64.StdEncoding.Encode(out, der)
	out[len(out)-1] = '\n'
	return out
}

// DecodeSignature parses a signature file: base64 (standard alphabet,
// padded) of an ASN.1 DER signature, surrounding white space allowed. It
// accepts what cosign sign-blob writes.
func DecodeSignature(b []byte) ([]byte, error) {
	if len(b) > MaxSignatureFile {
		return nil, &LimitError{What: "signature file", Limit: MaxSignatureFile}
	}
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		return nil, errors.New("signature file is empty")
	}
	der := make([]byte, base64.StdEncoding.DecodedLen(len(t)))
	n, err := base64.StdEncoding.Strict().Decode(der, t)
	if err != nil {
		return nil, fmt.Errorf("signature file is not base64: %w", err)
	}
	der = der[:n]
	if len(der) < 8 || der[0] != 0x30 {
		return nil, errors.New("signature file does not hold an ASN.1 DER ECDSA signature")
	}
	return der, nil
}

// Verify checks an ASN.1 DER signature over msg (SHA-256) with sigstore's
// ECDSA verifier.
func (k *PublicKey) Verify(msg, sig []byte) error {
	v, err := signature.LoadVerifier(k.key, crypto.SHA256)
	if err != nil {
		return fmt.Errorf("load verifier for key %s: %w", k.ID(), err)
	}
	if err := v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("%w with key %s", ErrBadSignature, k.ID())
	}
	return nil
}
