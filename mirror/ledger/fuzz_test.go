package ledger

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// FuzzReadLink feeds stored row bytes, seeded from the fixtures and a row
// with a reason code, to the row reader. Properties: it never panics; a v2 row it reads is exactly its
// body sealed with its hash (nothing stored outside what the hash covers
// but the hash itself); a row it calls intact has a hash that is
// chainHash's output.
func FuzzReadLink(f *testing.F) {
	for _, name := range []string{v1Fixture, mixedFixture} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var ff fixtureFile
		if err := json.Unmarshal(data, &ff); err != nil {
			f.Fatal(err)
		}
		for _, e := range ff.Entries {
			f.Add([]byte(e.Value))
		}
	}
	// A row with a reason code and args, as this release writes it.
	coded, _, err := encode(Row{Number: 1, Time: t0, Result: ResultRefused, Reason: "delta on 1, mirror at 3",
		ReasonCode: ReasonWrongBase, ReasonArgs: map[string]string{ArgSince: "3-ABCD"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(coded)
	f.Fuzz(func(t *testing.T, stored []byte) {
		l, err := readLink(stored)
		if err != nil {
			return
		}
		if l.version == 2 {
			body, hash, err := unseal(stored)
			if err != nil || hash != l.hash || !bytes.Equal(seal(body, hash), stored) {
				t.Fatalf("v2 row %q: unseal → %q, %q, %v; it does not seal back", stored, body, hash, err)
			}
		}
		if l.intact && !isHash(l.hash) {
			t.Fatalf("row %q intact with hash %q", stored, l.hash)
		}
	})
}
