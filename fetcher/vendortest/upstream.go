package vendortest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// Fault is a misbehaviour injected into the next response for a path.
type Fault int

// Faults.
const (
	FaultReset       Fault = iota + 1 // send half the body, then reset the connection
	Fault503                          // answer 503 Service Unavailable
	FaultSlow                         // send the body slowly (1 KiB per 10 ms)
	FaultWrongLength                  // announce a Content-Length longer than the body
	FaultIgnoreRange                  // answer 200 with the whole body to a Range request
	FaultNoETag                       // send no ETag and no Last-Modified
)

// Request is one request the upstream answered.
type Request struct {
	Method string
	Path   string
	Range  string
	Status int
	Bytes  int64 // body bytes sent
	Header http.Header
}

type file struct {
	data    []byte
	modTime time.Time
	etag    string
}

// Upstream is a fake vendor site. Its methods are safe for concurrent use.
type Upstream struct {
	mu        sync.Mutex
	files     map[string]*file
	redirects map[string]string
	faults    map[string][]Fault
	log       []*Request
	trust     verify.VendorTrust
	srv       *httptest.Server
	now       time.Time
	dns       dnsZone // dns.go: TXT records and the DNS server

	vmu   sync.Mutex      // guards fakes; held while a fake is made
	fakes map[string]Fake // vendor.go: the vendors' parts, by vendor name
}

// New returns an upstream with no files; Start or Listen serve it.
func New() *Upstream {
	return &Upstream{
		files:     make(map[string]*file),
		redirects: make(map[string]string),
		faults:    make(map[string][]Fault),
		now:       time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
		trust:     verify.VendorTrust{Format: verify.VendorTrustFormat},
		fakes:     make(map[string]Fake),
	}
}

// Start serves the upstream on a free loopback port.
func (u *Upstream) Start() {
	u.srv = httptest.NewServer(u)
}

// Listen serves the upstream on addr (e.g. "127.0.0.1:0").
func (u *Upstream) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	u.srv = httptest.NewUnstartedServer(u)
	u.srv.Listener.Close()
	u.srv.Listener = ln
	u.srv.Start()
	return nil
}

// URL is the base URL, e.g. http://127.0.0.1:41234.
func (u *Upstream) URL() string { return u.srv.URL }

// Close stops the server (and the DNS server, if any).
func (u *Upstream) Close() {
	u.dns.close()
	if u.srv != nil {
		u.srv.Close()
	}
}

// Now is the upstream's clock: release dates and Last-Modified times.
func (u *Upstream) Now() time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.now
}

// SetNow sets the upstream's clock. Call it before adding vendors: their
// test keys and first releases are dated from it.
func (u *Upstream) SetNow(t time.Time) {
	u.mu.Lock()
	u.now = t.UTC()
	u.mu.Unlock()
}

// Advance moves the upstream's clock forward (a week passes).
func (u *Upstream) Advance(d time.Duration) {
	u.mu.Lock()
	u.now = u.now.Add(d)
	u.mu.Unlock()
}

// Put publishes data at path (with a leading slash), last modified at mod.
func (u *Upstream) Put(path string, data []byte, mod time.Time) {
	sum := sha256.Sum256(data)
	u.mu.Lock()
	u.files[path] = &file{data: data, modTime: mod, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	u.mu.Unlock()
}

// Get returns the content published at path.
func (u *Upstream) Get(path string) ([]byte, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	f, ok := u.files[path]
	if !ok {
		return nil, false
	}
	return f.data, true
}

// Remove unpublishes path.
func (u *Upstream) Remove(path string) {
	u.mu.Lock()
	delete(u.files, path)
	u.mu.Unlock()
}

// Redirect answers requests for from with a 302 to to (a path or URL).
func (u *Upstream) Redirect(from, to string) {
	u.mu.Lock()
	u.redirects[from] = to
	u.mu.Unlock()
}

// Inject queues a fault for the next request of path.
func (u *Upstream) Inject(path string, f Fault) {
	u.mu.Lock()
	u.faults[path] = append(u.faults[path], f)
	u.mu.Unlock()
}

// Requests returns the requests received so far. A request is logged when
// it arrives and its status and bytes before they are sent, so a client that
// has seen a response always finds it here.
func (u *Upstream) Requests() []Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]Request, len(u.log))
	for i, r := range u.log {
		out[i] = *r
	}
	return out
}

// BytesServed is the body bytes sent so far, for paths with the prefix.
func (u *Upstream) BytesServed(prefix string) int64 {
	var n int64
	for _, r := range u.Requests() {
		if strings.HasPrefix(r.Path, prefix) {
			n += r.Bytes
		}
	}
	return n
}

// ResetLog forgets the requests so far.
func (u *Upstream) ResetLog() {
	u.mu.Lock()
	u.log = nil
	u.mu.Unlock()
}

