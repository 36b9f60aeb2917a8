package ledger

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// A ledgerFormat makes ledgers whose rows are stored in one format version,
// and re-hashes an edited row the way that version does (what someone who
// knows the rule could do to hide an edit).
type ledgerFormat struct {
	name   string
	make   func(t *testing.T) *store.Store // rows 1, 2, 3, … (at least 3)
	rehash func(t *testing.T, r Row) []byte
}

func ledgerFormats() []ledgerFormat {
	return []ledgerFormat{
		{name: "v1", make: func(t *testing.T) *store.Store { st, _ := loadFixture(t, v1Fixture); return st }, rehash: rehashV1},
		{name: "v2", make: func(t *testing.T) *store.Store { return ledgerStore(t, 4) }, rehash: rehashV2},
		{name: "v1 then v2", make: mixedStore, rehash: rehashV2},
	}
}

// mixedStore is the v1 fixture with three v2 rows appended by this release.
func mixedStore(t *testing.T) *store.Store {
	t.Helper()
	st, _ := loadFixture(t, v1Fixture)
	for i := range 3 {
		r := Row{Time: t0.Add(time.Duration(i) * time.Minute), Operator: "後藤", Label: "USB-09", Result: ResultImported,
			Signers: []string{"3f1c0a9be27d4f01"}, Files: i, Bytes: int64(i) << 30, ScanVerdict: ScanClean}
		if err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, r); return err }); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func rehashV1(t *testing.T, r Row) []byte {
	t.Helper()
	var r1 rowV1
	convert(t, r, &r1)
	r1.Hash = r1.hashV1()
	b, err := json.Marshal(r1)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rehashV2(t *testing.T, r Row) []byte {
	t.Helper()
	b, _, err := encode(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func convert(t *testing.T, from, to any) {
	t.Helper()
	b, err := json.Marshal(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, to); err != nil {
		t.Fatal(err)
	}
}

// editDB edits the ledger bucket of st's mirror.db behind the store's
// back, the way someone with the file could, and reopens the store.
func editDB(t *testing.T, st *store.Store, edit func(b *bolt.Bucket) error) *store.Store {
	t.Helper()
	dir := st.Dir()
	st.Close()
	db, err := bolt.Open(filepath.Join(dir, store.DBName), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return edit(tx.Bucket(store.BucketLedger)) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// lastNumber is the number of the last row in b.
func lastNumber(b *bolt.Bucket) uint64 {
	var n uint64
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) == 8 {
			n = binary.BigEndian.Uint64(k)
		}
	}
	return n
}

func getRow(b *bolt.Bucket, n uint64) (Row, error) {
	var r Row
	err := json.Unmarshal(b.Get(key(n)), &r)
	return r, err
}

// TestVerifyDetects: every kind of tampering is found, in ledgers of v1
// rows, of v2 rows, and of v1 rows continued with v2 rows. In the mixed
// ledger, "last" is a v2 row and rows 1 and 2 are v1 rows.
func TestVerifyDetects(t *testing.T) {
	type edit func(t *testing.T, f ledgerFormat, b *bolt.Bucket, last uint64) error
	cases := []struct {
		name string
		edit edit
		want func(last uint64) string
	}{
		{
			name: "one byte of the operator of row 2 edited in the stored bytes",
			edit: func(t *testing.T, _ ledgerFormat, b *bolt.Bucket, _ uint64) error {
				v := b.Get(key(2))
				i := bytes.Index(v, []byte(`"operator":"`))
				if i < 0 {
					t.Fatalf("row 2 %s has no operator", v)
				}
				e := bytes.Clone(v)
				e[i+len(`"operator":"`)] ^= 0x01
				return b.Put(key(2), e)
			},
			want: fixed("row 2: content does not match its hash"),
		},
		{
			name: "result of the last row edited",
			edit: func(t *testing.T, f ledgerFormat, b *bolt.Bucket, last uint64) error {
				v := b.Get(key(last))
				e := bytes.Replace(v, []byte(`"result":"`), []byte(`"result":"not `), 1)
				if bytes.Equal(e, v) {
					t.Fatalf("row %d %s has no result", last, v)
				}
				return b.Put(key(last), e)
			},
			want: func(last uint64) string { return fmt.Sprintf("row %d: content does not match its hash", last) },
		},
		{
			name: "row 2 edited and its hash recomputed",
			edit: func(t *testing.T, f ledgerFormat, b *bolt.Bucket, _ uint64) error {
				r, err := getRow(b, 2)
				if err != nil {
					return err
				}
				r.Bytes++
				return b.Put(key(2), f.rehash(t, r))
			},
			want: fixed("row 3: does not link to the row before it"),
		},
		{
			name: "middle row deleted",
			edit: func(t *testing.T, _ ledgerFormat, b *bolt.Bucket, _ uint64) error { return b.Delete(key(2)) },
			want: fixed("row 2: numbered 3"),
		},
		{
			name: "last row deleted, head kept",
			edit: func(t *testing.T, _ ledgerFormat, b *bolt.Bucket, last uint64) error { return b.Delete(key(last)) },
			want: func(last uint64) string {
				return fmt.Sprintf("should end at row %d but ends at row %d", last, last-1)
			},
		},
		{
			name: "last row replaced by a linked, correctly hashed row; head kept",
			edit: func(t *testing.T, f ledgerFormat, b *bolt.Bucket, last uint64) error {
				r, err := getRow(b, last)
				if err != nil {
					return err
				}
				r.Operator = "intruder"
				return b.Put(key(last), f.rehash(t, r))
			},
			want: func(last uint64) string {
				return fmt.Sprintf("row %d: is not the last row the ledger head records", last)
			},
		},
		{
			name: "rows 1 and 2 swapped",
			edit: func(t *testing.T, _ ledgerFormat, b *bolt.Bucket, _ uint64) error {
				r1, r2 := bytes.Clone(b.Get(key(1))), bytes.Clone(b.Get(key(2)))
				return errors.Join(b.Put(key(1), r2), b.Put(key(2), r1))
			},
			want: fixed("row 1: numbered 2"),
		},
		{
			name: "row inserted at the end with a correct chain but head not moved",
			edit: func(t *testing.T, f ledgerFormat, b *bolt.Bucket, last uint64) error {
				prev, err := getRow(b, last)
				if err != nil {
					return err
				}
				r := Row{Number: last + 1, Operator: "intruder", Result: ResultImported, Prev: prev.Hash}
				return b.Put(key(last+1), f.rehash(t, r))
			},
			want: func(last uint64) string { return fmt.Sprintf("should end at row %d but ends at row %d", last, last+1) },
		},
		{
			name: "row inserted in the middle, renumbering the rest",
			edit: func(t *testing.T, f ledgerFormat, b *bolt.Bucket, last uint64) error {
				for n := last; n >= 2; n-- {
					if err := b.Put(key(n+1), bytes.Clone(b.Get(key(n)))); err != nil {
						return err
					}
				}
				one, err := getRow(b, 1)
				if err != nil {
					return err
				}
				r := Row{Number: 2, Operator: "intruder", Result: ResultImported, Prev: one.Hash}
				return b.Put(key(2), f.rehash(t, r))
			},
			want: fixed("row 3: numbered 2"),
		},
		{
			name: "head deleted",
			edit: func(t *testing.T, _ ledgerFormat, b *bolt.Bucket, _ uint64) error { return b.Delete(headKey) },
			want: func(last uint64) string { return fmt.Sprintf("should end at row 0 but ends at row %d", last) },
		},
		{
			name: "a row's bytes cut short",
			edit: func(t *testing.T, _ ledgerFormat, b *bolt.Bucket, _ uint64) error {
				v := b.Get(key(2))
				return b.Put(key(2), bytes.Clone(v[:len(v)/2]))
			},
			want: fixed("row 2: cannot be read"),
		},
	}
	for _, f := range ledgerFormats() {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				st := f.make(t)
				var last uint64
				st = editDB(t, st, func(b *bolt.Bucket) error {
					last = lastNumber(b)
					return tc.edit(t, f, b, last)
				})
				problems := verifyLedger(t, st)
				want := tc.want(last)
				found := false
				for _, p := range problems {
					found = found || strings.Contains(p, want)
				}
				if !found {
					t.Errorf("Verify = %q, want a problem containing %q", problems, want)
				}
			})
		}
	}
}

