package fetcher

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/verify"
)

type testEnv struct {
	up    *vendortest.Upstream
	cache *Cache
	state *State
	d     *Downloader
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	up := vendortest.New()
	up.Start()
	t.Cleanup(up.Close)
	dir := t.TempDir()
	cache, err := OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenState(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg, err := DefaultConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDownloader(cfg, cache, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	d.Backoff = func(int) time.Duration { return time.Millisecond }
	return &testEnv{up: up, cache: cache, state: st, d: d}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestFileDownloadAndCommit(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 300_000)
	e.up.Put("/f.bin", data, e.up.Now())
	dl, err := e.d.File(context.Background(), e.up.URL()+"/f.bin", "f.bin", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	checkDownload(t, dl, data)
	path, err := e.cache.Commit(dl)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, data) || !e.cache.Has(sum(data)) {
		t.Fatal("committed blob differs")
	}
}

// A download cut midway resumes and fetches only the remaining bytes.
func TestFileResumesAfterReset(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 1<<20)
	e.up.Put("/big.bin", data, e.up.Now())
	e.up.Inject("/big.bin", vendortest.FaultReset) // half the body, then a reset
	dl, err := e.d.File(context.Background(), e.up.URL()+"/big.bin", "big.bin", 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	checkDownload(t, dl, data)
	reqs := e.up.Requests()
	if len(reqs) != 2 || reqs[1].Range == "" || reqs[1].Header.Get("If-Range") == "" || reqs[1].Status != http.StatusPartialContent {
		t.Fatalf("second request should resume with Range and If-Range: %+v", reqs)
	}
	if total := e.up.BytesServed("/big.bin"); total != int64(len(data)) {
		t.Errorf("served %d bytes in all, want exactly %d (nothing fetched twice)", total, len(data))
	}
}

// A process killed mid-download: the next run resumes from the partial file.
func TestFileResumesAcrossRuns(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 1<<20)
	e.up.Put("/big.bin", data, e.up.Now())
	e.d.Retries = 0
	e.up.Inject("/big.bin", vendortest.FaultReset)
	if _, err := e.d.File(context.Background(), e.up.URL()+"/big.bin", "big.bin", 2<<20); err == nil {
		t.Fatal("a cut download with no retries succeeded")
	}
	e.up.ResetLog()
	dl, err := e.d.File(context.Background(), e.up.URL()+"/big.bin", "big.bin", 2<<20)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	checkDownload(t, dl, data)
	if got := e.up.BytesServed("/big.bin"); got != int64(len(data))/2 {
		t.Errorf("second run fetched %d bytes, want only the missing %d", got, len(data)/2)
	}
}

// A server that ignores Range answers 200 with the whole file: start over.
func TestFileServerIgnoresRange(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 200_000)
	e.up.Put("/f.bin", data, e.up.Now())
	e.d.Retries = 0
	e.up.Inject("/f.bin", vendortest.FaultReset)
	e.d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1<<20)
	e.up.ResetLog()
	e.up.Inject("/f.bin", vendortest.FaultIgnoreRange)
	dl, err := e.d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1<<20)
	if err != nil {
		t.Fatalf("after a 200 to a Range request: %v", err)
	}
	checkDownload(t, dl, data)
	if r := e.up.Requests(); len(r) != 1 || r[0].Range == "" || r[0].Status != http.StatusOK || r[0].Bytes != int64(len(data)) {
		t.Fatalf("want a Range request answered by 200 with the whole file: %+v", r)
	}
}

// Without an ETag, Last-Modified validates the resume; with neither, the
// download starts over.
func TestFileNoETag(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 200_000)
	e.up.Put("/f.bin", data, e.up.Now())
	e.up.Inject("/f.bin", vendortest.FaultNoETag)
	dl, err := e.d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	checkDownload(t, dl, data)
}

func TestFileRetries(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 50_000)
	e.up.Put("/f.bin", data, e.up.Now())
	for _, f := range []vendortest.Fault{vendortest.Fault503, vendortest.FaultWrongLength, vendortest.Fault503} {
		e.up.Inject("/f.bin", f)
	}
	dl, err := e.d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1<<20)
	if err != nil {
		t.Fatalf("after 503, wrong length, 503: %v", err)
	}
	checkDownload(t, dl, data)
	if n := len(e.up.Requests()); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

func TestFileGivesUp(t *testing.T) {
	e := newTestEnv(t)
	e.up.Put("/f.bin", []byte("x"), e.up.Now())
	e.d.Retries = 2
	for range 3 {
		e.up.Inject("/f.bin", vendortest.Fault503)
	}
	_, err := e.d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1<<20)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 503 || !strings.Contains(err.Error(), "giving up") {
		t.Fatalf("err = %v", err)
	}
	if _, err := e.d.File(context.Background(), e.up.URL()+"/missing", "m", 1<<20); !errors.As(err, &he) || he.Status != 404 {
		t.Fatalf("404: %v", err)
	}
	if n := len(e.up.Requests()); n != 4 {
		t.Errorf("%d requests; a 404 must not be retried", n)
	}
}

