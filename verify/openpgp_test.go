package verify

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// keyCreated is when test keys are made; tests verify at fixed times after it.
var keyCreated = time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)

const testSums = "" +
	"9d2e1f7c6a5b4e3d2c1b0a99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa998877  win64/ja/Firefox Setup 128.5.0esr.exe\n" +
	"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000abcd  win64/ja/Firefox Setup 128.5.0esr.msi\n"

func fixedTime(t time.Time) func() time.Time { return func() time.Time { return t } }

// newTestKey makes a key like a vendor's: a primary key (certify and sign),
// an encryption subkey, and a signing subkey that expires after subkeyLife
// (0: never).
func newTestKey(t testing.TB, alg packet.PublicKeyAlgorithm, name string, subkeyLife time.Duration) *openpgp.Entity {
	t.Helper()
	cfg := &packet.Config{Algorithm: alg, RSABits: 2048, Time: fixedTime(keyCreated), DefaultHash: crypto.SHA512}
	e, err := openpgp.NewEntity(name, "", "release@example.invalid", cfg)
	if err != nil {
		t.Fatal(err)
	}
	sub := *cfg
	sub.KeyLifetimeSecs = uint32(subkeyLife / time.Second)
	if err := e.AddSigningSubkey(&sub); err != nil {
		t.Fatal(err)
	}
	return e
}

