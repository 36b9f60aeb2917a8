package verify

import (
	"strings"
	"testing"
)

func TestDefaultVendorTrustParses(t *testing.T) {
	vt := DefaultVendorTrust()
	if err := vt.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := vt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseVendorTrust(b)
	if err != nil {
		t.Fatalf("the default does not read back from its file form: %v", err)
	}
	if len(back.AuthenticodeRoots) != 3 || len(back.OpenPGPKeys) != 1 || len(back.ClamAVKeys) != 3 {
		t.Fatalf("round trip lost entries: %+v", back.Summary())
	}
	for _, use := range []string{"cvd", "cdiff", "info"} {
		if _, _, err := back.ClamAVKey(use); err != nil {
			t.Error(err)
		}
	}
	kr, err := back.Keyring()
	if err != nil || len(kr) == 0 {
		t.Fatalf("keyring: %v", err)
	}
	if s := strings.Join(back.Summary(), "\n"); !strings.Contains(s, "14F26682D0916CDD81E37B6D61B7B526D98F0353") {
		t.Errorf("summary does not show the Mozilla fingerprint:\n%s", s)
	}
}

func TestParseVendorTrustRefuses(t *testing.T) {
	cases := map[string]string{
		"unknown key":      "authenticode_roots: []\nsurprise: 1\n",
		"bad certificate":  "authenticode_roots:\n  - name: x\n    pem: nope\n",
		"bad clamav use":   "clamav_keys:\n  - name: x\n    use: other\n    n: \"123\"\n    e: 3\n",
		"wrong pgp fpr":    "openpgp_keys:\n  - name: x\n    fingerprint: 00\n    armored: x\n",
		"not yaml at all":  "{{{{",
		"small rsa number": "clamav_keys:\n  - name: x\n    use: cvd\n    n: \"123\"\n    e: 3\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseVendorTrust([]byte(in)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	_, err := ParseVendorTrust([]byte("authenticode_roots: []\nsurprise: 1\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("unknown key error does not name the line: %v", err)
	}
}
