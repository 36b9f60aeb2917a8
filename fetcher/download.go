package fetcher

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/patchferry/patchferry/verify"
)

// Download is a finished download, not yet verified: Commit it to the cache
// after its vendor signature checks out, or Discard it.
type Download struct {
	URL    string
	Path   string // the file in partial/
	Size   int64
	SHA256 string // hex
	SHA512 string // hex; for vendors that publish SHA-512 sums (Mozilla)
	meta   string
	sums   *digests // of what the partial file holds so far; nil once finished
}

// HTTPError is an answer other than success.
type HTTPError struct {
	URL    string
	Status int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// retryable reports whether another attempt may succeed.
func (e *HTTPError) retryable() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// UnreachableError is a request that never reached its server: the host's
// name did not resolve, or the connection was refused or found no route —
// to the server, or to the proxy (Proxy). Such an answer comes at once and
// another attempt a moment later gets the same, so it is not retried: a
// vendor that cannot be reached fails in a second, not after minutes of
// backoff. Timeouts are retried like other transient errors.
type UnreachableError struct {
	URL   string
	Host  string // host[:port] of URL
	Proxy bool   // the proxy could not be reached (or refused to connect)
	DNS   bool   // the host's name did not resolve
	Err   error
}

func (e *UnreachableError) Error() string {
	what := "cannot reach " + e.Host
	switch {
	case e.Proxy:
		what = "cannot reach " + e.Host + " through the proxy"
	case e.DNS:
		what = "cannot resolve " + e.Host
	}
	return fmt.Sprintf("%s: %s: %v", e.URL, what, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// unreachable classifies the error of a request that got no answer: it
// returns an *UnreachableError when the connection was never made for a
// reason that does not pass (a name that does not exist, a refusal, no
// route, a proxy that cannot be reached), else err as it is.
func unreachable(u string, err error) error {
	var op *net.OpError
	if !errors.As(err, &op) || (op.Op != "dial" && op.Op != "proxyconnect") || op.Timeout() ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	ue := &UnreachableError{URL: u, Host: u, Proxy: op.Op == "proxyconnect", Err: err}
	if pu, perr := url.Parse(u); perr == nil {
		ue.Host = pu.Host
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsTimeout || dns.IsTemporary {
			return err // a resolver that did not answer: retried
		}
		ue.DNS = true
	}
	return ue
}

// Downloader fetches over HTTP with bounded parallelism, resume, conditional
// requests, retries with backoff, a bandwidth limit and size limits.
type Downloader struct {
	client  *http.Client
	cache   *Cache
	state   *State
	sem     chan struct{}
	limit   *rate.Limiter // nil: no limit
	log     *slog.Logger
	Retries int                             // attempts after the first
	Backoff func(attempt int) time.Duration // wait before attempt n (1-based)
	// Progress, if set, is called when a payload download starts and
	// returns the function that receives its bytes.
	Progress func(name string, total int64) func(int64)
	// Idle is how long a body may send nothing before the attempt fails.
	Idle time.Duration
}

// NewDownloader returns a downloader configured from cfg.
func NewDownloader(cfg *Config, cache *Cache, state *State, log *slog.Logger) (*Downloader, error) {
	proxy := http.ProxyFromEnvironment
	if cfg.Proxy != "" {
		u, err := url.Parse(string(cfg.Proxy))
		if err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
		proxy = http.ProxyURL(u) // user:password in the URL becomes Proxy-Authorization
	}
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   20 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		MaxIdleConnsPerHost:   int(cfg.Concurrency),
		ForceAttemptHTTP2:     true,
	}
	d := &Downloader{
		client:  &http.Client{Transport: tr},
		cache:   cache,
		state:   state,
		sem:     make(chan struct{}, int(cfg.Concurrency)),
		log:     log,
		Retries: 5,
		Backoff: func(n int) time.Duration { return min(time.Duration(1<<n)*200*time.Millisecond, 10*time.Second) },
		Idle:    60 * time.Second,
	}
	if cfg.BandwidthLimit > 0 {
		d.limit = newLimiter(int64(cfg.BandwidthLimit))
	}
	return d, nil
}

const userAgent = "patchferry (+https://github.com/patchferry/patchferry)"

// retry runs fn until it succeeds, fails for good, or attempts run out.
func (d *Downloader) retry(ctx context.Context, what string, fn func() error) error {
	var err error
	for attempt := 0; attempt <= d.Retries; attempt++ {
		if attempt > 0 {
			d.log.Warn("retrying", "what", what, "attempt", attempt, "err", err)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d.Backoff(attempt)):
			}
		}
		if err = fn(); err == nil || !isRetryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return &GaveUpError{What: what, Attempts: d.Retries + 1, Err: err}
}

// GaveUpError is a request that failed every attempt with an error that
// may pass (a 5xx answer, 429, a timeout, a reset): the vendor's server
// is there but not answering well; the next run tries again.
type GaveUpError struct {
	What     string // the URL or file
	Attempts int
	Err      error // the last attempt's
}

func (e *GaveUpError) Error() string {
	return fmt.Sprintf("%s: giving up after %d attempts: %v", e.What, e.Attempts, e.Err)
}

func (e *GaveUpError) Unwrap() error { return e.Err }

func isRetryable(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.retryable()
	}
	var le *verify.LimitError
	var ue *UnreachableError
	if errors.As(err, &le) || errors.As(err, &ue) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return true // resets, timeouts, short bodies
}

