package ledger

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.FixedZone("JST", 9*3600))

// ledgerStore makes a store with n ledger rows and closes it when the test
// ends.
func ledgerStore(t *testing.T, n int) *store.Store {
	t.Helper()
	st, err := store.Create(filepath.Join(t.TempDir(), "mirror"), store.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i := range n {
		r := Row{Time: t0.Add(time.Duration(i) * time.Hour), Operator: fmt.Sprintf("operator %d", i+1),
			Label: "USB-07", Bundle: fmt.Sprintf("patchferry-city-%d", i+1), Sequence: uint64(i + 1),
			Files: 3, Bytes: 1 << 20, Result: ResultImported, ScanVerdict: ScanNotScanned}
		if err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, r); return err }); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func rows(t *testing.T, st *store.Store) []Row {
	t.Helper()
	var out []Row
	if err := st.View(func(tx *bolt.Tx) (err error) { out, err = All(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return out
}

func verifyLedger(t *testing.T, st *store.Store) []string {
	t.Helper()
	var problems []string
	if err := st.View(func(tx *bolt.Tx) (err error) { problems, err = Verify(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return problems
}

func TestAppend(t *testing.T) {
	st := ledgerStore(t, 3)
	got := rows(t, st)
	if len(got) != 3 {
		t.Fatalf("All returned %d rows, want 3", len(got))
	}
	prev := ""
	for i, r := range got {
		if r.Number != uint64(i+1) {
			t.Errorf("row %d numbered %d", i+1, r.Number)
		}
		if r.Prev != prev {
			t.Errorf("row %d: prev %q, want the hash of the row before (%q)", r.Number, r.Prev, prev)
		}
		if len(r.Hash) != 64 || r.Hash == prev {
			t.Errorf("row %d: hash %q", r.Number, r.Hash)
		}
		if r.Time.Location() != time.UTC || !r.Time.Equal(t0.Add(time.Duration(i)*time.Hour)) {
			t.Errorf("row %d: time %v, want %v in UTC", r.Number, r.Time, t0.Add(time.Duration(i)*time.Hour))
		}
		if r.Operator != fmt.Sprintf("operator %d", i+1) {
			t.Errorf("row %d: operator %q", r.Number, r.Operator)
		}
		prev = r.Hash
	}
	if p := verifyLedger(t, st); len(p) != 0 {
		t.Errorf("Verify of an untouched ledger = %q", p)
	}
	// An empty ledger is intact too.
	if p := verifyLedger(t, ledgerStore(t, 0)); len(p) != 0 {
		t.Errorf("Verify of an empty ledger = %q", p)
	}
}

func TestAppendAfterTamperingStaysDetected(t *testing.T) {
	// A row appended after an edit must not hide the edit.
	st := ledgerStore(t, 2)
	err := st.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(store.BucketLedger)
		return b.Put(key(1), []byte(strings.Replace(string(b.Get(key(1))), `"files":3`, `"files":4`, 1)))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, Row{Operator: "later"}); return err }); err != nil {
		t.Fatal(err)
	}
	problems := verifyLedger(t, st)
	if len(problems) != 1 || !strings.Contains(problems[0], "row 1: content does not match") {
		t.Errorf("Verify = %q, want exactly the edit of row 1", problems)
	}
}
