package server_test

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media/mediatest"
)

// The files of the basic test mirror: two products, a name with spaces and
// one in Japanese.
var (
	ffSetup  = file{"mozilla", "firefox", "145.0", "Firefox Setup 145.0.exe", mediatest.RandomBytes(1, 300_000)}
	ffMSI    = file{"mozilla", "firefox", "145.0", "Firefox Setup 145.0.msi", mediatest.RandomBytes(2, 70_000)}
	ichitaro = file{"justsystems", "ichitaro", "2026.1", "一太郎 2026 更新.exe", mediatest.RandomBytes(3, 50_000)}
	basic    = []file{ffSetup, ffMSI, ichitaro}
)

// basicMirror serves a store holding bundle 1 with the basic files.
func basicMirror(t *testing.T) *mirror {
	t.Helper()
	return newMirror(t, newStore(t), writeBundle(t, 1, nil, basic...))
}

func etagOf(sha string) string { return `"sha256:` + sha + `"` }

func TestBlobHeaders(t *testing.T) {
	m := basicMirror(t)
	for _, f := range basic {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			t.Run(method+" "+f.name, func(t *testing.T) {
				resp, body := m.do(t, method, "/blobs/sha256/"+f.sha())
				wantStatus(t, "blob", resp, body, http.StatusOK)
				for name, want := range map[string]string{
					"ETag":                   etagOf(f.sha()),
					"Cache-Control":          "public, max-age=31536000, immutable",
					"Content-Length":         strconv.Itoa(len(f.data)),
					"Accept-Ranges":          "bytes",
					"Content-Type":           "application/octet-stream",
					"X-Content-Type-Options": "nosniff",
					"Content-Disposition":    "", // the name is for /files/ only
				} {
					if got := resp.Header.Get(name); got != want {
						t.Errorf("%s: %q, want %q", name, got, want)
					}
				}
				if method == http.MethodHead {
					if len(body) != 0 {
						t.Errorf("HEAD sent %d bytes of body", len(body))
					}
					return
				}
				wantBody(t, "blob", body, f.data)
			})
		}
	}
}

func TestBlobRange(t *testing.T) {
	m := basicMirror(t)
	f := ffSetup
	size := len(f.data)
	cases := []struct {
		name, rng   string
		hdr         []string // more request headers
		status      int
		first, last int // the bytes expected (inclusive), for 206
		multipart   [][2]int
	}{
		{name: "first byte", rng: "bytes=0-0", status: 206, first: 0, last: 0},
		{name: "middle", rng: "bytes=1000-1999", status: 206, first: 1000, last: 1999},
		{name: "suffix", rng: "bytes=-500", status: 206, first: size - 500, last: size - 1},
		{name: "open end", rng: "bytes=299990-", status: 206, first: 299990, last: size - 1},
		{name: "end beyond size is clipped", rng: "bytes=299990-999999", status: 206, first: 299990, last: size - 1},
		{name: "suffix longer than the blob", rng: fmt.Sprintf("bytes=-%d", size+10), status: 206, first: 0, last: size - 1},
		{name: "start at size", rng: fmt.Sprintf("bytes=%d-", size), status: 416},
		{name: "start beyond size", rng: "bytes=400000-400010", status: 416},
		{name: "reversed", rng: "bytes=500-400", status: 416},
		{name: "not bytes", rng: "lines=1-2", status: 416},
		{name: "two ranges", rng: "bytes=0-9,100-199", status: 206, multipart: [][2]int{{0, 9}, {100, 199}}},
		{name: "If-Range with the ETag", rng: "bytes=10-19", hdr: []string{"If-Range", etagOf(f.sha())}, status: 206, first: 10, last: 19},
		{name: "If-Range with another ETag", rng: "bytes=10-19", hdr: []string{"If-Range", etagOf(ffMSI.sha())}, status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := m.get(t, "/blobs/sha256/"+f.sha(), append([]string{"Range", tc.rng}, tc.hdr...)...)
			wantStatus(t, tc.rng, resp, body, tc.status)
			switch {
			case tc.status == 200:
				wantBody(t, "full answer", body, f.data)
			case tc.status == 416:
				if got, want := resp.Header.Get("Content-Range"), fmt.Sprintf("bytes */%d", size); got != want && tc.name != "not bytes" && tc.name != "reversed" {
					t.Errorf("Content-Range %q, want %q", got, want)
				}
				if strings.Contains(string(body), string(f.data[:64])) {
					t.Error("416 answer holds blob bytes")
				}
			case tc.multipart != nil:
				mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
				if err != nil || mt != "multipart/byteranges" {
					t.Fatalf("Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
				}
				mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
				for i, r := range tc.multipart {
					p, err := mr.NextPart()
					if err != nil {
						t.Fatalf("part %d: %v", i, err)
					}
					got, _ := io.ReadAll(p)
					wantBody(t, fmt.Sprintf("part %d", i), got, f.data[r[0]:r[1]+1])
					if cr, want := p.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/%d", r[0], r[1], size); cr != want {
						t.Errorf("part %d Content-Range %q, want %q", i, cr, want)
					}
				}
				if _, err := mr.NextPart(); err != io.EOF {
					t.Errorf("more parts than ranges: %v", err)
				}
			default:
				wantBody(t, tc.rng, body, f.data[tc.first:tc.last+1])
				if got, want := resp.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/%d", tc.first, tc.last, size); got != want {
					t.Errorf("Content-Range %q, want %q", got, want)
				}
				if got := resp.Header.Get("ETag"); got != etagOf(f.sha()) {
					t.Errorf("206 ETag %q", got)
				}
			}
		})
	}
}

