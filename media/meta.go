package media

import (
	"context"
	"fmt"
	"io"

	"github.com/ulikunitz/xz"

	"github.com/patchferry/patchferry/verify"
)

// OpenMeta returns the decompressed content of meta file name. The .xz file
// is hashed against the manifest and its structure and dictionary size are
// checked before a decoder is opened; the output is limited to the recorded
// size, and a different size, or .xz bytes read by the decoder that differ
// from the ones hashed, is an error at the end of the stream.
func (b *Bundle) OpenMeta(ctx context.Context, name string) (io.ReadCloser, error) {
	var mf *MetaFile
	for i := range b.Manifest.Meta {
		if b.Manifest.Meta[i].Name == name {
			mf = &b.Manifest.Meta[i]
		}
	}
	if mf == nil {
		return nil, fmt.Errorf("meta file %q is not in this bundle", name)
	}
	rel := MetaPath(name)
	if err := b.checkFile(ctx, FileRef{Path: rel, Size: mf.Size, SHA256: mf.SHA256}, nil); err != nil {
		return nil, err
	}
	f, dir, err := b.src.openAt(rel)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (io.ReadCloser, error) {
		f.Close()
		return nil, &FileError{Path: rel, Dir: dir, Err: err}
	}
	if err := checkXZ(f, mf.Size); err != nil {
		return fail(err)
	}
	// The decoder reads the file again: hash what it reads, so that a
	// medium that answers a second read differently is caught at the end.
	in := verify.NewHashing(io.NewSectionReader(f, 0, mf.Size))
	zr, err := xz.ReaderConfig{DictCap: MaxXZDict, SingleStream: true}.NewReader(in)
	if err != nil {
		return fail(err)
	}
	end := func() error {
		if in.N() != mf.Size || in.Sum() != mf.SHA256 {
			return &verify.DigestError{Want: mf.SHA256, Got: in.Sum()}
		}
		return nil
	}
	return &readCloser{Reader: &fileErrReader{r: &exactReader{r: zr, size: mf.Expanded, end: end}, path: rel, dir: fixed(dir)}, Closer: f}, nil
}

// CheckMeta checks one meta file completely: its SHA-256, its .xz
// structure and dictionary size, and that it decompresses to the recorded
// size.
func (b *Bundle) CheckMeta(ctx context.Context, name string) error {
	rc, err := b.OpenMeta(ctx, name)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

// exactReader returns at most size bytes and fails if the stream ends
// early or holds more, or if end (when set) fails at the end.
type exactReader struct {
	r    io.Reader
	size int64
	n    int64
	end  func() error
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.n == e.size {
		// Reading on to the end also lets the decoder check the block
		// checksums, the index and the footer: its errors count.
		var one [1]byte
		n, err := io.ReadFull(e.r, one[:])
		if n > 0 {
			return 0, &verify.SizeError{Want: e.size, Got: e.size + 1, Long: true}
		}
		if err != io.EOF {
			return 0, err
		}
		if e.end != nil {
			if err := e.end(); err != nil {
				return 0, err
			}
		}
		return 0, io.EOF
	}
	if rem := e.size - e.n; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := e.r.Read(p)
	e.n += int64(n)
	if err == io.EOF && e.n < e.size {
		return n, &verify.SizeError{Want: e.size, Got: e.n}
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}
