package server

import (
	"errors"
	"io"
	"net/http"
	"os"
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

// smallBlob is the size up to which a blob is copied through the response
// buffer, so that it leaves with the headers in one write. Larger blobs go
// out with sendfile, which net/http starts only after copying the first 512
// bytes (a read, a write and a sendfile for even a 1 KiB blob).
const smallBlob = 2 << 10

// serveBlob serves one blob if the snapshot lists it; name, if set, is the
// download name for Content-Disposition.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, sha, name string) {
	snap := s.snap.Load()
	size, ok := snap.blobs[sha]
	if !ok {
		http.NotFound(w, r)
		return
	}
	f, err := openBlob(s.st.BlobPath(sha))
	if err != nil {
		s.log.Error("blob listed but unreadable", "sha256", sha, "err", err)
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.Size() != size {
		s.log.Error("blob has the wrong size; run `patchferry mirror scrub`", "sha256", sha)
		http.Error(w, "blob damaged", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("ETag", `"sha256:`+sha+`"`)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("X-Content-Type-Options", "nosniff")
	if name != "" {
		h.Set("Content-Disposition", contentDisposition(name))
	}
	if size <= smallBlob {
		w = writerOnly{w}
	}
	http.ServeContent(w, r, "", time.Time{}, &blobFile{f: f, size: size})
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
