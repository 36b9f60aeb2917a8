package server

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func (s *Server) blob(w http.ResponseWriter, r *http.Request) {
	hexd := r.PathValue("hex")
	if !isSHA256(hexd) {
		http.Error(w, "not a SHA-256", http.StatusBadRequest)
		return
	}
	s.serveBlob(w, r, hexd, "", s.snap.Load().modTimes[hexd])
}

// serveBlob serves one blob if the snapshot lists it; name, if set, is the
// download name for Content-Disposition; mod is its Last-Modified (the
// release date, else the import time), which If-Modified-Since compares
// with when there is no If-None-Match. The bytes of a blob larger than
// smallBlob are hashed while they are sent (verified.go): a response whose
// bytes do not hash to the name is cut off before its last bytes, and the
// blob is quarantined.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, sha, name string, mod time.Time) {
	snap := s.snap.Load()
	size, ok := snap.blobs[sha]
	if !ok {
		// Not authoritative for ever: an import may restore a quarantined
		// blob, so no cache may keep this answer.
		w.Header().Set("Cache-Control", "no-cache")
		http.NotFound(w, r)
		return
	}
	if size <= smallBlob {
		b, err := s.small.get(sha, s.st.BlobPath(sha), size, s.opts.OpenBlob)
		if err != nil {
			s.unreadable(w, r, sha, err)
			return
		}
		s.serveSmall(w, r, sha, name, b, mod)
		return
	}
	f, err := s.opts.OpenBlob(s.st.BlobPath(sha))
	if err != nil {
		s.unreadable(w, r, sha, err)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.unreadable(w, r, sha, err)
		return
	} else if fi.Size() != size {
		s.unreadable(w, r, sha, &damageError{fi: fi, err: fmt.Errorf("%d bytes on disk, want %d: %w", fi.Size(), size, errDamaged)})
		return
	}
	body := &blobBody{s: s, f: f, fi: fi, sha: sha, size: size}
	if strings.Contains(r.Header.Get("Range"), ",") && r.Method != http.MethodHead {
		// Several ranges are sent as multipart by a goroutine of
		// http.ServeContent, which cannot hold bytes back: the file is
		// hashed first (unless its mark holds), then sent.
		if err := body.verify(); err != nil {
			if body.damaged != nil {
				err = &damageError{fi: fi, err: fmt.Errorf("%w: %w", body.damaged, errDamaged)}
			}
			s.unreadable(w, r, sha, err)
			return
		}
	}
	s.blobHeaders(w, sha, name)
	bw := &blobWriter{ResponseWriter: w, body: body}
	http.ServeContent(bw, r, "", mod, body)
	switch {
	case body.damaged != nil:
		s.quarantineServed(sha, body.damaged.Error(), fi)
		panic(http.ErrAbortHandler) // the client sees a cut connection, never a complete response
	case body.err != nil:
		if !body.writeFailed { // else: stalled past StallTimeout, or gone
			s.log.Error("blob read failed while serving; run `patchferry mirror scrub`", "sha256", sha, "err", body.err)
		}
		panic(http.ErrAbortHandler)
	}
}

// serveSmall serves a blob from memory. A plain GET or HEAD is answered
// directly, with the headers http.ServeContent would send; ranges and
// conditional requests go through http.ServeContent.
func (s *Server) serveSmall(w http.ResponseWriter, r *http.Request, sha, name string, b []byte, mod time.Time) {
	s.blobHeaders(w, sha, name)
	for _, k := range [...]string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"} {
		if _, ok := r.Header[k]; ok {
			// writerOnly: the bytes go into the response buffer and leave
			// with the headers in one write.
			http.ServeContent(writerOnly{w}, r, "", mod, bytes.NewReader(b))
			return
		}
	}
	h := w.Header()
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if !mod.IsZero() {
		h.Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// retryAfter is the Retry-After of a 503 (seconds).
const retryAfter = "10"

// unreadable answers for a blob the snapshot lists but the disk does not
// give back. A damaged file (wrong size or SHA-256) is quarantined and
// answered 500. Anything else is 503 with Retry-After, never 404, which a
// cache would take as the truth: too many open files (EMFILE, ENFILE),
// EAGAIN or ENOMEM are an overload that passes; a blob that is missing
// although listed (ENOENT) is a damaged store, logged loudly — `mirror
// scrub` (also run in the background) quarantines it, `mirror import
// --repair` restores it — unless the store no longer lists it either (gc or
// a quarantine just took it away): then the snapshot is reloaded and the
// answer is 404.
func (s *Server) unreadable(w http.ResponseWriter, r *http.Request, sha string, err error) {
	if de := (*damageError)(nil); errors.As(err, &de) {
		s.quarantineServed(sha, err.Error(), de.fi)
		http.Error(w, "blob damaged", http.StatusInternalServerError)
		return
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !s.stillListed(sha) {
			s.refresh()
			w.Header().Set("Cache-Control", "no-cache")
			http.NotFound(w, r)
			return
		}
		s.log.Error("blob listed in the catalog but missing from the store; run `patchferry mirror scrub`, then `patchferry mirror import --repair` with the media that brought it",
			"sha256", sha, "err", err)
	case transient(err):
		s.log.Warn("blob cannot be opened now (overloaded); answered 503", "sha256", sha, "err", err)
	default:
		s.log.Error("blob listed but unreadable; answered 503", "sha256", sha, "err", err)
	}
	w.Header().Set("Retry-After", retryAfter)
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "blob temporarily unavailable, try again later", http.StatusServiceUnavailable)
}

// transient reports whether err is an overload that passes by itself.
func transient(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.EAGAIN, syscall.ENOMEM, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// stillListed reports whether the store still lists the blob sha as one to
// serve (recorded, not quarantined); on an error it says yes.
func (s *Server) stillListed(sha string) bool {
	serves, err := s.st.Serves(sha)
	return serves || err != nil
}

// quarantineServed quarantines the blob sha, found damaged in the file fi
// while serving it, and reloads the snapshot so that it is not served again.
func (s *Server) quarantineServed(sha, reason string, fi os.FileInfo) {
	s.log.Error("blob damaged on disk: response cut off, blob quarantined; restore it with `patchferry mirror import --repair`",
		"sha256", sha, "reason", reason)
	done, err := s.st.QuarantineDamaged(sha, reason, fi, s.opts.Now())
	if err != nil {
		s.log.Error("quarantine damaged blob", "sha256", sha, "err", err)
		return
	}
	if done {
		s.refresh()
	}
}

// damageError is a blob file found damaged; fi is the file.
type damageError struct {
	fi  os.FileInfo
	err error
}

func (e *damageError) Error() string { return e.err.Error() }
func (e *damageError) Unwrap() error { return e.err }

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
