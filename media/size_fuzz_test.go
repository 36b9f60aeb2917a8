package media

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// plainSize is the documented form of a size: a decimal number, a unit
// (powers of 10 or of 2) and an optional "B".
var plainSize = regexp.MustCompile(`^([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|K|k|M|G|T|)B?$`)

var sizeUnits = map[string]int64{"": 1, "K": 1e3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40}

// exactSize computes what a size in the documented form means, in integers:
// digits·unit/10^(fraction digits), rounded down. ok is false for other
// forms.
func exactSize(s string) (n *big.Int, ok bool) {
	m := plainSize.FindStringSubmatch(s)
	if m == nil || m[1]+m[2] == "" {
		return nil, false
	}
	n, _ = new(big.Int).SetString(m[1]+m[2], 10)
	n.Mul(n, big.NewInt(sizeUnits[m[3]]))
	return n.Quo(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(m[2]))), nil)), true
}

// checkSize is the property of ParseSize on s: an error quotes s; a result
// is at least 1 and below 4 EiB; a size in the documented form is exactly
// its value rounded down (never a wrapped or rounded-off number), and it is
// refused exactly when that value is out of range.
func checkSize(t *testing.T, s string) {
	t.Helper()
	v, err := ParseSize(s)
	if err != nil {
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
			t.Fatalf("ParseSize(%q): error %q does not quote the input", s, err)
		}
	} else if v < 1 || v > math.MaxInt64/2 {
		t.Fatalf("ParseSize(%q) = %d: out of range, and no error", s, v)
	}
	want, ok := exactSize(s)
	if !ok {
		return
	}
	inRange := want.Sign() > 0 && want.Cmp(big.NewInt(math.MaxInt64/2)) <= 0
	switch {
	case inRange && (err != nil || v != want.Int64()):
		t.Fatalf("ParseSize(%q) = %d, %v; want %s", s, v, err, want)
	case !inRange && err == nil:
		t.Fatalf("ParseSize(%q) = %d; want an error (the value is %s)", s, v, want)
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{
		"4.7G", "4.7GB", "4Gi", "4GiB", "650M", "1024", "1024B", "1k", "1.5Ki", " 8G ", "1.9", "0.5K", "1.003K",
		"4.37G", "9007199254740993", "4611686018427387903", "4611686018427387904", "9223372036854775807", "18446744073709551617",
		"4194304Ti", "4194303.999Ti", "1.", ".5K", "0.999", "0", "-1", "-4.7G", "1e3K", "0x1p10", "1/2K", "NaN", "Inf", "1e400", "1_000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkSize(t, s) })
}

// FuzzParseSizeScaled builds sizes in the documented form from numbers, so
// every unit and every magnitude up to and past the limit is reached.
func FuzzParseSizeScaled(f *testing.F) {
	f.Add(uint64(4), uint64(7), uint8(1), uint8(4), false)
	f.Add(uint64(1), uint64(3), uint8(3), uint8(1), true)
	f.Add(uint64(4194303), uint64(999), uint8(3), uint8(9), false)
	f.Add(uint64(1)<<62, uint64(0), uint8(0), uint8(0), false)
	f.Add(^uint64(0), ^uint64(0), uint8(20), uint8(8), true)
	units := []string{"", "K", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"}
	f.Fuzz(func(t *testing.T, whole, frac uint64, digits, unit uint8, b bool) {
		s := fmt.Sprint(whole)
		if digits %= 21; digits > 0 {
			s += "." + fmt.Sprintf("%020d", frac)[20-int(digits):]
		}
		s += units[int(unit)%len(units)]
		if b {
			s += "B"
		}
		checkSize(t, s)
	})
}
