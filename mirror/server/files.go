package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patchferry/patchferry/media/escape"
)

// files answers /files/…: a file's bytes, or a folder's listing (HTML for
// staff, JSON with ?format=json for scripts).
func (s *Server) files(w http.ResponseWriter, r *http.Request) {
	segs, trailing, err := ParseFilesPath(r.URL.EscapedPath())
	if err != nil {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "html" && format != "json" {
		http.Error(w, "unknown format: leave it out for the HTML page, or ask for format=json", http.StatusBadRequest)
		return
	}
	snap := s.snap.Load()
	n := snap.tree
	for _, seg := range segs {
		if n.file != nil {
			http.Error(w, "bad path: a file is not a folder", http.StatusBadRequest)
			return
		}
		n = n.children[seg]
		if n == nil {
			w.Header().Set("Cache-Control", "no-cache") // an import may bring it (back)
			http.NotFound(w, r)
			return
		}
	}
	if n.file != nil {
		if trailing {
			http.Error(w, "bad path: a file is not a folder", http.StatusBadRequest)
			return
		}
		s.serveBlob(w, r, n.file.SHA256, n.file.FileName, n.file.modTime)
		return
	}
	if !trailing {
		loc := dirURL(segs)
		if format != "" {
			loc += "?format=" + format
		}
		http.Redirect(w, r, loc, http.StatusMovedPermanently)
		return
	}
	if format == "json" {
		s.indexJSON(w, snap, segs, n)
		return
	}
	s.index(w, snap, segs, n)
}

// dirURL is the URL of the folder at segs, with its trailing slash.
func dirURL(segs []string) string {
	if len(segs) == 0 {
		return "/files/"
	}
	return filesURL(segs...) + "/"
}

// indexPage is a folder's listing. It loads nothing else (no stylesheet,
// script, font or image; the icon is an empty data: URL so that browsers do
// not ask for /favicon.ico), and its Content-Security-Policy forbids it to.
var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>patchferry: {{.Title}}</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#222}
nav ol{list-style:none;padding:0;margin:0 0 1em}
nav li{display:inline}
h1{font-size:1.4em;word-break:break-all}
h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse}
th,td{padding:.25em .7em;text-align:left;vertical-align:top;border-bottom:1px solid #ddd}
th{background:#f2f2f2;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font-size:.8em;word-break:break-all}
.cur{color:#060;font-weight:600}
.meta,.legend{color:#555;font-size:.9em}
</style></head>
<body>
<nav aria-label="パンくずリスト / breadcrumbs"><ol>
{{- range $i, $c := .Crumbs}}<li>{{if $i}}<span aria-hidden="true"> › </span>{{end}}<a href="{{$c.URL}}"{{if $c.Here}} aria-current="page"{{end}}>{{$c.Name}}</a></li>{{end -}}
</ol></nav>
<h1>{{.Title}}</h1>
<p class="meta">patchferry ミラー / mirror — 連番 sequence {{.Sequence}}, 状態コード state code {{.StateCode}} — <a href="{{.JSONURL}}">JSON</a></p>
{{- if .Folders}}
<h2>フォルダ / folders</h2>
<table>
<thead><tr><th>名前 / name</th><th>最新 / current</th></tr></thead>
<tbody>
{{- range .Folders}}
<tr><td><a href="{{.URL}}">{{.Name}}/</a></td><td>{{if .Current}}<span class="cur">最新 / current</span>{{end}}</td></tr>
{{- end}}
</tbody></table>
{{- end}}
{{- if .Files}}
<h2>{{if .Below}}このフォルダ以下のファイル / files in this folder and below{{else}}ファイル / files{{end}}</h2>
<table>
<thead><tr><th>名前 / name</th><th>プラットフォーム / platform</th><th>言語 / language</th><th>種類 / kind</th><th>バージョン / version</th>
{{- if .ProductVersion}}<th>製品バージョン / product version</th>{{end}}<th>リリース日 / released</th><th>サイズ / size</th><th>SHA-256</th><th>最新 / current</th></tr></thead>
<tbody>
{{- range .Files}}
<tr><td><a href="{{.URL}}">{{.Name}}</a></td><td>{{.Platform}}</td><td>{{.Language}}</td><td>{{.Kind}}</td><td>{{.Version}}</td>
{{- if $.ProductVersion}}<td>{{.ProductVersion}}</td>{{end}}
{{- if .Released}}<td><time datetime="{{.ReleasedAt}}">{{.Released}}</time></td>{{else}}<td>不明 / unknown</td>{{end -}}
<td class="n" title="{{.Bytes}}">{{.Size}}</td><td><code>{{.SHA256}}</code></td><td>{{if .Current}}<span class="cur">最新 / current</span>{{end}}</td></tr>
{{- end}}
</tbody></table>
{{- end}}
{{- if not (or .Folders .Files)}}
<p>まだファイルがありません / no files yet</p>
{{- end}}
<p class="legend">最新 / current: 端末が今使うカタログにあるファイル、またはそれを含むフォルダ / a file of the catalog terminals use now, or a folder holding one</p>
</body></html>
`))

// listing is what indexPage shows. Every string from the store went
// through escape.String (html/template escapes HTML on top).
type listing struct {
	Title, StateCode, JSONURL string
	Sequence                  uint64
	Crumbs                    []crumb
	Folders                   []folderRow
	Files                     []fileRow
	Below                     bool // Files include files of subfolders
	ProductVersion            bool // a file's product version differs from its own: show the column
}

type crumb struct {
	Name, URL string
	Here      bool
}

type folderRow struct {
	Name, URL string
	Current   bool
}

type fileRow struct {
	Name, URL, Platform, Language, Kind, Version, ProductVersion string
	Released, ReleasedAt                                         string // YYYY-MM-DD and RFC 3339, empty when unknown
	Size, Bytes, SHA256                                          string
	Current                                                      bool
}

// index writes the HTML listing of the folder n at segs. A folder lists
// its subfolders; files are listed with what the bundle said of them.
// From the version level down, the page lists every file below the
// folder, so that staff reach the files of all platforms and languages of
// a version from one page.
func (s *Server) index(w http.ResponseWriter, snap *snapshot, segs []string, n *node) {
	title := "/files/" + strings.Join(segs, "/")
	if len(segs) > 0 {
		title += "/"
	}
	data := listing{Title: escape.String(title), Sequence: snap.sequence, StateCode: escape.String(snap.stateCode),
		JSONURL: dirURL(segs) + "?format=json"}
	data.Crumbs = append(data.Crumbs, crumb{Name: "ファイル一覧 / files", URL: "/files/", Here: len(segs) == 0})
	for i, seg := range segs {
		data.Crumbs = append(data.Crumbs, crumb{Name: escape.String(seg), URL: dirURL(segs[:i+1]), Here: i == len(segs)-1})
	}
	for _, name := range n.names() {
		if c := n.children[name]; c.file == nil {
			data.Folders = append(data.Folders, folderRow{Name: escape.String(name), URL: dirURL(append(segs[:len(segs):len(segs)], name)), Current: c.current})
		}
	}
	n.walkFiles(segs, len(segs) >= 3, func(path []string, f *node) {
		row := newFileRow(path, f)
		data.ProductVersion = data.ProductVersion || row.ProductVersion != ""
		data.Below = data.Below || len(path) > len(segs)+1
		data.Files = append(data.Files, row)
	})
	var b bytes.Buffer
	if err := indexPage.Execute(&b, data); err != nil {
		s.log.Error("index page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.Write(b.Bytes())
}

// walkFiles calls fn for each file child of n (at segs), in name order;
// with deep, for every file below n, depth first in name order.
func (n *node) walkFiles(segs []string, deep bool, fn func(path []string, f *node)) {
	for _, name := range n.names() {
		c := n.children[name]
		path := append(segs[:len(segs):len(segs)], name)
		switch {
		case c.file != nil:
			fn(path, c)
		case deep:
			c.walkFiles(path, deep, fn)
		}
	}
}

func newFileRow(path []string, f *node) fileRow {
	e := f.file
	row := fileRow{Name: escape.String(path[len(path)-1]), URL: filesURL(path...), Platform: escape.String(e.Platform),
		Language: escape.String(e.Language), Kind: escape.String(e.Kind), Version: escape.String(e.Version),
		Size: humanSize(e.Size), Bytes: groupDigits(e.Size) + " バイト / bytes", SHA256: e.SHA256, Current: f.current}
	if e.productVersion != "" && e.productVersion != e.Version {
		row.ProductVersion = escape.String(e.productVersion)
	}
	if known(e.Released) {
		row.Released, row.ReleasedAt = e.Released.UTC().Format(time.DateOnly), e.Released.UTC().Format(time.RFC3339)
	}
	return row
}

// known reports whether a release date is set: the zero time, or any
// time in year 1 or before, means nobody said.
func known(t time.Time) bool { return !t.IsZero() && t.Year() > 1 }

// humanSize is n bytes in binary units, one decimal: "512 B", "1.5 KB",
// "700.0 MB", "4.2 GB".
func humanSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n) / 1024
	for _, unit := range []string{"KB", "MB"} {
		if v < 1023.95 { // else it would round to "1024.0"
			return fmt.Sprintf("%.1f %s", v, unit)
		}
		v /= 1024
	}
	return fmt.Sprintf("%.1f GB", v)
}

// groupDigits writes n with thousands separators: 1,572,864.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// listingJSON is a folder's listing for scripts (?format=json): its direct
// children. Names are exact (as the bundle gave them: a script may need
// them byte for byte); the JSON encoding escapes control characters, and
// URLs are percent-escaped.
type listingJSON struct {
	Path      string      `json:"path"`
	Sequence  uint64      `json:"sequence"`
	StateCode string      `json:"state_code"`
	Entries   []entryJSON `json:"entries"`
}

// entryJSON is a folder ("type": "folder") or a file ("type": "file", with
// what the bundle said of it; product_version for current files only).
type entryJSON struct {
	Name           string    `json:"name"`
	URL            string    `json:"url"`
	Type           string    `json:"type"`
	Current        bool      `json:"current"`
	Platform       string    `json:"platform,omitempty"`
	Language       string    `json:"language,omitempty"`
	Kind           string    `json:"kind,omitempty"`
	Version        string    `json:"version,omitempty"`
	ProductVersion string    `json:"product_version,omitempty"`
	Released       time.Time `json:"released,omitzero"`
	Size           *int64    `json:"size,omitempty"`
	SHA256         string    `json:"sha256,omitempty"`
}

// indexJSON writes the JSON listing of the folder n at segs.
func (s *Server) indexJSON(w http.ResponseWriter, snap *snapshot, segs []string, n *node) {
	out := listingJSON{Path: dirURL(segs), Sequence: snap.sequence, StateCode: snap.stateCode, Entries: []entryJSON{}}
	for _, name := range n.names() {
		c := n.children[name]
		path := append(segs[:len(segs):len(segs)], name)
		if c.file == nil {
			out.Entries = append(out.Entries, entryJSON{Name: name, URL: dirURL(path), Type: "folder", Current: c.current})
			continue
		}
		e := c.file
		size := e.Size
		ej := entryJSON{Name: name, URL: filesURL(path...), Type: "file", Current: c.current, Platform: e.Platform,
			Language: e.Language, Kind: e.Kind, Version: e.Version, ProductVersion: e.productVersion, Size: &size, SHA256: e.SHA256}
		if known(e.Released) {
			ej.Released = e.Released.UTC()
		}
		out.Entries = append(out.Entries, ej)
	}
	b, err := json.Marshal(out)
	if err != nil {
		s.log.Error("index JSON", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(append(b, '\n'))
}

// contentDisposition names a download, with a UTF-8 form for Japanese names.
func contentDisposition(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return fmt.Sprintf("attachment; filename*=UTF-8''%s", strings.ReplaceAll(name, "\"", ""))
}
