package evidence

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// ClamAV's methods: a .cvd's header MD5 and legacy RSA signature, a cdiff's
// PSS-like signature, and a .sign file (PKCS#7) over another artifact.
func clamavMethods(m map[string]Method) {
	m[media.MethodClamAVCVD] = clamavCVD
	m[media.MethodClamAVCdiff] = clamavCdiff
	m[media.MethodClamAVSign] = clamavSign
}

// Limits of the ClamAV files a check reads into memory.
const (
	MaxCdiff = 64 << 20
	MaxSign  = 1 << 20
	// SignFLevel is the engine functionality level .sign lines are
	// selected for (Talos' lines start at 230).
	SignFLevel = 230
)

// clamavCVD checks a .cvd from its own bytes: header MD5 and ClamAV's
// signature; the version and build time in the header must be the
// artifact's, and a header kept as evidence must be this header.
func clamavCVD(ctx context.Context, s *Subject, a *verify.Anchors, _ time.Time) (*Finding, error) {
	rc, err := s.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	h, err := verify.VerifyCVD(rc, a)
	if err != nil {
		return nil, err
	}
	if err := drain(rc); err != nil { // the payload's own hash check at EOF
		return nil, err
	}
	art := s.Artifact
	if fmt.Sprint(h.Version) != art.Version {
		return nil, fmt.Errorf("the CVD header says version %d, the record says %s", h.Version, art.Version)
	}
	if !art.Released.IsZero() && art.Released.Unix() != h.BuildUnix {
		return nil, fmt.Errorf("the CVD header says it was built %s, the record says %s", time.Unix(h.BuildUnix, 0).UTC().Format(time.RFC3339), art.Released.UTC().Format(time.RFC3339))
	}
	for _, name := range art.Verification.Evidence {
		b, err := s.Meta(ctx, name, verify.CVDHeaderSize)
		if err != nil {
			return nil, err
		}
		eh, err := verify.ParseCVDHeader(b)
		if err != nil {
			return nil, fmt.Errorf("evidence %s: %w", name, err)
		}
		if *eh != *h {
			return nil, fmt.Errorf("evidence %s does not match the CVD's header", name)
		}
	}
	return &Finding{Signer: h.Builder}, nil
}

// clamavCdiff checks a cdiff's signature; the version it makes must be the
// artifact's.
func clamavCdiff(ctx context.Context, s *Subject, a *verify.Anchors, _ time.Time) (*Finding, error) {
	b, err := readAll(ctx, s, MaxCdiff)
	if err != nil {
		return nil, err
	}
	cd, err := verify.VerifyCdiff(b, a)
	if err != nil {
		return nil, err
	}
	if fmt.Sprint(cd.Version) != s.Artifact.Version {
		return nil, fmt.Errorf("the cdiff makes version %d, the record says %s", cd.Version, s.Artifact.Version)
	}
	return &Finding{}, nil
}

// clamavSign checks a .sign file against the database file it signs:
// <db>-<v>.cvd.sign signs the cvd of version v, <db>-<n>.cdiff.sign the
// cdiff n — found through Related (checked alongside it, or kept earlier:
// a .sign the CDN published after its file). An unusable .sign wraps
// ErrUnusable.
func clamavSign(ctx context.Context, s *Subject, a *verify.Anchors, at time.Time) (*Finding, error) {
	sign := s.Artifact
	kind := "cdiff"
	if strings.HasSuffix(sign.FileName, ".cvd.sign") {
		kind = "cvd"
	}
	var target *Subject
	var err error
	if s.Related != nil {
		target, err = s.Related(ctx, func(t *media.Artifact) bool {
			return t.Vendor == sign.Vendor && t.Product == sign.Product && t.Version == sign.Version && t.Kind == kind
		})
		if err != nil {
			return nil, err
		}
	}
	if target == nil {
		return nil, fmt.Errorf("the file %s signs is not here (neither checked with it nor kept before)", strings.TrimSuffix(sign.FileName, ".sign"))
	}
	b, err := readAll(ctx, s, MaxSign)
	if err != nil {
		return nil, err
	}
	pool, err := a.ClamAVSignPool()
	if err != nil {
		return nil, err
	}
	rc, err := target.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	err = verify.VerifyClamSign(b, rc, pool, SignFLevel, at)
	if errors.Is(err, verify.ErrClamSignUnusable) {
		return nil, fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	if err != nil {
		return nil, err
	}
	return &Finding{}, drain(rc)
}
