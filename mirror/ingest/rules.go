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
			return false, refuseFor(ReasonFirstNotFull, "", "this mirror has imported nothing yet, so the first bundle must be a full bundle, but this is a delta on sequence %d; on the internet side run `patchferry export --full`", m.Base)
		}
		return false, nil
	}
	if m.Site != cur.Site {
		return false, refuseFor(ReasonSite, "", "the bundle is for site %q, this mirror serves site %q", m.Site, cur.Site)
	}
	switch {
	case m.Sequence < cur.Sequence:
		return false, refuseFor(ReasonRollback, "", "bundle sequence %d is older than the mirror's sequence %d (rollback refused); bring the newest bundle", m.Sequence, cur.Sequence)
	case m.Sequence == cur.Sequence && manifestSHA == cur.ManifestSHA256:
		return true, nil
	case m.Sequence == cur.Sequence:
		return false, refuseFor(ReasonFork, "", "sequence %d is already imported with a different bundle.json (fork refused); two bundles with the same sequence exist — find out which one is genuine before going on", m.Sequence)
	case m.Base != 0 && m.Base != cur.Sequence:
		return false, refuseFor(ReasonWrongBase, cur.StateCode, "this is a delta on sequence %d, but the mirror is at sequence %d; on the internet side run `patchferry export --since %s`", m.Base, cur.Sequence, cur.StateCode)
	}
	return false, nil
}

// RefusedError is an import refused because of the bundle (exit code 1; a
// ledger row with result "refused"). Other errors are failures of this
// machine (disk, permissions).
type RefusedError struct {
	Err    error
	Reason Reason
	// Since is the mirror's state code, for ReasonWrongBase: the internet
	// side runs `patchferry export --since <Since>`.
	Since string
}

func (e *RefusedError) Error() string { return e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

// Reason is why an import was refused, so that commands can say what to do
// in the operator's language. ReasonOther: the wrapped error says it (a
// signature, a digest, a path, …).
type Reason int

const (
	ReasonOther           Reason = iota
	ReasonFirstNotFull           // the first import must be a full bundle
	ReasonSite                   // the bundle is for another site
	ReasonRollback               // older than the mirror's sequence
	ReasonFork                   // same sequence, different bundle.json
	ReasonWrongBase              // a delta on another sequence
	ReasonMissingArtifact        // the catalog needs a file neither here nor in the bundle
	ReasonUnknownMethod          // vendor evidence this mirror cannot re-verify
	ReasonVendorEvidence         // vendor evidence that does not hold
	ReasonMalware                // the virus scanner found something
	ReasonNotRepairable          // --repair: nothing imported yet, or the bundle is newer than the mirror
	ReasonNotOnMedium            // --repair: the medium holds none of the missing files
)

func refuseFor(reason Reason, since, format string, a ...any) error {
	return &RefusedError{Err: fmt.Errorf(format, a...), Reason: reason, Since: since}
}

func refused(err error) error {
	if err == nil {
		return nil
	}
	return &RefusedError{Err: err}
}
