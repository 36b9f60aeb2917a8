package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// TestAppendStoresV2 checks the v2 layout byte by byte: the stored value is
// the body (starting with "v":2) with the hash as its last member, the hash
// is SHA-256 over prev, a newline and the body, and Append returns the row
// exactly as All reads it back.
func TestAppendStoresV2(t *testing.T) {
	st := ledgerStore(t, 0)
	var appended []Row
	for _, r := range v1FixtureRows() {
		err := st.Update(func(tx *bolt.Tx) error {
			got, err := Append(tx, r)
			appended = append(appended, got)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	all := rows(t, st)
	if !reflect.DeepEqual(all, appended) {
		t.Errorf("All =\n%+v\nAppend returned\n%+v", all, appended)
	}
	err := st.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(store.BucketLedger)
		prev := ""
		for _, r := range appended {
			v := b.Get(key(r.Number))
			if start := fmt.Sprintf(`{"v":2,"number":%d,"time":`, r.Number); !bytes.HasPrefix(v, []byte(start)) {
				t.Errorf("row %d stored as %s, want it to start with %s", r.Number, v, start)
			}
			end := `,"prev":"` + prev + `","hash":"` + r.Hash + `"}`
			if !bytes.HasSuffix(v, []byte(end)) {
				t.Errorf("row %d stored as %s, want it to end with %s", r.Number, v, end)
			}
			body := append(bytes.Clone(v[:len(v)-len(end)]), `,"prev":"`+prev+`"}`...)
			if got := chainHash(prev, body); got != r.Hash {
				t.Errorf("row %d: SHA-256 of prev, newline and the body %s is %s, the row says %s", r.Number, body, got, r.Hash)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(body, &m); err != nil {
				t.Errorf("row %d: the body %s is not JSON: %v", r.Number, body, err)
			}
			if _, ok := m["hash"]; ok {
				t.Errorf("row %d: the body %s holds a hash", r.Number, body)
			}
			prev = r.Hash
		}
		want := fmt.Sprintf(`{"v":2,"number":%d,"hash":"%s"}`, len(appended), prev)
		if got := string(b.Get(headKey)); got != want {
			t.Errorf("head stored as %s, want %s", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := verifyLedger(t, st); len(p) != 0 {
		t.Errorf("Verify = %q", p)
	}
}

// appendBody appends a row whose body a future release wrote: body gets
// the row's number and the previous hash and returns the body's bytes,
// which are sealed by the v2 rule without any help from Row.
func appendBody(t *testing.T, st *store.Store, body func(number uint64, prev string) string) {
	t.Helper()
	err := st.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(store.BucketLedger)
		h, err := readHead(b.Get(headKey))
		if err != nil {
			return err
		}
		n := h.Number + 1
		bb := []byte(body(n, h.Hash))
		hash := chainHash(h.Hash, bb)
		if err := b.Put(key(n), seal(bb, hash)); err != nil {
			return err
		}
		hb, _ := json.Marshal(head{V: version, Number: n, Hash: hash})
		return b.Put(headKey, hb)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFutureRowsVerify: a later release that adds, drops or reorders fields
// of its rows (still v2: the hash covers whatever bytes it stores) leaves a
// ledger this release verifies, old rows and new ones alike.
func TestFutureRowsVerify(t *testing.T) {
	st := mixedStore(t)                                    // 7 v1 rows, 3 v2 rows
	appendBody(t, st, func(n uint64, prev string) string { // an added field, before and after prev
		return fmt.Sprintf(`{"v":2,"number":%d,"time":"2027-04-01T00:00:00Z","operator":"鈴木","result":"imported",`+
			`"terminals":1200,"prev":"%s","approval_note":"承認番号 \"A-1\" <済>"}`, n, prev)
	})
	appendBody(t, st, func(n uint64, prev string) string { // fields dropped and reordered, spaces
		return fmt.Sprintf(`{"v":2, "prev":"%s", "result":"refused", "number":%d}`, prev, n)
	})
	if err := st.Update(func(tx *bolt.Tx) error {
		_, err := Append(tx, Row{Time: t0, Operator: "today's release again", Result: ResultTrustChanged})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if p := verifyLedger(t, st); len(p) != 0 {
		t.Fatalf("Verify = %q, want no problems", p)
	}
	all := rows(t, st)
	if len(all) != 13 {
		t.Fatalf("All returned %d rows, want 13", len(all))
	}
	if r := all[10]; r.Number != 11 || r.Operator != "鈴木" || r.Result != ResultImported || r.Prev != all[9].Hash || r.Hash == "" {
		t.Errorf("the row with an added field reads back as %+v", r)
	}
	if r := all[11]; r.Number != 12 || r.Result != ResultRefused || r.Operator != "" {
		t.Errorf("the row with dropped fields reads back as %+v", r)
	}
	if r := all[12]; r.Prev != all[11].Hash {
		t.Errorf("the row appended after them links to %q, want %q", r.Prev, all[11].Hash)
	}

	// The added field is covered by the hash like every other byte.
	st = editDB(t, st, func(b *bolt.Bucket) error {
		return b.Put(key(11), bytes.Replace(b.Get(key(11)), []byte(`"terminals":1200`), []byte(`"terminals":1201`), 1))
	})
	if p := verifyLedger(t, st); len(p) != 1 || !strings.Contains(p[0], "row 11: content does not match its hash") {
		t.Errorf("Verify after editing the added field = %q, want row 11 only", p)
	}
}

// TestUnknownVersion: a row in a format this release does not know is
// reported once, and the rows after it are still checked against it.
func TestUnknownVersion(t *testing.T) {
	st := ledgerStore(t, 2)
	appendBody(t, st, func(n uint64, prev string) string {
		return fmt.Sprintf(`{"v":3,"number":%d,"prev":"%s","merkle":"…"}`, n, prev)
	})
	if err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, Row{Operator: "after"}); return err }); err != nil {
		t.Fatal(err)
	}
	p := verifyLedger(t, st)
	if len(p) != 1 || !strings.Contains(p[0], "row 3: format version 3 is unknown") {
		t.Errorf("Verify = %q, want exactly row 3 reported as of an unknown format", p)
	}

	// A head in an unknown format: Append refuses rather than guess.
	st = editDB(t, st, func(b *bolt.Bucket) error {
		return b.Put(headKey, []byte(`{"v":3,"number":4,"hash":"x"}`))
	})
	err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, Row{Operator: "refused"}); return err })
	var uv *unknownVersionError
	if !errors.As(err, &uv) || uv.Version != 3 {
		t.Errorf("Append after a v3 head = %v, want an unknownVersionError for version 3", err)
	}
	if p := verifyLedger(t, st); len(p) == 0 || !strings.Contains(p[len(p)-1], "ledger head: format version 3 is unknown") {
		t.Errorf("Verify with a v3 head = %q", p)
	}
}

func TestUnseal(t *testing.T) {
	hash := strings.Repeat("0123456789abcdef", 4)
	for _, tc := range []struct {
		stored, body string
	}{
		{`{"v":2,"hash":"` + hash + `"}`, `{"v":2}`},
		{`{"v":2,"a":"}","hash":"` + hash + `"}`, `{"v":2,"a":"}"}`},
		{`{"v":2,"hash":"` + strings.ToUpper(hash) + `"}`, ""},   // not as chainHash writes it
		{`{"v":2,"hash":"` + hash[1:] + `"}`, ""},                // short
		{`{"v":2,"hash":"` + hash + `" }`, ""},                   // not the exact end
		{`{"v":2,"hash":"` + hash + `"},`, ""},                   // trailing byte
		{`{"v":2,"hash" :"` + hash + `"}`, ""},                   // not the exact member
		{`{"hash":"` + hash + `"}`, ""},                          // not a member after the body
		{`,"hash":"` + hash + `"}`, ""},                          // no object
		{`{"v":2,"hash":"` + hash + `","x":"` + hash + `"}`, ""}, // hash not last
	} {
		body, h, err := unseal([]byte(tc.stored))
		if tc.body == "" {
			if err == nil {
				t.Errorf("unseal(%s) = %s, %s; want an error", tc.stored, body, h)
			}
			continue
		}
		if err != nil || string(body) != tc.body || h != hash {
			t.Errorf("unseal(%s) = %s, %s, %v; want %s", tc.stored, body, h, err, tc.body)
		}
		if again := seal(body, h); string(again) != tc.stored {
			t.Errorf("seal(unseal(%s)) = %s", tc.stored, again)
		}
	}
}

// TestV1FixtureEdited: one byte edited in any row of the v1 fixture (the
// reason's last letter) fails verification, naming that row.
func TestV1FixtureEdited(t *testing.T) {
	for n := uint64(1); n <= uint64(len(v1FixtureRows())); n++ {
		st, _ := loadFixture(t, v1Fixture)
		st = editDB(t, st, func(b *bolt.Bucket) error {
			v := bytes.Clone(b.Get(key(n)))
			i := bytes.Index(v, []byte(`","prev":`)) - 1 // the reason's last byte, or the opening quote when empty
			v[i] ^= 0x01
			return b.Put(key(n), v)
		})
		p := verifyLedger(t, st)
		want := fmt.Sprintf("row %d: ", n)
		if len(p) == 0 || !strings.HasPrefix(p[0], want) {
			t.Errorf("row %d edited: Verify = %q, want a problem with %q first", n, p, want)
		}
	}
}
