package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patchferry/patchferry/media/escape"
	"github.com/patchferry/patchferry/mirror/store"
)

// Server answers HTTP requests from a snapshot of a store.
type Server struct {
	st      *store.Store
	log     *slog.Logger
	opts    Options
	snap    atomic.Pointer[snapshot]
	small   smallBlobs
	marks   marks
	bufs    sync.Pool // *[]byte of readChunk bytes
	conns   *connLimit
	metrics *metrics

	refreshMu sync.Mutex // one Refresh at a time, so an older snapshot never replaces a newer one
}

// Options configure a Server; a zero field takes its default.
type Options struct {
	Log *slog.Logger // default: discard
	// StallTimeout cuts off a response whose client has accepted no bytes
	// for this long (default 30 s). It is the write deadline of every
	// response, and a blob download moves it StallTimeout ahead each time
	// the client accepted another 64 KiB: a slow download that keeps moving
	// (at least 64 KiB per StallTimeout) always finishes.
	StallTimeout time.Duration
	// ReadHeaderTimeout closes a connection that has not sent its request
	// header within this long (default 10 s).
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes a keep-alive connection idle this long (default
	// 2 min).
	IdleTimeout time.Duration
	// MaxConns caps the connections open at once (default 4096, see
	// Listener); each may hold a socket and a blob file, so the process
	// needs about 2 × MaxConns descriptors.
	MaxConns int
	// RangeMarkTTL is how long a blob file that hashed to its name may
	// serve Range requests without being hashed again (default 1 h; a
	// negative value: hash it for every Range request). See doc.go.
	RangeMarkTTL time.Duration
	// Now stamps quarantine records (default time.Now).
	Now func() time.Time
	// OpenBlob opens a blob file for reading (default: openBlob). Only
	// tests set it, to make opening fail as an overloaded system does.
	OpenBlob func(path string) (*os.File, error)
}

// Defaults of Options.
const (
	DefaultStallTimeout      = 30 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultMaxConns          = 4096
	DefaultRangeMarkTTL      = time.Hour
)

func (o *Options) setDefaults() {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.RangeMarkTTL == 0 {
		o.RangeMarkTTL = DefaultRangeMarkTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.OpenBlob == nil {
		o.OpenBlob = openBlob
	}
}

// New returns a server for st; it loads the first snapshot.
func New(st *store.Store, opts Options) (*Server, error) {
	opts.setDefaults()
	s := &Server{st: st, log: opts.Log, opts: opts, conns: newConnLimit(opts.MaxConns)}
	s.bufs.New = func() any { b := make([]byte, readChunk); return &b }
	s.metrics = newMetrics(s)
	if lim, need := fdLimit(), uint64(2*opts.MaxConns+256); lim > 0 && lim < need {
		s.log.Warn("the open-file limit is below what the connection cap needs: lower --max-connections or raise the limit (ulimit -n, LimitNOFILE=)",
			"limit", lim, "max_connections", opts.MaxConns, "needed", need)
	}
	if err := s.Refresh(); err != nil {
		return nil, err
	}
	return s, nil
}

// Refresh loads a new snapshot of the store and switches to it atomically.
// Call it after anything changed the store (import, scrub, gc).
func (s *Server) Refresh() error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	snap, err := loadSnapshot(s.st)
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	s.snap.Store(snap)
	s.small.retain(snap.blobs)
	s.marks.retain(snap.blobs)
	return nil
}

// refresh is Refresh for callers that can only log its failure.
func (s *Server) refresh() {
	if err := s.Refresh(); err != nil {
		s.log.Error("reload catalog", "err", err)
	}
}

// Handler returns the HTTP handler with access logging and metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/catalog", s.catalog)
	mux.HandleFunc("GET /blobs/sha256/{hex}", s.blob)
	mux.HandleFunc("GET /v1/bundles/{seq}/{file...}", s.bundle)
	mux.HandleFunc("GET /files/", s.files)
	mux.HandleFunc("GET /files", s.files)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/files/", http.StatusFound)
	})
	return s.logged(mux)
}

// HTTPServer returns an http.Server for Handler with the timeouts of the
// options: ReadHeaderTimeout, IdleTimeout, and StallTimeout as the write
// deadline (which blob downloads move ahead while they progress; there is
// no fixed total). Serve it on Listener(ln), which caps the connections.
func (s *Server) HTTPServer() *http.Server {
	o := s.opts
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadHeaderTimeout + 20*time.Second, // requests have no body
		WriteTimeout:      o.StallTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    32 << 10,
		ConnState:         s.conns.track,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Listener returns ln limited to Options.MaxConns open connections. A
// connection beyond the cap waits, accepted, until another one closes; to
// make room, an idle keep-alive connection is closed first (the server of
// HTTPServer reports which are idle).
func (s *Server) Listener(ln net.Listener) net.Listener {
	return &limitListener{Listener: ln, l: s.conns, done: make(chan struct{})}
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

// logged wraps h with the access log and request metrics. A request that
// was cut off (a damaged blob, see blobs.go) is logged with aborted=true.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &logWriter{ResponseWriter: w, status: http.StatusOK}
		completed := false
		defer func() {
			client, _, _ := net.SplitHostPort(r.RemoteAddr)
			s.metrics.observe(r, lw.status, lw.bytes)
			attrs := []slog.Attr{slog.String("method", r.Method),
				slog.String("path", r.URL.EscapedPath()), slog.Int("status", lw.status), slog.Int64("bytes", lw.bytes),
				slog.String("client", client), slog.String("user_agent", userAgent(r)),
				slog.Int64("duration_ms", time.Since(start).Milliseconds())}
			if !completed {
				attrs = append(attrs, slog.Bool("aborted", true))
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "http", attrs...)
		}()
		h.ServeHTTP(lw, r)
		completed = true
	})
}

// maxUserAgent bounds the User-Agent kept in the access log.
const maxUserAgent = 256

// userAgent is the request's User-Agent for the access log: escaped (it is
// the client's text) and cut at maxUserAgent bytes. Native updaters name
// themselves in it (ClamAV/1.4.6 …, Mozilla/5.0 … Firefox/128.0).
func userAgent(r *http.Request) string {
	ua := r.Header.Get("User-Agent")
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	return escape.String(ua)
}

// logWriter records status and bytes. It keeps io.ReaderFrom, which the
// catalog's http.ServeContent copies through; blobs never use sendfile any
// more (verified.go hashes every byte on its way out).
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
