package server

import (
	"net/http"
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
	f, err := s.st.OpenBlob(sha)
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
	http.ServeContent(w, r, "", time.Time{}, f)
}
