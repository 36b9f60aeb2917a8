package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// ErrWrongPassword is returned when an encrypted private key does not open
// with the given password.
var ErrWrongPassword = errors.New("wrong password for the private key (or the key file is damaged)")

// ErrNotP256 is returned for keys that are not ECDSA P-256, the only kind a
// bundle may be signed with.
var ErrNotP256 = errors.New("key is not an ECDSA P-256 key; create one with `patchferry keys generate` or `cosign generate-key-pair`")

// maxKeyPEM bounds a key file; real ones are well under 1 KiB.
const maxKeyPEM = 64 << 10

// PublicKey is a trusted ECDSA P-256 public key.
type PublicKey struct {
	key *ecdsa.PublicKey
	der []byte // PKIX DER, for comparison and the key ID
}

// ID returns the key ID: the first 16 hex digits of SHA-256 over the key's
// PKIX DER encoding.
func (k *PublicKey) ID() string {
	sum := sha256.Sum256(k.der)
	return hex.EncodeToString(sum[:8])
}

// Equal reports whether k and o are the same key.
func (k *PublicKey) Equal(o *PublicKey) bool { return string(k.der) == string(o.der) }

// PEM returns the key in the PEM "PUBLIC KEY" form that cosign writes.
func (k *PublicKey) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: k.der})
}

func newPublicKey(pub crypto.PublicKey) (*PublicKey, error) {
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, ErrNotP256
	}
	der, err := x509.MarshalPKIXPublicKey(ec)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return &PublicKey{key: ec, der: der}, nil
}

// ParsePublicKey reads a PEM "PUBLIC KEY" (as written by `cosign
// generate-key-pair` and `patchferry keys generate`).
func ParsePublicKey(pemBytes []byte) (*PublicKey, error) {
	if len(pemBytes) > maxKeyPEM {
		return nil, &LimitError{What: "public key file", Limit: maxKeyPEM}
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("not a PEM public key: %w", err)
	}
	return newPublicKey(pub)
}

// PrivateKey is a decrypted ECDSA P-256 signing key.
type PrivateKey struct {
	key *ecdsa.PrivateKey
	pub *PublicKey
}

// Public returns the matching public key.
func (k *PrivateKey) Public() *PublicKey { return k.pub }

// ParsePrivateKey decrypts an encrypted private key in the sigstore/cosign
// PEM format. Decryption costs about 0.4 s of CPU (scrypt): do it once per run.
func ParsePrivateKey(pemBytes, password []byte) (*PrivateKey, error) {
	if len(pemBytes) > maxKeyPEM {
		return nil, &LimitError{What: "private key file", Limit: maxKeyPEM}
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("not a PEM private key")
	}
	switch block.Type {
	case "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY":
	default:
		return nil, fmt.Errorf("private key of PEM type %q: want an encrypted sigstore/cosign key (ENCRYPTED SIGSTORE PRIVATE KEY)", block.Type)
	}
	if password == nil {
		password = []byte{}
	}
	priv, err := cryptoutils.UnmarshalPEMToPrivateKey(pemBytes, cryptoutils.StaticPasswordFunc(password))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrongPassword, err)
	}
	ec, ok := priv.(*ecdsa.PrivateKey)
	if !ok {
		return nil, ErrNotP256
	}
	pub, err := newPublicKey(&ec.PublicKey)
	if err != nil {
		return nil, err
	}
	return &PrivateKey{key: ec, pub: pub}, nil
}

// GenerateKeyPair makes a new ECDSA P-256 key pair: the private key encrypted
// with password in the sigstore format (cosign reads it), the public key as
// PEM.
func GenerateKeyPair(password []byte) (privPEM, pubPEM []byte, err error) {
	if password == nil {
		password = []byte{}
	}
	return cryptoutils.GeneratePEMEncodedECDSAKeyPair(elliptic.P256(), cryptoutils.StaticPasswordFunc(password))
}
