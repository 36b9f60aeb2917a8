package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"time"
)

func (s *Server) blob(w http.ResponseWriter, r *http.Request) {
	hexd := r.PathValue("hex")
	if !isSHA256(hexd) {
		http.Error(w, "not a SHA-256", http.StatusBadRequest)
		return
	}
	s.serveBlob(w, r, hexd, "")
}

// serveBlob serves one blob if the snapshot lists it; name, if set, is the
// download name for Content-Disposition.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, sha, name string) {
	snap := s.snap.Load()
	size, ok := snap.blobs[sha]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if size <= smallBlob {
		b, err := s.small.get(sha, s.st.BlobPath(sha), size)
		if err != nil {
			s.unreadable(w, r, sha, err)
			return
		}
		s.serveSmall(w, r, sha, name, b)
		return
	}
	f, err := openBlob(s.st.BlobPath(sha))
	if err != nil {
		s.unreadable(w, r, sha, err)
		return
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		s.unreadable(w, r, sha, err)
		return
	} else if fi.Size() != size {
		s.unreadable(w, r, sha, fmt.Errorf("%d bytes on disk, want %d: %w", fi.Size(), size, errDamaged))
		return
	}
	s.blobHeaders(w, sha, name)
	http.ServeContent(w, r, "", time.Time{}, &blobFile{f: f, size: size})
}

// serveSmall serves a blob from memory. A plain GET or HEAD is answered
// directly, with the headers http.ServeContent would send; ranges and
// conditional requests go through http.ServeContent.
func (s *Server) serveSmall(w http.ResponseWriter, r *http.Request, sha, name string, b []byte) {
	s.blobHeaders(w, sha, name)
	for _, k := range [...]string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"} {
		if _, ok := r.Header[k]; ok {
			// writerOnly: the bytes go into the response buffer and leave
			// with the headers in one write.
			http.ServeContent(writerOnly{w}, r, "", time.Time{}, bytes.NewReader(b))
			return
		}
	}
	h := w.Header()
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// unreadable answers for a blob the snapshot lists but the disk does not
// give back: 500 if it is damaged, else 404.
func (s *Server) unreadable(w http.ResponseWriter, r *http.Request, sha string, err error) {
	if errors.Is(err, errDamaged) {
		s.log.Error("blob damaged; run `patchferry mirror scrub`", "sha256", sha, "err", err)
		http.Error(w, "blob damaged", http.StatusInternalServerError)
		return
	}
	s.log.Error("blob listed but unreadable", "sha256", sha, "err", err)
	http.NotFound(w, r)
}

// blobHeaders sets the headers of an immutable blob; name, if set, is the
// download name.
func (s *Server) blobHeaders(w http.ResponseWriter, sha, name string) {
	h := w.Header()
	h.Set("ETag", `"sha256:`+sha+`"`)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("X-Content-Type-Options", "nosniff")
	if name != "" {
		h.Set("Content-Disposition", contentDisposition(name))
	}
}

// writerOnly hides the io.ReaderFrom of a ResponseWriter, so that io.Copy
// writes into the response buffer instead of starting sendfile.
type writerOnly struct{ http.ResponseWriter }

// blobFile is an open blob of known size (checked with Stat). It answers
// http.ServeContent's seeks to the end and back, which only learn the size,
// without system calls: the file offset is moved when bytes are read, or
// before the descriptor is handed to sendfile, which reads from the file
// offset (net.TCPConn.ReadFrom looks for syscall.Conn). After that the file
// offset is the truth and every call goes to the file.
type blobFile struct {
	f    *os.File
	size int64
	off  int64 // where the next Read starts
	pos  int64 // the file offset
	raw  bool  // the descriptor was handed out
}

var errSeek = errors.New("seek: invalid whence or negative position")

func (b *blobFile) Seek(offset int64, whence int) (int64, error) {
	if b.raw {
		return b.f.Seek(offset, whence)
	}
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

func (b *blobFile) Read(p []byte) (int, error) {
	if b.raw {
		return b.f.Read(p)
	}
	if err := b.sync(); err != nil {
		return 0, err
	}
	n, err := b.f.Read(p)
	b.off += int64(n)
	b.pos = b.off
	return n, err
}

// SyscallConn implements syscall.Conn for sendfile.
func (b *blobFile) SyscallConn() (syscall.RawConn, error) {
	if !b.raw {
		if err := b.sync(); err != nil {
			return nil, err
		}
		b.raw = true
	}
	return b.f.SyscallConn()
}

// sync moves the file offset to where the next Read starts.
func (b *blobFile) sync() error {
	if b.off == b.pos {
		return nil
	}
	if _, err := b.f.Seek(b.off, io.SeekStart); err != nil {
		return err
	}
	b.pos = b.off
	return nil
}
