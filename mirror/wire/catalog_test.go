package wire

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleCatalog() *Catalog {
	created := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	expires := created.AddDate(0, 0, 30)
	return &Catalog{Site: "kofu-city", Sequence: 3, StateCode: "3-ABCD-EFGH", Created: created, Expires: &expires,
		Artifacts: []CatalogArtifact{{Vendor: "mozilla", Product: "firefox-esr", Version: "128.5.0esr", ProductVersion: "128.5.0esr",
			Platform: "win64", Language: "ja", Kind: "installer-exe", BuildID: "20241118000000", FileName: "Firefox Setup 128.5.0esr.exe",
			Size: 60 << 20, SHA256: strings.Repeat("ab", 32), Released: created.AddDate(0, 0, -2), Sequence: 2,
			URL: "/blobs/sha256/" + strings.Repeat("ab", 32), FilesURL: FilesURL("mozilla", "firefox-esr", "128.5.0esr", "win64", "ja", "Firefox Setup 128.5.0esr.exe"),
			Method: "mozilla-sha512sums"}},
		Products: []Product{{Vendor: "mozilla", Product: "firefox-esr", Platform: "win64", Version: "128.5.0esr", SHA256: []string{strings.Repeat("ab", 32)}}},
		History:  []HistoryVersion{{Vendor: "clamav", Product: "daily", Version: "2", FirstSequence: 1}},
		Bundles:  []BundleRef{{Sequence: 2, ManifestSHA256: strings.Repeat("cd", 32), Approvals: []string{"approvals/kacho.sig"}}},
		Manifest: []byte(`{"format":1}`), Signature: []byte{1, 2, 3}, Approvals: []Approval{{Name: "approvals/kacho.sig", Signature: []byte{4}}},
	}
}

func TestCatalogRoundTrip(t *testing.T) {
	c := sampleCatalog()
	b, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeCatalog(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("decode(encode(c)) = %+v, want %+v", got, c)
	}
	if got.Artifacts[0].FilesURL != "/files/mozilla/firefox-esr/128.5.0esr/win64/ja/Firefox%20Setup%20128.5.0esr.exe" {
		t.Errorf("FilesURL %q", got.Artifacts[0].FilesURL)
	}
	for _, bad := range []string{"", "[]", `{"site":1}`, `{} {}`, `{"site":"x"} x`} {
		if _, err := DecodeCatalog(strings.NewReader(bad)); err == nil {
			t.Errorf("DecodeCatalog(%q) passed", bad)
		}
	}
	big := `{"site":"` + strings.Repeat("a", MaxCatalogSize) + `"}`
	if _, err := DecodeCatalog(strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("a catalog over the limit: %v", err)
	}
}

// FuzzDecodeCatalog: whatever decodes encodes to bytes that decode to the
// same catalog (decode ∘ encode = identity on decoded catalogs, compared
// through their encodings, which also pins time zones).
func FuzzDecodeCatalog(f *testing.F) {
	b, _ := sampleCatalog().Encode()
	f.Add(b)
	f.Add([]byte(`{"site":"a","expires":null,"artifacts":[{"released":"2026-01-02T03:04:05+09:00"}]}`))
	f.Add([]byte(`{"manifest":"e30=","products":[{"sha256":[]}],"unknown":1}`))
	f.Add([]byte(`{"site":"\u001b[31m\ud800"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := DecodeCatalog(bytes.NewReader(in))
		if err != nil {
			return
		}
		enc, err := c.Encode()
		if err != nil {
			t.Fatalf("Encode of a decoded catalog: %v", err)
		}
		again, err := DecodeCatalog(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("the encoding of a decoded catalog does not decode: %v\n%s", err, enc)
		}
		enc2, err := again.Encode()
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("decode(encode(c)) differs from c:\n%s\n%s", enc, enc2)
		}
	})
}
