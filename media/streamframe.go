package media

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/patchferry/patchferry/verify"
)

// header is the start of an entry.
type header struct {
	kind byte
	path string
	dir  string // the sender's directory holding path
	err  error  // frameMissing: the sender's error, as a *FileError
}

// want checks that h is the entry rel of that kind.
func (h *header) want(rel string, kind byte) error {
	switch {
	case h.kind == frameEnd:
		return &FileError{Path: rel, Err: fmt.Errorf("%w: the import stream ended before this file", ErrLayout)}
	case h.path != rel:
		return h.fail("sent where " + rel + " belongs: out of order, repeated or not a file of this bundle")
	case h.kind != kind:
		return h.fail("sent in the wrong form")
	}
	return nil
}

func (h *header) fail(why string) error {
	return &FileError{Path: h.path, Dir: h.dir, Err: fmt.Errorf("%w: import stream: %s", ErrLayout, why)}
}

// frameReader reads the frames of a stream.
type frameReader struct {
	r       *bufio.Reader
	dirs    []string
	pending *header // read by peek, not yet by next
}

// broken wraps an error of the underlying stream (truncated, cut off).
func broken(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("import stream: %w", err)
}

func (fr *frameReader) peek() (*header, error) {
	if fr.pending == nil {
		h, err := fr.next()
		if err != nil {
			return nil, err
		}
		fr.pending = h
	}
	return fr.pending, nil
}

// next reads the next entry's header: 'F', 'M' or 'E'.
func (fr *frameReader) next() (*header, error) {
	if h := fr.pending; h != nil {
		fr.pending = nil
		return h, nil
	}
	kind, err := fr.r.ReadByte()
	if err != nil {
		return nil, broken(err)
	}
	h := &header{kind: kind}
	switch kind {
	case frameEnd:
		return h, nil
	case frameFile, frameMissing:
	default:
		return nil, fmt.Errorf("%w: import stream: frame %q where an entry begins", ErrLayout, kind)
	}
	var fixed [4]byte
	if _, err := io.ReadFull(fr.r, fixed[:]); err != nil {
		return nil, broken(err)
	}
	vol, n := int(binary.BigEndian.Uint16(fixed[:2])), int(binary.BigEndian.Uint16(fixed[2:]))
	if n == 0 || n > maxStreamPath {
		return nil, fmt.Errorf("%w: import stream: path of %d bytes", ErrLayout, n)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(fr.r, p); err != nil {
		return nil, broken(err)
	}
	h.path = string(p)
	if err := ValidPath(h.path); err != nil {
		return nil, fmt.Errorf("import stream: %w", err)
	}
	if vol >= len(fr.dirs) {
		return nil, &FileError{Path: h.path, Err: fmt.Errorf("%w: import stream: volume %d of %d", ErrLayout, vol+1, len(fr.dirs))}
	}
	h.dir = fr.dirs[vol]
	if kind == frameMissing {
		sent, err := fr.sentError()
		if err != nil {
			return nil, err
		}
		h.err = &FileError{Path: h.path, Dir: h.dir, Err: sent}
	}
	return h, nil
}

// content copies the data of the entry begun (rel, in dir) to w, up to
// limit bytes, through its end: nil at 'Z', the sender's error at 'X'.
func (fr *frameReader) content(w io.Writer, limit int64, rel, dir string) error {
	var n int64
	for {
		size, err := fr.chunk()
		if err != nil {
			return err
		}
		if size == 0 {
			return nil
		}
		if n += int64(size); n > limit {
			return &FileError{Path: rel, Dir: dir, Err: &verify.LimitError{What: rel, Limit: limit}}
		}
		if _, err := io.CopyN(w, fr.r, int64(size)); err != nil {
			return broken(err)
		}
	}
}

// chunk reads the next frame inside a file: the size of a data chunk, 0 at
// the file's end, or the sender's error.
func (fr *frameReader) chunk() (int, error) {
	kind, err := fr.r.ReadByte()
	if err != nil {
		return 0, broken(err)
	}
	switch kind {
	case frameDone:
		return 0, nil
	case frameFailed:
		sent, err := fr.sentError()
		if err != nil {
			return 0, err
		}
		return 0, sent
	case frameData:
	default:
		return 0, fmt.Errorf("%w: import stream: frame %q inside a file", ErrLayout, kind)
	}
	var size [4]byte
	if _, err := io.ReadFull(fr.r, size[:]); err != nil {
		return 0, broken(err)
	}
	n := binary.BigEndian.Uint32(size[:])
	if n == 0 || n > maxStreamChunk {
		return 0, fmt.Errorf("%w: import stream: chunk of %d bytes", ErrLayout, n)
	}
	return int(n), nil
}

// sentError reads flags and a message: an error the sender met.
func (fr *frameReader) sentError() (*sentError, error) {
	var fixed [3]byte
	if _, err := io.ReadFull(fr.r, fixed[:]); err != nil {
		return nil, broken(err)
	}
	n := int(binary.BigEndian.Uint16(fixed[1:]))
	if fixed[0]&^flagLayout != 0 || n == 0 || n > maxStreamMessage {
		return nil, fmt.Errorf("%w: import stream: malformed error frame", ErrLayout)
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(fr.r, msg); err != nil {
		return nil, broken(err)
	}
	return &sentError{msg: cleanMessage(string(msg)), layout: fixed[0]&flagLayout != 0}, nil
}

// sentError is an error the sender of a stream met (a file it could not
// open or read), rebuilt from its text.
type sentError struct {
	msg    string
	layout bool
}

func (e *sentError) Error() string { return e.msg }

// Unwrap makes errors.Is(err, ErrLayout) what it was for the sender.
func (e *sentError) Unwrap() error {
	if e.layout {
		return ErrLayout
	}
	return nil
}

// cleanMessage keeps a sender's text printable: no control characters that
// could forge lines in a log or the ledger.
func cleanMessage(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}
