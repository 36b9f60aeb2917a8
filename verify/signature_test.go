package verify

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Keys cost ~0.4 s each to decrypt (scrypt): make them once per test binary.
var (
	keysOnce sync.Once
	testKeys []*PrivateKey
	keysErr  error
)

func keys(t testing.TB, n int) []*PrivateKey {
	t.Helper()
	keysOnce.Do(func() {
		for range 3 {
			priv, _, err := GenerateKeyPair([]byte("pw"))
			if err != nil {
				keysErr = err
				return
			}
			k, err := ParsePrivateKey(priv, []byte("pw"))
			if err != nil {
				keysErr = err
				return
			}
			testKeys = append(testKeys, k)
		}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return testKeys[:n]
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cosign", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The committed key pair and signatures were made with the cosign CLI
// (testdata/cosign/README.md): the key loads and the signatures verify.
func TestCosignFixtures(t *testing.T) {
	pub, err := ParsePublicKey(readFixture(t, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ParsePrivateKey(readFixture(t, "cosign.key"), readFixture(t, "password.txt"))
	if err != nil {
		t.Fatalf("cosign key does not load: %v", err)
	}
	if !priv.Public().Equal(pub) {
		t.Fatal("cosign.key and cosign.pub are not a pair")
	}
	for _, name := range []string{"blob.txt", "manifest.json"} {
		sig, err := DecodeSignature(readFixture(t, name+".sig"))
		if err != nil {
			t.Fatalf("%s.sig: %v", name, err)
		}
		msg := readFixture(t, name)
		if err := pub.Verify(msg, sig); err != nil {
			t.Errorf("cosign signature of %s does not verify: %v", name, err)
		}
		if err := pub.Verify(append(msg, ' '), sig); !errors.Is(err, ErrBadSignature) {
			t.Errorf("a changed %s still verifies: %v", name, err)
		}
	}
	// Our signature with the cosign key verifies with the cosign public key.
	ours, err := Sign(priv, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Verify([]byte("x"), ours); err != nil {
		t.Fatal(err)
	}
}

func TestWrongPassword(t *testing.T) {
	_, err := ParsePrivateKey(readFixture(t, "cosign.key"), []byte("not the password"))
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("err = %v, want ErrWrongPassword", err)
	}
}

func TestParsePrivateKeyRefusesPlainKeys(t *testing.T) {
	_, err := ParsePrivateKey(readFixture(t, "cosign.pub"), nil)
	if err == nil {
		t.Fatal("a public key was accepted as a private key")
	}
	if _, err := ParsePrivateKey([]byte("garbage"), nil); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestSignIsDeterministic(t *testing.T) {
	k := keys(t, 1)[0]
	a, err := Sign(k, []byte("bundle"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Sign(k, []byte("bundle"))
	if !bytes.Equal(a, b) {
		t.Fatal("two signatures of the same bytes differ; bundles would not be reproducible")
	}
	c, _ := Sign(k, []byte("bundle2"))
	if bytes.Equal(a, c) {
		t.Fatal("different messages gave the same signature")
	}
}

func TestSignatureFileRoundTrip(t *testing.T) {
	k := keys(t, 1)[0]
	sig, _ := Sign(k, []byte("m"))
	text := EncodeSignature(sig)
	back, err := DecodeSignature(text)
	if err != nil || !bytes.Equal(back, sig) {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("   "), []byte("!!!"), []byte("aGVsbG8="), bytes.Repeat([]byte("A"), MaxSignatureFile+1)} {
		if _, err := DecodeSignature(bad); err == nil {
			t.Errorf("DecodeSignature(%.20q) accepted", bad)
		}
	}
}

func TestApprovals(t *testing.T) {
	ks := keys(t, 3)
	manifest := []byte(`{"format":1}`)
	trusted := []*PublicKey{ks[0].Public(), ks[1].Public()}
	signMsg := func(k *PrivateKey, name string, msg []byte) Signed {
		s, err := Sign(k, msg)
		if err != nil {
			t.Fatal(err)
		}
		return Signed{Name: name, Sig: s}
	}
	sign := func(k *PrivateKey, name string) Signed { return signMsg(k, name, ApprovalMessage(manifest)) }
	cases := []struct {
		name      string
		sigs      []Signed
		threshold int
		want      int
		err       error
	}{
		{"two distinct approvers", []Signed{sign(ks[0], "a"), sign(ks[1], "b")}, 2, 2, nil},
		{"same approver twice counts once", []Signed{sign(ks[0], "a"), sign(ks[0], "b")}, 2, 1, ErrThreshold},
		{"untrusted approver", []Signed{sign(ks[0], "a"), sign(ks[2], "c")}, 2, 1, ErrThreshold},
		{"none", nil, 1, 0, ErrThreshold},
		{"threshold zero", nil, 0, 0, nil},
		{"signature over other bytes", []Signed{{Name: "x", Sig: sign(ks[0], "a").Sig[:10]}}, 1, 0, ErrThreshold},
		{"old format: over the manifest bytes", []Signed{signMsg(ks[0], "a", manifest), sign(ks[1], "b")}, 2, 1, ErrThreshold},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Approvals(manifest, tc.sigs, trusted, nil, tc.threshold)
			if !errors.Is(err, tc.err) || len(got) != tc.want {
				t.Fatalf("got %d approvers, err %v; want %d, %v", len(got), err, tc.want, tc.err)
			}
		})
	}
	_, err := Approvals(manifest, []Signed{sign(ks[0], "approvals/a.sig"), sign(ks[0], "approvals/b.sig")}, trusted, nil, 2)
	var te *ThresholdError
	if !errors.As(err, &te) || len(te.Repeated) != 1 {
		t.Fatalf("err = %v, want a ThresholdError naming the repeated signature", err)
	}
}

// TestApprovalsNeverThePublisher: the key that signed as publisher never
// counts as an approver, even when it is listed as one — neither its
// publisher signature copied as an approval (the old, undistinguished
// format) nor a proper approval message signed with it.
func TestApprovalsNeverThePublisher(t *testing.T) {
	ks := keys(t, 3)
	manifest := []byte(`{"format":1,"site":"city"}`)
	pub := ks[0]
	trusted := []*PublicKey{pub.Public(), ks[1].Public()} // publisher also listed as approver
	pubSig, err := Sign(pub, manifest)
	if err != nil {
		t.Fatal(err)
	}
	ownApproval, err := Sign(pub, ApprovalMessage(manifest))
	if err != nil {
		t.Fatal(err)
	}
	copied := Signed{Name: "approvals/x.sig", Sig: pubSig}
	own := Signed{Name: "approvals/self.sig", Sig: ownApproval}

	got, err := Approvals(manifest, []Signed{copied, own}, trusted, pub.Public(), 1)
	var te *ThresholdError
	if !errors.As(err, &te) || len(got) != 0 {
		t.Fatalf("got %d approvers, err %v; want 0 and a ThresholdError", len(got), err)
	}
	if len(te.OldFormat) != 1 || te.OldFormat[0] != copied.Name {
		t.Errorf("OldFormat = %q, want [%q]", te.OldFormat, copied.Name)
	}
	if len(te.ByPublisher) != 1 || te.ByPublisher[0] != own.Name {
		t.Errorf("ByPublisher = %q, want [%q]", te.ByPublisher, own.Name)
	}
	for _, want := range []string{"old format", "re-approve with this version", "signed the bundle as publisher"} {
		if !bytes.Contains([]byte(err.Error()), []byte(want)) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// The message an approver signs is not the manifest, and names the
	// role and the manifest's digest.
	msg := ApprovalMessage(manifest)
	if want := "patchferry approval v1\nsha256:" + SHA256Hex(manifest) + "\n"; string(msg) != want {
		t.Errorf("ApprovalMessage = %q, want %q", msg, want)
	}
	// A publisher signature is never over an approval message.
	if pub.Public().Verify(manifest, ownApproval) == nil {
		t.Error("an approval verifies as a publisher signature")
	}
}

func TestSignerUnknownKey(t *testing.T) {
	ks := keys(t, 2)
	s, _ := Sign(ks[1], []byte("m"))
	if _, err := Signer([]byte("m"), Signed{Name: "bundle.json.sig", Sig: s}, []*PublicKey{ks[0].Public()}); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("err = %v, want ErrUntrusted", err)
	}
}

func TestCheckValidity(t *testing.T) {
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	expires := created.Add(30 * 24 * time.Hour)
	cases := []struct {
		name string
		now  time.Time
		exp  time.Time
		want error
	}{
		{"valid", created.Add(time.Hour), expires, nil},
		{"at expiry", expires, expires, ErrExpired},
		{"after expiry", expires.Add(time.Second), expires, ErrExpired},
		{"never expires", created.AddDate(10, 0, 0), time.Time{}, nil},
		{"clock behind by less than the skew", created.Add(-time.Hour), expires, nil},
		{"created far in the future", created.Add(-48 * time.Hour), expires, ErrNotYetValid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckValidity(created, tc.exp, tc.now); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzDecodeSignature: whatever DecodeSignature accepts encodes back to a
// file that decodes to the same signature.
func FuzzDecodeSignature(f *testing.F) {
	for _, name := range []string{"blob.txt.sig", "manifest.json.sig"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "cosign", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("MEUCIQ==\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		der, err := DecodeSignature(b)
		if err != nil {
			return
		}
		again, err := DecodeSignature(EncodeSignature(der))
		if err != nil || !bytes.Equal(again, der) {
			t.Fatalf("round trip failed: %v", err)
		}
		if len(der) == 0 || der[0] != 0x30 {
			t.Fatalf("accepted a non-DER signature %x", der)
		}
	})
}
