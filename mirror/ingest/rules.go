package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
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
	ReasonScanError              // the virus scanner failed
	ReasonCatalogAddress         // two current files would share one /files/ address
)

// LedgerReason is the ledger's reason code (ledger.Reason*) for an import
// that ended in err, with the values the code's text needs: the code of a
// refusal's Reason, else of the typed error it wraps; "" when no code says
// it (the error's text does).
func LedgerReason(err error) (code string, args map[string]string) {
	var re *RefusedError
	refused := errors.As(err, &re)
	if refused && re.Reason != ReasonOther {
		code = map[Reason]string{
			ReasonFirstNotFull:    ledger.ReasonFirstNotFull,
			ReasonSite:            ledger.ReasonSite,
			ReasonRollback:        ledger.ReasonRollback,
			ReasonFork:            ledger.ReasonFork,
			ReasonWrongBase:       ledger.ReasonWrongBase,
			ReasonMissingArtifact: ledger.ReasonMissingArtifact,
			ReasonUnknownMethod:   ledger.ReasonUnknownMethod,
			ReasonVendorEvidence:  ledger.ReasonVendorEvidence,
			ReasonMalware:         ledger.ReasonMalware,
			ReasonNotRepairable:   ledger.ReasonNotRepairable,
			ReasonNotOnMedium:     ledger.ReasonNotOnMedium,
			ReasonScanError:       ledger.ReasonScanError,
			ReasonCatalogAddress:  ledger.ReasonCatalogAddress,
		}[re.Reason]
		if re.Reason == ReasonWrongBase {
			args = map[string]string{ledger.ArgSince: re.Since}
		}
		return code, args
	}
	var le *verify.LimitError
	var me *media.ManifestError
	switch {
	case errors.Is(err, media.ErrSignature):
		return ledger.ReasonSignature, nil
	case errors.Is(err, verify.ErrThreshold):
		return ledger.ReasonApprovals, nil
	case errors.Is(err, verify.ErrExpired):
		return ledger.ReasonExpired, nil
	case errors.Is(err, verify.ErrNotYetValid):
		return ledger.ReasonNotYetValid, nil
	case errors.Is(err, media.ErrXZ):
		return ledger.ReasonMetadata, nil
	case errors.Is(err, verify.ErrMismatch):
		return ledger.ReasonDamaged, nil
	case errors.Is(err, media.ErrPath):
		return ledger.ReasonForbiddenPath, nil
	case errors.As(err, &le):
		return ledger.ReasonTooLarge, nil
	case errors.As(err, &me):
		return ledger.ReasonManifest, nil
	case errors.Is(err, media.ErrLayout):
		return ledger.ReasonLayout, nil
	case errors.Is(err, store.ErrNoSpace):
		return ledger.ReasonDiskFull, nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return ledger.ReasonInterrupted, nil
	case refused: // what is left of a refusal: the medium or the stream could not be read
		return ledger.ReasonUnreadable, nil
	}
	return "", nil
}

func refuseFor(reason Reason, since, format string, a ...any) error {
	return &RefusedError{Err: fmt.Errorf(format, a...), Reason: reason, Since: since}
}

func refused(err error) error {
	if err == nil {
		return nil
	}
	return &RefusedError{Err: err}
}