// publicRing exports the public parts of keys, armored, and reads them back:
// the way a vendor KEY file reaches the vendor trust.
func publicRing(t testing.TB, keys ...*openpgp.Entity) openpgp.EntityList {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range keys {
		if err := e.Serialize(w); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	el, err := openpgp.ReadArmoredKeyRing(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return el
}

// signWith makes an armored detached signature at time at; keyID 0 picks
// the newest signing subkey, as gpg does.
func signWith(t testing.TB, e *openpgp.Entity, data []byte, at time.Time, keyID uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	cfg := &packet.Config{Time: fixedTime(at), DefaultHash: crypto.SHA512, SigningKeyId: keyID}
	if err := openpgp.ArmoredDetachSign(&buf, e, bytes.NewReader(data), cfg); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// signWithHash signs with any hash (ArmoredDetachSign refuses weak ones) by
// the newest signing subkey. Returns the armored signature.
func signWithHash(t testing.TB, e *openpgp.Entity, data []byte, h crypto.Hash, at time.Time) []byte {
	t.Helper()
	key, ok := e.SigningKey(at)
	if !ok {
		t.Fatal("no signing key")
	}
	sig := &packet.Signature{
		Version: 4, SigType: packet.SigTypeBinary, PubKeyAlgo: key.PublicKey.PubKeyAlgo, Hash: h,
		CreationTime: at, IssuerKeyId: &key.PublicKey.KeyId,
	}
	noSaltNotation := false // its salt length is defined for SHA-2/3 only
	cfg := &packet.Config{Time: fixedTime(at), NonDeterministicSignaturesViaNotation: &noSaltNotation}
	hh, err := sig.PrepareSign(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hh.Write(data)
	if err := sig.Sign(hh, key.PrivateKey, cfg); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if err := sig.Serialize(&raw); err != nil {
		t.Fatal(err)
	}
	return armorSig(t, raw.Bytes())
}

func armorSig(t testing.TB, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.SignatureType, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	w.Close()
	return buf.Bytes()
}

func unarmor(t testing.TB, armored []byte) []byte {
	t.Helper()
	b, err := armor.Decode(bytes.NewReader(armored))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(b.Body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func fp(pk *packet.PublicKey) string { return strings.ToUpper(hex.EncodeToString(pk.Fingerprint)) }

func TestVerifyDetachedArmoredSubkey(t *testing.T) {
	for _, tc := range []struct {
		name string
		alg  packet.PublicKeyAlgorithm
	}{{"EdDSA", packet.PubKeyAlgoEdDSA}, {"RSA", packet.PubKeyAlgoRSA}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestKey(t, tc.alg, "TEST Vendor Releases", 2*365*24*time.Hour)
			ring := publicRing(t, e)
			signedAt := keyCreated.Add(30 * 24 * time.Hour)
			sig := signWith(t, e, []byte(testSums), signedAt, 0)
			got, err := VerifyDetachedArmored(strings.NewReader(testSums), sig, ring, signedAt.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			want := PGPSigner{PrimaryFingerprint: fp(e.PrimaryKey), SigningKeyFingerprint: fp(e.Subkeys[1].PublicKey), Created: signedAt}
			if got.PrimaryFingerprint != want.PrimaryFingerprint || got.SigningKeyFingerprint != want.SigningKeyFingerprint || !got.Created.Equal(want.Created) {
				t.Fatalf("signer = %+v, want %+v", got, want)
			}
			if got.SigningKeyFingerprint == got.PrimaryFingerprint {
				t.Fatal("the signature should come from the subkey")
			}
		})
	}
}

func TestVerifyDetachedArmoredPrimaryKey(t *testing.T) {
	e := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST Vendor Releases", 0)
	at := keyCreated.Add(time.Hour)
	sig := signWith(t, e, []byte(testSums), at, e.PrimaryKey.KeyId)
	got, err := VerifyDetachedArmored(strings.NewReader(testSums), sig, publicRing(t, e), at)
	if err != nil {
		t.Fatal(err)
	}
	if got.SigningKeyFingerprint != fp(e.PrimaryKey) || got.PrimaryFingerprint != fp(e.PrimaryKey) {
		t.Fatalf("signer = %+v, want the primary key %s", got, fp(e.PrimaryKey))
	}
}

// A keyring with several vendors' keys finds the right one, and text before
// the armor (as in Mozilla's KEY and in some .asc files) is skipped.
func TestVerifyDetachedArmoredRingAndPreamble(t *testing.T) {
	a := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST A", 0)
	b := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST B", 0)
	at := keyCreated.Add(time.Hour)
	sig := append([]byte("Signed by B.\n\n"), signWith(t, b, []byte(testSums), at, 0)...)
	got, err := VerifyDetachedArmored(strings.NewReader(testSums), sig, publicRing(t, a, b), at)
	if err != nil {
		t.Fatal(err)
	}
	if got.PrimaryFingerprint != fp(b.PrimaryKey) {
		t.Fatalf("primary = %s, want B %s", got.PrimaryFingerprint, fp(b.PrimaryKey))
	}
}

func TestVerifyDetachedArmoredRefuses(t *testing.T) {
	year := 365 * 24 * time.Hour
	e := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST Vendor Releases", year)
	other := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST Someone Else", 0)
	ring := publicRing(t, e)
	at := keyCreated.Add(24 * time.Hour)
	good := signWith(t, e, []byte(testSums), at, 0)

	// The vendor rotated its subkey, but the trust holds the old KEY.
	rotated := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST Rotating", 0)
	oldRing := publicRing(t, rotated)
	if err := rotated.AddSigningSubkey(&packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: fixedTime(at)}); err != nil {
		t.Fatal(err)
	}
	byNewSubkey := signWith(t, rotated, []byte(testSums), at.Add(time.Hour), 0)

	revokedSub := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST Revoked Subkey", 0)
	revokedSubSig := signWith(t, revokedSub, []byte(testSums), keyCreated.Add(time.Hour), 0)
	revCfg := &packet.Config{Time: fixedTime(at)}
	if err := revokedSub.RevokeSubkey(&revokedSub.Subkeys[1], packet.KeyCompromised, "stolen", revCfg); err != nil {
		t.Fatal(err)
	}

	revokedKey := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST Revoked Key", 0)
	revokedKeySig := signWith(t, revokedKey, []byte(testSums), keyCreated.Add(time.Hour), 0)
	if err := revokedKey.RevokeKey(packet.KeyCompromised, "stolen", revCfg); err != nil {
		t.Fatal(err)
	}

	sha1Sig := signWithHash(t, e, []byte(testSums), crypto.SHA1, at)
	// MD5: go-crypto cannot make one; change the hash octet of a SHA-1
	// signature packet (new-format header, one length octet, then v4
	// version, type, public-key algorithm, hash algorithm).
	raw := unarmor(t, sha1Sig)
	if raw[0] != 0xc2 || raw[2] != 4 || raw[5] != 2 {
		t.Fatalf("unexpected signature packet layout % x", raw[:6])
	}
	raw[5] = 1 // MD5
	md5Sig := armorSig(t, raw)

	// A signature that names the Mozilla signing subkey but was made by
	// another key.
	moz, err := realTrust(t).For("mozilla", "firefox").Keyring()
	if err != nil {
		t.Fatal(err)
	}
	forged := forgeIssuer(t, other, []byte(testSums), "09BEED63F3462A2DFFAB3B875ECB6497C1A20256", at)

	var pub bytes.Buffer
	w, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	e.Serialize(w)
	w.Close()

	cases := []struct {
		name string
		data string
		sig  []byte
		ring openpgp.EntityList
		now  time.Time
		want error
	}{
		{"modified data", strings.Replace(testSums, "128.5.0esr.exe", "128.5.1esr.exe", 1), good, ring, at, ErrBadSignature},
		{"appended data", testSums + "\n", good, ring, at, ErrBadSignature},
		{"unknown key", testSums, signWith(t, other, []byte(testSums), at, 0), ring, at, ErrUntrusted},
		{"empty keyring", testSums, good, nil, at, ErrUntrusted},
		{"rotated subkey not in the trust", testSums, byNewSubkey, oldRing, at.Add(2 * time.Hour), ErrUntrusted},
		{"expired subkey", testSums, good, ring, keyCreated.Add(year + 24*time.Hour), ErrPGPExpired},
		{"key not yet valid", testSums, good, ring, keyCreated.Add(-time.Hour), ErrPGPExpired},
		{"revoked subkey", testSums, revokedSubSig, publicRing(t, revokedSub), at, ErrPGPRevoked},
		{"revoked primary key", testSums, revokedKeySig, publicRing(t, revokedKey), at, ErrPGPRevoked},
		{"SHA-1", testSums, sha1Sig, ring, at, ErrPGPWeakHash},
		{"MD5", testSums, md5Sig, ring, at, ErrPGPWeakHash},
		{"forged issuer", testSums, forged, moz, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), ErrBadSignature},
		{"not armored", testSums, []byte("not a signature"), ring, at, ErrBadSignature},
		{"public key block", testSums, pub.Bytes(), ring, at, ErrBadSignature},
		{"damaged armor", testSums, bytes.Replace(good, []byte("\n"), []byte("\nA"), 3), ring, at, ErrBadSignature},
		{"empty armor", testSums, armorSig(t, nil), ring, at, ErrBadSignature},
		{"too large", testSums, bytes.Repeat([]byte("x"), MaxArmoredSignature+1), ring, at, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := VerifyDetachedArmored(strings.NewReader(tc.data), tc.sig, tc.ring, tc.now)
			if err == nil {
				t.Fatalf("accepted, signer %+v", got)
			}
			if got != nil {
				t.Errorf("signer %+v returned with error %v", got, err)
			}
			if tc.want == nil {
				var le *LimitError
				if !errors.As(err, &le) {
					t.Fatalf("err = %v, want a LimitError", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
}

// forgeIssuer signs data with k's signing subkey, then writes the
// fingerprint fp (and its key ID) over the issuer subpackets: a signature
// that names a trusted key but was made by another.
func forgeIssuer(t testing.TB, k *openpgp.Entity, data []byte, fpHex string, at time.Time) []byte {
	t.Helper()
	raw := unarmor(t, signWith(t, k, data, at, 0))
	signer, ok := k.SigningKey(at)
	if !ok {
		t.Fatal("no signing key")
	}
	forged, err := hex.DecodeString(fpHex)
	if err != nil {
		t.Fatal(err)
	}
	own := signer.PublicKey.Fingerprint
	if !bytes.Contains(raw, own) {
		t.Fatal("no issuer fingerprint subpacket to overwrite")
	}
	raw = bytes.ReplaceAll(raw, own, forged)
	raw = bytes.ReplaceAll(raw, own[12:], forged[12:]) // the issuer key ID subpacket
	return armorSig(t, raw)
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestVerifyDetachedArmoredReadError(t *testing.T) {
	e := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST Vendor Releases", 0)
	at := keyCreated.Add(time.Hour)
	sig := signWith(t, e, []byte(testSums), at, 0)
	boom := errors.New("connection reset")
	_, err := VerifyDetachedArmored(io.MultiReader(strings.NewReader("abc"), failingReader{boom}), sig, publicRing(t, e), at)
	if !errors.Is(err, boom) || errors.Is(err, ErrBadSignature) {
		t.Fatalf("err = %v, want the read error and not a bad signature", err)
	}
}

// Mozilla's real release key (the fixture documented in
// testdata/fixtures/openpgp/README.md: a text preamble, then the armor;
// media/evidence builds in the same file).
func TestMozillaReleaseKey(t *testing.T) {
	const (
		primary = "14F26682D0916CDD81E37B6D61B7B526D98F0353"
		sub2025 = "09BEED63F3462A2DFFAB3B875ECB6497C1A20256"
	)
	ring, err := realTrust(t).For("mozilla", "firefox").Keyring()
	if err != nil {
		t.Fatal(err)
	}
	checkMozillaKey(t, ring, primary, sub2025)
}

func checkMozillaKey(t *testing.T, ring openpgp.EntityList, primary, sub2025 string) {
	t.Helper()
	var moz *openpgp.Entity
	for _, e := range ring {
		if fp(e.PrimaryKey) == primary {
			moz = e
		}
	}
	if moz == nil {
		t.Fatalf("no key %s in the ring", primary)
	}
	var sub *openpgp.Subkey
	for i := range moz.Subkeys {
		if fp(moz.Subkeys[i].PublicKey) == sub2025 {
			sub = &moz.Subkeys[i]
		}
	}
	if sub == nil {
		t.Fatalf("no subkey %s", sub2025)
	}
	valid := func(now time.Time) bool {
		return sub.Sig.FlagsValid && sub.Sig.FlagSign && !sub.PublicKey.KeyExpired(sub.Sig, now) &&
			!sub.Sig.SigExpired(now) && !sub.Revoked(now) && !moz.Revoked(now)
	}
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if !valid(at) {
		t.Errorf("subkey %s is not a valid signing key at %s", sub2025, at)
	}
	if k, ok := moz.SigningKey(at); !ok || fp(k.PublicKey) != sub2025 {
		t.Errorf("the current signing key at %s is not %s", at, sub2025)
	}
	if after := time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC); valid(after) {
		t.Errorf("subkey %s should have expired by %s", sub2025, after)
	}
	// A signature by our test key is not Mozilla's.
	e := newTestKey(t, packet.PubKeyAlgoEdDSA, "TEST Mozilla Software Releases", 0)
	sig := signWith(t, e, []byte(testSums), keyCreated, 0)
	if _, err := VerifyDetachedArmored(strings.NewReader(testSums), sig, ring, at); !errors.Is(err, ErrUntrusted) {
		t.Errorf("test key against the Mozilla ring: err = %v, want ErrUntrusted", err)
	}
}

func TestParseSums(t *testing.T) {
	h1 := strings.Repeat("ab", 64)
	h2 := strings.Repeat("0f", 64)
	in := h1 + "  win64/ja/Firefox Setup 133.0.exe\r\n" +
		"\n" +
		strings.ToUpper(h2) + " *update/win64/ja/firefox-133.0.complete.mar\n" +
		h1 + "  win64/ja/Firefox Setup 133.0.exe\n" + // repeated, same digest
		h2 + "  KEY" // no final newline
	got, err := ParseSums([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"win64/ja/Firefox Setup 133.0.exe":           h1,
		"update/win64/ja/firefox-133.0.complete.mar": h2,
		"KEY": h2,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	sha256 := strings.Repeat("1", 64) + "  a\n" + strings.Repeat("2", 64) + "  b\n"
	if got, err := ParseSums([]byte(sha256)); err != nil || len(got) != 2 {
		t.Fatalf("SHA256SUMS: %v %v", got, err)
	}
}

func TestParseSumsRefuses(t *testing.T) {
	h := strings.Repeat("ab", 64)
	cases := map[string]string{
		"empty":                 "",
		"only blank lines":      "\n\n",
		"one space":             h + " a\n",
		"tab":                   h + "\ta\n",
		"no path":               h + "  \n",
		"no separator":          h + "\n",
		"short digest":          strings.Repeat("a", 127) + "  a\n",
		"SHA-1 length":          strings.Repeat("a", 40) + "  a\n",
		"mixed lengths":         h + "  a\n" + strings.Repeat("a", 64) + "  b\n",
		"not hex":               strings.Repeat("g", 128) + "  a\n",
		"absolute path":         h + "  /etc/passwd\n",
		"parent path":           h + "  win64/../../x\n",
		"control char":          h + "  a\x00b\n",
		"bad UTF-8":             h + "  a\xffb\n",
		"different duplicate":   h + "  a\n" + strings.Repeat("cd", 64) + "  a\n",
		"line too long":         h + "  " + strings.Repeat("a", MaxSumsLine) + "\n",
		"too many lines":        strings.Repeat("\n", MaxSumsLines+1),
		"escaped name (GNU \\)": "\\" + h + "  a\\nb\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if got, err := ParseSums([]byte(in)); err == nil {
				t.Fatalf("accepted: %v", got)
			} else {
				t.Log(err)
			}
		})
	}
	var le *LimitError
	if _, err := ParseSums(make([]byte, MaxSumsFile+1)); !errors.As(err, &le) {
		t.Fatalf("oversized: err = %v, want LimitError", err)
	}
}

func TestCheckSum(t *testing.T) {
	data := []byte("installer bytes")
	sums, err := ParseSums([]byte(SHA512Hex(data) + "  win64/ja/Firefox Setup 133.0.exe\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSum(sums, "win64/ja/Firefox Setup 133.0.exe", SHA512Hex(data)); err != nil {
		t.Fatal(err)
	}
	var se *SumError
	if err := CheckSum(sums, "win64/ja/Firefox Setup 133.0.exe", SHA512Hex([]byte("other"))); !errors.As(err, &se) || !errors.Is(err, ErrMismatch) {
		t.Fatalf("changed file: err = %v, want SumError wrapping ErrMismatch", err)
	}
	if err := CheckSum(sums, "win64/ja/Firefox Setup 133.0.msi", SHA512Hex(data)); !errors.Is(err, ErrNotInSums) {
		t.Fatalf("unlisted file: err = %v, want ErrNotInSums", err)
	}
}

func formatSums(m map[string]string) []byte {
	paths := make([]string, 0, len(m))
	for p := range m {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b bytes.Buffer
	for _, p := range paths {
		fmt.Fprintf(&b, "%s  %s\n", m[p], p)
	}
	return b.Bytes()
}

func FuzzParseSums(f *testing.F) {
	h := strings.Repeat("ab", 64)
	f.Add([]byte(testSums))
	f.Add([]byte(h + "  win64/ja/Firefox Setup 133.0.exe\r\n" + strings.ToUpper(h) + " *KEY"))
	f.Add([]byte(strings.Repeat("1", 64) + "  a\n" + strings.Repeat("2", 64) + "  b c\n"))
	f.Add([]byte(h + "  a\n" + h + "  a\n\n"))
	f.Add([]byte(h + "  ../x\n"))
	f.Add([]byte(h + "   *lead space\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseSums(b)
		if err != nil {
			return
		}
		n := -1
		for p, sum := range m {
			if n >= 0 && len(sum) != n {
				t.Fatalf("digest lengths differ: %d and %d", n, len(sum))
			}
			n = len(sum)
			if sum != strings.ToLower(sum) || p == "" {
				t.Fatalf("entry %q → %q not normalised", p, sum)
			}
		}
		back, err := ParseSums(formatSums(m))
		if err != nil {
			t.Fatalf("formatted sums do not parse: %v\n%s", err, formatSums(m))
		}
		if fmt.Sprint(back) != fmt.Sprint(m) {
			t.Fatalf("round trip changed the map:\n%v\n%v", m, back)
		}
	})
}

// FuzzVerifyDetachedArmored feeds arbitrary .asc files. Property: whatever
// verifies was made by the one trusted key over exactly these bytes.
func FuzzVerifyDetachedArmored(f *testing.F) {
	e := newTestKey(f, packet.PubKeyAlgoEdDSA, "TEST Vendor Releases", 0)
	ring := publicRing(f, e)
	at := keyCreated.Add(time.Hour)
	good := signWith(f, e, []byte(testSums), at, 0)
	f.Add(good)
	f.Add(signWith(f, e, []byte(testSums), at, e.PrimaryKey.KeyId))
	f.Add(signWithHash(f, e, []byte(testSums), crypto.SHA1, at))
	f.Add(append([]byte("preamble\n\n"), good...))
	f.Add(armorSig(f, append(unarmor(f, good), unarmor(f, good)...)))
	f.Add([]byte("-----BEGIN PGP SIGNATURE-----\n\n=AAAA\n-----END PGP SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, sig []byte) {
		s, err := VerifyDetachedArmored(strings.NewReader(testSums), sig, ring, at)
		if err != nil {
			return
		}
		if s.PrimaryFingerprint != fp(e.PrimaryKey) {
			t.Fatalf("verified by %s, not the trusted key", s.PrimaryFingerprint)
		}
		if _, err := VerifyDetachedArmored(strings.NewReader(testSums+"x"), sig, ring, at); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("the signature also verifies other data: %v", err)
		}
	})
}
