package ledger

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// updateFixture rewrites testdata/ledger-v1.json. It is only meaningful with
// the code of commit a2a7147, the last one whose Append writes v1 rows (no
// version field); later code refuses, see TestWriteV1Fixture.
var updateFixture = flag.Bool("update-fixture", false,
	"rewrite testdata/ledger-v1.json with this commit's Append (meaningful only at commit a2a7147)")

// updateMixedFixture rewrites testdata/ledger-v1-v2.json: the v1 fixture
// continued by this commit's Append. Like the v1 fixture it stands for
// ledgers already in the field, so it is only meaningful at the commit that
// added it (git log --diff-filter=A -- mirror/ledger/testdata/ledger-v1-v2.json).
var updateMixedFixture = flag.Bool("update-mixed-fixture", false,
	"rewrite testdata/ledger-v1-v2.json (meaningful only at the commit that added it)")

const (
	v1Fixture    = "testdata/ledger-v1.json"
	mixedFixture = "testdata/ledger-v1-v2.json"
)

// fixtureFile is the raw content of the ledger bucket: every key (hex) and
// its value (the exact bytes, as a JSON string), in bbolt's key order.
type fixtureFile struct {
	Comment string         `json:"comment"`
	Entries []fixtureEntry `json:"entries"`
}

type fixtureEntry struct {
	Key   string `json:"key"`   // hex
	Value string `json:"value"` // the stored bytes
}

// v1FixtureRows are the rows of the v1 fixture: every result, scan verdicts,
// Japanese text, quotes, backslashes, HTML characters and a newline in
// reasons, nil and empty lists, zero and large sizes, times with and without
// fractions of a second and in another zone than UTC.
func v1FixtureRows() []Row {
	jst := time.FixedZone("JST", 9*3600)
	return []Row{
		{Time: time.Date(2026, 11, 20, 10, 0, 0, 0, jst), Operator: "山田 太郎", Result: ResultTrustChanged,
			ScanVerdict: ScanNotScanned, Reason: "mirror initialized; publisher key 3f1c0a9be27d4f01 trusted; approvals required: 1"},
		{Time: time.Date(2026, 11, 25, 9, 30, 5, 123456789, jst), Operator: "山田 太郎", Label: "USB-07",
			Bundle: "patchferry-city-2026-11-25", Sequence: 1, Signers: []string{"3f1c0a9be27d4f01"},
			Approvers: []string{"0f1e2d3c4b5a6978", "8796a5b4c3d2e1f0"}, Files: 12, Bytes: 734003200,
			Scanner: "clamscan --no-summary", ScannerVersion: "ClamAV 1.4.6/27835/Tue Nov 24 09:12:01 2026",
			ScanVerdict: ScanClean, Result: ResultImported},
		{Time: time.Date(2026, 11, 26, 14, 2, 0, 120000000, time.UTC), Operator: "佐藤 花子", Label: "USB-08",
			Bundle: "patchferry-city-2026-11-26", Sequence: 2, Base: 1, Signers: []string{}, Files: 3,
			ScanVerdict: ScanNotScanned, Result: ResultRefused,
			Reason: `署名を確認できません: "bundle.json.sig" は信頼する公開鍵 "publisher-2026" の署名ではありません`},
		{Time: time.Date(2026, 11, 27, 8, 15, 0, 0, time.UTC), Operator: "sato", Label: "USB-07",
			Bundle: "patchferry-city-2026-11-25", Sequence: 1, Signers: []string{"3f1c0a9be27d4f01"},
			Approvers: []string{"0f1e2d3c4b5a6978"}, Files: 12, ScanVerdict: ScanNotScanned,
			Result: ResultAlreadyImported, Reason: "the same bundle is already imported; nothing changed"},
		{Time: time.Date(2026, 12, 2, 9, 0, 0, 1, jst), Operator: "yamada", Label: "DVD-2026-12 <第1巻>",
			Bundle: "patchferry-city-2026-12-02", Sequence: 3, Base: 1, Signers: []string{"3f1c0a9be27d4f01"},
			Files: 4, Bytes: 5368709120, Scanner: "clamdscan --fdpass", ScannerVersion: "ClamAV 1.4.6/27843",
			ScanVerdict: ScanDetected, Result: ResultRefused,
			Reason: "virus found in \"firefox/Firefox Setup 145.0.exe\": Win.Test.EICAR_HDB-1 FOUND & <quarantined>\nsecond line\tafter a tab"},
		{Time: time.Date(2026, 12, 3, 17, 45, 30, 0, time.UTC), Operator: "yamada", Label: "USB-07",
			Bundle: "patchferry-city-2026-12-03", Sequence: 3, Base: 1, Files: 4, Bytes: 1,
			ScanVerdict: ScanError, Result: ResultFailed,
			Reason: "ディスクの空き容量が不足しています (write C:\\patchferry\\tmp\\.blob.tmp-1: no space left on device)"},
		{Time: time.Date(2026, 12, 4, 12, 0, 0, 0, jst), Operator: "佐藤 花子", Result: ResultTrustChanged,
			ScanVerdict: ScanNotScanned, Reason: `approver key "0f1e2d3c4b5a6978" removed; approvals required: 2`},
	}
}

