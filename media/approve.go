package media

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/patchferry/patchferry/media/durable"
	"github.com/patchferry/patchferry/verify"
)

// ErrPublisherApproves is returned by Approve for the key that signed the
// bundle as publisher: the two-person rule needs a second person's key.
var ErrPublisherApproves = errors.New("this key signed the bundle as publisher; an approval must be made with another person's approver key")

// CanApprove returns ErrPublisherApproves when k signed the bundle as
// publisher: such an approval would never count.
func CanApprove(b *Bundle, k *verify.PublicKey) error {
	if k.Verify(b.Raw, b.Signature) == nil {
		return ErrPublisherApproves
	}
	return nil
}

// Approve countersigns the bundle with an approver key — a signature over
// verify.ApprovalMessage of the exact bundle.json bytes, never over those
// bytes themselves — and writes approvals/<name>.sig durably into every
// volume. The manifest is not changed, so the publisher signature stays
// valid. An existing approval of the same name is refused, and so is the
// key that signed the bundle as publisher (ErrPublisherApproves).
func Approve(b *Bundle, key *verify.PrivateKey, name string) (string, error) {
	if err := ValidName(name); err != nil {
		return "", fmt.Errorf("approver name: %w", err)
	}
	file := name + ".sig"
	if err := ValidName(file); err != nil {
		return "", fmt.Errorf("approver name: %w", err)
	}
	for _, a := range b.Approvals {
		if a.Name == ApprovalsDir+"/"+file {
			return "", fmt.Errorf("%s/%s already exists; choose another --name or remove that file first", ApprovalsDir, file)
		}
	}
	if err := CanApprove(b, key.Public()); err != nil {
		return "", err
	}
	sig, err := verify.Sign(key, verify.ApprovalMessage(b.Raw))
	if err != nil {
		return "", err
	}
	text := verify.EncodeSignature(sig)
	for _, d := range b.Dirs {
		dir := filepath.Join(d, ApprovalsDir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("write approval: %w", err)
		}
		if err := durable.WriteFile(dir, file, text, 0o644); err != nil {
			return "", fmt.Errorf("write approval: %w", err)
		}
		if err := durable.SyncDir(d); err != nil {
			return "", err
		}
	}
	return ApprovalsDir + "/" + file, nil
}