func TestFileSizeLimit(t *testing.T) {
	e := newTestEnv(t)
	e.up.Put("/f.bin", randomBytes(t, 1001), e.up.Now())
	_, err := e.d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1000)
	var le *verify.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want LimitError", err)
	}
	if _, err := e.d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1001); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
}

// Unchanged metadata costs no body bytes the second time.
func TestMetaConditional(t *testing.T) {
	e := newTestEnv(t)
	e.up.Put("/meta.json", []byte(`{"v":1}`), e.up.Now())
	u := e.up.URL() + "/meta.json"
	b, changed, err := e.d.Meta(context.Background(), u, 1<<10)
	if err != nil || !changed || string(b) != `{"v":1}` {
		t.Fatalf("first: %q %v %v", b, changed, err)
	}
	e.up.ResetLog()
	b, changed, err = e.d.Meta(context.Background(), u, 1<<10)
	if err != nil || changed || string(b) != `{"v":1}` {
		t.Fatalf("second: %q %v %v", b, changed, err)
	}
	if r := e.up.Requests(); len(r) != 1 || r[0].Status != http.StatusNotModified || r[0].Bytes != 0 {
		t.Fatalf("second request: %+v", r)
	}
	e.up.Put("/meta.json", []byte(`{"v":2}`), e.up.Now().Add(time.Hour))
	if b, changed, _ = e.d.Meta(context.Background(), u, 1<<10); !changed || string(b) != `{"v":2}` {
		t.Fatalf("after a change: %q %v", b, changed)
	}
	if _, _, err := e.d.Meta(context.Background(), u, 3); err == nil {
		t.Fatal("metadata over the limit accepted")
	}
}

func TestHeadProbe(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 10_000)
	e.up.Put("/x.cvd", data, e.up.Now())
	b, _, err := e.d.Head(context.Background(), e.up.URL()+"/x.cvd", 512)
	if err != nil || !bytes.Equal(b, data[:512]) {
		t.Fatalf("probe: %v", err)
	}
	if r := e.up.Requests(); r[0].Range != "bytes=0-511" || r[0].Bytes != 512 {
		t.Fatalf("probe request: %+v", r[0])
	}
	e.up.ResetLog()
	if _, changed, _ := e.d.Head(context.Background(), e.up.URL()+"/x.cvd", 512); changed || e.up.BytesServed("/") != 0 {
		t.Fatalf("second probe of an unchanged file cost bytes")
	}
}

// The configured proxy sees the requests, with its credentials.
func TestProxy(t *testing.T) {
	e := newTestEnv(t)
	e.up.Put("/f.bin", []byte("through the proxy"), e.up.Now())
	var seen atomic.Int32
	var auth atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		auth.Store(r.Header.Get("Proxy-Authorization"))
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	pu.User = url.UserPassword("soumu", "s3cret")
	cfg, _ := DefaultConfig(nil)
	cfg.Proxy = proxyURL(pu.String())
	d, err := NewDownloader(cfg, e.cache, e.state, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	dl, err := d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1<<10)
	if err != nil || dl.Size != int64(len("through the proxy")) {
		t.Fatalf("via proxy: %v", err)
	}
	if seen.Load() == 0 || !strings.HasPrefix(auth.Load().(string), "Basic ") {
		t.Fatalf("proxy saw %d requests, auth %q", seen.Load(), auth.Load())
	}
}

func TestNewLimiter(t *testing.T) {
	for _, tc := range []struct {
		rate  int64
		burst int
	}{{1, 1}, {50, 5}, {100_000, 10_000}, {2_621_440, 256 << 10}, {10 << 20, 256 << 10}} {
		l := newLimiter(tc.rate)
		if l.Burst() != tc.burst || float64(l.Limit()) != float64(tc.rate) {
			t.Errorf("newLimiter(%d): rate %v, burst %d; want %d, %d", tc.rate, l.Limit(), l.Burst(), tc.rate, tc.burst)
		}
	}
}

