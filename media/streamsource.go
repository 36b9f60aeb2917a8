package media

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// streamSource is the source of a bundle read from an import stream: meta
// files from the stage directory, payload files in place from the stream,
// in the order of groups (Manifest.Payloads, each artifact's Files).
type streamSource struct {
	fr     frameReader
	meta   map[string]*stagedMeta // meta path → staged copy
	groups [][]FileRef            // payload files, by artifact
	next   int                    // the next group to open
	cur    *entryReader           // the file being read
	err    error                  // set once the stream cannot go on
}

func (s *streamSource) openAt(rel string) (*os.File, string, error) {
	sm, ok := s.meta[rel]
	if !ok {
		return nil, "", &FileError{Path: rel, Err: fmt.Errorf("%w: not a meta file of this bundle", ErrLayout)}
	}
	if sm.err != nil {
		return nil, sm.dir, sm.err
	}
	f, err := os.Open(sm.path)
	if err != nil {
		return nil, sm.dir, &FileError{Path: rel, Dir: sm.dir, Err: err}
	}
	return f, sm.dir, nil
}

func (s *streamSource) open(rels []string) ([]sourceFile, io.Closer, error) {
	if len(rels) == 1 && strings.HasPrefix(rels[0], "meta/") {
		f, dir, err := s.openAt(rels[0])
		if err != nil {
			return nil, nil, err
		}
		return []sourceFile{dirFile{File: f, d: dir}}, f, nil
	}
	if s.err != nil {
		return nil, nil, s.err
	}
	if s.cur != nil && !s.cur.done {
		return nil, nil, fmt.Errorf("import stream: %s opened before %s was read to its end", rels[0], s.cur.path)
	}
	if s.next == len(s.groups) || !samePaths(s.groups[s.next], rels) {
		want := "nothing (every payload was read)"
		if s.next < len(s.groups) {
			want = s.groups[s.next][0].Path
		}
		return nil, nil, fmt.Errorf("import stream: %s asked for out of stream order; next is %s", strings.Join(rels, ", "), want)
	}
	group := s.groups[s.next]
	s.next++
	// The first entry answers the open: a file the sender could not open
	// fails here, as it would in a directory.
	h, err := s.fr.next()
	if err != nil {
		s.err = err
		return nil, nil, err
	}
	if h.kind == frameMissing && inGroup(group, h.path) {
		s.err = fmt.Errorf("import stream: the sender stopped after %s", h.path)
		return nil, nil, h.err
	}
	if err := h.want(group[0].Path, frameFile); err != nil {
		s.err = err
		return nil, nil, err
	}
	files := make([]sourceFile, len(group))
	for i, r := range group {
		e := &entryReader{s: s, path: r.Path, limit: r.Size + 1, last: s.next == len(s.groups) && i == len(group)-1, d: h.dir}
		if i == 0 {
			e.started = true
			s.cur = e
		}
		files[i] = e
	}
	return files, nopCloser{}, nil
}

// nopCloser: a stream's files need no closing; the stream is the caller's.
type nopCloser struct{}

func (nopCloser) Close() error { return nil }

func samePaths(refs []FileRef, rels []string) bool {
	if len(refs) != len(rels) {
		return false
	}
	for i := range refs {
		if refs[i].Path != rels[i] {
			return false
		}
	}
	return true
}

func inGroup(refs []FileRef, p string) bool {
	for _, r := range refs {
		if r.Path == p {
			return true
		}
	}
	return false
}

// end reads the end of the stream after the entry named after.
func (s *streamSource) end(after string) error {
	h, err := s.fr.next()
	if err != nil {
		return err
	}
	if h.kind != frameEnd {
		return h.fail("sent after the last file of the bundle (" + after + ")")
	}
	if _, err := s.fr.r.ReadByte(); err != io.EOF {
		return fmt.Errorf("%w: import stream: data after its end", ErrLayout)
	}
	return nil
}

// entryReader reads one payload file from the stream.
type entryReader struct {
	s       *streamSource
	path    string
	d       string // the sender's directory, known once started
	limit   int64  // listed size + 1
	n       int64
	chunk   int // bytes left in the current data chunk
	started bool
	last    bool // the last file of the stream
	done    bool
	err     error
}

func (e *entryReader) dir() string { return e.d }

func (e *entryReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.done {
		return 0, io.EOF
	}
	n, err := e.read(p)
	if err != nil && err != io.EOF {
		e.err = err
		if e.s.err == nil {
			e.s.err = fmt.Errorf("import stream: broken at %s: %w", e.path, err)
		}
	}
	return n, err
}

func (e *entryReader) read(p []byte) (int, error) {
	s := e.s
	if s.err != nil {
		return 0, s.err
	}
	if !e.started {
		if s.cur != nil && !s.cur.done {
			return 0, fmt.Errorf("import stream: %s read before %s was read to its end", e.path, s.cur.path)
		}
		h, err := s.fr.next()
		if err != nil {
			return 0, err
		}
		if err := h.want(e.path, frameFile); err != nil {
			return 0, err
		}
		e.started, e.d, s.cur = true, h.dir, e
	}
	if len(p) == 0 {
		return 0, nil
	}
	for e.chunk == 0 {
		size, err := s.fr.chunk()
		var sent *sentError
		if errors.As(err, &sent) {
			s.err = fmt.Errorf("import stream: the sender stopped after %s", e.path)
			return 0, err
		}
		if err != nil {
			return 0, err
		}
		if size == 0 {
			e.done = true
			if e.last {
				if err := s.end(e.path); err != nil {
					return 0, err
				}
			}
			return 0, io.EOF
		}
		if e.n+int64(size) > e.limit {
			return 0, &FileError{Path: e.path, Dir: e.d, Err: fmt.Errorf("%w: import stream: more than the listed size + 1 bytes", ErrLayout)}
		}
		e.chunk = size
	}
	n, err := io.ReadFull(s.fr.r, p[:min(len(p), e.chunk)])
	e.chunk -= n
	e.n += int64(n)
	if err != nil {
		return n, broken(err)
	}
	return n, nil
}
