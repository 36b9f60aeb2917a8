package verify

import (
	"errors"
	"fmt"
	"sort"
)

// ErrUntrusted is returned when no trusted key made a signature.
var ErrUntrusted = errors.New("signed by no trusted key")

// ErrThreshold is wrapped when fewer distinct trusted keys signed than the
// threshold asks for.
var ErrThreshold = errors.New("not enough approvals")

// Signed is one signature as found on media, with a label for messages
// (for example "approvals/kacho.sig").
type Signed struct {
	Name string
	Sig  []byte // ASN.1 DER
}

// Signer returns the first trusted key that verifies sig over msg.
func Signer(msg []byte, sig Signed, trusted []*PublicKey) (*PublicKey, error) {
	for _, k := range trusted {
		if k.Verify(msg, sig.Sig) == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%s: %w (%d trusted keys tried)", sig.Name, ErrUntrusted, len(trusted))
}

// ThresholdError reports an approval count below the threshold.
type ThresholdError struct {
	Want, Got int
	Invalid   []string // names of signatures that no trusted approver made
	Repeated  []string // names of signatures by a key that had already counted
}

func (e *ThresholdError) Error() string {
	msg := fmt.Sprintf("%d of %d required approvals from distinct trusted approver keys", e.Got, e.Want)
	if len(e.Repeated) > 0 {
		msg += fmt.Sprintf("; %v repeat a key that already counted (one key counts once)", e.Repeated)
	}
	if len(e.Invalid) > 0 {
		msg += fmt.Sprintf("; %v are not valid signatures by a trusted approver", e.Invalid)
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrThreshold) true.
func (e *ThresholdError) Unwrap() error { return ErrThreshold }

// Approvals counts the distinct trusted keys that signed msg among sigs and
// checks the count against threshold. One key signing twice counts once. It
// returns the approving keys in the order of sigs sorted by name, and a
// *ThresholdError when fewer than threshold distinct keys approved.
func Approvals(msg []byte, sigs []Signed, trusted []*PublicKey, threshold int) ([]*PublicKey, error) {
	sorted := append([]Signed(nil), sigs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var got []*PublicKey
	var invalid, repeated []string
	for _, s := range sorted {
		k, err := Signer(msg, s, trusted)
		if err != nil {
			invalid = append(invalid, s.Name)
			continue
		}
		if containsKey(got, k) {
			repeated = append(repeated, s.Name)
			continue
		}
		got = append(got, k)
	}
	if len(got) < threshold {
		return got, &ThresholdError{Want: threshold, Got: len(got), Invalid: invalid, Repeated: repeated}
	}
	return got, nil
}

func containsKey(ks []*PublicKey, k *PublicKey) bool {
	for _, x := range ks {
		if x.Equal(k) {
			return true
		}
	}
	return false
}
