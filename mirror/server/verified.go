package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"net/http"
	"os"
	"sync"
	"time"
)

// readChunk is how much of a blob one read takes (the buffer each
// download holds: 1,000 downloads hold 64 MiB); writeChunk is how much one
// write hands the client, after which the write deadline moves
// StallTimeout ahead.
const (
	readChunk  = 64 << 10
	writeChunk = 64 << 10
)

var (
	errUnverifiedRead = errors.New("blob bytes must go through the verified copy")
	errSeek           = errors.New("seek: invalid whence or negative position")
)

// blobBody is an open blob of known size (checked with Stat) for
// http.ServeContent. ServeContent only seeks (to learn the size and the
// start of a range) and then copies sendSize bytes into the ResponseWriter
// — a blobWriter, whose ReadFrom takes over the copy: send reads the range,
// hashes the whole file, and holds the last chunk back until the SHA-256
// matched. Read itself refuses, so no bytes ever leave unverified by
// another path.
type blobBody struct {
	s    *Server
	f    *os.File
	fi   os.FileInfo
	sha  string
	size int64
	off  int64 // where the copy starts (set by Seek)

	plain bool // the file hashed to its name just now (several ranges): Read may serve it

	damaged     error // the bytes do not hash to the name
	err         error // the copy stopped (read or write error)
	writeFailed bool  // … because the client could not be written to
}

func (b *blobBody) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += b.off
	case io.SeekEnd:
		offset += b.size
	default:
		return 0, errSeek
	}
	if offset < 0 {
		return 0, errSeek
	}
	b.off = offset
	return offset, nil
}