func fixed(s string) func(uint64) string { return func(uint64) string { return s } }

// TestVerifyEveryByte flips bits in every byte of a v1 row and of a v2 row
// of a mixed ledger: Verify must report each edit. A v1 row is hashed over
// its re-encoding, so v1 can miss edits that decode to the same row (a hex
// digit's case in a \u escape); those are skipped for v1 and counted. A v2
// row is hashed over its exact stored bytes: no edit may pass.
func TestVerifyEveryByte(t *testing.T) {
	st := mixedStore(t)
	errRollback := errors.New("roll back")
	for _, tc := range []struct {
		n       uint64
		version int
	}{{5, 1}, {9, 2}} { // row 5 has \u escapes, a newline and a tab; row 9 is the second v2 row
		var missedSame int
		err := st.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(store.BucketLedger)
			orig := bytes.Clone(b.Get(key(tc.n)))
			l, err := readLink(orig)
			if err != nil || l.version != tc.version {
				t.Fatalf("row %d: version %d (%v), want %d", tc.n, l.version, err, tc.version)
			}
			var want rowV1
			_ = json.Unmarshal(orig, &want)
			for i := range orig {
				for _, bit := range []byte{0x01, 0x20} {
					e := bytes.Clone(orig)
					e[i] ^= bit
					if err := b.Put(key(tc.n), e); err != nil {
						return err
					}
					p, err := Verify(tx)
					if err != nil {
						return err
					}
					if len(p) > 0 {
						continue
					}
					var got rowV1
					if tc.version == 1 && json.Unmarshal(e, &got) == nil && reflect.DeepEqual(got, want) {
						missedSame++
						continue
					}
					t.Errorf("row %d (v%d): byte %d changed from %q to %q, Verify found nothing:\n%s", tc.n, tc.version, i, orig[i], e[i], e)
				}
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		t.Logf("row %d (v%d): every byte flipped two ways; %d edits that decode to the same row passed", tc.n, tc.version, missedSame)
		if tc.version != 1 && missedSame != 0 {
			t.Errorf("row %d (v%d): %d edits passed", tc.n, tc.version, missedSame)
		}
	}
	if p := verifyLedger(t, st); len(p) != 0 {
		t.Errorf("after the rolled-back edits Verify = %q", p)
	}
}
