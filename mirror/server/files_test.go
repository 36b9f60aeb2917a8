package server_test

import (
	"html"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media/mediatest"
)

var hrefRE = regexp.MustCompile(`href="([^"]*)"`)

// links returns the link targets of an HTML page.
func links(page []byte) []string {
	var out []string
	for _, m := range hrefRE.FindAllSubmatch(page, -1) {
		out = append(out, html.UnescapeString(string(m[1])))
	}
	return out
}

func TestFilesIndex(t *testing.T) {
	st := newStore(t)
	ffNext := file{"mozilla", "firefox", "146.0", "Firefox Setup 146.0.exe", mediatest.RandomBytes(4, 40_000)}
	m := newMirror(t, st, writeBundle(t, 1, nil, basic...), writeBundle(t, 2, nil, ffNext, ichitaro))
	cases := []struct {
		path    string
		links   []string // every link on the page, in order
		current []string // names marked current
		more    []string // more text the page holds
	}{
		{path: "/files/", links: []string{"/files/justsystems/", "/files/mozilla/"}},
		{path: "/files/mozilla/", links: []string{"/files/", "/files/mozilla/firefox/"}},
		{path: "/files/mozilla/firefox/", links: []string{"/files/mozilla/", "/files/mozilla/firefox/145.0/", "/files/mozilla/firefox/146.0/"},
			current: []string{"146.0"}},
		{path: "/files/mozilla/firefox/145.0/", links: []string{"/files/mozilla/firefox/", ffSetup.filesPath(), ffMSI.filesPath()},
			more: []string{ffSetup.sha(), ffMSI.sha(), "300000", "70000"}},
		{path: "/files/justsystems/ichitaro/", links: []string{"/files/justsystems/", "/files/justsystems/ichitaro/2026.1/"},
			current: []string{"2026.1"}},
		{path: "/files/justsystems/ichitaro/2026.1/", links: []string{"/files/justsystems/ichitaro/", ichitaro.filesPath()},
			more: []string{ichitaro.sha(), ichitaro.name}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, page := m.get(t, tc.path)
			wantStatus(t, tc.path, resp, page, http.StatusOK)
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if got := links(page); !slices.Equal(got, tc.links) {
				t.Errorf("links %q, want %q", got, tc.links)
			}
			wantContains(t, tc.path, string(page), append(tc.more, "sequence 2")...)
			for _, name := range tc.current {
				wantContains(t, tc.path, string(page), ">"+name+"</a> (最新 / current)")
			}
			if n := strings.Count(string(page), "(最新 / current)"); n != len(tc.current) {
				t.Errorf("%d entries marked current, want %d", n, len(tc.current))
			}
		})
	}
}

// Every file the mirror has is reachable from /files/ by following links,
// and every link works.
func TestFilesCrawl(t *testing.T) {
	st := newStore(t)
	ffNext := file{"mozilla", "firefox", "146.0", "Firefox Setup 146.0.exe", mediatest.RandomBytes(4, 40_000)}
	m := newMirror(t, st, writeBundle(t, 1, nil, basic...), writeBundle(t, 2, nil, ffNext, ichitaro))
	want := make(map[string][]byte)
	for _, f := range append(slices.Clone(basic), ffNext) {
		want[f.filesPath()] = f.data
	}
	seen := map[string]bool{"/files/": true}
	queue := []string{"/files/"}
	files := 0
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		resp, body := m.get(t, p)
		wantStatus(t, p, resp, body, http.StatusOK)
		if !strings.HasSuffix(p, "/") {
			data, ok := want[p]
			if !ok {
				t.Errorf("link to %s, which is not a file of the mirror", p)
				continue
			}
			wantBody(t, p, body, data)
			files++
			continue
		}
		for _, l := range links(body) {
			if !strings.HasPrefix(l, "/files/") {
				t.Errorf("%s links outside /files/: %q", p, l)
				continue
			}
			if !seen[l] {
				seen[l] = true
				queue = append(queue, l)
			}
		}
	}
	if files != len(want) {
		t.Errorf("reached %d files, want %d", files, len(want))
	}
}

func TestFilesDownload(t *testing.T) {
	m := basicMirror(t)
	for _, f := range basic {
		t.Run(f.name, func(t *testing.T) {
			resp, body := m.get(t, f.filesPath())
			wantStatus(t, f.filesPath(), resp, body, http.StatusOK)
			wantBody(t, f.filesPath(), body, f.data)
			if got := resp.Header.Get("ETag"); got != etagOf(f.sha()) {
				t.Errorf("ETag %q", got)
			}
			if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control %q", got)
			}
			disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != f.name {
				t.Errorf("Content-Disposition %q: %s %q %v", resp.Header.Get("Content-Disposition"), disp, params, err)
			}
			resp, body = m.get(t, f.filesPath(), "Range", "bytes=100-199")
			wantStatus(t, "range", resp, body, http.StatusPartialContent)
			wantBody(t, "range", body, f.data[100:200])
			resp, body = m.get(t, f.filesPath(), "If-None-Match", etagOf(f.sha()))
			wantStatus(t, "If-None-Match", resp, body, http.StatusNotModified)
		})
	}
}

func TestFilesStatus(t *testing.T) {
	m := basicMirror(t)
	cases := []struct {
		path     string
		status   int // 0: any redirect
		location string
	}{
		{"/", http.StatusFound, "/files/"},
		{"/files", http.StatusOK, ""},
		{"/files/mozilla", http.StatusMovedPermanently, "/files/mozilla/"},
		{"/files/mozilla/firefox", http.StatusMovedPermanently, "/files/mozilla/firefox/"},
		{"/files/mozilla/firefox/145.0", http.StatusMovedPermanently, "/files/mozilla/firefox/145.0/"},
		{"/files/nobody/", http.StatusNotFound, ""},
		{"/files/nobody", http.StatusNotFound, ""},
		{"/files/mozilla/firefox/999/", http.StatusNotFound, ""},
		{"/files/mozilla/firefox/145.0/nothing.exe", http.StatusNotFound, ""},
		{"/files/mozilla/firefox/145.0/nothing.exe/", http.StatusBadRequest, ""},
		{ffSetup.filesPath() + "/", http.StatusBadRequest, ""},
		{ffSetup.filesPath() + "/more", http.StatusBadRequest, ""},
		{"/files/mozilla//firefox/", 0, "/files/mozilla/firefox/"}, // ServeMux cleans the path
		{"/files/CON/", http.StatusBadRequest, ""},
		{"/files/a%3Ab/", http.StatusBadRequest, ""},
		{"/files/trailing.%20/", http.StatusBadRequest, ""},
		{"/nothing", http.StatusNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := m.get(t, tc.path)
			if tc.status != 0 {
				wantStatus(t, tc.path, resp, body, tc.status)
			} else if resp.StatusCode < 300 || resp.StatusCode > 399 {
				t.Fatalf("%s: status %d, want a redirect", tc.path, resp.StatusCode)
			}
			if got := resp.Header.Get("Location"); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
		})
	}
	resp, body := m.do(t, http.MethodPost, "/files/mozilla/")
	wantStatus(t, "POST", resp, body, http.StatusMethodNotAllowed)
}
