package store_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// publicPEM makes a fresh P-256 public key in PEM (no scrypt: only the
// public half is needed).
func publicPEM(t *testing.T, curve elliptic.Curve) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestTrustValidate(t *testing.T) {
	pub, a1, a2 := publicPEM(t, elliptic.P256()), publicPEM(t, elliptic.P256()), publicPEM(t, elliptic.P256())
	cases := []struct {
		name  string
		trust store.Trust
		want  string // "" = valid
	}{
		{name: "publisher only", trust: store.Trust{Publishers: []string{pub}}},
		{name: "two of two approvers", trust: store.Trust{Publishers: []string{pub}, Approvers: []string{a1, a2}, Threshold: 2}},
		{name: "no publisher", trust: store.Trust{}, want: "at least one publisher key"},
		{name: "threshold above approvers", trust: store.Trust{Publishers: []string{pub}, Approvers: []string{a1}, Threshold: 2}, want: "only 1 approver keys"},
		{name: "negative threshold", trust: store.Trust{Publishers: []string{pub}, Threshold: -1}, want: "approvals -1"},
		{name: "not a key", trust: store.Trust{Publishers: []string{"hello"}}, want: "stored publisher key"},
		{name: "P-384 approver", trust: store.Trust{Publishers: []string{pub}, Approvers: []string{publicPEM(t, elliptic.P384())}}, want: "stored approver key"},
		{name: "bad vendor trust", trust: store.Trust{Publishers: []string{pub}, VendorTrust: "{{{"}, want: "yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.trust.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Validate = nil, want an error containing %q", tc.want)
			case tc.want != "" && !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.want)):
				t.Fatalf("Validate = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestTrustRoundTrip(t *testing.T) {
	pub := publicPEM(t, elliptic.P256())
	st := newStore(t)
	want := store.Trust{Publishers: []string{pub}, Threshold: 0}
	if err := st.Update(func(tx *bolt.Tx) error { return store.PutTrust(tx, &want) }); err != nil {
		t.Fatal(err)
	}
	var got *store.Trust
	if err := st.View(func(tx *bolt.Tx) (err error) { got, err = store.GetTrust(tx); return err }); err != nil {
		t.Fatal(err)
	}
	keys, err := got.Keys()
	if err != nil || len(keys.Publishers) != 1 || string(keys.Publishers[0].PEM()) != pub {
		t.Fatalf("stored trust gives keys %+v, %v; want the one publisher key", keys, err)
	}
	if vt, err := got.Vendor(); err != nil || vt == nil {
		t.Fatalf("Vendor() of a trust without a vendor file = %v, %v; want the default", vt, err)
	}
}
