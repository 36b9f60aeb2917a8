package media

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/patchferry/patchferry/verify"
)

// OpenArtifact returns the content of an artifact, joining its parts. Every
// part and the whole are checked while reading: the reader returns a
// *FileError wrapping verify.ErrMismatch instead of io.EOF when anything
// differs, so a consumer must read to io.EOF before trusting the bytes.
// A bundle read from a stream opens its artifacts once each, in the order
// of Manifest.Payloads.
func (b *Bundle) OpenArtifact(ctx context.Context, a *Artifact) (io.ReadCloser, error) {
	if err := verify.ParseSHA256(a.SHA256); err != nil {
		return nil, fmt.Errorf("artifact %q: %w", a.FileName, err)
	}
	refs := a.Files()
	fs, c, err := b.src.open(paths(refs))
	if err != nil {
		return nil, err
	}
	readers := make([]io.Reader, len(refs))
	for i, r := range refs {
		readers[i] = &fileErrReader{r: verify.NewReader(&ctxReader{ctx: ctx, r: fs[i]}, r.Size, r.SHA256), path: r.Path, dir: fs[i].dir}
	}
	if len(refs) == 1 {
		return &readCloser{Reader: readers[0], Closer: c}, nil
	}
	whole := &fileErrReader{r: verify.NewReader(io.MultiReader(readers...), a.Size, a.SHA256), path: PayloadPath(a.SHA256) + " (joined parts)", dir: fixed(b.Dirs[0])}
	return &readCloser{Reader: whole, Closer: c}, nil
}

// CheckFiles reads every listed file once, checking size and SHA-256 while
// reading, and checks that each meta file is a well-formed .xz of the
// recorded size. progress, if set, receives the bytes read.
func (b *Bundle) CheckFiles(ctx context.Context, progress func(int64)) error {
	for _, a := range b.Manifest.Payloads() {
		refs := a.Files()
		fs, c, err := b.src.open(paths(refs))
		if err != nil {
			return err
		}
		for i, r := range refs {
			if err = checkReader(ctx, fs[i], r, progress); err != nil {
				break
			}
		}
		c.Close()
		if err != nil {
			return err
		}
	}
	for _, mf := range b.Manifest.Meta {
		if err := b.CheckMeta(ctx, mf.Name); err != nil {
			return err
		}
		if progress != nil {
			progress(mf.Size)
		}
	}
	return nil
}

// checkFile reads one listed file and checks its size and SHA-256.
func (b *Bundle) checkFile(ctx context.Context, r FileRef, progress func(int64)) error {
	fs, c, err := b.src.open([]string{r.Path})
	if err != nil {
		return err
	}
	defer c.Close()
	return checkReader(ctx, fs[0], r, progress)
}

func checkReader(ctx context.Context, f sourceFile, r FileRef, progress func(int64)) error {
	var dst io.Writer = io.Discard
	if progress != nil {
		dst = &progressWriter{w: io.Discard, fn: progress}
	}
	if _, err := verify.Copy(dst, &ctxReader{ctx: ctx, r: f}, r.Size, r.SHA256); err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return err
		}
		return &FileError{Path: r.Path, Dir: f.dir(), Err: err}
	}
	return nil
}

func paths(refs []FileRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Path
	}
	return out
}
