package ledger

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// TestCodesStable: reason codes, results and verdicts are stored, so each
// is unique and written in the plain form scripts can match.
func TestCodesStable(t *testing.T) {
	form := regexp.MustCompile(`^[a-z]+([- ][a-z]+)*$`)
	for _, list := range [][]string{ReasonCodes(), Results(), Verdicts()} {
		seen := make(map[string]bool)
		for _, c := range list {
			if !form.MatchString(c) {
				t.Errorf("code %q: want lower-case words separated by - or a space", c)
			}
			if seen[c] {
				t.Errorf("code %q listed twice", c)
			}
			seen[c] = true
		}
	}
	if len(ReasonCodes()) < 30 {
		t.Errorf("ReasonCodes lists %d codes", len(ReasonCodes()))
	}
}

// TestReasonCodeStored: a row's reason code and args are stored in the
// hashed body and read back; an edit of either breaks the chain; a row
// without a code is stored as rows were before codes existed; args from
// media are escaped.
func TestReasonCodeStored(t *testing.T) {
	st := ledgerStore(t, 1)
	args := map[string]string{ArgSince: "3-ABCD", "x\x1b[2K": "y\nz"}
	in := []Row{
		{Time: t0, Operator: "山田", Label: "USB-07", Result: ResultRefused, Reason: "this is a delta on sequence 1, but the mirror is at sequence 3",
			ReasonCode: ReasonWrongBase, ReasonArgs: args},
		{Time: t0, Operator: "山田", Result: ResultFailed, Reason: "something no code says"},
	}
	for _, r := range in {
		if err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, r); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if args["x\x1b[2K"] != "y\nz" {
		t.Error("Append changed the caller's args")
	}
	got := rows(t, st)
	if len(got) != 3 {
		t.Fatalf("%d rows", len(got))
	}
	want := map[string]string{ArgSince: "3-ABCD", `x\u001b[2K`: `y\nz`}
	if r := got[1]; r.ReasonCode != ReasonWrongBase || !reflect.DeepEqual(r.ReasonArgs, want) {
		t.Errorf("row 2 reads back with code %q, args %q; want %q, %q", r.ReasonCode, r.ReasonArgs, ReasonWrongBase, want)
	}
	if r := got[2]; r.ReasonCode != "" || r.ReasonArgs != nil {
		t.Errorf("row 3 reads back with code %q, args %q; want none", r.ReasonCode, r.ReasonArgs)
	}
	if p := verifyLedger(t, st); len(p) != 0 {
		t.Fatalf("Verify = %q", p)
	}
	err := st.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(store.BucketLedger)
		if v := b.Get(key(2)); !bytes.Contains(v, []byte(`"reason_code":"wrong-base","reason_args":{"since":"3-ABCD",`)) {
			t.Errorf("row 2 stored as %s", v)
		}
		if v := b.Get(key(3)); bytes.Contains(v, []byte("reason_code")) || bytes.Contains(v, []byte("reason_args")) {
			t.Errorf("row 3 (no code) stored as %s", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, edit := range [][2]string{
		{`"reason_code":"wrong-base"`, `"reason_code":"rollback"`},
		{`"since":"3-ABCD"`, `"since":"2-ABCD"`},
		{`"reason_code":"wrong-base",`, ``},
	} {
		st := ledgerStore(t, 1)
		for _, r := range in {
			if err := st.Update(func(tx *bolt.Tx) error { _, err := Append(tx, r); return err }); err != nil {
				t.Fatal(err)
			}
		}
		err := st.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(store.BucketLedger)
			v := string(b.Get(key(2)))
			if !strings.Contains(v, edit[0]) {
				t.Fatalf("row 2 %s holds no %s", v, edit[0])
			}
			return b.Put(key(2), []byte(strings.Replace(v, edit[0], edit[1], 1)))
		})
		if err != nil {
			t.Fatal(err)
		}
		if p := verifyLedger(t, st); len(p) != 1 || !strings.Contains(p[0], "row 2: content does not match") {
			t.Errorf("edit %q → %q: Verify = %q, want the edit of row 2", edit[0], edit[1], p)
		}
	}
}

// TestLineReasonCode: the system log line carries the stored code, never
// a translation, and a row without one is forwarded as before.
func TestLineReasonCode(t *testing.T) {
	r := Row{Number: 7, Hash: strings.Repeat("ab", 32), Time: t0, Result: ResultRefused, Sequence: 3, Reason: "bad",
		ReasonCode: ReasonSignature}
	if got := Line(r); !strings.Contains(got, ` result="refused" reason_code="signature" sequence=3 `) {
		t.Errorf("Line = %s, want the reason code after the result", got)
	}
	r.ReasonCode = ""
	if got := Line(r); strings.Contains(got, "reason_code") {
		t.Errorf("Line of a row without a code = %s", got)
	}
}
