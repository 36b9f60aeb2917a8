package ingest

import (
	"fmt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/store"
)

// checkSequence applies the sequence rules to a verified manifest against
// the mirror's current state. noop is true when this exact bundle is
// already imported.
func checkSequence(cur *store.State, m *media.Manifest, manifestSHA string) (noop bool, err error) {
	if cur == nil {
		if m.Base != 0 {
			return false, refusef("this mirror has imported nothing yet, so the first bundle must be a full bundle, but this is a delta on sequence %d; on the internet side run `patchferry export --full`", m.Base)
		}
		return false, nil
	}
	if m.Site != cur.Site {
		return false, refusef("the bundle is for site %q, this mirror serves site %q", m.Site, cur.Site)
	}
	switch {
	case m.Sequence < cur.Sequence:
		return false, refusef("bundle sequence %d is older than the mirror's sequence %d (rollback refused); bring the newest bundle", m.Sequence, cur.Sequence)
	case m.Sequence == cur.Sequence && manifestSHA == cur.ManifestSHA256:
		return true, nil
	case m.Sequence == cur.Sequence:
		return false, refusef("sequence %d is already imported with a different bundle.json (fork refused); two bundles with the same sequence exist — find out which one is genuine before going on", m.Sequence)
	case m.Base != 0 && m.Base != cur.Sequence:
		return false, refusef("this is a delta on sequence %d, but the mirror is at sequence %d; on the internet side run `patchferry export --since %s`", m.Base, cur.Sequence, cur.StateCode)
	}
	return false, nil
}

// RefusedError is an import refused because of the bundle (exit code 1; a
// ledger row with result "refused"). Other errors are failures of this
// machine (disk, permissions).
type RefusedError struct{ Err error }

func (e *RefusedError) Error() string { return e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

func refusef(format string, a ...any) error {
	return &RefusedError{fmt.Errorf(format, a...)}
}

func refused(err error) error {
	if err == nil {
		return nil
	}
	return &RefusedError{err}
}