func (d *Downloader) acquire(ctx context.Context) error {
	select {
	case d.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Downloader) release() { <-d.sem }

// do sends one request with the User-Agent set.
func (d *Downloader) do(ctx context.Context, method, u string, h http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, unreachable(u, err)
	}
	return resp, nil
}

// partialMeta is the sidecar of a download in progress.
type partialMeta struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Total        int64  `json:"total"` // -1: unknown
}

// File downloads u into partial/ — resuming an earlier cut download when the
// server still has the same file — hashing while downloading (SHA-256 and
// SHA-512; the file is never read back, only the prefix of a download an
// earlier run left is hashed from disk before resuming). maxSize limits the
// file.
func (d *Downloader) File(ctx context.Context, u, name string, maxSize int64) (*Download, error) {
	if err := d.acquire(ctx); err != nil {
		return nil, err
	}
	defer d.release()
	dataPath, metaPath := d.cache.partial(u)
	dl := &Download{URL: u, Path: dataPath, meta: metaPath}
	var progress func(int64)
	err := d.retry(ctx, u, func() error {
		return d.fileAttempt(ctx, dl, name, maxSize, &progress)
	})
	if err != nil {
		return nil, err
	}
	return dl, nil
}

func (d *Downloader) fileAttempt(ctx context.Context, dl *Download, name string, maxSize int64, progress *func(int64)) error {
	var meta partialMeta
	have := int64(0)
	if b, err := os.ReadFile(dl.meta); err == nil && json.Unmarshal(b, &meta) == nil && meta.URL == dl.URL {
		if fi, err := os.Stat(dl.Path); err == nil && (meta.ETag != "" || meta.LastModified != "") {
			have = fi.Size()
		}
	}
	if have > 0 {
		prefix, err := prefixSums(dl, have)
		if err != nil {
			return err
		}
		dl.sums = prefix
		if meta.Total == have {
			dl.finish() // complete already, cut before it was committed
			return nil
		}
	}
	h := http.Header{}
	if have > 0 {
		h.Set("Range", fmt.Sprintf("bytes=%d-", have))
		if meta.ETag != "" {
			h.Set("If-Range", meta.ETag)
		} else {
			h.Set("If-Range", meta.LastModified)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := d.do(ctx, http.MethodGet, dl.URL, h)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		if start, ok := contentRangeStart(resp.Header.Get("Content-Range")); !ok || start != have {
			os.Remove(dl.meta) // not the range we asked for: start over
			return errors.New("server sent an unexpected range; starting over")
		}
	case resp.StatusCode == http.StatusOK:
		have = 0 // the server ignored Range, or the file changed
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		// We may have had everything (a server that announced a wrong length).
		if total, ok := strings.CutPrefix(resp.Header.Get("Content-Range"), "bytes */"); ok && total == strconv.FormatInt(have, 10) {
			dl.finish()
			return nil
		}
		os.Remove(dl.meta)
		return errors.New("server refused the resume range; starting over")
	default:
		return &HTTPError{URL: dl.URL, Status: resp.StatusCode}
	}
	total := int64(-1)
	if resp.ContentLength >= 0 {
		total = have + resp.ContentLength
	}
	if total > maxSize {
		return &verify.LimitError{What: dl.URL, Limit: maxSize}
	}
	meta = partialMeta{URL: dl.URL, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Total: total}
	if b, err := json.Marshal(meta); err == nil {
		if err := os.WriteFile(dl.meta, b, 0o644); err != nil {
			return err
		}
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if have == 0 {
		flag |= os.O_TRUNC
		dl.sums = newDigests()
	}
	f, err := os.OpenFile(dl.Path, flag, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if *progress == nil && d.Progress != nil {
		*progress = d.Progress(name, total)
	}
	body := &idleReader{r: resp.Body, idle: d.Idle, cancel: cancel}
	var src io.Reader = io.LimitReader(body, maxSize-have+1)
	if d.limit != nil {
		src = &limitedReader{ctx: ctx, r: src, l: d.limit}
	}
	var dst io.Writer = hashingWriter{f: f, sums: dl.sums}
	if *progress != nil {
		dst = io.MultiWriter(dst, progressFunc(*progress))
	}
	n, err := io.Copy(dst, src)
	body.stop()
	if err != nil && body.fired.Load() {
		// Not the caller's cancel: a stalled server, worth another attempt.
		return fmt.Errorf("%s: no data for %v after %d bytes; the server stalled", dl.URL, d.Idle, have+n)
	}
	if err != nil {
		return err // cut: the next attempt resumes from here
	}
	if have+n > maxSize {
		return &verify.LimitError{What: dl.URL, Limit: maxSize}
	}
	if total >= 0 && have+n != total {
		return fmt.Errorf("%s: body ended after %d of %d bytes", dl.URL, have+n, total)
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if fi, err := f.Stat(); err != nil {
		return err
	} else if fi.Size() != dl.sums.n || dl.sums.n != have+n {
		return fmt.Errorf("%s: partial file has %d bytes, %d were hashed, %d downloaded", dl.Path, fi.Size(), dl.sums.n, have+n)
	}
	dl.finish()
	return nil
}

// finish records the size and digests of the complete partial file, which
// dl.sums hashed while it was written: the file is not read again.
func (dl *Download) finish() {
	dl.Size = dl.sums.n
	dl.SHA256 = hex.EncodeToString(dl.sums.sha256.Sum(nil))
	dl.SHA512 = hex.EncodeToString(dl.sums.sha512.Sum(nil))
	dl.sums = nil
}

// digests hashes a partial file's bytes as they are written: SHA-256 (the
// cache's address) and SHA-512 (vendors such as Mozilla publish SHA-512
// sums) in the same pass.
type digests struct {
	sha256, sha512 hash.Hash
	n              int64 // bytes hashed
}

func newDigests() *digests { return &digests{sha256: sha256.New(), sha512: sha512.New()} }

func (s *digests) Write(p []byte) (int, error) {
	s.sha256.Write(p)
	s.sha512.Write(p)
	s.n += int64(len(p))
	return len(p), nil
}

// hashingWriter writes to f and hashes exactly the bytes f took, so the
// digests always describe the file, even after a failed write.
type hashingWriter struct {
	f    *os.File
	sums *digests
}

func (w hashingWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.sums.Write(p[:n])
	return n, err
}

// prefixSums returns the digests of the first n bytes of dl's partial file,
// to continue them with the bytes a resumed download appends. A retry in the
// same File call finds them in dl.sums, carried over from the attempt that
// was cut; a download left by an earlier run hashes its n bytes from the
// file, once, before the resume request (wasted only if the server then
// ignores Range and sends the whole file).
func prefixSums(dl *Download, n int64) (*digests, error) {
	if dl.sums != nil && dl.sums.n == n {
		return dl.sums, nil
	}
	f, err := os.Open(dl.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := newDigests()
	if _, err := io.CopyN(s, f, n); err != nil {
		return nil, fmt.Errorf("hash the %d bytes already downloaded in %s: %w", n, dl.Path, err)
	}
	return s, nil
}

func contentRangeStart(s string) (int64, bool) {
	s, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return 0, false
	}
	start, _, ok := strings.Cut(s, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(start, 10, 64)
	return n, err == nil
}

// Meta fetches a small metadata document with a conditional request: when
// the server answers 304, the body comes from the cache and costs no
// download. changed says whether the body differs from last time.
func (d *Downloader) Meta(ctx context.Context, u string, max int64) (body []byte, changed bool, err error) {
	return d.conditional(ctx, u, u, nil, max)
}

// Head fetches the first n bytes of u (Range: bytes=0-(n-1)), conditionally:
// the ClamAV version probe.
func (d *Downloader) Head(ctx context.Context, u string, n int64) (body []byte, changed bool, err error) {
	h := http.Header{}
	h.Set("Range", fmt.Sprintf("bytes=0-%d", n-1))
	return d.conditional(ctx, u, u+"#head", h, n)
}

func (d *Downloader) conditional(ctx context.Context, u, key string, h http.Header, max int64) ([]byte, bool, error) {
	if err := d.acquire(ctx); err != nil {
		return nil, false, err
	}
	defer d.release()
	old, err := d.state.Validators(key)
	if err != nil {
		return nil, false, err
	}
	var body []byte
	changed := true
	err = d.retry(ctx, u, func() error {
		hh := http.Header{}
		for k, v := range h {
			hh[k] = v
		}
		if old.BodySHA256 != "" && d.cache.Has(old.BodySHA256) {
			if old.ETag != "" {
				hh.Set("If-None-Match", old.ETag)
			}
			if old.LastModified != "" {
				hh.Set("If-Modified-Since", old.LastModified)
			}
		}
		resp, err := d.do(ctx, http.MethodGet, u, hh)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusNotModified:
			body, err = d.cache.ReadBlob(old.BodySHA256, max)
			changed = false
			return err
		case http.StatusOK, http.StatusPartialContent:
		default:
			return &HTTPError{URL: u, Status: resp.StatusCode}
		}
		if h.Get("Range") != "" {
			body, err = io.ReadAll(io.LimitReader(resp.Body, max)) // a server that ignores Range: read only what we asked for
		} else {
			body, err = verify.ReadLimited(resp.Body, max, u)
		}
		if err != nil {
			return err
		}
		sha, err := d.cache.PutBytes(body)
		if err != nil {
			return err
		}
		changed = sha != old.BodySHA256
		return d.state.SetValidators(key, &Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), BodySHA256: sha})
	})
	return body, changed, err
}

type progressFunc func(int64)

func (p progressFunc) Write(b []byte) (int, error) { p(int64(len(b))); return len(b), nil }

// idleReader cancels the request when the body sends nothing for idle.
type idleReader struct {
	r      io.Reader
	idle   time.Duration
	cancel context.CancelFunc
	once   sync.Once
	timer  *time.Timer
	fired  atomic.Bool // the request was cancelled for idling
}

func (i *idleReader) Read(p []byte) (int, error) {
	i.once.Do(func() { i.timer = time.AfterFunc(i.idle, func() { i.fired.Store(true); i.cancel() }) })
	i.timer.Reset(i.idle)
	return i.r.Read(p)
}

func (i *idleReader) stop() {
	if i.timer != nil {
		i.timer.Stop()
	}
}

// newLimiter returns the bandwidth limit that all downloads share:
// bytesPerSecond on average, in bursts of at most a tenth of a second's
// worth (between 1 byte and 256 KiB). A small burst keeps the flow smooth
// and keeps each wait short next to Downloader.Idle.
func newLimiter(bytesPerSecond int64) *rate.Limiter {
	burst := min(max(bytesPerSecond/10, 1), 256<<10)
	return rate.NewLimiter(rate.Limit(bytesPerSecond), int(burst))
}

// limitedReader holds reads from r to the shared limit: it reads at most a
// burst at a time, then waits until the limit allows the bytes it got.
type limitedReader struct {
	ctx context.Context
	r   io.Reader
	l   *rate.Limiter
}

func (lr *limitedReader) Read(p []byte) (int, error) {
	p = p[:min(len(p), lr.l.Burst())] // WaitN refuses more than a burst
	n, err := lr.r.Read(p)
	if n > 0 {
		if werr := lr.l.WaitN(lr.ctx, n); werr != nil {
			if cerr := lr.ctx.Err(); cerr != nil {
				return n, cerr
			}
			// WaitN fails at once when the wait would pass ctx's deadline.
			return n, fmt.Errorf("bandwidth limit: %w (%v)", context.DeadlineExceeded, werr)
		}
	}
	return n, err
}