// TestWriteV1Fixture writes the v1 fixture with this commit's Append when
// -update-fixture is given:
//
//	git checkout a2a7147 && go test ./mirror/ledger -run '^TestWriteV1Fixture$' -update-fixture
//
// The fixture stands for ledgers written by releases before the row format
// carried a version, so it must be written by that code: the test refuses
// when Append writes a version field.
func TestWriteV1Fixture(t *testing.T) {
	if !*updateFixture {
		t.Skip("writes " + v1Fixture + " only with -update-fixture, and only at commit a2a7147")
	}
	st, err := store.Create(filepath.Join(t.TempDir(), "mirror"), store.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, r := range v1FixtureRows() {
		if err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, r); return err }); err != nil {
			t.Fatal(err)
		}
	}
	writeFixture(t, st, v1Fixture, "the ledger bucket of a mirror.db written by Append at commit a2a7147 (v1 rows); see README.md",
		func(v []byte) {
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(v, &probe); err != nil {
				t.Fatal(err)
			}
			if _, ok := probe["v"]; ok {
				t.Fatalf("Append wrote a row format version (%s): this code does not write v1 rows; check out a2a7147 to regenerate the fixture", probe["v"])
			}
		})
}

// writeFixture dumps the ledger bucket of st to name; check sees each value.
func writeFixture(t *testing.T, st *store.Store, name, comment string, check func(v []byte)) {
	t.Helper()
	out := fixtureFile{Comment: comment}
	err := st.View(func(tx *bolt.Tx) error {
		return tx.Bucket(store.BucketLedger).ForEach(func(k, v []byte) error {
			check(v)
			out.Entries = append(out.Entries, fixtureEntry{Key: hex.EncodeToString(k), Value: string(v)})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWriteMixedFixture writes the mixed fixture when -update-mixed-fixture
// is given: the v1 fixture's rows, then the same rows appended by this
// commit's Append (v2).
func TestWriteMixedFixture(t *testing.T) {
	if !*updateMixedFixture {
		t.Skip("writes " + mixedFixture + " only with -update-mixed-fixture, and only at the commit that added it")
	}
	st, _ := loadFixture(t, v1Fixture)
	for _, r := range v1FixtureRows() {
		if err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, r); return err }); err != nil {
			t.Fatal(err)
		}
	}
	writeFixture(t, st, mixedFixture, "the v1 fixture continued by Append writing v2 rows; see README.md", func([]byte) {})
}

// loadFixture reads a fixture file and puts its entries, byte for byte, into
// the ledger bucket of a new store, which is closed when the test ends.
func loadFixture(t *testing.T, name string) (*store.Store, []fixtureEntry) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var f fixtureFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	st, err := store.Create(filepath.Join(t.TempDir(), "mirror"), store.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(store.BucketLedger)
		for _, e := range f.Entries {
			k, err := hex.DecodeString(e.Key)
			if err != nil {
				return err
			}
			if err := b.Put(k, []byte(e.Value)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, f.Entries
}

// TestV1Fixture: the ledger written by the release before the row format
// carried a version still reads back and verifies.
func TestV1Fixture(t *testing.T) {
	checkFixture(t, v1Fixture, v1FixtureRows())
}

// TestMixedFixture: a ledger of v1 rows continued by the first release
// that wrote v2 rows reads back and verifies, and takes more rows — also
// rows with a reason code, which its rows do not have.
func TestMixedFixture(t *testing.T) {
	st := checkFixture(t, mixedFixture, append(v1FixtureRows(), v1FixtureRows()...))
	next := Row{Time: t0, Operator: "next", Result: ResultRefused, Reason: "this is a delta on sequence 1, but the mirror is at sequence 3",
		ReasonCode: ReasonWrongBase, ReasonArgs: map[string]string{ArgSince: "3-ABCD"}} // a row with a reason code after rows without
	if err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, next); return err }); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, st); got[len(got)-1].ReasonCode != ReasonWrongBase || got[len(got)-2].ReasonCode != "" {
		t.Errorf("the last two rows have reason codes %q, %q", got[len(got)-2].ReasonCode, got[len(got)-1].ReasonCode)
	}
	if p := verifyLedger(t, st); len(p) != 0 {
		t.Errorf("Verify after one more row = %q", p)
	}
}

// checkFixture loads a fixture, verifies it and compares its rows with want.
func checkFixture(t *testing.T, name string, want []Row) *store.Store {
	t.Helper()
	st, entries := loadFixture(t, name)
	if len(entries) != len(want)+1 {
		t.Fatalf("%s has %d entries, want %d rows and the head", name, len(entries), len(want))
	}
	if p := verifyLedger(t, st); len(p) != 0 {
		t.Errorf("Verify of %s = %q, want no problems", name, p)
	}
	got := rows(t, st)
	if len(got) != len(want) {
		t.Fatalf("All returned %d rows, want %d", len(got), len(want))
	}
	prev := ""
	for i, r := range got {
		w := want[i]
		w.Number, w.Prev, w.Hash, w.Time = uint64(i+1), prev, r.Hash, w.Time.UTC()
		if !r.Time.Equal(w.Time) {
			t.Errorf("row %d: time %v, want %v", i+1, r.Time, w.Time)
		}
		r.Time = w.Time
		if !reflect.DeepEqual(r, w) {
			t.Errorf("row %d reads back as\n%+v\nwant\n%+v", i+1, r, w)
		}
		prev = r.Hash
	}
	return st
}
