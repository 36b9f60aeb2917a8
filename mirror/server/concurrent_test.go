package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/wire"
)

// download fetches url and checks the body hashes to want. It reads the
// first half, signals halfway, waits for resume, then reads the rest in
// small pieces, so the download spans whatever happens in between.
func download(ctx context.Context, url, want string, size int64, halfway chan<- struct{}, resume <-chan struct{}) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	h := sha256.New()
	n, err := io.CopyN(h, resp.Body, size/2)
	halfway <- struct{}{}
	if err != nil {
		return fmt.Errorf("GET %s: after %d bytes: %w", url, n, err)
	}
	<-resume
	buf := make([]byte, 64<<10)
	for {
		k, err := resp.Body.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("GET %s: after %d bytes: %w", url, n, err)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != size || got != want {
		return fmt.Errorf("GET %s: %d bytes hashing to %.12s, want %d bytes hashing to %.12s", url, n, got, size, want[:12])
	}
	return nil
}

// While downloads of a large blob of the old catalog are under way, an
// import of a new full bundle completes and the server switches: every
// download completes with the right bytes, and a client polling meanwhile
// sees the old catalog or the new one, never anything else, and every file
// a catalog it saw names is there, complete.
func TestImportWhileDownloading(t *testing.T) {
	const size = 16 << 20
	old := file{"microsoft", "defender", "1.441.1", "mpam-fe.exe", mediatest.RandomBytes(20, size)}
	next := file{"microsoft", "defender", "1.441.2", "mpam-fe.exe", mediatest.RandomBytes(21, size)}
	// Small files (served from memory) change too: one goes, one comes.
	oldSig := file{"microsoft", "defender", "1.441.1", "mpam-fe.sig", mediatest.RandomBytes(22, 700)}
	nextSig := file{"microsoft", "defender", "1.441.2", "mpam-fe.sig", mediatest.RandomBytes(23, 700)}
	st := newStore(t)
	m := newMirror(t, st, writeBundle(t, 1, nil, old, oldSig, ichitaro))
	oldCatalog, _ := m.catalog(t)
	nextBundle := writeBundle(t, 2, nil, next, nextSig, ichitaro)

	var errs []error
	var errMu sync.Mutex
	fail := func(err error) {
		errMu.Lock()
		errs = append(errs, err)
		errMu.Unlock()
	}

	// Downloads of the old blob, by digest and by name.
	const readers = 6
	halfway, resume := make(chan struct{}, readers), make(chan struct{})
	var downloads sync.WaitGroup
	for i := range readers {
		url := m.ts.URL + "/blobs/sha256/" + old.sha()
		if i%2 == 1 {
			url = m.ts.URL + old.filesPath()
		}
		downloads.Go(func() {
			if err := download(t.Context(), url, old.sha(), size, halfway, resume); err != nil {
				fail(err)
			}
		})
	}
	for range readers {
		<-halfway
	}

	// A client polling the catalog and the files it names.
	var seenMu sync.Mutex
	seen := make(map[string][]byte) // catalog bodies by SHA-256
	var polls atomic.Int64
	var pollerDone atomic.Bool
	stop := make(chan struct{})
	var poller sync.WaitGroup
	poller.Go(func() {
		defer pollerDone.Store(true)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := poll(t.Context(), m.ts.URL, next, func(body []byte) {
				seenMu.Lock()
				seen[sha(body)] = body
				seenMu.Unlock()
			}); err != nil {
				fail(err)
				return
			}
			polls.Add(1)
		}
	})

	mustImport(t, st, nextBundle)
	m.refresh(t)
	// Let the poller see the new catalog, then let the downloads finish.
	for start := polls.Load(); polls.Load() < start+2 && !pollerDone.Load(); {
		time.Sleep(time.Millisecond)
	}
	close(resume)
	downloads.Wait()
	close(stop)
	poller.Wait()
	for _, err := range errs {
		t.Error(err)
	}

	newCatalog, _ := m.catalog(t)
	if bytes.Equal(oldCatalog, newCatalog) {
		t.Fatal("the catalog did not change")
	}
	for s, body := range seen {
		if !bytes.Equal(body, oldCatalog) && !bytes.Equal(body, newCatalog) {
			t.Errorf("a poll saw a catalog that is neither the old nor the new one (sha256 %.12s):\n%s", s, body)
		}
	}
	if _, ok := seen[sha(oldCatalog)]; !ok {
		t.Error("the poller never saw the old catalog")
	}
	if _, ok := seen[sha(newCatalog)]; !ok {
		t.Error("the poller never saw the new catalog")
	}
	resp, body := m.get(t, "/blobs/sha256/"+next.sha())
	wantStatus(t, "new blob", resp, body, http.StatusOK)
	wantBody(t, "new blob", body, next.data)
	resp, body = m.get(t, nextSig.filesPath())
	wantStatus(t, "new small file", resp, body, http.StatusOK)
	wantBody(t, "new small file", body, nextSig.data)
}

// poll fetches the catalog once, hands its body to seen, and checks that
// every file it names is served whole; the new blob must be either absent
// or complete.
func poll(ctx context.Context, base string, next file, seen func([]byte)) error {
	get := func(method, path string, hdr ...string) (*http.Response, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
		if err != nil {
			return nil, nil, err
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	resp, body, err := get(http.MethodGet, "/v1/catalog")
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("catalog: status %d", resp.StatusCode)
	}
	seen(body)
	var c wire.Catalog
	if err := json.Unmarshal(body, &c); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	for _, a := range c.Artifacts {
		for _, u := range []string{a.URL, a.FilesURL} {
			resp, _, err := get(http.MethodHead, u)
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK || resp.ContentLength != a.Size {
				return fmt.Errorf("catalog %d names %s: HEAD status %d, %d bytes, want 200, %d bytes", c.Sequence, u, resp.StatusCode, resp.ContentLength, a.Size)
			}
		}
	}
	resp, tail, err := get(http.MethodGet, "/blobs/sha256/"+next.sha(), "Range", "bytes=-4096")
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
	case resp.StatusCode != http.StatusPartialContent:
		return fmt.Errorf("new blob: status %d", resp.StatusCode)
	case !bytes.Equal(tail, next.data[len(next.data)-4096:]):
		return fmt.Errorf("new blob: the last 4096 bytes differ (a partial file?)")
	}
	return nil
}
