package server

import (
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"strings"

	"github.com/patchferry/patchferry/media/escape"
)

func (s *Server) files(w http.ResponseWriter, r *http.Request) {
	segs, trailing, err := ParseFilesPath(r.URL.EscapedPath())
	if err != nil {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	snap := s.snap.Load()
	n := snap.tree
	for _, seg := range segs {
		n = n.children[seg]
		if n == nil {
			w.Header().Set("Cache-Control", "no-cache") // an import may bring it (back)
			http.NotFound(w, r)
			return
		}
	}
	if n.file != nil {
		if trailing {
			http.Redirect(w, r, filesURL(segs...), http.StatusMovedPermanently)
			return
		}
		s.serveBlob(w, r, n.file.SHA256, n.file.FileName, n.file.modTime)
		return
	}
	if !trailing {
		http.Redirect(w, r, filesURL(segs...)+"/", http.StatusMovedPermanently)
		return
	}
	s.index(w, r, segs, n)
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>patchferry: {{.Title}}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.2em 1em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.85em}</style></head>
<body><h1>{{.Title}}</h1>
<p>patchferry ミラー / mirror — 連番 sequence {{.Sequence}}, 状態コード state code {{.StateCode}}</p>
{{if .Up}}<p><a href="{{.Up}}">../</a></p>{{end}}
<table><tr><th>名前 / name</th>{{if .Files}}<th>サイズ / size</th><th>SHA-256</th>{{end}}</tr>
{{range .Entries}}<tr><td><a href="{{.URL}}">{{.Name}}</a>{{if .Current}} (最新 / current){{end}}</td>{{if $.Files}}<td class="n">{{.Size}}</td><td><code>{{.SHA}}</code></td>{{end}}</tr>
{{end}}</table></body></html>
`))

type indexEntry struct {
	Name, URL, SHA string
	Size           int64
	Current        bool
}

func (s *Server) index(w http.ResponseWriter, r *http.Request, segs []string, n *node) {
	snap := s.snap.Load()
	data := struct {
		Title, Up, StateCode string
		Sequence             uint64
		Files                bool
		Entries              []indexEntry
	}{Title: escape.String("/" + strings.Join(append([]string{"files"}, segs...), "/") + "/"), Sequence: snap.sequence,
		StateCode: snap.stateCode, Files: len(segs) >= 3}
	if len(segs) > 0 {
		data.Up = filesURL(segs[:len(segs)-1]...) + "/"
		if len(segs) == 1 {
			data.Up = "/files/"
		}
	}
	for _, name := range n.names() {
		c := n.children[name]
		e := indexEntry{Name: escape.String(name), URL: filesURL(append(append([]string{}, segs...), name)...), Current: c.current}
		if c.file != nil {
			e.SHA, e.Size = c.file.SHA256, c.file.Size
		} else {
			e.URL += "/"
		}
		data.Entries = append(data.Entries, e)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if err := indexPage.Execute(w, data); err != nil {
		s.log.Error("index page", "err", err)
	}
}

// contentDisposition names a download, with a UTF-8 form for Japanese names.
func contentDisposition(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return fmt.Sprintf("attachment; filename*=UTF-8''%s", strings.ReplaceAll(name, "\"", ""))
}
