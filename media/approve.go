package media

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/patchferry/patchferry/media/durable"
	"github.com/patchferry/patchferry/verify"
)

// Approve countersigns the bundle's exact bundle.json bytes with an approver
// key and writes approvals/<name>.sig durably into every volume. The
// manifest is not changed, so the publisher signature stays valid. An
// existing approval of the same name is refused.
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
	sig, err := verify.Sign(key, b.Raw)
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
