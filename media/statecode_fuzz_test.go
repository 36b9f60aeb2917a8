package media

import (
	"fmt"
	"strings"
	"testing"
)

// FuzzParseStateCode: a state code is typed in from paper (`export
// --since`). Whatever ParseStateCode accepts is a sequence of at least 1 and
// a check of exactly four Crockford digits, and its canonical spelling
// "<sequence>-<check>" parses back to the same (also in lower case).
func FuzzParseStateCode(f *testing.F) {
	for _, s := range []string{
		"42-K7QF", "42-k7qf", " 42-K7QF\n", "1-0000", "18446744073709551615-ZZZZ", "18446744073709551616-ZZZZ",
		"0-K7QF", "42-O1IL", "42-ol1i", "42-K7Q", "42-K7QFX", "42K7QF", "-K7QF", "+42-K7QF", "042-K7QF",
		"42-K7QU", "42-K7Q\u017f", "42-\u0131AB", "42-ﬀAB", "42--K7Q", "4_2-K7QF", "42-K7QF-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, check, err := ParseStateCode(s)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("ParseStateCode(%q): error %q does not quote the input", s, err)
			}
			return
		}
		if seq == 0 || len(check) != 4 || strings.Trim(check, stateAlphabet) != "" {
			t.Fatalf("ParseStateCode(%q) = %d, %q: want a sequence ≥ 1 and 4 characters of %s", s, seq, check, stateAlphabet)
		}
		canonical := fmt.Sprintf("%d-%s", seq, check)
		for _, in := range []string{canonical, strings.ToLower(canonical)} {
			seq2, check2, err := ParseStateCode(in)
			if err != nil || seq2 != seq || check2 != check {
				t.Fatalf("ParseStateCode(%q) = %d, %q; its canonical form %q gives %d, %q, %v", s, seq, check, in, seq2, check2, err)
			}
		}
	})
}

// FuzzStateCode: a code made by StateCode for any sequence ≥ 1 and any
// catalog parses back to that sequence and its check, and CheckStateCode
// accepts it (in any case) for that state and refuses it for the next
// sequence.
func FuzzStateCode(f *testing.F) {
	f.Add(uint64(1), "mozilla", "firefox", "145.0", "")
	f.Add(uint64(42), "clamav", "daily", "27800", "ab")
	f.Add(^uint64(0), "", "", "", "\x00")
	f.Fuzz(func(t *testing.T, seq uint64, vendor, product, version, artifact string) {
		if seq == 0 {
			seq = 1 // sequences start at 1
		}
		c := Catalog{{Vendor: vendor, Product: product, Version: version, Artifacts: []string{artifact}}}
		code := StateCode(seq, c)
		got, check, err := ParseStateCode(code)
		if err != nil || got != seq || code != fmt.Sprintf("%d-%s", seq, check) {
			t.Fatalf("StateCode(%d) = %q, which parses to %d, %q, %v", seq, code, got, check, err)
		}
		for _, in := range []string{code, strings.ToLower(code), " " + code + "\n"} {
			if err := CheckStateCode(in, seq, c); err != nil {
				t.Fatalf("CheckStateCode(%q) for its own state: %v", in, err)
			}
		}
		if seq < ^uint64(0) && CheckStateCode(code, seq+1, c) == nil {
			t.Fatalf("CheckStateCode(%q) accepted sequence %d", code, seq+1)
		}
	})
}
