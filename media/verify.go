package media

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// Trust is what a reader trusts: publisher keys, approver keys and how many
// distinct approvers must countersign.
type Trust struct {
	Publishers []*verify.PublicKey
	Approvers  []*verify.PublicKey
	Threshold  int
}

// Verdict says who signed a bundle that passed Verify.
type Verdict struct {
	Publisher *verify.PublicKey
	Approvers []*verify.PublicKey
}

// ErrSignature is wrapped when bundle.json.sig does not verify.
var ErrSignature = errors.New("publisher signature is not valid")

// ErrBothRoles is wrapped when one key is trusted both as a publisher and
// as an approver (Trust.CheckRoles).
var ErrBothRoles = errors.New("a key is both a publisher and an approver")

// CheckRoles refuses a trust in which one key is both a publisher and an
// approver: one key holds one role, or the publisher alone could meet the
// two-person rule. The error wraps ErrBothRoles and names the keys.
func (t Trust) CheckRoles() error {
	var ids []string
	for _, p := range t.Publishers {
		if slices.ContainsFunc(t.Approvers, p.Equal) && !slices.Contains(ids, p.ID()) {
			ids = append(ids, p.ID())
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return fmt.Errorf("%w: key %s; one key holds one role (the two-person rule needs a second person's key): "+
		"remove it from the approvers, or give the publisher a key of its own", ErrBothRoles, strings.Join(ids, ", "))
}

// Verify checks the publisher signature, the approval threshold and the
// validity period at now. Approvals count only when they sign
// verify.ApprovalMessage of bundle.json, and never when made with the key
// that signed as publisher. It reads no payload.
func (b *Bundle) Verify(t Trust, now time.Time) (*Verdict, error) {
	v, failed, err := t.signers(b.Raw, b.Signature, b.Approvals)
	if err != nil {
		return nil, &FileError{Path: failed, Dir: b.Dirs[0], Err: err}
	}
	if err := verify.CheckValidity(b.Manifest.Created, b.Manifest.Expires, now); err != nil {
		return nil, &FileError{Path: ManifestName, Dir: b.Dirs[0], Err: err}
	}
	return v, nil
}

// signers checks the publisher signature of raw and, when t asks for
// approvals, the approval threshold; on failure it names the file that
// failed (SignatureName or ApprovalsDir).
func (t Trust) signers(raw, sig []byte, approvals []verify.Signed) (*Verdict, string, error) {
	if len(t.Publishers) == 0 {
		return nil, SignatureName, errors.New("no trusted publisher key given")
	}
	pub, err := verify.Signer(raw, verify.Signed{Name: SignatureName, Sig: sig}, t.Publishers)
	if err != nil {
		return nil, SignatureName, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	v := &Verdict{Publisher: pub}
	if t.Threshold > 0 {
		v.Approvers, err = verify.Approvals(raw, approvals, t.Approvers, pub, t.Threshold)
		if err != nil {
			return nil, ApprovalsDir, err
		}
	}
	return v, "", nil
}

// Size returns the total bytes of all files the manifest lists. It cannot
// overflow: a valid manifest lists at most MaxArtifacts payloads of at
// most MaxArtifactSize bytes and MaxMeta meta files of at most
// MaxMetaExpanded.
func (b *Bundle) Size() int64 {
	var n int64
	for _, r := range b.Manifest.Paths() {
		n += r.Size
	}
	return n
}
