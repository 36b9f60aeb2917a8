package server_test

import (
	"fmt"
	"html"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media/mediatest"
)

var (
	hrefRE    = regexp.MustCompile(`<a href="([^"]*)"`)
	tableRE   = regexp.MustCompile(`(?s)<table>(.*?)</table>`)
	rowRE     = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRE    = regexp.MustCompile(`(?s)<(th|td)[^>]*>(.*?)</(?:th|td)>`)
	tagRE     = regexp.MustCompile(`<[^>]*>`)
	handlerRE = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+=`)
)

// links returns the link targets of an HTML page.
func links(page []byte) []string {
	var out []string
	for _, m := range hrefRE.FindAllSubmatch(page, -1) {
		out = append(out, html.UnescapeString(string(m[1])))
	}
	return out
}

// pageTable is a table of a listing page: its header cells and its rows,
// each a map from header to the text of the cell.
type pageTable struct {
	head []string
	rows []map[string]string
}

// tables returns the tables of an HTML page, as the server wrote it or as
// a browser serialized its DOM.
func tables(page string) []pageTable {
	var out []pageTable
	for _, tm := range tableRE.FindAllStringSubmatch(page, -1) {
		var tb pageTable
		for _, rm := range rowRE.FindAllStringSubmatch(tm[1], -1) {
			var cells []string
			header := false
			for _, cm := range cellRE.FindAllStringSubmatch(rm[1], -1) {
				header = cm[1] == "th"
				cells = append(cells, strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(cm[2], ""))))
			}
			if header {
				tb.head = cells
				continue
			}
			row := make(map[string]string)
			for i, c := range cells {
				if i < len(tb.head) {
					row[tb.head[i]] = c
				}
			}
			tb.rows = append(tb.rows, row)
		}
		out = append(out, tb)
	}
	return out
}

// Column headers of the listing pages.
const (
	colName     = "名前 / name"
	colPlatform = "プラットフォーム / platform"
	colLanguage = "言語 / language"
	colKind     = "種類 / kind"
	colVersion  = "バージョン / version"
	colProduct  = "製品バージョン / product version"
	colReleased = "リリース日 / released"
	colSize     = "サイズ / size"
	colSHA      = "SHA-256"
	colCurrent  = "最新 / current"
	isCurrent   = "最新 / current"
	unknownDate = "不明 / unknown"
)

// listingTables returns the folder table and the file table of a listing
// page (nil when the page has none).
func listingTables(t testing.TB, page string) (folders, files *pageTable) {
	t.Helper()
	for _, tb := range tables(page) {
		switch {
		case slices.Equal(tb.head, []string{colName, colCurrent}):
			folders = &tb
		case slices.Contains(tb.head, colSHA):
			files = &tb
		default:
			t.Fatalf("a table with header %q", tb.head)
		}
	}
	return folders, files
}

// column returns the cells of column col.
func (tb *pageTable) column(col string) []string {
	if tb == nil {
		return nil
	}
	var out []string
	for _, r := range tb.rows {
		out = append(out, r[col])
	}
	return out
}

// listingPage gets the HTML listing at path and checks its headers.
func (m *mirror) listingPage(t testing.TB, path string) string {
	t.Helper()
	resp, page := m.get(t, path)
	wantStatus(t, path, resp, page, http.StatusOK)
	for name, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-cache",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: %s %q, want %q", path, name, got, want)
		}
	}
	wantSelfContained(t, path, string(page))
	return string(page)
}

// wantSelfContained fails t if page refers to anything it would load:
// every URL in it is a link to follow, except the empty data: icon.
func wantSelfContained(t testing.TB, what, page string) {
	t.Helper()
	rest := strings.Replace(page, `<link rel="icon" href="data:,">`, "", 1)
	for _, bad := range []string{"<link", "<script", "<img", "<iframe", "<object", "<embed", "<base", " src=", "srcset=",
		"url(", "@import", "@font-face", " style="} {
		if strings.Contains(strings.ToLower(rest), bad) {
			t.Errorf("%s: the page holds %q: it must load nothing", what, bad)
		}
	}
	if m := handlerRE.FindString(rest); m != "" {
		t.Errorf("%s: the page holds the event handler %q", what, m)
	}
	if n, a := strings.Count(rest, "href="), strings.Count(rest, "<a href="); n != a {
		t.Errorf("%s: %d href attributes, %d of them links", what, n, a)
	}
}

// crumbs are the links of the breadcrumbs of the folder at path.
func crumbs(path string) []string {
	out := []string{"/files/"}
	rest := strings.TrimPrefix(path, "/files/")
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' {
			out = append(out, "/files/"+rest[:i+1])
		}
	}
	return out
}

func TestFilesIndex(t *testing.T) {
	st := newStore(t)
	ffNext := file{"mozilla", "firefox", "146.0", "Firefox Setup 146.0.exe", mediatest.RandomBytes(4, 40_000)}
	m := newMirror(t, st, writeBundle(t, 1, nil, basic...), writeBundle(t, 2, nil, ffNext, ichitaro))
	cases := []struct {
		path    string
		folders []string // links to folders, in order
		current []string // the folders marked current, in order
		files   []file   // the files listed, in order
	}{
		{path: "/files/", folders: []string{"/files/justsystems/", "/files/mozilla/"}, current: []string{"justsystems", "mozilla"}},
		{path: "/files/mozilla/", folders: []string{"/files/mozilla/firefox/"}, current: []string{"firefox"}},
		{path: "/files/mozilla/firefox/", folders: []string{"/files/mozilla/firefox/145.0/", "/files/mozilla/firefox/146.0/"},
			current: []string{"146.0"}},
		{path: "/files/mozilla/firefox/145.0/", files: []file{ffSetup, ffMSI}},
		{path: "/files/mozilla/firefox/146.0/", files: []file{ffNext}},
		{path: "/files/justsystems/ichitaro/", folders: []string{"/files/justsystems/ichitaro/2026.1/"}, current: []string{"2026.1"}},
		{path: "/files/justsystems/ichitaro/2026.1/", files: []file{ichitaro}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			page := m.listingPage(t, tc.path)
			want := append(crumbs(tc.path), tc.path+"?format=json")
			want = append(want, tc.folders...)
			for _, f := range tc.files {
				want = append(want, f.filesPath())
			}
			if got := links([]byte(page)); !slices.Equal(got, want) {
				t.Errorf("links %q, want %q", got, want)
			}
			wantContains(t, tc.path, page, "sequence 2", `aria-current="page"`)
			folders, files := listingTables(t, page)
			if (folders != nil) != (len(tc.folders) > 0) || (files != nil) != (len(tc.files) > 0) {
				t.Fatalf("folder table %v, file table %v", folders != nil, files != nil)
			}
			var cur []string
			for i, c := range folders.column(colCurrent) {
				if c == isCurrent {
					cur = append(cur, strings.TrimSuffix(folders.rows[i][colName], "/"))
				}
			}
			if !slices.Equal(cur, tc.current) {
				t.Errorf("folders marked current %q, want %q", cur, tc.current)
			}
			for i, f := range tc.files {
				r := files.rows[i]
				wantCurrent := ""
				if f.version != "145.0" {
					wantCurrent = isCurrent
				}
				if r[colName] != f.name || r[colSHA] != f.sha() || r[colVersion] != f.version || r[colKind] != "installer" ||
					r[colPlatform] != "" || r[colLanguage] != "" || r[colReleased] != unknownDate || r[colCurrent] != wantCurrent {
					t.Errorf("row %d: %q", i, r)
				}
			}
			if strings.Contains(page, colProduct) {
				t.Error("the product version column is shown, but every file is of its product's version")
			}
		})
	}
	// Sizes in binary units, the exact count on hover.
	page := m.listingPage(t, "/files/mozilla/firefox/145.0/")
	wantContains(t, "145.0", page, `title="300,000 バイト / bytes">293.0 KB<`, `title="70,000 バイト / bytes">68.4 KB<`)
}

func TestHumanSize(t *testing.T) {
	// Through the pages: files of these sizes, listed.
	sizes := map[int]string{0: "0 B", 1: "1 B", 1023: "1023 B", 1024: "1.0 KB", 1536: "1.5 KB",
		1024*1024 - 1: "1.0 MB", 3 * 1024 * 1024 / 2: "1.5 MB"}
	var files []file
	i := 0
	for n := range sizes {
		i++
		files = append(files, file{"v", "p", "1", fmt.Sprintf("f%02d", i), mediatest.RandomBytes(uint64(100+i), n)})
	}
	m := newMirror(t, newStore(t), writeBundle(t, 1, nil, files...))
	_, tb := listingTables(t, m.listingPage(t, "/files/v/p/1/"))
	got := make(map[string]string)
	for _, r := range tb.rows {
		got[r[colName]] = r[colSize]
	}
	for _, f := range files {
		if want := sizes[len(f.data)]; got[f.name] != want {
			t.Errorf("%d bytes shown as %q, want %q", len(f.data), got[f.name], want)
		}
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
		if strings.HasSuffix(p, "/?format=json") {
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s: Content-Type %q", p, ct)
			}
			continue
		}
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
		{"/files/mozilla/firefox/145.0/nothing.exe/", http.StatusNotFound, ""}, // could be a platform folder
		{"/files/mozilla/firefox/145.0/win64/ja/", http.StatusNotFound, ""},
		{"/files/mozilla/firefox/145.0/win64/ja/Firefox%20Setup%20145.0.exe", http.StatusNotFound, ""},
		{"/files/mozilla/firefox/145.0/win64/ja/x/", http.StatusBadRequest, ""},  // the sixth level is a file name
		{"/files/mozilla/firefox/145.0/win64/ja/x/y", http.StatusBadRequest, ""}, // seven levels
		{ffSetup.filesPath() + "/", http.StatusBadRequest, ""},                   // a file is not a folder
		{ffSetup.filesPath() + "/more", http.StatusBadRequest, ""},
		{ffSetup.filesPath() + "/more/", http.StatusBadRequest, ""},
		{ffSetup.filesPath() + "?format=json", http.StatusOK, ""}, // a file is a file
		{"/files/mozilla?format=json", http.StatusMovedPermanently, "/files/mozilla/?format=json"},
		{"/files/mozilla/?format=xml", http.StatusBadRequest, ""},
		{"/files/mozilla/?format=html", http.StatusOK, ""},
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
			if got := resp.Header.Get("Cache-Control"); resp.StatusCode == http.StatusNotFound && strings.HasPrefix(tc.path, "/files/") && got != "no-cache" {
				t.Errorf("404 with Cache-Control %q, want no-cache (an import may bring it)", got)
			}
		})
	}
	resp, body := m.do(t, http.MethodPost, "/files/mozilla/")
	wantStatus(t, "POST", resp, body, http.StatusMethodNotAllowed)
}

// An empty mirror lists nothing (an empty list in JSON, not null); HEAD of
// a listing has its headers and no body.
func TestFilesEmptyAndHEAD(t *testing.T) {
	m := newMirror(t, newStore(t))
	page := m.listingPage(t, "/files/")
	wantContains(t, "empty mirror", page, "まだファイルがありません / no files yet")
	_, raw := m.listingJSON(t, "/files/")
	if !strings.Contains(string(raw), `"entries":[]`) {
		t.Errorf("empty mirror JSON: %s", raw)
	}
	m = basicMirror(t)
	resp, body := m.do(t, http.MethodHead, "/files/mozilla/firefox/145.0/")
	wantStatus(t, "HEAD", resp, body, http.StatusOK)
	if len(body) != 0 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD: %d bytes of body, Content-Type %q", len(body), resp.Header.Get("Content-Type"))
	}
}
