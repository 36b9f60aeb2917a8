package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/patchferry/patchferry/mirror/store"
)

// Server answers HTTP requests from a snapshot of a store.
type Server struct {
	st      *store.Store
	log     *slog.Logger
	snap    atomic.Pointer[snapshot]
	small   smallBlobs
	metrics *metrics
}

// New returns a server for st; it loads the first snapshot.
func New(st *store.Store, log *slog.Logger) (*Server, error) {
	s := &Server{st: st, log: log}
	s.metrics = newMetrics(s)
	if err := s.Refresh(); err != nil {
		return nil, err
	}
	return s, nil
}

// Refresh loads a new snapshot of the store and switches to it atomically.
// Call it after anything changed the store (import, scrub, gc).
func (s *Server) Refresh() error {
	snap, err := loadSnapshot(s.st)
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	s.snap.Store(snap)
	s.small.retain(snap.blobs)
	return nil
}

// Handler returns the HTTP handler with access logging and metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/catalog", s.catalog)
	mux.HandleFunc("GET /blobs/sha256/{hex}", s.blob)
	mux.HandleFunc("GET /files/", s.files)
	mux.HandleFunc("GET /files", s.files)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/files/", http.StatusFound)
	})
	return s.logged(mux)
}

// NewHTTPServer returns an http.Server with timeouts against slow clients.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// catalog serves the current catalog's bytes from memory through
// http.ServeContent, which answers If-None-Match (the ETag is set first),
// If-Match, If-Range, Range and HEAD. There is no Last-Modified: the ETag,
// the SHA-256 of the bytes, is the validator, and it changes only when the
// bytes do (an import succeeded and Refresh built a new snapshot).
func (s *Server) catalog(w http.ResponseWriter, r *http.Request) {
	snap := s.snap.Load()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("ETag", snap.etag)
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(snap.catalog))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	snap := s.snap.Load()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "ok sequence=%d state=%s\n", snap.sequence, snap.stateCode)
}

// logged wraps h with the access log and request metrics.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &logWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(lw, r)
		client, _, _ := net.SplitHostPort(r.RemoteAddr)
		s.metrics.observe(r, lw.status, lw.bytes)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("method", r.Method),
			slog.String("path", r.URL.EscapedPath()), slog.Int("status", lw.status), slog.Int64("bytes", lw.bytes),
			slog.String("client", client), slog.Int64("duration_ms", time.Since(start).Milliseconds()))
	})
}

// logWriter records status and bytes. It keeps io.ReaderFrom so that
// http.ServeContent still uses sendfile for whole files.
type logWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *logWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *logWriter) ReadFrom(r io.Reader) (int64, error) {
	n, err := io.Copy(w.ResponseWriter, r) // http.response implements ReaderFrom
	w.bytes += n
	return n, err
}

func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
