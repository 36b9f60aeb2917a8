package verify

import (
	"crypto/sha256"
	"encoding/hex"
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

// ApprovalDomain begins every approval message: it names the role, so that
// an approval can never be taken for any other signature.
const ApprovalDomain = "patchferry approval v1\n"

// ApprovalMessage returns the message an approver signs for a manifest
// (the exact bytes of bundle.json): ApprovalDomain, then "sha256:", the
// lower-case hex SHA-256 of the manifest and a newline. The publisher signs
// the manifest's own bytes (a JSON object, so never this message): a
// publisher signature can never pass as an approval, nor the other way
// round.
func ApprovalMessage(manifest []byte) []byte {
	sum := sha256.Sum256(manifest)
	return []byte(ApprovalDomain + "sha256:" + hex.EncodeToString(sum[:]) + "\n")
}

// ThresholdError reports an approval count below the threshold.
type ThresholdError struct {
	Want, Got int
	Invalid   []string // names of signatures that no trusted approver made
	Repeated  []string // names of signatures by a key that had already counted
	// OldFormat names signatures over the manifest's own bytes (what the
	// publisher signs), as approvals were made before ApprovalMessage.
	OldFormat []string
	// ByPublisher names approvals made with the key that signed the
	// bundle as publisher: one person never fills both roles.
	ByPublisher []string
}

func (e *ThresholdError) Error() string {
	msg := fmt.Sprintf("%d of %d required approvals from distinct trusted approver keys", e.Got, e.Want)
	if len(e.Repeated) > 0 {
		msg += fmt.Sprintf("; %q repeat a key that already counted (one key counts once)", e.Repeated)
	}
	if len(e.ByPublisher) > 0 {
		msg += fmt.Sprintf("; %q are made with the key that signed the bundle as publisher, which never counts as an approver", e.ByPublisher)
	}
	if len(e.OldFormat) > 0 {
		msg += fmt.Sprintf("; %q are approvals in the old format: they sign the publisher's bytes (bundle.json), which no longer counts as an approval; re-approve with this version of patchferry (bundle approve)", e.OldFormat)
	}
	if len(e.Invalid) > 0 {
		msg += fmt.Sprintf("; %q are not valid signatures by a trusted approver", e.Invalid)
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrThreshold) true.
func (e *ThresholdError) Unwrap() error { return ErrThreshold }

// Approvals counts the distinct trusted approver keys whose signature over
// ApprovalMessage(manifest) is among sigs, and checks the count against
// threshold. One key signing twice counts once, and publisher — the key
// that signed the manifest as publisher — never counts, even when it is
// also listed as trusted. It returns the approving keys in the order of
// sigs sorted by name, and a *ThresholdError when fewer than threshold
// distinct keys approved; that error names the signatures that did not
// count and why (signatures over the manifest's own bytes as the old
// format).
func Approvals(manifest []byte, sigs []Signed, trusted []*PublicKey, publisher *PublicKey, threshold int) ([]*PublicKey, error) {
	msg := ApprovalMessage(manifest)
	approvers := make([]*PublicKey, 0, len(trusted))
	for _, k := range trusted {
		if publisher == nil || !k.Equal(publisher) {
			approvers = append(approvers, k)
		}
	}
	sorted := append([]Signed(nil), sigs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var got []*PublicKey
	e := &ThresholdError{Want: threshold}
	for _, s := range sorted {
		k, err := Signer(msg, s, approvers)
		switch {
		case err == nil && containsKey(got, k):
			e.Repeated = append(e.Repeated, s.Name)
		case err == nil:
			got = append(got, k)
		case publisher != nil && publisher.Verify(msg, s.Sig) == nil:
			e.ByPublisher = append(e.ByPublisher, s.Name)
		case signedBy(manifest, s, trusted, publisher):
			e.OldFormat = append(e.OldFormat, s.Name)
		default:
			e.Invalid = append(e.Invalid, s.Name)
		}
	}
	if len(got) < threshold {
		e.Got = len(got)
		return got, e
	}
	return got, nil
}

// signedBy reports whether s is a signature over msg by publisher or one
// of trusted.
func signedBy(msg []byte, s Signed, trusted []*PublicKey, publisher *PublicKey) bool {
	if publisher != nil && publisher.Verify(msg, s.Sig) == nil {
		return true
	}
	_, err := Signer(msg, s, trusted)
	return err == nil
}

func containsKey(ks []*PublicKey, k *PublicKey) bool {
	for _, x := range ks {
		if x.Equal(k) {
			return true
		}
	}
	return false
}
