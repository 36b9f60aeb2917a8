package ingest

import (
	"context"
	"io"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// Evidence is what a hook checks: the bundle (its manifest and meta files)
// and the payloads.
type Evidence struct {
	Bundle *media.Bundle
	// Open returns an artifact's content. During an import it is the stored
	// blob, already proven identical to the media copy, so the media are
	// read only once.
	Open func(ctx context.Context, a *media.Artifact) (io.ReadCloser, error)
	// Stored finds an artifact already on the mirror that match accepts
	// (nil: none, or no mirror), for evidence about a file an earlier
	// bundle brought: a ClamAV .sign published after its database file.
	// Open opens what it returns.
	Stored func(match func(*media.Artifact) bool) (*media.Artifact, error)
}

// BundleEvidence checks the payloads as they are in the bundle.
func BundleEvidence(b *media.Bundle) *Evidence {
	return &Evidence{Bundle: b, Open: b.OpenArtifact}
}

// Hook re-verifies an artifact's vendor evidence (the manifest's
// verification record and the meta files it names) against the mirror's
// vendor trust. It returns an error when the evidence does not hold.
type Hook func(ctx context.Context, ev *Evidence, a *media.Artifact, vt *verify.VendorTrust) error

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
func manual(context.Context, *Evidence, *media.Artifact, *verify.VendorTrust) error {
	return nil
}