func TestBlobConditional(t *testing.T) {
	m := basicMirror(t)
	f := ffMSI
	etag := etagOf(f.sha())
	cases := []struct {
		name   string
		method string
		hdr    []string
		status int
	}{
		{"If-None-Match the ETag", http.MethodGet, []string{"If-None-Match", etag}, 304},
		{"If-None-Match in a list", http.MethodGet, []string{"If-None-Match", `"x", ` + etag}, 304},
		{"If-None-Match weak", http.MethodGet, []string{"If-None-Match", "W/" + etag}, 304},
		{"If-None-Match star", http.MethodGet, []string{"If-None-Match", "*"}, 304},
		{"If-None-Match HEAD", http.MethodHead, []string{"If-None-Match", etag}, 304},
		{"If-None-Match with Range", http.MethodGet, []string{"If-None-Match", etag, "Range", "bytes=0-9"}, 304},
		{"If-None-Match another blob", http.MethodGet, []string{"If-None-Match", etagOf(ffSetup.sha())}, 200},
		{"If-Match the ETag", http.MethodGet, []string{"If-Match", etag}, 200},
		{"If-Match another blob", http.MethodGet, []string{"If-Match", etagOf(ffSetup.sha())}, 412},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := m.do(t, tc.method, "/blobs/sha256/"+f.sha(), tc.hdr...)
			wantStatus(t, tc.name, resp, body, tc.status)
			switch tc.status {
			case 304:
				if len(body) != 0 {
					t.Errorf("304 with %d bytes of body", len(body))
				}
				if got := resp.Header.Get("ETag"); got != etag {
					t.Errorf("304 ETag %q, want %q", got, etag)
				}
			case 200:
				wantBody(t, "200", body, f.data)
			}
		})
	}
}

func TestBlobErrors(t *testing.T) {
	m := basicMirror(t)
	known := ffSetup.sha()
	cases := []struct {
		name, method, path string
		status             int
	}{
		{"unknown digest", "GET", "/blobs/sha256/" + sha([]byte("not on this mirror")), 404},
		{"unknown digest HEAD", "HEAD", "/blobs/sha256/" + sha([]byte("not on this mirror")), 404},
		{"upper-case hex", "GET", "/blobs/sha256/" + strings.ToUpper(known), 400},
		{"short", "GET", "/blobs/sha256/" + known[:63], 400},
		{"long", "GET", "/blobs/sha256/" + known + "0", 400},
		{"not hex", "GET", "/blobs/sha256/" + strings.Repeat("g", 64), 400},
		{"escaped slash", "GET", "/blobs/sha256/" + known[:32] + "%2f" + known[32:], 400},
		{"empty", "GET", "/blobs/sha256/", 404},
		{"trailing slash", "GET", "/blobs/sha256/" + known + "/", 404},
		{"other algorithm", "GET", "/blobs/md5/" + known[:32], 404},
		{"POST", "POST", "/blobs/sha256/" + known, 405},
		{"PUT", "PUT", "/blobs/sha256/" + known, 405},
		{"DELETE", "DELETE", "/blobs/sha256/" + known, 405},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := m.do(t, tc.method, tc.path)
			wantStatus(t, tc.path, resp, body, tc.status)
			if strings.Contains(string(body), string(ffSetup.data[:32])) {
				t.Error("an error answer holds blob bytes")
			}
		})
	}
	// The blob is still there and intact after all that.
	resp, body := m.get(t, "/blobs/sha256/"+known)
	wantStatus(t, "blob", resp, body, 200)
	wantBody(t, "blob", body, ffSetup.data)
}
