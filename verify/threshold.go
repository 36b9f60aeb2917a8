package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
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

// UntrustedError reports a signature that no trusted key made. It names
// the keys tried and, when the signature is well-formed, the keys that
// could have made it (SignerCandidates): the operator compares them with
// the key IDs of the .pub files at hand.
type UntrustedError struct {
	Name       string   // the signature's label, e.g. "bundle.json.sig"
	Trusted    []string // IDs of the keys tried, in the order given
	Candidates []string // IDs of the keys that may have made it; empty when none can be told
}

func (e *UntrustedError) Error() string {
	msg := fmt.Sprintf("%s: %v (%d trusted keys tried", e.Name, ErrUntrusted, len(e.Trusted))
	if len(e.Trusted) > 0 {
		msg += ": " + strings.Join(e.Trusted, ", ")
	}
	msg += ")"
	if len(e.Candidates) > 0 {
		msg += "; it was signed by key " + strings.Join(e.Candidates, " or ")
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrUntrusted) true.
func (e *UntrustedError) Unwrap() error { return ErrUntrusted }

// Signer returns the first trusted key that verifies sig over msg; when
// none does, an *UntrustedError.
func Signer(msg []byte, sig Signed, trusted []*PublicKey) (*PublicKey, error) {
	if k := signer(msg, sig, trusted); k != nil {
		return k, nil
	}
	return nil, untrusted(msg, sig, trusted)
}

// signer returns the first trusted key that verifies sig over msg, or nil.
func signer(msg []byte, sig Signed, trusted []*PublicKey) *PublicKey {
	for _, k := range trusted {
		if k.Verify(msg, sig.Sig) == nil {
			return k
		}
	}
	return nil
}

func untrusted(msg []byte, sig Signed, trusted []*PublicKey) *UntrustedError {
	e := &UntrustedError{Name: sig.Name, Trusted: make([]string, 0, len(trusted))}
	for _, k := range trusted {
		e.Trusted = append(e.Trusted, k.ID())
	}
	for _, k := range SignerCandidates(msg, sig.Sig) {
		e.Candidates = append(e.Candidates, k.ID())
	}
	return e
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
		k := signer(msg, s, approvers)
		switch {
		case k != nil && containsKey(got, k):
			e.Repeated = append(e.Repeated, s.Name)
		case k != nil:
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
	return signer(msg, s, trusted) != nil
}

func containsKey(ks []*PublicKey, k *PublicKey) bool {
	for _, x := range ks {
		if x.Equal(k) {
			return true
		}
	}
	return false
}
