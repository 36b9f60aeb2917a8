package ingest

import (
	"context"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// Hook re-verifies an artifact's vendor evidence (the manifest's
// verification record and the meta files it names) against the mirror's
// vendor trust. It returns an error when the evidence does not hold.
type Hook func(ctx context.Context, b *media.Bundle, a *media.Artifact, vt *verify.VendorTrust) error

// Hooks maps a verification method to its hook. An artifact whose method
// has no hook is refused: the mirror never accepts what it cannot check.
type Hooks map[string]Hook

// DefaultHooks returns the hooks of every method this mirror can re-verify.
// Sources add theirs as they land (Authenticode next).
func DefaultHooks() Hooks {
	return Hooks{
		media.MethodManual:      manual,
		media.MethodClamAVCVD:   clamavCVD,
		media.MethodClamAVCdiff: clamavCdiff,
		media.MethodClamAVSign:  clamavSign,
		media.MethodMozillaSums: mozillaSums,
	}
}

// manual accepts a file added by staff by hand ("manually added"): its
// only evidence is the publisher-signed SHA-256, which import checks anyway.
func manual(context.Context, *media.Bundle, *media.Artifact, *verify.VendorTrust) error {
	return nil
}