// Read serves ServeContent's multipart answer to several ranges, and only
// once verify succeeded (plain); otherwise bytes go through send.
func (b *blobBody) Read(p []byte) (int, error) {
	if !b.plain {
		return 0, errUnverifiedRead
	}
	if b.off >= b.size {
		return 0, io.EOF
	}
	n, err := b.f.ReadAt(p[:min(int64(len(p)), b.size-b.off)], b.off)
	b.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// verify makes sure the file hashed to its name (now, or per its mark) and
// then lets Read serve it. It is for several ranges, which ServeContent
// writes from a goroutine of its own.
func (b *blobBody) verify() error {
	if b.s.marks.valid(b.sha, b.fi, b.s.opts.RangeMarkTTL) {
		b.plain = true
		return nil
	}
	bufp := b.s.bufs.Get().(*[]byte)
	defer b.s.bufs.Put(bufp)
	h := sha256.New()
	if err := b.hashRange(h, *bufp, 0, b.size); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != b.sha {
		b.damaged = fmt.Errorf("SHA-256 is %s (found while serving)", got)
		return errDamaged
	}
	b.s.marks.set(b.sha, b.fi)
	b.plain = true
	return nil
}

// blobWriter is the ResponseWriter http.ServeContent writes a blob to.
type blobWriter struct {
	http.ResponseWriter
	body *blobBody
}

// ReadFrom receives ServeContent's copy: io.LimitReader(body, sendSize),
// or, for several ranges of a verified body, the multipart pipe.
func (w *blobWriter) ReadFrom(src io.Reader) (int64, error) {
	lr, ok := src.(*io.LimitedReader)
	switch {
	case ok && lr.R == w.body:
		n, err := w.body.send(w.ResponseWriter, lr.N)
		lr.N -= n
		return n, err
	case w.body.plain:
		n, err := io.CopyBuffer(&stallWriter{w: w.ResponseWriter, s: w.body.s}, src, make([]byte, writeChunk))
		if err != nil {
			w.body.err = err
		}
		return n, err
	}
	w.body.err = errUnverifiedRead
	return 0, errUnverifiedRead
}

// stallWriter moves the write deadline ahead before each write.
type stallWriter struct {
	w http.ResponseWriter
	s *Server
}

func (sw *stallWriter) Write(p []byte) (int, error) {
	http.NewResponseController(sw.w).SetWriteDeadline(time.Now().Add(sw.s.opts.StallTimeout))
	return sw.w.Write(p)
}

func (w *blobWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// send writes the bytes [off, off+n) of the blob to w. A whole-blob
// response is hashed as it is sent. A range is sent from a read of the
// whole file that hashes it (the bytes before and after the range are read
// and hashed, not sent), unless the file hashed to its name within
// RangeMarkTTL and is unchanged since (marks). Whenever the file is hashed,
// the last chunk of the response is held back until the hash matched; on a
// mismatch it is never sent, damaged is set and the caller aborts the
// response.
func (b *blobBody) send(w http.ResponseWriter, n int64) (int64, error) {
	start, end := b.off, b.off+n
	if start < 0 || end > b.size || n < 0 {
		b.err = fmt.Errorf("range %d-%d outside %d bytes", start, end, b.size)
		return 0, b.err
	}
	whole := start == 0 && end == b.size
	var h hash.Hash
	if whole || !b.s.marks.valid(b.sha, b.fi, b.s.opts.RangeMarkTTL) {
		h = sha256.New()
	}
	bufp := b.s.bufs.Get().(*[]byte)
	defer b.s.bufs.Put(bufp)
	buf := *bufp
	rc := http.NewResponseController(w)
	var sent int64
	write := func(p []byte) error {
		for len(p) > 0 {
			k := min(len(p), writeChunk)
			rc.SetWriteDeadline(time.Now().Add(b.s.opts.StallTimeout)) // progress moves it; ErrNotSupported: no deadline
			m, err := w.Write(p[:k])
			sent += int64(m)
			if err != nil {
				b.writeFailed = true
				return err
			}
			p = p[k:]
		}
		return nil
	}
	pos := start
	if h != nil {
		if err := b.hashRange(h, buf, 0, start); err != nil {
			return 0, err
		}
	}
	var held []byte // the last chunk, sent once the hash matched
	for pos < end {
		m := int(min(int64(len(buf)), end-pos))
		if err := b.readAt(buf[:m], pos); err != nil {
			return sent, err
		}
		pos += int64(m)
		if h == nil {
			if err := write(buf[:m]); err != nil {
				b.err = err
				return sent, err
			}
			continue
		}
		h.Write(buf[:m])
		if pos == end {
			held = buf[:m]
			break
		}
		if err := write(buf[:m]); err != nil {
			b.err = err
			return sent, err
		}
	}
	if h != nil {
		if end < b.size {
			rest := b.s.bufs.Get().(*[]byte)
			err := b.hashRange(h, *rest, end, b.size)
			b.s.bufs.Put(rest)
			if err != nil {
				return sent, err
			}
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != b.sha {
			b.damaged = fmt.Errorf("SHA-256 is %s (found while serving)", got)
			return sent, errDamaged
		}
		b.s.marks.set(b.sha, b.fi)
	}
	if err := write(held); err != nil {
		b.err = err
		return sent, err
	}
	return sent, nil
}

// hashRange hashes the bytes [from, to) of the file, using buf.
func (b *blobBody) hashRange(h hash.Hash, buf []byte, from, to int64) error {
	for from < to {
		m := int(min(int64(len(buf)), to-from))
		if err := b.readAt(buf[:m], from); err != nil {
			return err
		}
		h.Write(buf[:m])
		from += int64(m)
	}
	return nil
}

// readAt fills p from the file at off; a file shorter than its Stat said
// is damaged.
func (b *blobBody) readAt(p []byte, off int64) error {
	_, err := b.f.ReadAt(p, off)
	switch {
	case errors.Is(err, io.EOF):
		b.damaged = fmt.Errorf("file ended before byte %d of %d (found while serving)", off+int64(len(p)), b.size)
		return errDamaged
	case err != nil:
		b.err = fmt.Errorf("read %s: %w", b.sha, err)
		return b.err
	}
	return nil
}

// marks remembers, per blob, the file that last hashed to its name and
// when, so that Range requests need not hash the whole file each time. A
// mark holds only for the same file (device and inode), size, modification
// and, on Linux, change time, and for at most RangeMarkTTL: a file rewritten
// by anything loses its mark; bitrot, which changes none of these, can
// only reach a range within RangeMarkTTL of a successful hash, and never a
// whole-blob response (always hashed while sent).
type marks struct {
	mu sync.Mutex
	m  map[string]mark
}

type mark struct {
	fi    os.FileInfo
	ctime int64
	at    time.Time
}

// maxMarks bounds the marks kept.
const maxMarks = 16384

func (c *marks) valid(sha string, fi os.FileInfo, ttl time.Duration) bool {
	if ttl < 0 {
		return false
	}
	c.mu.Lock()
	m, ok := c.m[sha]
	c.mu.Unlock()
	return ok && time.Since(m.at) < ttl && os.SameFile(m.fi, fi) && m.fi.Size() == fi.Size() &&
		m.fi.ModTime().Equal(fi.ModTime()) && m.ctime == changeTime(fi)
}

func (c *marks) set(sha string, fi os.FileInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]mark)
	}
	if _, ok := c.m[sha]; !ok && len(c.m) >= maxMarks {
		for k := range c.m { // drop any one: it costs one more hash
			delete(c.m, k)
			break
		}
	}
	c.m[sha] = mark{fi: fi, ctime: changeTime(fi), at: time.Now()}
}

// retain drops the marks of blobs a new snapshot no longer serves.
func (c *marks) retain(blobs map[string]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maps.DeleteFunc(c.m, func(sha string, _ mark) bool { _, ok := blobs[sha]; return !ok })
}
