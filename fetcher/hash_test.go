package fetcher

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher/vendortest"
)

func sum512(b []byte) string {
	s := sha512.Sum512(b)
	return hex.EncodeToString(s[:])
}

// checkDownload checks dl's size and digests against data, and that the
// partial file holds data.
func checkDownload(t *testing.T, dl *Download, data []byte) {
	t.Helper()
	if dl.Size != int64(len(data)) || dl.SHA256 != sum(data) || dl.SHA512 != sum512(data) {
		t.Errorf("download: %d bytes, SHA-256 %s, SHA-512 %s\nwant %d, %s, %s", dl.Size, dl.SHA256, dl.SHA512, len(data), sum(data), sum512(data))
	}
	if got, err := os.ReadFile(dl.Path); err != nil || !bytes.Equal(got, data) {
		t.Errorf("the partial file %s (%d bytes, %v) differs from the content served", dl.Path, len(got), err)
	}
}

// partialOf is the partial file a request to the test server downloads into.
func partialOf(c *Cache, r *http.Request) string {
	p, _ := c.partial("http://" + r.Host + r.URL.Path)
	return p
}

// waitSize waits until the file at path has n bytes: the downloader has
// written everything sent so far.
func waitSize(path string, n int64) error {
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if fi, err := os.Stat(path); err == nil && fi.Size() == n {
			return nil
		}
	}
	return fmt.Errorf("%s never reached %d bytes", path, n)
}

// flipFirstByte edits the partial file behind the downloader's back.
func flipFirstByte(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, 0); err != nil {
		return err
	}
	b[0] ^= 0xff
	_, err = f.WriteAt(b, 0)
	return err
}

// TestFileHashedWhileWritten proves the digests come from the bytes as they
// were written, not from reading the file afterwards: just before the last
// bytes are sent, the server changes the first byte of the partial file.
// A download that re-read its file would report the changed file's digests.
func TestFileHashedWhileWritten(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 300_000)
	head := len(data) - 1000
	handlerErr := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Header().Set("ETag", `"v1"`)
		w.Write(data[:head])
		w.(http.Flusher).Flush()
		path := partialOf(e.cache, r)
		err := waitSize(path, int64(head))
		if err == nil {
			err = flipFirstByte(path)
		}
		handlerErr <- err
		w.Write(data[head:])
	}))
	defer srv.Close()
	dl, err := e.d.File(context.Background(), srv.URL+"/f.bin", "f", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-handlerErr; err != nil {
		t.Fatal(err)
	}
	onDisk, err := os.ReadFile(dl.Path)
	if err != nil || onDisk[0] == data[0] || !bytes.Equal(onDisk[1:], data[1:]) {
		t.Fatalf("the partial file was not changed as planned (%v)", err)
	}
	if dl.Size != int64(len(data)) || dl.SHA256 != sum(data) || dl.SHA512 != sum512(data) {
		t.Errorf("digests %s / %s are not those of the bytes received (%s / %s); changed file: %s",
			dl.SHA256, dl.SHA512, sum(data), sum512(data), sum(onDisk))
	}
}

// TestFileRetryKeepsDigests: a download cut and resumed within one File
// call continues the digests of the cut attempt instead of reading the
// prefix back. The prefix on disk is changed between the attempts (in
// Backoff); digests that re-read it would describe the changed file.
func TestFileRetryKeepsDigests(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 1<<20)
	e.up.Put("/big.bin", data, e.up.Now())
	e.up.Inject("/big.bin", vendortest.FaultReset)
	path, _ := e.cache.partial(e.up.URL() + "/big.bin")
	var flipErr error
	e.d.Backoff = func(int) time.Duration { flipErr = flipFirstByte(path); return 0 }
	dl, err := e.d.File(context.Background(), e.up.URL()+"/big.bin", "big.bin", 2<<20)
	if err != nil || flipErr != nil {
		t.Fatal(err, flipErr)
	}
	if r := e.up.Requests(); len(r) != 2 || r[1].Status != http.StatusPartialContent {
		t.Fatalf("want the cut request and a resume: %+v", r)
	}
	if dl.Size != int64(len(data)) || dl.SHA256 != sum(data) || dl.SHA512 != sum512(data) {
		t.Errorf("digests %s / %s, want those of the bytes received, %s / %s", dl.SHA256, dl.SHA512, sum(data), sum512(data))
	}
}

// TestFileResumeHashesPrefixFromDisk: a download an earlier run left is
// resumed, and its prefix is hashed from the file, so the digests describe
// the file that gets committed — here one whose prefix changed on disk
// between the runs (which the vendor check then catches).
func TestFileResumeHashesPrefixFromDisk(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 1<<20)
	e.up.Put("/big.bin", data, e.up.Now())
	e.d.Retries = 0
	e.up.Inject("/big.bin", vendortest.FaultReset)
	if _, err := e.d.File(context.Background(), e.up.URL()+"/big.bin", "big.bin", 2<<20); err == nil {
		t.Fatal("a cut download with no retries succeeded")
	}
	path, _ := e.cache.partial(e.up.URL() + "/big.bin")
	if err := flipFirstByte(path); err != nil {
		t.Fatal(err)
	}
	e.up.ResetLog()
	dl, err := e.d.File(context.Background(), e.up.URL()+"/big.bin", "big.bin", 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.up.Requests(); len(r) != 1 || r[0].Status != http.StatusPartialContent {
		t.Fatalf("want one resumed request: %+v", r)
	}
	changed := bytes.Clone(data)
	changed[0] ^= 0xff
	checkDownload(t, dl, changed)
}

// TestFileCompleteNotCommitted: a download that finished but was not
// committed (the run stopped before the vendor check) is taken as it is in
// the next run: no request, right digests.
func TestFileCompleteNotCommitted(t *testing.T) {
	e := newTestEnv(t)
	data := randomBytes(t, 100_000)
	e.up.Put("/f.bin", data, e.up.Now())
	if _, err := e.d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1<<20); err != nil {
		t.Fatal(err)
	}
	e.up.ResetLog()
	dl, err := e.d.File(context.Background(), e.up.URL()+"/f.bin", "f", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.up.Requests(); len(r) != 0 {
		t.Errorf("requests for a complete download: %+v", r)
	}
	checkDownload(t, dl, data)
}

// TestFileCompleteRangeNotSatisfiable: a body of unknown length that was
// cut after its last byte; the resume asks for the bytes after the end and
// the server answers 416 with the length we have: the download is complete.
func TestFileCompleteRangeNotSatisfiable(t *testing.T) {
	e := newTestEnv(t)
	e.d.Retries = 0
	data := randomBytes(t, 100_000)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if n.Add(1) == 1 { // chunked: no Content-Length; cut before the last chunk
			w.Write(data)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}))
	defer srv.Close()
	if _, err := e.d.File(context.Background(), srv.URL+"/f.bin", "f", 1<<20); err == nil {
		t.Fatal("a cut body of unknown length succeeded")
	}
	dl, err := e.d.File(context.Background(), srv.URL+"/f.bin", "f", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Fatalf("%d requests, want 2", n.Load())
	}
	checkDownload(t, dl, data)
}