// Paths lists the published paths.
func (u *Upstream) Paths() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]string, 0, len(u.files))
	for p := range u.files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// VendorTrust returns the test vendors' anchors, each under its vendor, to
// give to the fetcher and the mirror as their vendor trust. It is a copy:
// later changes (a rotated key) do not reach it.
func (u *Upstream) VendorTrust() *verify.VendorTrust {
	u.mu.Lock()
	defer u.mu.Unlock()
	vt := verify.VendorTrust{Format: u.trust.Format}
	for _, a := range u.trust.Vendors {
		a.Products = slices.Clone(a.Products)
		a.AuthenticodeRoots = slices.Clone(a.AuthenticodeRoots)
		a.AuthenticodeSigners = slices.Clone(a.AuthenticodeSigners)
		a.OpenPGPKeys = slices.Clone(a.OpenPGPKeys)
		a.ClamAVKeys = slices.Clone(a.ClamAVKeys)
		a.ClamAVSignRoots = slices.Clone(a.ClamAVSignRoots)
		vt.Vendors = append(vt.Vendors, a)
	}
	return &vt
}

// Anchors lets a vendor's fake change its test anchors: fn edits the entry
// of vendor in the upstream's vendor trust (made when missing).
func (u *Upstream) Anchors(vendor string, fn func(a *verify.Anchors)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for i := range u.trust.Vendors {
		if u.trust.Vendors[i].Vendor == vendor {
			fn(&u.trust.Vendors[i])
			return
		}
	}
	a := verify.Anchors{Vendor: vendor}
	fn(&a)
	u.trust.Vendors = append(u.trust.Vendors, a)
}

// ServeHTTP implements http.Handler.
func (u *Upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	path := r.URL.Path
	f := u.files[path]
	to, redirect := u.redirects[path]
	var fault Fault
	if q := u.faults[path]; len(q) > 0 {
		fault, u.faults[path] = q[0], q[1:]
	}
	entry := &Request{Method: r.Method, Path: path, Range: r.Header.Get("Range"),
		Status: http.StatusOK, Header: r.Header.Clone()}
	u.log = append(u.log, entry)
	u.mu.Unlock()
	cw := &countingWriter{ResponseWriter: w, mu: &u.mu, entry: entry}
	switch {
	case redirect:
		http.Redirect(cw, r, to, http.StatusFound)
		return
	case f == nil:
		http.NotFound(cw, r)
		return
	case fault == Fault503:
		w.Header().Set("Retry-After", "0")
		http.Error(cw, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	if fault != FaultNoETag {
		cw.Header().Set("ETag", f.etag)
	}
	modTime := f.modTime
	if fault == FaultNoETag {
		modTime = time.Time{}
	}
	switch fault {
	case FaultIgnoreRange:
		r.Header.Del("Range")
		r.Header.Del("If-Range")
	case FaultReset:
		cw.Header().Set("Content-Length", fmt.Sprint(len(f.data)))
		cw.WriteHeader(http.StatusOK)
		cw.Write(f.data[:len(f.data)/2])
		panic(http.ErrAbortHandler) // the connection is reset mid-body
	case FaultWrongLength:
		cw.Header().Set("Content-Length", fmt.Sprint(len(f.data)+100))
		cw.WriteHeader(http.StatusOK)
		cw.Write(f.data)
		panic(http.ErrAbortHandler)
	case FaultSlow:
		http.ServeContent(cw, r, "", modTime, &slowReader{r: bytes.NewReader(f.data)})
		return
	}
	http.ServeContent(cw, r, "", modTime, bytes.NewReader(f.data))
}

// countingWriter records status and body bytes in the request's log entry
// before they reach the client.
type countingWriter struct {
	http.ResponseWriter
	mu    *sync.Mutex
	entry *Request
}

func (c *countingWriter) WriteHeader(code int) {
	c.mu.Lock()
	c.entry.Status = code
	c.mu.Unlock()
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.entry.Bytes += int64(len(b))
	c.mu.Unlock()
	n, err := c.ResponseWriter.Write(b)
	if n < len(b) {
		c.mu.Lock()
		c.entry.Bytes -= int64(len(b) - n)
		c.mu.Unlock()
	}
	if f, ok := c.ResponseWriter.(http.Flusher); ok && n > 0 {
		f.Flush()
	}
	return n, err
}

// slowReader hands out 1 KiB per 10 ms.
type slowReader struct{ r *bytes.Reader }

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(10 * time.Millisecond)
	return s.r.Read(p[:min(len(p), 1024)])
}

func (s *slowReader) Seek(off int64, whence int) (int64, error) { return s.r.Seek(off, whence) }

var _ io.ReadSeeker = (*slowReader)(nil)
