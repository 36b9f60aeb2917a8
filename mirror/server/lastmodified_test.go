package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
)

// Blobs and files carry Last-Modified: the release date, else the import
// time; never the zero time. If-Modified-Since is answered from it, unless
// the request has If-None-Match, which wins (RFC 9110, 13.1.3). Small blobs
// (served from memory) and large ones (hashed while sent) alike.
func TestLastModified(t *testing.T) {
	released := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	mk := func(name string, rel time.Time, seed uint64, size int) art {
		return art{Artifact: media.Artifact{Vendor: "v", Product: "p", Version: "1", FileName: name, Released: rel},
			data: mediatest.RandomBytes(seed, size)}
	}
	arts := []art{
		mk("large-released.bin", released, 31, 100_000),
		mk("small-released.bin", released, 32, 500),
		mk("large-undated.bin", time.Time{}, 33, 100_000),
		mk("small-undated.bin", time.Time{}, 34, 500),
	}
	// The bytes of the first file again, as another product released a
	// day later: its own date under /files/; the blob has the earliest.
	again := arts[0]
	again.Product, again.Released = "q", released.Add(24*time.Hour)
	m := newMirror(t, newStore(t), writeArts(t, 1, nil, append(arts, again)...))
	for u, want := range map[string]time.Time{again.filesPath(): again.Released, arts[0].filesPath(): released,
		"/blobs/sha256/" + again.sha(): released} {
		resp, body := m.get(t, u)
		wantStatus(t, u, resp, body, http.StatusOK)
		if got := resp.Header.Get("Last-Modified"); got != want.Format(http.TimeFormat) {
			t.Errorf("%s: Last-Modified %q, want %q", u, got, want.Format(http.TimeFormat))
		}
	}
	for _, a := range arts {
		want := now // imported at now
		if !a.Released.IsZero() {
			want = released
		}
		lm := want.Format(http.TimeFormat)
		before, at, after := want.Add(-time.Second).Format(http.TimeFormat), lm, want.Add(48*time.Hour).Format(http.TimeFormat)
		etag, other := etagOf(a.sha()), etagOf(sha([]byte("another")))
		for _, u := range []string{"/blobs/sha256/" + a.sha(), a.filesPath()} {
			t.Run(a.FileName+" "+u[:6], func(t *testing.T) {
				cases := []struct {
					name, method string
					hdr          []string
					status       int
				}{
					{"GET", http.MethodGet, nil, 200},
					{"HEAD", http.MethodHead, nil, 200},
					{"If-Modified-Since at", http.MethodGet, []string{"If-Modified-Since", at}, 304},
					{"If-Modified-Since after", http.MethodGet, []string{"If-Modified-Since", after}, 304},
					{"If-Modified-Since before", http.MethodGet, []string{"If-Modified-Since", before}, 200},
					{"HEAD If-Modified-Since at", http.MethodHead, []string{"If-Modified-Since", at}, 304},
					{"HEAD If-Modified-Since before", http.MethodHead, []string{"If-Modified-Since", before}, 200},
					{"If-None-Match matches, If-Modified-Since before", http.MethodGet,
						[]string{"If-None-Match", etag, "If-Modified-Since", before}, 304},
					{"If-None-Match differs, If-Modified-Since after", http.MethodGet,
						[]string{"If-None-Match", other, "If-Modified-Since", after}, 200},
					{"HEAD If-None-Match differs, If-Modified-Since at", http.MethodHead,
						[]string{"If-None-Match", other, "If-Modified-Since", at}, 200},
					{"If-Modified-Since unparsable", http.MethodGet, []string{"If-Modified-Since", "yesterday"}, 200},
				}
				for _, tc := range cases {
					resp, body := m.do(t, tc.method, u, tc.hdr...)
					wantStatus(t, tc.name, resp, body, tc.status)
					wantLM := lm
					if tc.status == http.StatusNotModified {
						wantLM = "" // the ETag updates the cache (RFC 9110, 15.4.5; http.ServeContent)
					}
					if got := resp.Header.Get("Last-Modified"); got != wantLM {
						t.Errorf("%s: Last-Modified %q, want %q", tc.name, got, wantLM)
					}
					if got := resp.Header.Get("ETag"); got != etag {
						t.Errorf("%s: ETag %q", tc.name, got)
					}
					switch {
					case tc.status == 200 && tc.method == http.MethodGet:
						wantBody(t, tc.name, body, a.data)
					case len(body) != 0:
						t.Errorf("%s: %d bytes of body", tc.name, len(body))
					}
					if tc.status == 200 && resp.ContentLength != int64(len(a.data)) {
						t.Errorf("%s: Content-Length %d", tc.name, resp.ContentLength)
					}
				}
			})
		}
	}
}
