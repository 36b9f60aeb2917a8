package media

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// stateAlphabet is Crockford's base 32: no I, L, O or U, so a code read off
// paper cannot be mistaken.
const stateAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// CatalogHash is the SHA-256 (hex) of a catalog state: the sequence and the
// catalog exactly as the manifest lists it (an empty catalog hashes the same
// whether it is nil or an empty list). The fetcher and the mirror both
// compute it from the same signed manifest.
func CatalogHash(sequence uint64, c Catalog) string {
	if c == nil {
		c = Catalog{} // a parsed empty list is nil: the same state as []
	}
	b, err := json.Marshal(struct {
		Sequence uint64  `json:"sequence"`
		Catalog  Catalog `json:"catalog"`
	}{sequence, c})
	if err != nil {
		panic("media: catalog does not encode: " + err.Error()) // plain data: cannot happen
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// StateCode is the mirror's state for staff to carry back on paper to
// `patchferry export --since`: "<sequence>-<check>", the check being four
// characters of Crockford base 32 taken from the catalog hash (e.g. 42-K7QF).
func StateCode(sequence uint64, c Catalog) string {
	return fmt.Sprintf("%d-%s", sequence, stateCheck(CatalogHash(sequence, c)))
}

func stateCheck(hash string) string {
	v, _ := strconv.ParseUint(hash[:5], 16, 32) // 20 bits
	var b [4]byte
	for i := 3; i >= 0; i-- {
		b[i] = stateAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// ParseStateCode splits a state code into its sequence and check. It accepts
// lower case and the usual misreadings (O→0, I and L→1).
func ParseStateCode(s string) (sequence uint64, check string, err error) {
	seq, chk, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok || len(chk) != 4 {
		return 0, "", fmt.Errorf("state code %q: want <sequence>-<4 characters>, e.g. 42-K7QF", s)
	}
	sequence, err = strconv.ParseUint(seq, 10, 64)
	if err != nil || sequence == 0 {
		return 0, "", fmt.Errorf("state code %q: the part before '-' must be the sequence number", s)
	}
	chk = strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(strings.ToUpper(chk))
	if len(chk) != 4 { // ToUpper turns some 2-byte letters into 1 byte (ı → I)
		return 0, "", fmt.Errorf("state code %q: the check after '-' must be 4 characters of 0-9 and A-Z, e.g. 42-K7QF", s)
	}
	for _, r := range chk {
		if !strings.ContainsRune(stateAlphabet, r) {
			return 0, "", fmt.Errorf("state code %q: %q is not a valid check character", s, r)
		}
	}
	return sequence, chk, nil
}

// CheckStateCode reports whether code matches the catalog state.
func CheckStateCode(code string, sequence uint64, c Catalog) error {
	seq, chk, err := ParseStateCode(code)
	if err != nil {
		return err
	}
	if want := StateCode(sequence, c); seq != sequence || fmt.Sprintf("%d-%s", seq, chk) != want {
		return fmt.Errorf("state code %s does not match sequence %d (its code is %s): check what was written down", code, sequence, want)
	}
	return nil
}
