package media

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// ParseSize reads a size such as "4.7G", "650M", "4Gi", "4GiB" or "1024".
// K, M, G, T are powers of 10 (as media are labelled); Ki, Mi, Gi, Ti are
// powers of 2. A trailing "B" is allowed. The result is rounded down to
// whole bytes and must be positive.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "b")
	mult := 1.0
	for _, u := range []struct {
		suffix string
		mult   float64
	}{
		{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
		{"K", 1e3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
	} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSuffix(t, u.suffix), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("size %q: want a number with an optional unit K, M, G, T (powers of 10) or Ki, Mi, Gi, Ti (powers of 2), e.g. 4.7G", s)
	}
	v := math.Floor(f * mult)
	if r, ok := new(big.Rat).SetString(strings.TrimSpace(t)); ok {
		// Exactly, not in binary floating point: 1.003K is 1003 bytes, not 1002.
		r.Mul(r, new(big.Rat).SetFloat64(mult))
		n := new(big.Int).Quo(r.Num(), r.Denom()) // rounds toward zero
		if n.Sign() > 0 && n.Cmp(big.NewInt(math.MaxInt64/2)) <= 0 {
			return n.Int64(), nil
		}
		v = 0 // out of range, whatever the rounded float says
	}
	if v < 1 || v > math.MaxInt64/2 {
		return 0, fmt.Errorf("size %q: must be at least 1 byte and below 4 EiB", s)
	}
	return int64(v), nil
}
