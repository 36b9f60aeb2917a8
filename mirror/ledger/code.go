package ledger

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// codeAlphabet is Crockford's base 32: no I, L, O or U, so a code read off
// paper cannot be mistaken (ParseCode reads O as 0 and I, L as 1).
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// A code's check is codeData characters of 5 bits taken from a hash of the
// row (75 bits) and one Luhn mod 32 character over the row number's digits
// and those characters, so a miswritten character is told from a changed
// ledger. doc.go says why 75 bits.
const (
	codeData   = 15
	codeChars  = codeData + 1
	codeGroup  = 4  // characters between the dashes of the canonical form
	maxCodeLen = 80 // bytes ParseCode looks at
	codeDomain = "patchferry ledger code v1\n"
)

// ErrCodeFormat: the text is not a ledger code at all.
var ErrCodeFormat = errors.New("not a ledger code: want <row number>-XXXX-XXXX-XXXX-XXXX (16 characters of 0-9 and A-Z without I, L, O, U)")

// ErrCodeCheck: the text looks like a ledger code but its last character
// does not check out: a character was written or read wrong.
var ErrCodeCheck = errors.New("the ledger code's last character does not check out: a character was written or read wrong")

// Code is a ledger code: the number of a row and a check derived from that
// row's hash, so the code pins the row and, through the hash chain, every
// row before it. The code of the last row is the ledger's code at that
// moment; staff write it in the paper 媒体持込台帳 after an import.
// Its text form is "<row number>-XXXX-XXXX-XXXX-XXXX" (String, ParseCode).
// The zero Code is no code (an empty ledger).
type Code struct {
	Number uint64
	check  [codeData]byte // 5-bit values
}

// CodeOf is the code of row number whose hash is hash:
// the first 75 bits of SHA-256("patchferry ledger code v1\n" ‖ number ‖
// "\n" ‖ hash), number in decimal, hash in hex as stored.
func CodeOf(number uint64, hash string) Code {
	h := sha256.Sum256([]byte(codeDomain + strconv.FormatUint(number, 10) + "\n" + hash))
	c := Code{Number: number}
	var acc uint64 // bits not yet used, most significant first
	var bits, next int
	for i := range codeData {
		for bits < 5 {
			acc = acc<<8 | uint64(h[next])
			next++
			bits += 8
		}
		c.check[i] = byte(acc >> (bits - 5) & 31)
		bits -= 5
	}
	return c
}

// RowCode is the code the ledger had right after r was written.
func RowCode(r Row) Code { return CodeOf(r.Number, r.Hash) }

// IsZero reports whether c is no code.
func (c Code) IsZero() bool { return c == Code{} }

// String is the canonical form: 12-7K3M-Q9TX-AB12-CD39.
func (c Code) String() string {
	if c.IsZero() {
		return ""
	}
	var b strings.Builder
	b.WriteString(strconv.FormatUint(c.Number, 10))
	chars := append(c.check[:], luhn32(c.Number, c.check[:]))
	for i, v := range chars {
		if i%codeGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[v])
	}
	return b.String()
}

