package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
)

// Evidence is what the vendor checks read during an import: the bundle
// (its manifest and meta files) and the payloads.
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

// Hooks maps a verification method to its check. An artifact whose method
// has none is refused: the mirror never accepts what it cannot check.
type Hooks map[string]evidence.Method

// DefaultHooks returns the checks of every method this mirror knows: the
// vendors' evidence methods of media/evidence, the very code the fetcher
// ran before it kept each file.
func DefaultHooks() Hooks { return evidence.Methods() }

// check runs the method of artifact a with the anchors of a's vendor only,
// at the time the fetcher checked it (else when the bundle was made): a
// vendor key that expired since does not make an old file bad. Evidence
// that cannot be used here (evidence.ErrUnusable: a ClamAV .sign for a root
// this mirror does not trust) is accepted as ClamAV accepts it: the file it
// signs has its own check.
func (ev *Evidence) check(ctx context.Context, hook evidence.Method, a *media.Artifact, vt *verify.VendorTrust) error {
	at := a.Verification.Time
	if at.IsZero() {
		at = ev.Bundle.Manifest.Created
	}
	_, err := hook(ctx, ev.subject(a), vt.For(a.Vendor, a.Product), at)
	if errors.Is(err, evidence.ErrUnusable) {
		return nil
	}
	return err
}

// subject is how a check reads artifact a: its content through Open, its
// evidence from the bundle's meta files, and the artifacts it relates to in
// the bundle, else on the mirror.
func (ev *Evidence) subject(a *media.Artifact) *evidence.Subject {
	return &evidence.Subject{
		Artifact: a,
		Open:     func(ctx context.Context) (io.ReadCloser, error) { return ev.Open(ctx, a) },
		Meta: func(ctx context.Context, name string, max int64) ([]byte, error) {
			if !slices.Contains(a.Verification.Evidence, name) {
				return nil, fmt.Errorf("evidence %s is not named in %s's record", name, a.FileName)
			}
			rc, err := ev.Bundle.OpenMeta(ctx, name)
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return verify.ReadLimited(rc, max, "evidence "+name)
		},
		Related: func(_ context.Context, match func(*media.Artifact) bool) (*evidence.Subject, error) {
			m := ev.Bundle.Manifest
			for i := range m.Artifacts {
				if t := &m.Artifacts[i]; t != a && match(t) {
					return ev.subject(t), nil
				}
			}
			if ev.Stored == nil {
				return nil, nil
			}
			t, err := ev.Stored(match)
			if err != nil || t == nil {
				return nil, err
			}
			return ev.subject(t), nil
		},
	}
}
