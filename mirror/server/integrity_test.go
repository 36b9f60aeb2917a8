package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/server"
	"github.com/patchferry/patchferry/mirror/store"
)

// flipAt is the byte the integrity tests damage.
const flipAt = 1234

// flipInPlace flips one byte of a stored blob without replacing the file
// (same inode), and sets its modification time back, as bitrot would leave
// it (only the change time, which no system call sets, moves).
func flipInPlace(t testing.TB, st *store.Store, sha string, at int64) {
	t.Helper()
	p := st.BlobPath(sha)
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x20
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
}

// fetch GETs path with the headers hdr and reads the whole body. It
// returns the response, the bytes received and the error of reading them.
func fetch(t testing.TB, base, path string, hdr ...string) (*http.Response, []byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func isQuarantined(t testing.TB, st *store.Store, sha string) bool {
	t.Helper()
	var q map[string]store.QuarantineRecord
	if err := st.View(func(tx *bolt.Tx) (err error) { q, err = store.Quarantined(tx); return err }); err != nil {
		t.Fatal(err)
	}
	_, ok := q[sha]
	return ok
}

// A blob file damaged on disk is never answered as a complete, successful
// response: not whole, not as a range holding the damaged byte, not as a
// range without it. The client sees the connection cut before the end
// (fewer bytes than Content-Length), the blob is quarantined at once, and
// the next request is a 404 that no cache keeps.
func TestDamagedBlobNeverServedComplete(t *testing.T) {
	sizes := map[string]int{"5KB": 5000, "3MB": 3 << 20}
	requests := []struct {
		name, rng string // rng: Range header ("": none)
	}{
		{"whole", ""},
		{"range with the damaged byte", "bytes=1000-1999"},
		{"range without the damaged byte", "bytes=-1000"},
		{"open range without the damaged byte", "bytes=4000-"},
		{"two ranges", "bytes=0-9,4000-4009"},
	}
	for sizeName, size := range sizes {
		for _, rq := range requests {
			t.Run(sizeName+"/"+rq.name, func(t *testing.T) {
				f := file{"mozilla", "firefox", "145.0", "Firefox Setup.exe", mediatest.RandomBytes(uint64(size), size)}
				st := newStore(t)
				m := newMirror(t, st, writeBundle(t, 1, nil, f))
				flipInPlace(t, st, f.sha(), flipAt)
				var hdr []string
				if rq.rng != "" {
					hdr = []string{"Range", rq.rng}
				}
				resp, body, err := fetch(t, m.ts.URL, f.filesPath(), hdr...)
				switch {
				case err == nil && resp.StatusCode/100 == 2:
					t.Fatalf("damaged blob answered %s with %d complete bytes", resp.Status, len(body))
				case err == nil && resp.StatusCode != http.StatusInternalServerError:
					t.Fatalf("damaged blob answered %s", resp.Status)
				case err != nil && resp != nil && resp.ContentLength >= 0 && int64(len(body)) >= resp.ContentLength:
					t.Fatalf("cut-off response still delivered all %d bytes", len(body))
				}
				if !isQuarantined(t, st, f.sha()) {
					t.Fatal("the damaged blob was not quarantined")
				}
				for _, u := range []string{"/blobs/sha256/" + f.sha(), f.filesPath()} {
					resp, body, err := fetch(t, m.ts.URL, u, hdr...)
					if err != nil {
						t.Fatal(err)
					}
					wantStatus(t, "after quarantine "+u, resp, body, http.StatusNotFound)
					if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
						t.Errorf("404 of a blob: Cache-Control %q, want no-cache", cc)
					}
				}
			})
		}
	}
}

// An intact blob is served whole and as ranges (the hashing path and the
// marked path), and a range mark does not survive a change of the file:
// after a byte is flipped in place with the modification time set back,
// the next range is hashed again and cut off.
func TestRangeMarkLostWhenFileChanges(t *testing.T) {
	f := file{"mozilla", "firefox", "145.0", "Firefox Setup.exe", mediatest.RandomBytes(7, 3<<20)}
	st := newStore(t)
	m := newMirror(t, st, writeBundle(t, 1, nil, f))
	for i := range 2 { // first hashed, then marked
		resp, body, err := fetch(t, m.ts.URL, f.filesPath(), "Range", "bytes=2000000-2000999")
		if err != nil {
			t.Fatalf("range %d: %v", i, err)
		}
		wantStatus(t, "range", resp, body, http.StatusPartialContent)
		wantBody(t, "range", body, f.data[2000000:2001000])
	}
	resp, body, err := fetch(t, m.ts.URL, f.filesPath())
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "whole", resp, body, http.StatusOK)
	wantBody(t, "whole", body, f.data)

	flipInPlace(t, st, f.sha(), flipAt)
	resp, body, err = fetch(t, m.ts.URL, f.filesPath(), "Range", "bytes=2000000-2000999")
	if err == nil && resp.StatusCode == http.StatusPartialContent {
		t.Fatalf("range of a changed file served from its old mark: %d bytes", len(body))
	}
	if !isQuarantined(t, st, f.sha()) {
		t.Fatal("the damaged blob was not quarantined")
	}
}

// logBuffer is a slog handler's output, safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The background scrub finds a flipped byte without any request: the blob
// is quarantined, the snapshot reloaded (the metrics say so before anyone
// asks for the blob), the finding logged, and Scrub returns when its
// context ends.
func TestBackgroundScrubFindsDamage(t *testing.T) {
	good := file{"mozilla", "firefox", "145.0", "Firefox Setup.exe", mediatest.RandomBytes(21, 300_000)}
	bad := file{"mozilla", "firefox", "145.0", "Firefox Setup.msi", mediatest.RandomBytes(22, 5000)}
	st := newStore(t)
	mustImport(t, st, writeBundle(t, 1, nil, good, bad))
	var logs logBuffer
	srv, err := server.New(st, server.Options{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	m := &mirror{st: st, srv: srv, ts: ts}
	flipInPlace(t, st, bad.sha(), flipAt)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Scrub(ctx, 50*time.Millisecond, 0)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(m.metrics(t), "patchferry_quarantined_blobs 1") || !strings.Contains(logs.String(), "background scrub pass finished") {
		if time.Now().After(deadline) {
			t.Fatal("the background scrub did not quarantine the damaged blob within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Scrub did not return after its context ended")
	}
	resp, body := m.get(t, bad.filesPath())
	wantStatus(t, "scrubbed blob", resp, body, http.StatusNotFound)
	resp, body = m.get(t, good.filesPath())
	wantStatus(t, "intact blob", resp, body, http.StatusOK)
	wantBody(t, "intact blob", body, good.data)
	wantContains(t, "log", logs.String(), "background scrub: blob damaged, quarantined", bad.sha(), "background scrub pass finished")
	if st, err := st.ScrubState(); err != nil || st.Started.IsZero() {
		t.Errorf("scrub state %+v, %v", st, err)
	}
}
