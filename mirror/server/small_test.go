package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media/mediatest"
)

// Blobs up to 2 KiB are served from memory: the same answers as from disk
// (headers, ranges, conditionals), and bytes checked against the SHA-256
// when first read, so a damaged file is refused, not sent.
func TestSmallBlobs(t *testing.T) {
	tiny := file{"clamav", "sigs", "1", "a.sign", mediatest.RandomBytes(10, 1)}
	kib := file{"clamav", "sigs", "1", "b.sign", mediatest.RandomBytes(11, 1024)}
	edge := file{"clamav", "sigs", "1", "c.sign", mediatest.RandomBytes(12, 2048)}
	above := file{"clamav", "sigs", "1", "d.sign", mediatest.RandomBytes(13, 2049)}
	rotten := file{"clamav", "sigs", "1", "e.sign", mediatest.RandomBytes(14, 1500)}
	files := []file{tiny, kib, edge, above, rotten}
	st := newStore(t)
	m := newMirror(t, st, writeBundle(t, 1, nil, files...))

	// A byte flipped before anyone asked: the size is right, the SHA-256
	// is not. Refused, and quarantined: asked again, not found (nothing
	// cached).
	damageBlob(t, st, rotten.sha(), func(b []byte) []byte { b[700] ^= 0x10; return b })
	for i, want := range []int{http.StatusInternalServerError, http.StatusNotFound} {
		resp, body := m.get(t, "/blobs/sha256/"+rotten.sha())
		wantStatus(t, fmt.Sprintf("damaged small blob, request %d", i+1), resp, body, want)
		if bytes.Contains(body, rotten.data[:32]) {
			t.Error("the damaged blob was sent")
		}
	}

	for _, f := range files[:4] {
		for _, u := range []string{"/blobs/sha256/" + f.sha(), f.filesPath()} {
			resp, body := m.get(t, u)
			wantStatus(t, u, resp, body, http.StatusOK)
			wantBody(t, u, body, f.data)
			for name, want := range map[string]string{
				"ETag":                   etagOf(f.sha()),
				"Cache-Control":          "public, max-age=31536000, immutable",
				"Accept-Ranges":          "bytes",
				"Content-Type":           "application/octet-stream",
				"X-Content-Type-Options": "nosniff",
				"Last-Modified":          now.Format(http.TimeFormat), // no release date: the import time
			} {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("%s: %s %q, want %q", u, name, got, want)
				}
			}
			if cd := resp.Header.Get("Content-Disposition"); (u == f.filesPath()) != strings.Contains(cd, f.name) {
				t.Errorf("%s: Content-Disposition %q", u, cd)
			}
			resp, body = m.do(t, http.MethodHead, u)
			wantStatus(t, "HEAD "+u, resp, body, http.StatusOK)
			if len(body) != 0 || resp.ContentLength != int64(len(f.data)) {
				t.Errorf("HEAD %s: %d body bytes, Content-Length %d", u, len(body), resp.ContentLength)
			}
			resp, body = m.get(t, u, "If-None-Match", etagOf(f.sha()))
			wantStatus(t, "If-None-Match "+u, resp, body, http.StatusNotModified)
		}
	}
	resp, body := m.get(t, "/blobs/sha256/"+kib.sha(), "Range", "bytes=1000-")
	wantStatus(t, "range", resp, body, http.StatusPartialContent)
	wantBody(t, "range", body, kib.data[1000:])
	if got := resp.Header.Get("Content-Range"); got != "bytes 1000-1023/1024" {
		t.Errorf("Content-Range %q", got)
	}

	// Once checked, the bytes in memory are served even if the file rots
	// later; scrub finds the file and the blob leaves service.
	damageBlob(t, st, kib.sha(), func(b []byte) []byte { b[0] ^= 0x01; return b })
	resp, body = m.get(t, "/blobs/sha256/"+kib.sha())
	wantStatus(t, "checked small blob after its file rotted", resp, body, http.StatusOK)
	wantBody(t, "checked small blob after its file rotted", body, kib.data)
	rep, err := st.Scrub(t.Context(), now, nil)
	if err != nil || len(rep.Quarantined) != 1 { // rotten was quarantined when it was asked for
		t.Fatalf("scrub: %+v, %v", rep, err)
	}
	m.refresh(t)
	for _, f := range []file{kib, rotten} {
		resp, body = m.get(t, "/blobs/sha256/"+f.sha())
		wantStatus(t, "quarantined small blob", resp, body, http.StatusNotFound)
	}
	resp, body = m.get(t, "/blobs/sha256/"+tiny.sha())
	wantStatus(t, "intact small blob", resp, body, http.StatusOK)
	wantBody(t, "intact small blob", body, tiny.data)
}
