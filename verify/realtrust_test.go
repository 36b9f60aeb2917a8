package verify

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/verify/verifytest"
)

// realTrust is the real vendors' anchors, made from the public samples in
// testdata/fixtures (the same files patchferry builds in, see
// media/evidence): ClamAV's legacy keys and production .sign root,
// Mozilla's release key, the Microsoft roots.
func realTrust(t testing.TB) *VendorTrust {
	t.Helper()
	nums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(verifytest.Fixture(t, "clamav/clamav-legacy-public-keys.txt")))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			nums[k] = v
		}
	}
	key := func(name, use, prefix string) ClamAVKey {
		e, err := strconv.ParseInt(nums[prefix+"_E"], 10, 64)
		if err != nil || nums[prefix+"_N"] == "" {
			t.Fatalf("legacy key %s: %v", prefix, err)
		}
		return ClamAVKey{Name: name, Use: use, N: nums[prefix+"_N"], E: e}
	}
	fixture := func(rel string) string { return string(verifytest.Fixture(t, rel)) }
	return &VendorTrust{Format: VendorTrustFormat, Vendors: []Anchors{
		{Vendor: "clamav",
			ClamAVKeys: []ClamAVKey{key("ClamAV CVD signing key (legacy dsig)", "cvd", "CVD"),
				key("ClamAV cdiff signing key", "cdiff", "CDIFF"), key("ClamAV .info signing key", "info", "INFO")},
			ClamAVSignRoots: []NamedPEM{{Name: "Cisco Software Identity Root CA RSA 4096 SHA512 2099", PEM: fixture("clamav/clamav.crt")}}},
		{Vendor: "microsoft", AuthenticodeSigners: []string{"Microsoft Corporation"}, AuthenticodeRoots: []NamedPEM{
			{Name: "Microsoft Root Certificate Authority 2010", PEM: fixture("authenticode-roots/microsoft-root-ca-2010.pem")},
			{Name: "Microsoft Root Certificate Authority 2011", PEM: fixture("authenticode-roots/microsoft-root-ca-2011.pem")}}},
		{Vendor: "mozilla", OpenPGPKeys: []NamedPGPKey{{Name: "Mozilla Software Releases <release@mozilla.com>",
			Fingerprint: "14F26682D0916CDD81E37B6D61B7B526D98F0353", Armored: fixture("openpgp/mozilla-KEY.asc")}}},
	}}
}
