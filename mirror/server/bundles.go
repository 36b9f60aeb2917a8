package server

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// bundle serves the signed manifest of a bundle that still brings a
// current artifact, as on the media: /v1/bundles/<sequence>/bundle.json,
// bundle.json.sig (base64 of the DER signature) and approvals/<name>.sig.
// They never change (a sequence is imported once; a fork is refused), so
// they are cacheable; one the mirror no longer keeps is a 404 no cache
// keeps.
func (s *Server) bundle(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil || seq == 0 || strconv.FormatUint(seq, 10) != r.PathValue("seq") {
		http.Error(w, "not a sequence number", http.StatusBadRequest)
		return
	}
	rec := s.snap.Load().bundles[seq]
	file := r.PathValue("file")
	var body []byte
	switch {
	case rec == nil:
	case file == media.ManifestName:
		body = rec.Manifest
		w.Header().Set("Content-Type", "application/json")
	case file == media.SignatureName:
		body = verify.EncodeSignature(rec.Signature)
	default:
		for _, a := range rec.Approvals {
			if a.Name == file {
				body = verify.EncodeSignature(a.Sig)
			}
		}
	}
	if body == nil {
		w.Header().Set("Cache-Control", "no-cache")
		http.NotFound(w, r)
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
