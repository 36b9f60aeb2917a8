package ledger

import (
	"encoding/json"
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

// TestVerifyDetects edits mirror.db behind the store's back, the way
// someone with the file could, and expects Verify to notice.
func TestVerifyDetects(t *testing.T) {
	editJSON := func(n uint64, fn func(r *Row)) func(t *testing.T, b *bolt.Bucket) {
		return func(t *testing.T, b *bolt.Bucket) {
			var r Row
			if err := json.Unmarshal(b.Get(key(n)), &r); err != nil {
				t.Fatal(err)
			}
			fn(&r)
			data, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Put(key(n), data); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name string
		edit func(t *testing.T, b *bolt.Bucket)
		want string
	}{
		{
			name: "operator of row 2 edited in the raw JSON",
			edit: func(t *testing.T, b *bolt.Bucket) {
				v := string(b.Get(key(2)))
				edited := strings.Replace(v, `"operator":"operator 2"`, `"operator":"someone else"`, 1)
				if edited == v {
					t.Fatalf("row 2 %s has no operator field to edit", v)
				}
				if err := b.Put(key(2), []byte(edited)); err != nil {
					t.Fatal(err)
				}
			},
			want: "row 2: content does not match its hash",
		},
		{
			name: "result of row 2 edited",
			edit: editJSON(2, func(r *Row) { r.Result = ResultRefused }),
			want: "row 2: content does not match its hash",
		},
		{
			name: "row 2 edited and its hash recomputed",
			edit: editJSON(2, func(r *Row) { r.Bytes = 1; r.Hash = r.computeHash() }),
			want: "row 3: does not link to the row before it",
		},
		{
			name: "middle row deleted",
			edit: func(t *testing.T, b *bolt.Bucket) {
				if err := b.Delete(key(2)); err != nil {
					t.Fatal(err)
				}
			},
			want: "row 2: numbered 3",
		},
		{
			name: "last row deleted, head kept",
			edit: func(t *testing.T, b *bolt.Bucket) {
				if err := b.Delete(key(3)); err != nil {
					t.Fatal(err)
				}
			},
			want: "should end at row 3 but ends at row 2",
		},
		{
			name: "rows 1 and 2 swapped",
			edit: func(t *testing.T, b *bolt.Bucket) {
				r1, r2 := append([]byte(nil), b.Get(key(1))...), append([]byte(nil), b.Get(key(2))...)
				if err := b.Put(key(1), r2); err != nil {
					t.Fatal(err)
				}
				if err := b.Put(key(2), r1); err != nil {
					t.Fatal(err)
				}
			},
			want: "row 1: numbered 2",
		},
		{
			name: "row inserted at the end with a correct chain but head not moved",
			edit: func(t *testing.T, b *bolt.Bucket) {
				var last Row
				if err := json.Unmarshal(b.Get(key(3)), &last); err != nil {
					t.Fatal(err)
				}
				r := Row{Number: 4, Operator: "intruder", Result: ResultImported, Prev: last.Hash}
				r.Hash = r.computeHash()
				data, _ := json.Marshal(r)
				if err := b.Put(key(4), data); err != nil {
					t.Fatal(err)
				}
			},
			want: "should end at row 3 but ends at row 4",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := ledgerStore(t, 3)
			dir := st.Dir()
			st.Close()
			db, err := bolt.Open(filepath.Join(dir, store.DBName), 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(func(tx *bolt.Tx) error { tc.edit(t, tx.Bucket(store.BucketLedger)); return nil }); err != nil {
				t.Fatal(err)
			}
			db.Close()
			st, err = store.Open(dir, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			problems := verifyLedger(t, st)
			found := false
			for _, p := range problems {
				found = found || strings.Contains(p, tc.want)
			}
			if !found {
				t.Errorf("Verify = %q, want a problem containing %q", problems, tc.want)
			}
		})
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
