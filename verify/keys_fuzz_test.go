package verify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// cosignFixture reads a file of testdata/cosign (real cosign CLI output).
func cosignFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cosign", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// keyFixture reads a file of testdata/keys (made by GenerateKeyPair).
func keyFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// pemOf wraps der in one PEM block of type typ.
func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// FuzzParsePublicKey: trusted keys come from files staff copy around (mirror
// trust, agent enrolment). A key that parses is a P-256 key whose PEM form
// parses back to the same key, with the same ID and the same PEM bytes.
func FuzzParsePublicKey(f *testing.F) {
	cosignPub := cosignFixture(f, "cosign.pub")
	f.Add(cosignPub)
	block, _ := pem.Decode(cosignPub)
	f.Add(append([]byte("leading text\n"), cosignPub...))
	f.Add(pemOf("EC PUBLIC KEY", block.Bytes))
	f.Add(pemOf("PUBLIC KEY", block.Bytes[:len(block.Bytes)-1]))
	f.Add(bytes.Replace(cosignPub, []byte("PUBLIC KEY"), []byte("RSA PUBLIC KEY"), 2))
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	f.Add(pemOf("PUBLIC KEY", der))
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	der, _ = x509.MarshalPKIXPublicKey(edPub)
	f.Add(pemOf("PUBLIC KEY", der))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParsePublicKey(b)
		if err != nil {
			return
		}
		pub, err := x509.ParsePKIXPublicKey(k.der)
		if ec, ok := pub.(*ecdsa.PublicKey); err != nil || !ok || ec.Curve != elliptic.P256() {
			t.Fatalf("ParsePublicKey accepted a key that is not ECDSA P-256: %T %v", pub, err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(k.ID()) {
			t.Fatalf("key ID %q: want 16 lower-case hex digits", k.ID())
		}
		k2, err := ParsePublicKey(k.PEM())
		if err != nil {
			t.Fatalf("the PEM of a parsed key does not parse: %v\n%s", err, k.PEM())
		}
		if !k2.Equal(k) || k2.ID() != k.ID() || !bytes.Equal(k2.PEM(), k.PEM()) {
			t.Fatalf("key changed through PEM and ParsePublicKey: %s → %s", k.ID(), k2.ID())
		}
	})
}

// realKey is a private key file with its password and the public key file
// that goes with it.
type realKey struct {
	priv, password []byte
	pub            *PublicKey
}

// FuzzParsePrivateKey: a private key file and its password are typed or
// copied by staff. Whatever the file and the password, parsing never
// panics, a file of an unsupported scrypt cost is refused before scrypt
// runs (a tampered N would otherwise take memory and minutes), the real file
// with another password is ErrWrongPassword, and a key that parses is one of
// the real keys — its public part is the one the real .pub file says, and
// it signs what that public key verifies.
//
// Each input that reaches scrypt costs about 0.1–0.4 s: the fuzzer spends
// most of its time on the structure (PEM, JSON, base64, KDF parameters),
// which fails before that. json selects whether b is the PEM file or the
// JSON inside it (wrapped here into the PEM), so both layers are mutated.
func FuzzParsePrivateKey(f *testing.F) {
	// A pair of GenerateKeyPair's and one of the cosign CLI's, both fixed
	// in testdata: a fuzz worker must know the real public key of a seed.
	const password = "pw"
	privPEM, pubPEM := keyFixture(f, "generated.key"), keyFixture(f, "generated.pub")
	var keys []realKey
	for _, k := range []struct{ priv, password, pub []byte }{
		{privPEM, []byte(password), pubPEM},
		{cosignFixture(f, "cosign.key"), cosignFixture(f, "password.txt"), cosignFixture(f, "cosign.pub")},
	} {
		pub, err := ParsePublicKey(k.pub)
		if err != nil {
			f.Fatal(err)
		}
		keys = append(keys, realKey{priv: k.priv, password: k.password, pub: pub})
	}
	const typ = "ENCRYPTED SIGSTORE PRIVATE KEY"
	body := func(p []byte) []byte { b, _ := pem.Decode(p); return b.Bytes }
	genJSON := body(privPEM)
	// Four seeds reach scrypt (about 1.5 s in all); the others fail before.
	for _, k := range keys {
		f.Add(k.priv, false, k.password)
	}
	f.Add(genJSON, true, []byte(nil))
	f.Add(bytes.Replace(genJSON, []byte(`"N":65536`), []byte(`"N":1073741824`), 1), true, []byte(password))
	f.Add(bytes.Replace(genJSON, []byte(`"N":65536`), []byte(`"N":2`), 1), true, []byte(password))
	f.Add(bytes.Replace(genJSON, []byte(`"scrypt"`), []byte(`"pbkdf2"`), 1), true, []byte(password))
	f.Add(bytes.Replace(genJSON, []byte(`"nacl/secretbox"`), []byte(`"aes-gcm"`), 1), true, []byte(password))
	f.Add([]byte(`{"kdf":{},"cipher":{},"ciphertext":""}`), true, []byte(password))
	f.Add(bytes.Replace(privPEM, []byte("ENCRYPTED SIGSTORE"), []byte("ENCRYPTED COSIGN"), 2), false, []byte(password))
	f.Add(bytes.Replace(privPEM, []byte("ENCRYPTED SIGSTORE PRIVATE KEY"), []byte("EC PRIVATE KEY"), 2), false, []byte(password))
	f.Add(privPEM[:len(privPEM)/2], false, []byte(password))
	f.Add(pemOf(typ, []byte(base64.StdEncoding.EncodeToString(genJSON))), false, []byte(password))
	msg := []byte("patchferry fuzz: the key signs what its public key verifies")
	f.Fuzz(func(t *testing.T, b []byte, json bool, pw []byte) {
		file := b
		if json {
			file = pemOf(typ, b)
		}
		k, err := ParsePrivateKey(file, pw)
		if err != nil {
			for _, r := range keys {
				if bytes.Equal(file, r.priv) && !bytes.Equal(pw, r.password) && !errors.Is(err, ErrWrongPassword) {
					t.Fatalf("the real key file with a wrong password: %v, want ErrWrongPassword", err)
				}
			}
			return
		}
		var real *realKey
		for i := range keys {
			if keys[i].pub.Equal(k.Public()) {
				real = &keys[i]
			}
		}
		if real == nil {
			t.Fatalf("ParsePrivateKey made key %s, which is none of the real keys", k.Public().ID())
		}
		if !bytes.Equal(pw, real.password) {
			t.Fatalf("key %s opened with password %q, not its own", k.Public().ID(), pw)
		}
		sig, err := Sign(k, msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := real.pub.Verify(msg, sig); err != nil {
			t.Fatalf("key %s signs what its public key file does not verify: %v", k.Public().ID(), err)
		}
	})
}
