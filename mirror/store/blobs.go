package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/patchferry/patchferry/media/durable"
	"github.com/patchferry/patchferry/verify"
)

// BlobPath returns the path of the blob with SHA-256 sha (lower-case hex,
// already validated).
func (s *Store) BlobPath(sha string) string {
	return filepath.Join(s.dir, BlobsDir, "sha256", sha[:2], sha)
}

// HasBlob reports whether the blob is on disk.
func (s *Store) HasBlob(sha string) bool {
	fi, err := os.Lstat(s.BlobPath(sha))
	return err == nil && fi.Mode().IsRegular()
}

// OpenBlob opens a blob for reading.
func (s *Store) OpenBlob(sha string) (*os.File, error) {
	return os.Open(s.BlobPath(sha))
}

// PutBlob stores size bytes from r as the blob sha, hashing while writing:
// the bytes go to tmp/, are checked, fsynced, made read-only and renamed into
// place, and the directory is fsynced. A blob that is already stored is
// never rewritten (written is false) — r is then not read. On a mismatch the
// temporary file is removed and the error wraps verify.ErrMismatch.
func (s *Store) PutBlob(ctx context.Context, sha string, size int64, r io.Reader, progress func(int64)) (written bool, err error) {
	if err := verify.ParseSHA256(sha); err != nil {
		return false, err
	}
	if s.HasBlob(sha) {
		return false, nil
	}
	f, err := durable.CreateTemp(filepath.Join(s.dir, TmpDir), sha)
	if err != nil {
		return false, fmt.Errorf("store blob: %w", err)
	}
	buf := make([]byte, 1<<20)
	var dst io.Writer = f
	if progress != nil {
		dst = &progressWriter{w: f, fn: progress}
	}
	var src io.Reader
	if v, ok := r.(Verified); ok {
		src = io.LimitReader(&ctxReader{ctx, v.Reader}, size+1) // hashed by the reader itself
	} else {
		src = verify.NewReader(&ctxReader{ctx, r}, size, sha)
	}
	n, err := io.CopyBuffer(dst, src, buf)
	if err == nil && n != size {
		err = &verify.SizeError{Want: size, Got: n, Long: n > size}
	}
	if err != nil {
		durable.Discard(f)
		return false, s.noSpace(err, size)
	}
	if err := f.Chmod(0o444); err != nil {
		durable.Discard(f)
		return false, fmt.Errorf("store blob: %w", err)
	}
	dir := filepath.Dir(s.BlobPath(sha))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		durable.Discard(f)
		return false, fmt.Errorf("store blob: %w", err)
	}
	if err := durable.Commit(f, dir, sha); err != nil {
		return false, s.noSpace(err, size)
	}
	return true, durable.SyncDir(filepath.Dir(dir))
}

// Verified marks a reader that checks its own content: it returns an error
// instead of io.EOF unless it delivered exactly the promised size and
// SHA-256 (the readers of media.Bundle.OpenArtifact do). PutBlob then does
// not hash the bytes a second time; it still checks the size.
type Verified struct{ io.Reader }

// RemoveBlob deletes a blob that no record refers to (after a refused
// import that wrote it).
func (s *Store) RemoveBlob(sha string) error {
	err := os.Remove(s.BlobPath(sha))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

type progressWriter struct {
	w  io.Writer
	fn func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.fn(int64(n))
	return n, err
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
