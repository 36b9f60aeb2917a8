package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// source is where a Bundle reads the files its manifest lists, and its only
// access to their contents: the bundle directories on media (dirSource), or
// an import stream that carries them in one fixed order (streamSource).
type source interface {
	// open opens the listed files rels for one sequential read each; the
	// caller reads them one after the other, in that order: the files of one
	// artifact (Artifact.Files), or one meta file. Closing c releases them.
	open(rels []string) (fs []sourceFile, c io.Closer, err error)
	// openAt opens a listed meta file for random access (the .xz checks).
	openAt(rel string) (f *os.File, dir string, err error)
}

// sourceFile is one opened file of a source.
type sourceFile interface {
	io.Reader
	// dir is the bundle directory (volume) holding the file, for errors;
	// a stream knows it once the file's entry has begun.
	dir() string
}

// dirFile is a file opened in a bundle directory.
type dirFile struct {
	*os.File
	d string
}

func (f dirFile) dir() string { return f.d }

// dirSource reads a bundle in place from its directories.
type dirSource struct {
	where map[string]string // relative path → directory holding it
}

func (s *dirSource) open(rels []string) ([]sourceFile, io.Closer, error) {
	var files multiCloser
	out := make([]sourceFile, 0, len(rels))
	for _, rel := range rels {
		f, dir, err := s.openAt(rel)
		if err != nil {
			files.Close()
			return nil, nil, err
		}
		files = append(files, f)
		out = append(out, dirFile{File: f, d: dir})
	}
	return out, files, nil
}

// openAt opens one listed file after checking that it is a regular file.
func (s *dirSource) openAt(rel string) (*os.File, string, error) {
	dir, ok := s.where[rel]
	if !ok {
		// Never resolve a path the manifest does not list (it would be
		// relative to the working directory).
		return nil, "", &FileError{Path: rel, Err: fmt.Errorf("%w: not a file of this bundle", ErrLayout)}
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, dir, errMissing(rel, dir)
	}
	if !fi.Mode().IsRegular() {
		return nil, dir, &FileError{Path: rel, Dir: dir, Err: fmt.Errorf("%w: not a regular file", ErrLayout)}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, dir, &FileError{Path: rel, Dir: dir, Err: err}
	}
	return f, dir, nil
}

// errMissing is the error about a listed file that is not on the medium.
func errMissing(rel, dir string) error {
	return &FileError{Path: rel, Dir: dir, Err: fmt.Errorf("%w: missing; the copy is incomplete, copy the whole bundle folder again", ErrLayout)}
}

// fileErrReader names the file in every error of r that does not yet.
type fileErrReader struct {
	r    io.Reader
	path string
	dir  func() string
}

func (f *fileErrReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF {
		var fe *FileError
		if !errors.As(err, &fe) {
			err = &FileError{Path: f.path, Dir: f.dir(), Err: err}
		}
	}
	return n, err
}

// fixed returns a dir func for a directory known in advance.
func fixed(dir string) func() string { return func() string { return dir } }

type readCloser struct {
	io.Reader
	io.Closer
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// progressWriter reports the bytes written through it.
type progressWriter struct {
	w  io.Writer
	fn func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if p.fn != nil && n > 0 {
		p.fn(int64(n))
	}
	return n, err
}

// ctxReader stops a copy when ctx is cancelled.
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
