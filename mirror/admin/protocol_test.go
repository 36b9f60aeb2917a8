package admin

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/patchferry/patchferry/mirror/service"
)

// FuzzDecodeRequest feeds every request decoder of the server: JSON
// requests of each operation, and the import header. Property: what is
// accepted encodes and decodes back to the same value, and an accepted
// import header passes its checks again after the round trip.
func FuzzDecodeRequest(f *testing.F) {
	two := 2
	for _, v := range []any{
		empty{},
		service.Refusal{Operator: "山田", Label: "USB-07", Reason: "autorun.inf: bundle layout is wrong"},
		service.TrustChange{Operator: "kacho", AddApprovers: []string{"-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----\n"},
			RemovePublishers: []string{"0123456789ABCDEF"}, Approvals: &two, VendorTrust: &service.VendorTrustFile{Name: "vt.yaml", YAML: "authenticode_roots: []\n"}},
		service.ScrubRequest{},
		service.GCRequest{Keep: 3},
	} {
		b, _ := json.Marshal(v)
		f.Add(b, false)
	}
	for _, h := range []importHeader{
		{Operator: "tanaka", Label: "USB-07", Dirs: []string{"/media/usb/patchferry-city-7"}},
		{Scanner: []string{"clamscan", "--no-summary"}, Dirs: []string{`E:\patchferry-city-7-vol01of02`, `F:\patchferry-city-7-vol02of02`}},
	} {
		var buf bytes.Buffer
		writeImportHeader(&buf, &h)
		f.Add(buf.Bytes(), true)
	}
	f.Add([]byte(`{"keep": 1, "extra": 2}`), false)
	f.Add([]byte{0, 0, 0, 2, '{', '}'}, true)
	f.Fuzz(func(t *testing.T, b []byte, isImport bool) {
		if isImport {
			h, err := readImportHeader(bytes.NewReader(b))
			if err != nil {
				return
			}
			var buf bytes.Buffer
			if err := writeImportHeader(&buf, h); err != nil {
				t.Fatalf("an accepted header does not encode: %v", err)
			}
			h2, err := readImportHeader(&buf)
			if err != nil || !reflect.DeepEqual(h, h2) {
				t.Fatalf("header changed through the wire: %+v → %+v (%v)", h, h2, err)
			}
			return
		}
		for _, v := range []any{&empty{}, &service.Refusal{}, &service.TrustChange{}, &service.GCRequest{}, &service.ScrubRequest{}} {
			if err := decodeJSON(bytes.NewReader(b), maxRequest, v); err != nil {
				continue
			}
			enc, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("an accepted %T does not encode: %v", v, err)
			}
			v2 := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := decodeJSON(bytes.NewReader(enc), maxRequest, v2); err != nil || !reflect.DeepEqual(v, v2) {
				t.Fatalf("%T changed through the wire: %+v → %+v (%v)", v, v, v2, err)
			}
		}
	})
}
