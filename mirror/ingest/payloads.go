package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// copyPayloads hashes every payload on the media, in the order of
// Manifest.Payloads, and stores the missing ones that keep accepts (nil:
// every one); then it checks the meta files. It returns the SHA-256 of the
// blobs it newly wrote.
func copyPayloads(ctx context.Context, st *store.Store, b *media.Bundle, o Options, res *Result, keep func(*media.Artifact) bool) ([]string, error) {
	if o.Total != nil {
		o.Total(b.Size())
	}
	need := newBytes(st, b.Manifest, keep)
	if err := st.CheckSpace(need); err != nil {
		return nil, err
	}
	var written []string
	for _, a := range b.Manifest.Payloads() {
		var wrote bool
		var err error
		if keep == nil || keep(a) {
			wrote, err = storeArtifact(ctx, st, b, a, o.Progress)
		} else {
			err = checkArtifact(ctx, b, a, o.Progress)
		}
		var se *store.SpaceError
		if errors.As(err, &se) {
			se.Need = need - res.Copied // what the rest of this import needs
		}
		if err != nil {
			return written, err
		}
		if wrote {
			written = append(written, a.SHA256)
			res.Copied += a.Size
		}
	}
	for _, mf := range b.Manifest.Meta {
		if err := b.CheckMeta(ctx, mf.Name); err != nil {
			return written, refused(err)
		}
		if o.Progress != nil {
			o.Progress(mf.Size) // Total counts the meta files too
		}
	}
	return written, nil
}

// newBytes is the size of the payloads of m that the store does not hold
// yet and keep accepts: what an import must be able to write.
func newBytes(st *store.Store, m *media.Manifest, keep func(*media.Artifact) bool) int64 {
	var n int64
	seen := make(map[string]bool)
	for _, a := range m.Payloads() {
		if !seen[a.SHA256] && (keep == nil || keep(a)) && !st.HasBlob(a.SHA256) {
			n += a.Size
		}
		seen[a.SHA256] = true
	}
	return n
}

// storeArtifact copies one artifact from the media into the store, hashing
// it once while copying. When the blob is already stored the media copy is
// still read and hashed: the media must be proven intact. A mismatch is a
// refusal.
func storeArtifact(ctx context.Context, st *store.Store, b *media.Bundle, a *media.Artifact, progress func(int64)) (wrote bool, err error) {
	rc, err := b.OpenArtifact(ctx, a)
	if err != nil {
		return false, refused(err)
	}
	defer rc.Close()
	wrote, err = st.PutBlob(ctx, a.SHA256, a.Size, store.Verified{Reader: rc}, progress)
	if err == nil && !wrote {
		var dst io.Writer = io.Discard
		if progress != nil {
			dst = progressWriter(progress)
		}
		_, err = io.Copy(dst, rc)
	}
	if errors.Is(err, verify.ErrMismatch) || errors.Is(err, media.ErrLayout) {
		return wrote, refused(err) // damaged media, or a stream out of order
	}
	if err != nil {
		return wrote, fmt.Errorf("store %s: %w", a.FileName, err)
	}
	return wrote, nil
}

// checkArtifact reads and hashes one artifact on the media without storing
// it. A mismatch is a refusal.
func checkArtifact(ctx context.Context, b *media.Bundle, a *media.Artifact, progress func(int64)) error {
	rc, err := b.OpenArtifact(ctx, a)
	if err != nil {
		return refused(err)
	}
	defer rc.Close()
	var dst io.Writer = io.Discard
	if progress != nil {
		dst = progressWriter(progress)
	}
	_, err = io.Copy(dst, rc)
	if errors.Is(err, verify.ErrMismatch) || errors.Is(err, media.ErrLayout) {
		return refused(err)
	}
	if err != nil {
		return fmt.Errorf("read %q: %w", a.FileName, err)
	}
	return nil
}

type progressWriter func(int64)

func (p progressWriter) Write(b []byte) (int, error) { p(int64(len(b))); return len(b), nil }

// again handles a bundle that is already imported: nothing changes but
// what bringing the media again repairs. Every payload is still read and
// hashed (a stream is read whole, and a damaged copy is refused); blobs
// that are missing or were quarantined by scrub are restored from it.
func again(ctx context.Context, st *store.Store, b *media.Bundle, o Options, row *ledger.Row, res *Result, cur *store.State) (*Result, error) {
	res.Status, res.StateCode = StatusAlreadyImported, cur.StateCode
	if err := start(st, o, row, ledger.ReasonReadingAgain, nil, "the same bundle is already imported: reading and checking every file on the medium again"); err != nil {
		return nil, err
	}
	written, err := copyPayloads(ctx, st, b, o, res, nil)
	if err != nil {
		return nil, err
	}
	row.Result, row.Reason = ledger.ResultAlreadyImported, "the same bundle is already imported; every file on the media checked out; nothing changed"
	row.ReasonCode = ledger.ReasonAlreadyImported
	if len(written) > 0 {
		row.Reason = fmt.Sprintf("the same bundle is already imported; %d missing or quarantined files were restored from the media", len(written))
		row.ReasonCode, row.ReasonArgs = ledger.ReasonRestored, map[string]string{ledger.ArgRestored: strconv.Itoa(len(written))}
	}
	return res, finish(st, o, row, res, written)
}
