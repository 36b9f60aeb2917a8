package media

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/patchferry/patchferry/verify"
)

// readSignatures reads bundle.json.sig and approvals/*.sig from every
// volume; a volume's copy must agree with the others.
func (b *Bundle) readSignatures() error {
	approvals := make(map[string][]byte)
	for i, d := range b.Dirs {
		raw, err := readSmall(d, SignatureName, verify.MaxSignatureFile)
		if err != nil {
			return err
		}
		sig, err := verify.DecodeSignature(raw)
		if err != nil {
			return &FileError{Path: SignatureName, Dir: d, Err: err}
		}
		if i == 0 {
			b.Signature = sig
		} else if string(sig) != string(b.Signature) {
			return &FileError{Path: SignatureName, Dir: d, Err: fmt.Errorf("%w: differs between volumes", ErrLayout)}
		}
		entries, err := os.ReadDir(filepath.Join(d, ApprovalsDir))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			rel := ApprovalsDir + "/" + e.Name()
			raw, err := readSmall(d, rel, verify.MaxSignatureFile)
			if err != nil {
				return err
			}
			sig, err := verify.DecodeSignature(raw)
			if err != nil {
				return &FileError{Path: rel, Dir: d, Err: err}
			}
			name := strings.TrimSuffix(e.Name(), ".sig")
			if prev, ok := approvals[name]; ok && string(prev) != string(sig) {
				return &FileError{Path: rel, Dir: d, Err: fmt.Errorf("%w: differs between volumes", ErrLayout)}
			}
			approvals[name] = sig
		}
	}
	for name, sig := range approvals {
		b.Approvals = append(b.Approvals, verify.Signed{Name: ApprovalsDir + "/" + name + ".sig", Sig: sig})
	}
	sort.Slice(b.Approvals, func(i, j int) bool { return b.Approvals[i].Name < b.Approvals[j].Name })
	return nil
}
