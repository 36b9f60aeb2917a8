package verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
)

// keyFromSeed returns the P-256 key whose scalar is derived from seed:
// SHA-256(seed) mod (n−1) + 1, never 0.
func keyFromSeed(tb testing.TB, seed []byte) *PrivateKey {
	tb.Helper()
	n := elliptic.P256().Params().N
	sum := sha256.Sum256(seed)
	d := new(big.Int).SetBytes(sum[:])
	d.Mod(d, new(big.Int).Sub(n, big.NewInt(1))).Add(d, big.NewInt(1))
	ec, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d.FillBytes(make([]byte, 32)))
	if err != nil {
		tb.Fatal(err)
	}
	pub, err := newPublicKey(&ec.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return &PrivateKey{key: ec, pub: pub}
}

// checkCandidates fails tb unless every candidate verifies sig over msg
// and no two are the same; it returns their IDs.
func checkCandidates(tb testing.TB, msg, sig []byte, got []*PublicKey) []string {
	tb.Helper()
	if len(got) > 4 {
		tb.Fatalf("%d candidates, at most 4 can exist", len(got))
	}
	var ids []string
	for _, k := range got {
		if err := k.Verify(msg, sig); err != nil {
			tb.Fatalf("candidate %s does not verify the signature: %v", k.ID(), err)
		}
		if slices.Contains(ids, k.ID()) {
			tb.Fatalf("candidate %s twice", k.ID())
		}
		ids = append(ids, k.ID())
	}
	return ids
}

// The key that made a signature is among the candidates recovered from it:
// for a signature made by the real cosign CLI, and for keys of our own
// over many messages.
func TestSignerCandidates(t *testing.T) {
	pub, err := ParsePublicKey(cosignFixture(t, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"blob.txt", "manifest.json"} {
		sig, err := DecodeSignature(cosignFixture(t, name+".sig"))
		if err != nil {
			t.Fatal(err)
		}
		msg := cosignFixture(t, name)
		ids := checkCandidates(t, msg, sig, SignerCandidates(msg, sig))
		if len(ids) != 2 || !slices.Contains(ids, pub.ID()) {
			t.Errorf("%s: candidates %v, want two with cosign.pub's %s", name, ids, pub.ID())
		}
	}

	ks := append(keys(t, 2), keyFromSeed(t, []byte("a")), keyFromSeed(t, []byte("b")))
	for i, k := range ks {
		for _, msg := range []string{"", "m", `{"format":1}`, strings.Repeat("x", 1000)} {
			sig, err := Sign(k, []byte(msg))
			if err != nil {
				t.Fatal(err)
			}
			ids := checkCandidates(t, []byte(msg), sig, SignerCandidates([]byte(msg), sig))
			if !slices.Contains(ids, k.Public().ID()) {
				t.Errorf("key %d, message %.10q: candidates %v lack the signer %s", i, msg, ids, k.Public().ID())
			}
			// The same signature over another message: other keys, each
			// of which does verify it (that is all a changed manifest
			// shows).
			other := []byte(msg + "!")
			ids = checkCandidates(t, other, sig, SignerCandidates(other, sig))
			if slices.Contains(ids, k.Public().ID()) {
				t.Errorf("key %d: the signer is a candidate for a message it did not sign", i)
			}
		}
	}
}

// A signature that is not DER, or whose r or s is out of range, has no
// candidates.
func TestSignerCandidatesMalformed(t *testing.T) {
	k := keyFromSeed(t, []byte("malformed"))
	msg := []byte("m")
	sig, err := Sign(k, msg)
	if err != nil {
		t.Fatal(err)
	}
	n := elliptic.P256().Params().N
	der := func(r, s *big.Int) []byte {
		b, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"empty":          nil,
		"not DER":        []byte("not a signature"),
		"trailing bytes": append(slices.Clone(sig), 0),
		"truncated":      sig[:len(sig)-1],
		"r = 0":          der(big.NewInt(0), rs.S),
		"s = 0":          der(rs.R, big.NewInt(0)),
		"r = n":          der(n, rs.S),
		"s = n":          der(rs.R, n),
		"negative r":     der(new(big.Int).Neg(rs.R), rs.S),
	} {
		if got := SignerCandidates(msg, bad); len(got) != 0 {
			t.Errorf("%s: %d candidates, want none", name, len(got))
		}
	}
}

// Signer's error names the keys it tried and the keys that may have
// signed, so the operator can tell which .pub to give.
func TestSignerUntrustedNamesKeys(t *testing.T) {
	ks := keys(t, 3)
	msg := []byte("bundle")
	s, err := Sign(ks[2], msg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Signer(msg, Signed{Name: "bundle.json.sig", Sig: s}, []*PublicKey{ks[0].Public(), ks[1].Public()})
	var ue *UntrustedError
	if !errors.Is(err, ErrUntrusted) || !errors.As(err, &ue) {
		t.Fatalf("err = %v, want an *UntrustedError", err)
	}
	if ue.Name != "bundle.json.sig" || !slices.Equal(ue.Trusted, []string{ks[0].Public().ID(), ks[1].Public().ID()}) ||
		!slices.Contains(ue.Candidates, ks[2].Public().ID()) {
		t.Errorf("%+v: want the trusted IDs in order and the signer %s among the candidates", ue, ks[2].Public().ID())
	}
	for _, want := range []string{"bundle.json.sig: signed by no trusted key (2 trusted keys tried: " + ks[0].Public().ID(), ks[2].Public().ID()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not contain %q", err, want)
		}
	}
	// Nothing to recover from a malformed signature: the trusted keys only.
	_, err = Signer(msg, Signed{Name: "x.sig", Sig: []byte{0x30, 0}}, []*PublicKey{ks[0].Public()})
	if !errors.As(err, &ue) || len(ue.Candidates) != 0 || strings.Contains(err.Error(), "signed by key") {
		t.Errorf("malformed signature: %v", err)
	}
}

// FuzzSignerCandidates: key recovery reads signatures from media. For any
// message and signature bytes it returns at most four distinct keys, each
// of which verifies the signature over the message; and for a signature
// that a key (derived from the input) made over the message, that key is
// among them.
func FuzzSignerCandidates(f *testing.F) {
	for _, name := range []string{"blob.txt", "manifest.json"} {
		sig, err := DecodeSignature(cosignFixture(f, name+".sig"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte("cosign"), cosignFixture(f, name), sig)
	}
	k := keyFromSeed(f, []byte("seed"))
	sig, _ := Sign(k, []byte("m"))
	f.Add([]byte("seed"), []byte("m"), sig)
	f.Add([]byte(""), []byte(""), []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	f.Add([]byte("x"), []byte("y"), []byte("not a signature"))
	f.Fuzz(func(t *testing.T, seed, msg, sig []byte) {
		checkCandidates(t, msg, sig, SignerCandidates(msg, sig))

		k := keyFromSeed(t, seed)
		own, err := Sign(k, msg)
		if err != nil {
			t.Fatal(err)
		}
		if ids := checkCandidates(t, msg, own, SignerCandidates(msg, own)); !slices.Contains(ids, k.Public().ID()) {
			t.Fatalf("candidates %v lack the signer %s", ids, k.Public().ID())
		}
	})
}
