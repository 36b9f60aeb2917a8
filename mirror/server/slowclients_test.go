package server_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/server"
	"github.com/patchferry/patchferry/mirror/store"
)

// live is a server on a real loopback listener, as `mirror serve` runs it:
// HTTPServer on Listener.
type live struct {
	st   *store.Store
	srv  *server.Server
	addr string
	logs *logBuffer
}

func startLive(t *testing.T, st *store.Store, opts server.Options) *live {
	t.Helper()
	l := &live{st: st, logs: &logBuffer{}}
	opts.Log = slog.New(slog.NewTextHandler(l.logs, nil))
	srv, err := server.New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := srv.HTTPServer()
	go hs.Serve(srv.Listener(ln))
	t.Cleanup(func() { hs.Close() })
	l.srv, l.addr = srv, ln.Addr().String()
	return l
}

func (l *live) url(path string) string { return "http://" + l.addr + path }

// dialRaw opens a TCP connection with a small receive buffer and sends req.
func (l *live) dialRaw(t *testing.T, req string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", l.addr, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.(*net.TCPConn)
	t.Cleanup(func() { tc.Close() })
	tc.SetReadBuffer(8 << 10)
	if _, err := io.WriteString(tc, req); err != nil {
		t.Fatal(err)
	}
	return tc
}

// drain reads c to its end (within 5 s) and returns the bytes read and
// why it ended.
func drain(c net.Conn) (int64, error) {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if err == nil {
		err = io.EOF
	}
	return n, err
}

// closedByServer fails t unless err is the end a server's close gives.
func closedByServer(t *testing.T, what string, err error) {
	t.Helper()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("%s: still open after 5 s", what)
	} else if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("%s: ended with %v", what, err)
	}
}

func getRequest(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: mirror\r\n\r\n"
}

