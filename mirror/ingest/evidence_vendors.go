package ingest

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// Limits of what the hooks read into memory.
const (
	maxCdiff   = 64 << 20
	maxSign    = 1 << 20
	maxSumsLen = verify.MaxSumsFile
)

// clamavCVD re-verifies a .cvd from the payload itself: header MD5 and
// ClamAV's signature, with the mirror's vendor trust.
func clamavCVD(ctx context.Context, ev *Evidence, a *media.Artifact, vt *verify.VendorTrust) error {
	rc, err := ev.Open(ctx, a)
	if err != nil {
		return err
	}
	defer rc.Close()
	h, err := verify.VerifyCVD(rc, vt)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, rc); err != nil { // the payload's own hash check at EOF
		return err
	}
	if fmt.Sprint(h.Version) != a.Version {
		return fmt.Errorf("the CVD header says version %d, the manifest says %s", h.Version, a.Version)
	}
	return checkCVDHeaderEvidence(ctx, ev.Bundle, a, h)
}

// checkCVDHeaderEvidence compares the header kept as evidence with the
// payload's header.
func checkCVDHeaderEvidence(ctx context.Context, b *media.Bundle, a *media.Artifact, h *verify.CVDHeader) error {
	for _, name := range a.Verification.Evidence {
		ev, err := readMeta(ctx, b, name, verify.CVDHeaderSize)
		if err != nil {
			return err
		}
		eh, err := verify.ParseCVDHeader(ev)
		if err != nil {
			return fmt.Errorf("evidence %s: %w", name, err)
		}
		if *eh != *h {
			return fmt.Errorf("evidence %s does not match the CVD's header", name)
		}
	}
	return nil
}

// clamavCdiff re-verifies a cdiff's signature.
func clamavCdiff(ctx context.Context, ev *Evidence, a *media.Artifact, vt *verify.VendorTrust) error {
	data, err := readArtifact(ctx, ev, a, maxCdiff)
	if err != nil {
		return err
	}
	cd, err := verify.VerifyCdiff(data, vt)
	if err != nil {
		return err
	}
	if fmt.Sprint(cd.Version) != a.Version {
		return fmt.Errorf("the cdiff makes version %d, the manifest says %s", cd.Version, a.Version)
	}
	return nil
}

// clamavSign re-verifies a .sign file against the database file it signs,
// which travels in the same bundle or, for a .sign published late, is on the
// mirror already. An unusable .sign (a root this mirror does not trust) is
// accepted as ClamAV does: its target has its own check.
func clamavSign(ctx context.Context, ev *Evidence, a *media.Artifact, vt *verify.VendorTrust) error {
	target, err := signTarget(ev, a)
	if err != nil {
		return err
	}
	if target == nil {
		return fmt.Errorf("the file %s signs is neither in this bundle nor on this mirror", strings.TrimSuffix(a.FileName, ".sign"))
	}
	sig, err := readArtifact(ctx, ev, a, maxSign)
	if err != nil {
		return err
	}
	pool, err := vt.ClamAVSignPool()
	if err != nil {
		return err
	}
	rc, err := ev.Open(ctx, target)
	if err != nil {
		return err
	}
	defer rc.Close()
	err = verify.VerifyClamSign(sig, rc, pool, 230, a.Verification.Time)
	if errors.Is(err, verify.ErrClamSignUnusable) {
		return nil
	}
	return err
}

// signTarget finds the artifact a .sign file signs: <db>-<v>.cvd.sign signs
// the cvd of version v, <db>-<n>.cdiff.sign the cdiff n; in the bundle, else
// on the mirror (a .sign published after an earlier bundle brought its file).
func signTarget(ev *Evidence, s *media.Artifact) (*media.Artifact, error) {
	kind := "cdiff"
	if strings.HasSuffix(s.FileName, ".cvd.sign") {
		kind = "cvd"
	}
	match := func(t *media.Artifact) bool {
		return t.Vendor == s.Vendor && t.Product == s.Product && t.Version == s.Version && t.Kind == kind
	}
	m := ev.Bundle.Manifest
	for i := range m.Artifacts {
		if t := &m.Artifacts[i]; match(t) {
			return t, nil
		}
	}
	if ev.Stored == nil {
		return nil, nil
	}
	return ev.Stored(match)
}

// mozillaSums re-verifies a Mozilla file: SHA512SUMS against its signature
// with the mirror's vendor trust, then the payload's SHA-512 against its
// entry.
func mozillaSums(ctx context.Context, ev *Evidence, a *media.Artifact, vt *verify.VendorTrust) error {
	var sums, asc []byte
	for _, name := range a.Verification.Evidence {
		data, err := readMeta(ctx, ev.Bundle, name, maxSumsLen)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(name, "SHA512SUMS"):
			sums = data
		case strings.HasSuffix(name, "SHA512SUMS.asc"):
			asc = data
		}
	}
	if sums == nil || asc == nil {
		return errors.New("the evidence lacks SHA512SUMS or SHA512SUMS.asc")
	}
	keyring, err := vt.Keyring()
	if err != nil {
		return err
	}
	when := a.Verification.Time
	if when.IsZero() {
		when = ev.Bundle.Manifest.Created
	}
	if _, err := verify.VerifyDetachedArmored(bytes.NewReader(sums), asc, keyring, when); err != nil {
		return fmt.Errorf("SHA512SUMS.asc: %w", err)
	}
	list, err := verify.ParseSums(sums)
	if err != nil {
		return err
	}
	want, ok := list[a.Verification.Entry]
	if !ok {
		return fmt.Errorf("%q is not listed in SHA512SUMS", a.Verification.Entry)
	}
	rc, err := ev.Open(ctx, a)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha512.New()
	if _, err := io.Copy(h, rc); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return &verify.SumError{Path: a.Verification.Entry, Want: want, Got: got}
	}
	return nil
}

func readMeta(ctx context.Context, b *media.Bundle, name string, max int64) ([]byte, error) {
	rc, err := b.OpenMeta(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return verify.ReadLimited(rc, max, "evidence "+name)
}

func readArtifact(ctx context.Context, ev *Evidence, a *media.Artifact, max int64) ([]byte, error) {
	if a.Size > max {
		return nil, &verify.LimitError{What: a.FileName, Limit: max}
	}
	rc, err := ev.Open(ctx, a)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return verify.ReadLimited(rc, max, a.FileName)
}