// MarshalText writes the canonical form (JSON carries codes as strings).
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a code as ParseCode does.
func (c *Code) UnmarshalText(b []byte) error {
	p, err := ParseCode(string(b))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// ParseCode reads a ledger code as staff copy it from paper: spaces around
// it, lower case, dashes or spaces between the characters (or none), and
// the usual misreadings (O for 0, I and L for 1) are accepted. It returns
// an error wrapping ErrCodeFormat when s is not a code, and ErrCodeCheck
// when its check character does not match (a miswritten character).
func ParseCode(s string) (Code, error) {
	bad := func(err error) (Code, error) { return Code{}, fmt.Errorf("ledger code %.40q: %w", s, err) }
	t := strings.TrimSpace(s)
	if len(t) > maxCodeLen {
		return bad(ErrCodeFormat)
	}
	num, rest, ok := strings.Cut(t, "-")
	if !ok || num == "" || len(num) > 20 || strings.Trim(num, "0123456789") != "" {
		return bad(ErrCodeFormat)
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n == 0 {
		return bad(ErrCodeFormat)
	}
	var vals []byte
	for _, r := range rest {
		switch {
		case r == '-' || r == ' ':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		i := strings.IndexRune(codeAlphabet, r)
		if i < 0 || len(vals) == codeChars {
			return bad(ErrCodeFormat)
		}
		vals = append(vals, byte(i))
	}
	if len(vals) != codeChars {
		return bad(ErrCodeFormat)
	}
	if luhn32(n, vals[:codeData]) != vals[codeData] {
		return bad(ErrCodeCheck)
	}
	c := Code{Number: n}
	copy(c.check[:], vals)
	return c, nil
}

// luhn32 is the Luhn mod 32 check character over the decimal digits of n
// followed by data (5-bit values): any one wrong character, and most
// swaps of two neighbours, change it.
func luhn32(n uint64, data []byte) byte {
	digits := strconv.FormatUint(n, 10)
	vals := make([]byte, 0, len(digits)+len(data))
	for i := range len(digits) {
		vals = append(vals, digits[i]-'0')
	}
	vals = append(vals, data...)
	sum, factor := 0, 2
	for i := len(vals) - 1; i >= 0; i-- {
		a := factor * int(vals[i])
		sum += a/32 + a%32
		factor = 3 - factor
	}
	return byte((32 - sum%32) % 32)
}

// Results of checking a code (CodeResult.Status).
const (
	CodeMatches = "matches" // the row is there and is the row the code was taken from
	CodeMissing = "missing" // the ledger has no row of that number
	CodeDiffers = "differs" // the row of that number is another row
)

// maxCheckCodes bounds the codes of one CheckCodes.
const maxCheckCodes = 10000

// CodeResult is what CheckCodes found for one code.
type CodeResult struct {
	Code   Code   `json:"code"`
	Status string `json:"status"` // CodeMatches, CodeMissing or CodeDiffers
	// Found is the code of the row of that number now, when there is one
	// whose content matches its hash.
	Found *Code `json:"found,omitempty"`
}

// HeadCode is the ledger's code now: the code of the last row as the head
// records it; the zero Code for an empty ledger.
func HeadCode(tx *bolt.Tx) (Code, error) {
	h, err := readHead(tx.Bucket(store.BucketLedger).Get(headKey))
	if err != nil || h.Number == 0 {
		return Code{}, err
	}
	return CodeOf(h.Number, h.Hash), nil
}

// CodeAt is the code of row n as stored: the zero Code when there is no
// row n, or when it cannot be read or its content does not match its hash.
func CodeAt(tx *bolt.Tx, n uint64) Code {
	v := tx.Bucket(store.BucketLedger).Get(key(n))
	if v == nil {
		return Code{}
	}
	l, err := readLink(v)
	if err != nil || !l.intact || l.number != n {
		return Code{}
	}
	return CodeOf(n, l.hash)
}

// CheckCodes checks that the ledger still holds, for each code, the row the
// code was taken from: the row of that number is there, its content
// matches its hash, and that hash gives the code. Together with Verify
// (an unbroken chain from row 1), a matching code proves that rows 1 to
// its number are the rows that were there when the code was written down.
func CheckCodes(tx *bolt.Tx, codes []Code) ([]CodeResult, error) {
	b := tx.Bucket(store.BucketLedger)
	out := make([]CodeResult, 0, len(codes))
	if len(codes) > maxCheckCodes {
		return nil, fmt.Errorf("check %d ledger codes: at most %d at a time", len(codes), maxCheckCodes)
	}
	for _, c := range codes {
		if c.IsZero() {
			return nil, fmt.Errorf("check ledger codes: %w", ErrCodeFormat)
		}
		res := CodeResult{Code: c, Status: CodeMissing}
		if b.Get(key(c.Number)) != nil {
			res.Status = CodeDiffers
			if found := CodeAt(tx, c.Number); !found.IsZero() {
				res.Found = &found
				if found == c {
					res.Status = CodeMatches
				}
			}
		}
		out = append(out, res)
	}
	return out, nil
}