// TestBandwidthLimit: N bytes take at least (N - burst) / rate, and two
// downloads at once share one limit. Only lower bounds: a loaded machine can
// only make a download slower. The burst (10,000 bytes) is smaller than
// io.Copy's 32 KiB reads, so this also fails if a read waits for more than
// a burst (WaitN refuses that).
func TestBandwidthLimit(t *testing.T) {
	const rate, burst, n = 100_000, 10_000, 60_000
	e := newTestEnv(t)
	for _, p := range []string{"/a.bin", "/b.bin", "/c.bin"} {
		e.up.Put(p, randomBytes(t, n), e.up.Now())
	}
	e.d.limit = newLimiter(rate)
	atLeast := func(bytes int) time.Duration {
		return time.Duration(float64(bytes-burst) / rate * 0.95 * float64(time.Second))
	}

	start := time.Now()
	if _, err := e.d.File(context.Background(), e.up.URL()+"/a.bin", "a", 1<<20); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < atLeast(n) {
		t.Errorf("%d bytes at %d bytes/s took %v, want at least %v", n, rate, el, atLeast(n))
	}

	e.d.limit = newLimiter(rate) // a full bucket again
	start = time.Now()
	errs := make(chan error, 2)
	for _, p := range []string{"/b.bin", "/c.bin"} {
		go func() {
			dl, err := e.d.File(context.Background(), e.up.URL()+p, p, 1<<20)
			if err == nil && dl.Size != n {
				err = fmt.Errorf("%s: %d bytes", p, dl.Size)
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < atLeast(2*n) {
		t.Errorf("two downloads of %d bytes at once took %v, want at least %v: they do not share the limit", n, el, atLeast(2*n))
	}
}

// TestBandwidthLimitCancel: cancelling stops a download that is waiting
// for the limit at once (the whole file would take 50 s).
func TestBandwidthLimitCancel(t *testing.T) {
	e := newTestEnv(t)
	e.up.Put("/f.bin", randomBytes(t, 1_000_000), e.up.Now())
	e.d.limit = newLimiter(20_000)
	started := make(chan struct{})
	var once sync.Once
	e.d.Progress = func(string, int64) func(int64) {
		return func(int64) { once.Do(func() { close(started) }) }
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.d.File(ctx, e.up.URL()+"/f.bin", "f", 2<<20)
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("the download ended before any progress: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("File after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("File still running 10 s after cancel")
	}
	if n := len(e.up.Requests()); n != 1 {
		t.Errorf("%d requests; a cancelled download must not be retried", n)
	}
}

// TestFileIdleRetried: a server that stops sending mid-body is given up on
// after Idle and the download resumes; the idle cancel is not taken for
// the caller's.
func TestFileIdleRetried(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 100_000)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Write(data[:len(data)/2])
			w.(http.Flusher).Flush()
			select { // stall until the client gives up
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}))
	defer srv.Close()
	e.d.Idle = 200 * time.Millisecond
	dl, err := e.d.File(context.Background(), srv.URL+"/f.bin", "f", 1<<20)
	if err != nil {
		t.Fatalf("after a stalled body: %v", err)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want the stalled one and a resume", n.Load())
	}
	checkDownload(t, dl, data)
}

// closedAddr returns a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// countHandler counts the log records whose message is msg.
type countHandler struct {
	slog.Handler
	msg string
	n   *atomic.Int32
}

func (h countHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.n.Add(1)
	}
	return nil
}

// A host that refuses the connection, or a proxy that does, is an answer:
// the request fails at once as an *UnreachableError naming the host, with
// the real backoff schedule and without a single retry; a 503 is still
// retried.
func TestUnreachableFailsFast(t *testing.T) {
	e := newTestEnv(t)
	closed := closedAddr(t)
	var retries atomic.Int32
	log := slog.New(countHandler{Handler: slog.DiscardHandler, msg: "retrying", n: &retries})
	cfg, _ := DefaultConfig(nil)
	direct, err := NewDownloader(cfg, e.cache, e.state, log)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Proxy = proxyURL("http://soumu:s3cret@" + closedAddr(t))
	proxied, err := NewDownloader(cfg, e.cache, e.state, log)
	if err != nil {
		t.Fatal(err)
	}
	e.up.Put("/f.bin", []byte("x"), e.up.Now())
	for _, tc := range []struct {
		name  string
		d     *Downloader
		url   string
		host  string
		proxy bool
	}{
		{"refused", direct, "http://" + closed + "/f.bin", closed, false},
		{"proxy refused", proxied, e.up.URL() + "/f.bin", strings.TrimPrefix(e.up.URL(), "http://"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, ferr := tc.d.File(t.Context(), tc.url, "f", 1<<10)
			_, _, merr := tc.d.Meta(t.Context(), tc.url, 1<<10)
			for _, err := range []error{ferr, merr} {
				var ue *UnreachableError
				if !errors.As(err, &ue) || ue.Host != tc.host || ue.Proxy != tc.proxy || ue.DNS {
					t.Errorf("err = %v (%#v), want unreachable %s (proxy %v)", err, ue, tc.host, tc.proxy)
				}
				if err != nil && strings.Contains(err.Error(), "s3cret") {
					t.Errorf("the error shows the proxy password: %v", err)
				}
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %s: an unreachable host must fail at once", took)
			}
		})
	}
	if n := retries.Load(); n != 0 {
		t.Errorf("%d retries of an unreachable host", n)
	}
	e.up.Inject("/f.bin", vendortest.Fault503)
	if _, err := e.d.File(t.Context(), e.up.URL()+"/f.bin", "f", 1<<10); err != nil {
		t.Errorf("a 503 then the file: %v", err)
	}
}
