package ledger

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// canonicalCode is the form String writes.
var canonicalCode = regexp.MustCompile(`^[1-9][0-9]*-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

// TestCodeOfRule recomputes the code rule of doc.go independently: the
// first 75 bits of SHA-256 of the domain, number and hash as one big
// number, in base 32; then the Luhn mod 32 character.
func TestCodeOfRule(t *testing.T) {
	for _, tc := range []struct {
		n    uint64
		hash string
	}{{1, strings.Repeat("0", 64)}, {42, "1f43" + strings.Repeat("ab", 30)}, {1<<64 - 1, ""}} {
		sum := sha256.Sum256([]byte("patchferry ledger code v1\n" + strconv.FormatUint(tc.n, 10) + "\n" + tc.hash))
		v := new(big.Int).Rsh(new(big.Int).SetBytes(sum[:]), 256-75)
		digits := v.Text(32) // 0-9a-v
		digits = strings.Repeat("0", 15-len(digits)) + digits
		var data []byte
		for _, d := range digits {
			x, _ := strconv.ParseUint(string(d), 32, 8)
			data = append(data, byte(x))
		}
		var want strings.Builder
		for _, x := range append(data, luhnByHand(tc.n, data)) {
			want.WriteByte(codeAlphabet[x])
		}
		w := want.String()
		wantCode := strconv.FormatUint(tc.n, 10) + "-" + w[0:4] + "-" + w[4:8] + "-" + w[8:12] + "-" + w[12:16]
		if got := CodeOf(tc.n, tc.hash).String(); got != wantCode {
			t.Errorf("CodeOf(%d, %q) = %s, want %s", tc.n, tc.hash, got, wantCode)
		}
	}
}

// luhnByHand is Luhn mod N as usually written: double every second
// code point from the right, sum the base-N digits, and add what makes
// the total a multiple of N.
func luhnByHand(n uint64, data []byte) byte {
	var cps []int
	for _, d := range strconv.FormatUint(n, 10) {
		cps = append(cps, int(d-'0'))
	}
	for _, d := range data {
		cps = append(cps, int(d))
	}
	sum := 0
	for i := range cps {
		cp := cps[len(cps)-1-i]
		if i%2 == 0 {
			cp *= 2
		}
		sum += cp/32 + cp%32
	}
	return byte((32 - sum%32) % 32)
}

func TestParseCode(t *testing.T) {
	c := CodeOf(12, strings.Repeat("7", 64))
	s := c.String()
	if !canonicalCode.MatchString(s) {
		t.Fatalf("code %q is not canonical", s)
	}
	plain := strings.ReplaceAll(s[3:], "-", "")
	misread := strings.NewReplacer("0", "O", "1", "I").Replace(plain)
	for _, in := range []string{s, " " + s + "\n", strings.ToLower(s), "12-" + plain, "12-" + plain[:8] + " " + plain[8:],
		"12-" + misread, "12-" + strings.ReplaceAll(plain, "1", "l"), "012-" + plain} {
		got, err := ParseCode(in)
		if err != nil || got != c {
			t.Errorf("ParseCode(%q) = %v, %v; want %v", in, got, err, c)
		}
	}
	for _, in := range []string{"", "12", "12-", "-" + plain, "0-" + plain, "x-" + plain, "12-" + plain[:15], "12-" + plain + "0",
		"12-" + plain[:15] + "U", "+12-" + plain, "99999999999999999999-" + plain, "12-" + plain + strings.Repeat("-", 80),
		"12-" + plain[:4] + "_" + plain[4:], "１２-" + plain} {
		if _, err := ParseCode(in); !errors.Is(err, ErrCodeFormat) {
			t.Errorf("ParseCode(%q) = %v, want ErrCodeFormat", in, err)
		}
	}
}

// TestParseCodeMiswritten: every code with one character written wrong —
// in the number or the check — is refused as miswritten or, for the
// number, names another row; none is taken for the code.
func TestParseCodeMiswritten(t *testing.T) {
	for n := range uint64(50) {
		c := CodeOf(n+1, strings.Repeat("ab", 32))
		s := []byte(c.String())
		for i := range s {
			if s[i] == '-' {
				continue
			}
			alphabet := codeAlphabet
			if i < strings.IndexByte(string(s), '-') {
				alphabet = "0123456789"
			}
			for _, r := range []byte(alphabet) {
				if r == s[i] {
					continue
				}
				e := append([]byte(nil), s...)
				e[i] = r
				got, err := ParseCode(string(e))
				if err == nil {
					t.Errorf("%s miswritten as %s is taken for %v", s, e, got)
				} else if !errors.Is(err, ErrCodeCheck) && !errors.Is(err, ErrCodeFormat) {
					t.Errorf("%s miswritten as %s: %v", s, e, err)
				}
			}
		}
	}
}

// FuzzParseCode: ParseCode never panics; what it reads prints as a
// canonical code that reads back as the same code (also in lower case),
// and printing is a fixed point.
func FuzzParseCode(f *testing.F) {
	for _, s := range []string{CodeOf(1, "").String(), CodeOf(123456, strings.Repeat("f", 64)).String(), "12-7K3M-Q9TX-AB12-CD39",
		"12-7k3m q9tx ab12 cd39", "1-OOOO-IIII-LLLL-0000", "", "-", "18446744073709551615-0000-0000-0000-0000", "12-UUUU-UUUU-UUUU-UUUU"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err != nil {
			if !errors.Is(err, ErrCodeFormat) && !errors.Is(err, ErrCodeCheck) {
				t.Fatalf("ParseCode(%q): %v is neither ErrCodeFormat nor ErrCodeCheck", s, err)
			}
			return
		}
		out := c.String()
		if !canonicalCode.MatchString(out) {
			t.Fatalf("ParseCode(%q) prints as %q, not canonical", s, out)
		}
		for _, again := range []string{out, strings.ToLower(out)} {
			c2, err := ParseCode(again)
			if err != nil || c2 != c || c2.String() != out {
				t.Fatalf("ParseCode(%q) = %v; its form %q reads back as %v, %v", s, c, again, c2, err)
			}
		}
	})
}

// rechain writes the rows that edit returns as the ledger, by the
// ledger's own rule: the rows up to the first one edit changed are kept as
// stored, the rest appended again (Append), so numbers, links, hashes and
// the head are all consistent. It is what someone with the database file
// and patchferry's code can do to hide a removed or edited row from Verify.
func rechain(t *testing.T, st *store.Store, edit func(rows []Row) []Row) *store.Store {
	t.Helper()
	return editDB(t, st, func(b *bolt.Bucket) error {
		tx := b.Tx()
		orig, err := All(tx)
		if err != nil {
			return err
		}
		rows := edit(slices.Clone(orig))
		keep := 0
		for keep < len(rows) && keep < len(orig) && reflect.DeepEqual(rows[keep], orig[keep]) {
			keep++
		}
		for n := keep + 1; n <= len(orig); n++ {
			if err := b.Delete(key(uint64(n))); err != nil {
				return err
			}
		}
		h := head{V: version}
		if keep > 0 {
			h.Number, h.Hash = orig[keep-1].Number, orig[keep-1].Hash
		}
		hb, _ := json.Marshal(h)
		if err := b.Put(headKey, hb); err != nil {
			return err
		}
		for _, r := range rows[keep:] {
			if _, err := Append(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// codes is the code of every row of st, by number.
func codes(t *testing.T, st *store.Store) map[uint64]Code {
	t.Helper()
	out := map[uint64]Code{}
	for _, r := range rows(t, st) {
		out[r.Number] = RowCode(r)
	}
	return out
}

func checkCodes(t *testing.T, st *store.Store, cs ...Code) []CodeResult {
	t.Helper()
	var res []CodeResult
	if err := st.View(func(tx *bolt.Tx) (err error) { res, err = CheckCodes(tx, cs); return err }); err != nil {
		t.Fatal(err)
	}
	return res
}

func headCode(t *testing.T, st *store.Store) Code {
	t.Helper()
	var c Code
	if err := st.View(func(tx *bolt.Tx) (err error) { c, err = HeadCode(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCodesDetectRewrites: removing the last rows and moving the head, or
// editing a row and recomputing every later hash and the head, passes
// Verify — the database alone cannot tell — but not a code written down
// before. Codes of rows before the change still match. In ledgers of v1
// rows, v2 rows, and both.
func TestCodesDetectRewrites(t *testing.T) {
	for _, f := range ledgerFormats() {
		t.Run(f.name, func(t *testing.T) {
			st := f.make(t)
			before := codes(t, st)
			last := uint64(len(before))
			if head := headCode(t, st); head != before[last] {
				t.Fatalf("head code %v, want the last row's %v", head, before[last])
			}
			for n, c := range before { // untouched: every code matches
				if r := checkCodes(t, st, c); r[0].Status != CodeMatches || *r[0].Found != c {
					t.Errorf("untouched row %d: %+v", n, r)
				}
			}

			// The last two rows removed, the head moved to the row before.
			st = rechain(t, st, func(rows []Row) []Row { return rows[:len(rows)-2] })
			if p := verifyLedger(t, st); len(p) != 0 {
				t.Fatalf("Verify found the removal (%q): the test no longer shows the hole codes close", p)
			}
			res := checkCodes(t, st, before[last], before[last-1], before[last-2])
			if res[0].Status != CodeMissing || res[1].Status != CodeMissing || res[0].Found != nil {
				t.Errorf("codes of removed rows: %+v", res)
			}
			if res[2].Status != CodeMatches {
				t.Errorf("code of the row now last: %+v", res[2])
			}
			if head := headCode(t, st); head != before[last-2] {
				t.Errorf("head code %v, want %v", head, before[last-2])
			}

			// Row 2 edited, every later row and the head recomputed.
			st = rechain(t, st, func(rows []Row) []Row { rows[1].Operator = "someone else"; return rows })
			if p := verifyLedger(t, st); len(p) != 0 {
				t.Fatalf("Verify found the rewrite (%q)", p)
			}
			res = checkCodes(t, st, before[1], before[2], before[last-2])
			if res[0].Status != CodeMatches {
				t.Errorf("code of row 1, before the edit: %+v", res[0])
			}
			for _, r := range res[1:] {
				if r.Status != CodeDiffers || r.Found == nil || *r.Found == r.Code {
					t.Errorf("code of row %d, after the edit: %+v", r.Code.Number, r)
				}
			}
		})
	}
}

// TestCodesOfDamagedRows: a row whose content no longer matches its hash
// does not match its code, and has no code found.
func TestCodesOfDamagedRows(t *testing.T) {
	st := ledgerStore(t, 3)
	before := codes(t, st)
	st = editDB(t, st, func(b *bolt.Bucket) error {
		v := []byte(strings.Replace(string(b.Get(key(2))), "operator 2", "operator X", 1))
		return b.Put(key(2), v)
	})
	res := checkCodes(t, st, before[1], before[2], before[3])
	if res[0].Status != CodeMatches || res[1].Status != CodeDiffers || res[1].Found != nil || res[2].Status != CodeMatches {
		t.Errorf("CheckCodes = %+v", res)
	}
	if p := verifyLedger(t, st); len(p) == 0 {
		t.Error("Verify found nothing")
	}
	var empty Code
	if err := st.View(func(tx *bolt.Tx) error { _, err := CheckCodes(tx, []Code{empty}); return err }); !errors.Is(err, ErrCodeFormat) {
		t.Errorf("CheckCodes of the zero code: %v", err)
	}
}

func TestHeadCodeEmpty(t *testing.T) {
	st := ledgerStore(t, 0)
	if c := headCode(t, st); !c.IsZero() || c.String() != "" {
		t.Errorf("head code of an empty ledger: %v", c)
	}
}