// A client that sends its request header too slowly is closed after
// ReadHeaderTimeout, not held open.
func TestSlowHeaderClosed(t *testing.T) {
	l := startLive(t, newStore(t), server.Options{ReadHeaderTimeout: 200 * time.Millisecond})
	var conns []*net.TCPConn
	for range 5 {
		conns = append(conns, l.dialRaw(t, "GET /healthz HTTP/1.1\r\nHost: mirror\r\n")) // no blank line
	}
	start := time.Now()
	for i, c := range conns {
		_, err := drain(c)
		closedByServer(t, fmt.Sprintf("slow-header connection %d", i), err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("slow-header connections closed after %v", d)
	}
	resp, err := http.Get(l.url("/healthz"))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}

// Clients that never read, or read too slowly to take 64 KiB per
// StallTimeout, are closed by the stall deadline; meanwhile a download at
// full speed, a slow download that keeps moving (and lasts many times
// StallTimeout), and /healthz all work.
func TestStalledReadersClosedWhileOthersWork(t *testing.T) {
	big := file{"microsoft", "office", "2024", "big.bin", mediatest.RandomBytes(31, 16<<20)}
	mid := file{"microsoft", "office", "2024", "mid.bin", mediatest.RandomBytes(32, 8<<20)}
	st := newStore(t)
	mustImport(t, st, writeBundle(t, 1, nil, big, mid))
	stall := 300 * time.Millisecond
	l := startLive(t, st, server.Options{StallTimeout: stall, MaxConns: 32})
	bigPath := "/blobs/sha256/" + big.sha()

	var stuck []*net.TCPConn
	for range 6 { // never read
		stuck = append(stuck, l.dialRaw(t, getRequest(bigPath)))
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg sync.WaitGroup
	trickled := make([]int64, 3)
	trickleErr := make([]error, 3)
	for i := range trickled { // 1 KiB every 100 ms: far below 64 KiB per 300 ms
		c := l.dialRaw(t, getRequest(bigPath))
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<10)
			for ctx.Err() == nil {
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				n, err := c.Read(buf)
				trickled[i] += int64(n)
				if err != nil {
					trickleErr[i] = err
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}

	errs := make(chan error, 3)
	go func() { // full speed
		errs <- fetchSHA(ctx, l.url(bigPath), big.sha(), nil)
	}()
	go func() { // 256 KiB every 40 ms through a small receive buffer: about 1.3 s in all, over 4 × StallTimeout
		start := time.Now()
		err := fetchSHA(ctx, l.url(mid.filesPath()), mid.sha(), func() { time.Sleep(40 * time.Millisecond) })
		if err == nil && time.Since(start) < 2*stall {
			err = fmt.Errorf("the slow download took only %v: not slow enough to prove anything", time.Since(start))
		}
		errs <- err
	}()
	go func() {
		for range 10 {
			hctx, hcancel := context.WithTimeout(ctx, time.Second)
			req, _ := http.NewRequestWithContext(hctx, http.MethodGet, l.url("/healthz"), nil)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("healthz: %s", resp.Status)
				}
			}
			hcancel()
			if err != nil {
				errs <- fmt.Errorf("healthz while readers stall: %w", err)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		errs <- nil
	}()
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	// Every stalled download ends cut off, in the access log and at the
	// client.
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(l.logs.String(), "aborted=true") < len(stuck)+len(trickled) {
		if time.Now().After(deadline) {
			t.Fatalf("stalled downloads still open after 5 s; log:\n%s", l.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, c := range stuck {
		n, err := drain(c)
		closedByServer(t, fmt.Sprintf("never-reader %d (%d bytes)", i, n), err)
		if n >= int64(len(big.data)) {
			t.Errorf("never-reader %d got all %d bytes", i, n)
		}
	}
	cancel()
	wg.Wait()
	for i := range trickled {
		if trickled[i] >= int64(len(big.data)) {
			t.Errorf("slow reader %d got all %d bytes", i, trickled[i])
		}
		if trickleErr[i] != nil {
			closedByServer(t, fmt.Sprintf("slow reader %d", i), trickleErr[i])
		}
	}
}

// fetchSHA GETs url and checks the body's SHA-256; pause, if set, runs
// after each 256 KiB read, and the connection then has a small receive
// buffer, so that the server can send only as fast as the client reads.
func fetchSHA(ctx context.Context, url, want string, pause func()) error {
	tr := &http.Transport{DisableKeepAlives: true}
	if pause != nil {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil {
				c.(*net.TCPConn).SetReadBuffer(256 << 10)
			}
			return c, err
		}
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	h := sha256.New()
	buf := make([]byte, 256<<10)
	for {
		n, err := io.ReadFull(resp.Body, buf)
		h.Write(buf[:n])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return fmt.Errorf("GET %s: %w", url, err)
		}
		if pause != nil {
			pause()
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("GET %s: SHA-256 %s, want %s", url, got, want)
	}
	return nil
}

// Connections beyond the cap wait until a slot frees and are then served;
// the connections already accepted are not disturbed.
func TestConnectionCap(t *testing.T) {
	const limit = 8
	l := startLive(t, newStore(t), server.Options{MaxConns: limit, ReadHeaderTimeout: 10 * time.Second})
	var held []*net.TCPConn
	for range limit { // accepted, each still sending its header: not idle, not closable
		held = append(held, l.dialRaw(t, "GET /healthz HTTP/1.1\r\nHost: mirror\r\n"))
	}
	// Once each of them has its slot (the server answers them only
	// then), a few dozen more clients come.
	const extra = 24
	done := make(chan error, extra)
	for range extra {
		go func() {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, l.url("/healthz"), nil)
			tr := &http.Transport{DisableKeepAlives: true}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = errors.New(resp.Status)
				}
			}
			done <- err
		}()
	}
	select {
	case err := <-done:
		t.Fatalf("a connection beyond the cap was served while %d were open (%v)", limit, err)
	case <-time.After(300 * time.Millisecond):
	}
	// The accepted connections finish their requests and are answered.
	for i, c := range held {
		if _, err := io.WriteString(c, "Connection: close\r\n\r\n"); err != nil {
			t.Fatalf("held connection %d: %v", i, err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("held connection %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("held connection %d: %s", i, resp.Status)
		}
	}
	for range extra {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("waiting client: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("waiting clients not served after the held connections closed")
		}
	}
}

// At the cap, an idle keep-alive connection is closed to let a new client
// in, instead of the new client waiting for the idle timeout.
func TestConnectionCapClosesIdle(t *testing.T) {
	const limit = 4
	l := startLive(t, newStore(t), server.Options{MaxConns: limit, IdleTimeout: time.Minute})
	idle := &http.Transport{MaxIdleConnsPerHost: limit}
	defer idle.CloseIdleConnections()
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for range limit { // cap concurrent requests: cap connections, then idle
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			resp, err := (&http.Client{Transport: idle}).Get(l.url("/v1/catalog"))
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	close(gate)
	wg.Wait()
	start := time.Now()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := c.Get(l.url("/healthz"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); resp.StatusCode != http.StatusOK || d > 2*time.Second {
		t.Errorf("new client at the cap: %s after %v", resp.Status, d)
	}
}

// A blob the catalog lists but that cannot be opened now is a 503 with
// Retry-After that no cache keeps, never a 404: too many open files (for
// a large and a small blob), and a blob file missing from the store.
func TestUnopenableBlobIs503(t *testing.T) {
	large := file{"microsoft", "office", "2024", "large.bin", mediatest.RandomBytes(41, 100_000)}
	small := file{"microsoft", "office", "2024", "small.sig", mediatest.RandomBytes(42, 500)}
	st := newStore(t)
	mustImport(t, st, writeBundle(t, 1, nil, large, small))
	var emfile atomic.Bool
	l := startLive(t, st, server.Options{OpenBlob: func(path string) (*os.File, error) {
		if emfile.Load() {
			return nil, &os.PathError{Op: "open", Path: path, Err: syscall.EMFILE}
		}
		return os.Open(path)
	}})
	get := func(f file) *http.Response {
		t.Helper()
		resp, body, err := fetch(t, "http://"+l.addr, f.filesPath())
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusOK && string(body) != string(f.data) {
			t.Fatalf("%s: wrong bytes", f.name)
		}
		return resp
	}
	want503 := func(what string, resp *http.Response) {
		t.Helper()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("ETag") != "" {
			t.Errorf("%s: %s, Retry-After %q, Cache-Control %q, ETag %q", what, resp.Status,
				resp.Header.Get("Retry-After"), resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
		}
	}
	emfile.Store(true)
	for _, f := range []file{large, small} {
		want503("EMFILE "+f.name, get(f))
	}
	emfile.Store(false)
	for _, f := range []file{large, small} {
		if resp := get(f); resp.StatusCode != http.StatusOK {
			t.Errorf("%s once files can be opened again: %s", f.name, resp.Status)
		}
	}
	wantContains(t, "log", l.logs.String(), "answered 503", "too many open files")

	p := st.BlobPath(large.sha())
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	want503("listed blob missing from disk", get(large))
	wantContains(t, "log", l.logs.String(), "missing from the store")
}
