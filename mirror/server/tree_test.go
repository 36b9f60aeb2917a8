package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/wire"
)

// Firefox ESR 128.5.0esr: one file name for every platform and language,
// each at an address of its own.
var (
	esrReleased = time.Date(2024, 11, 26, 0, 0, 0, 0, time.UTC)
	esrWin64Ja  = esrFile("win64", "ja", 21, 60_000)
	esrWin64En  = esrFile("win64", "en-US", 22, 61_000)
	esrWin32En  = esrFile("win32", "en-US", 23, 1_500) // a small blob: served from memory
	esr         = []art{esrWin64Ja, esrWin64En, esrWin32En}
)

func esrFile(platform, language string, seed uint64, size int) art {
	return art{Artifact: media.Artifact{Vendor: "mozilla", Product: "firefox-esr", Version: "128.5.0esr", Platform: platform,
		Language: language, Kind: "installer", FileName: "Firefox Setup 128.5.0esr.exe", Released: esrReleased},
		data: mediatest.RandomBytes(seed, size)}
}

// listingJSON is GET …/?format=json, decoded strictly.
type listingJSON struct {
	Path      string      `json:"path"`
	Sequence  uint64      `json:"sequence"`
	StateCode string      `json:"state_code"`
	Entries   []entryJSON `json:"entries"`
}

type entryJSON struct {
	Name           string     `json:"name"`
	URL            string     `json:"url"`
	Type           string     `json:"type"`
	Current        bool       `json:"current"`
	Platform       string     `json:"platform"`
	Language       string     `json:"language"`
	Kind           string     `json:"kind"`
	Version        string     `json:"version"`
	ProductVersion string     `json:"product_version"`
	Released       *time.Time `json:"released"`
	Size           *int64     `json:"size"`
	SHA256         string     `json:"sha256"`
}

// listingJSON gets the JSON listing of the folder at path.
func (m *mirror) listingJSON(t testing.TB, path string) (*listingJSON, []byte) {
	t.Helper()
	resp, body := m.get(t, path+"?format=json")
	wantStatus(t, path+"?format=json", resp, body, http.StatusOK)
	if ct, cc := resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"); ct != "application/json" || cc != "no-cache" {
		t.Errorf("%s?format=json: Content-Type %q, Cache-Control %q", path, ct, cc)
	}
	var l listingJSON
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("%s?format=json: %v\n%s", path, err, body)
	}
	if l.Path != path {
		t.Errorf("%s?format=json: path %q", path, l.Path)
	}
	return &l, body
}

// Two files with the same name, product and version, for different
// platforms and languages: each has its own address and bytes, and the
// listings tell them apart.
func TestFilesPlatformLanguage(t *testing.T) {
	m := newMirror(t, newStore(t), writeArts(t, 1, nil, esr...))
	seen := make(map[string]bool)
	for _, a := range esr {
		p := a.filesPath()
		if seen[p] {
			t.Fatalf("two files at %s", p)
		}
		seen[p] = true
		resp, body := m.get(t, p)
		wantStatus(t, p, resp, body, http.StatusOK)
		wantBody(t, p, body, a.data)
	}
	if got := esrWin64Ja.filesPath(); got != "/files/mozilla/firefox-esr/128.5.0esr/win64/ja/Firefox%20Setup%20128.5.0esr.exe" {
		t.Fatalf("test setup: path %s", got)
	}

	// /v1/catalog names the same addresses.
	body, _ := m.catalog(t)
	byFilesURL := make(map[string]wire.CatalogArtifact)
	for _, a := range decodeCatalog(t, body).Artifacts {
		byFilesURL[a.FilesURL] = a
	}
	for _, a := range esr {
		if c := byFilesURL[a.filesPath()]; c.SHA256 != a.sha() || c.Platform != a.Platform || c.Language != a.Language {
			t.Errorf("catalog at %s: %+v", a.filesPath(), c)
		}
	}

	version := "/files/mozilla/firefox-esr/128.5.0esr/"
	cases := []struct {
		path    string
		folders []string
		files   []art // in order
		below   bool
	}{
		{path: version, folders: []string{"win32/", "win64/"}, files: []art{esrWin32En, esrWin64En, esrWin64Ja}, below: true},
		{path: version + "win64/", folders: []string{"en-US/", "ja/"}, files: []art{esrWin64En, esrWin64Ja}, below: true},
		{path: version + "win64/ja/", files: []art{esrWin64Ja}},
		{path: version + "win32/en-US/", files: []art{esrWin32En}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			page := m.listingPage(t, tc.path)
			folders, files := listingTables(t, page)
			if got := folders.column(colName); !slices.Equal(got, tc.folders) {
				t.Errorf("folders %q, want %q", got, tc.folders)
			}
			for _, c := range folders.column(colCurrent) {
				if c != isCurrent {
					t.Errorf("a folder holding current files is not marked current: %q", folders.rows)
				}
			}
			if files == nil || len(files.rows) != len(tc.files) {
				t.Fatalf("file table %v, want %d files", files, len(tc.files))
			}
			wantContains(t, tc.path, strings.Join(files.head, "|"), colPlatform, colLanguage)
			for i, a := range tc.files {
				want := map[string]string{colName: a.FileName, colPlatform: a.Platform, colLanguage: a.Language, colKind: "installer",
					colVersion: "128.5.0esr", colReleased: "2024-11-26", colSize: "", colSHA: a.sha(), colCurrent: isCurrent}
				r := files.rows[i]
				for col, w := range want {
					if col != colSize && r[col] != w {
						t.Errorf("row %d, %s: %q, want %q", i, col, r[col], w)
					}
				}
			}
			wantContains(t, tc.path, page, `<a href="`+tc.files[0].filesPath()+`">`, `<time datetime="2024-11-26T00:00:00Z">2024-11-26</time>`)
			if got := strings.Contains(page, "このフォルダ以下のファイル / files in this folder and below"); got != tc.below {
				t.Errorf("files of subfolders: heading says %v, want %v", got, tc.below)
			}
		})
	}

	// JSON: the direct children, folders and files.
	l, _ := m.listingJSON(t, version+"win64/")
	if len(l.Entries) != 2 || l.Entries[0] != (entryJSON{Name: "en-US", URL: version + "win64/en-US/", Type: "folder", Current: true}) ||
		l.Entries[1].Name != "ja" || l.Sequence != 1 || l.StateCode == "" {
		t.Errorf("JSON of win64/: %+v", l)
	}
	l, _ = m.listingJSON(t, version+"win64/ja/")
	if len(l.Entries) != 1 {
		t.Fatalf("JSON of win64/ja/: %+v", l)
	}
	e := l.Entries[0]
	if e.Name != esrWin64Ja.FileName || e.URL != esrWin64Ja.filesPath() || e.Type != "file" || !e.Current || e.Platform != "win64" ||
		e.Language != "ja" || e.Kind != "installer" || e.Version != "128.5.0esr" || e.ProductVersion != "128.5.0esr" ||
		e.Released == nil || !e.Released.Equal(esrReleased) || e.Size == nil || *e.Size != int64(len(esrWin64Ja.data)) ||
		e.SHA256 != esrWin64Ja.sha() {
		t.Errorf("JSON of the file: %+v", e)
	}
}

// ClamAV-like: the entry daily 6 is daily.cvd (version 6) and the cdiffs
// daily-2 … daily-6, each of its own version and release date. Each file is
// listed (pages, JSON, /v1/catalog) with its own version and date, and with
// the product's version 6. A file without a release date is "unknown",
// never year 1.
func TestFilesOwnVersions(t *testing.T) {
	day := func(n int) time.Time { return time.Date(2026, 11, 10+n, 8, 0, 0, 0, time.UTC) }
	artOf := func(name, version string, released time.Time, seed uint64) art {
		return art{Artifact: media.Artifact{Vendor: "clamav", Product: "daily", Version: version, Kind: "signatures",
			FileName: name, Released: released}, data: mediatest.RandomBytes(seed, 3000+int(seed))}
	}
	cvd5 := artOf("daily.cvd", "5", day(5), 50)
	cvd6 := artOf("daily.cvd", "6", day(6), 60)
	daily6 := []art{cvd6}
	for n := 2; n <= 6; n++ {
		daily6 = append(daily6, artOf("daily-"+itoa(n)+".cdiff", itoa(n), day(n), uint64(n)))
	}
	mainCVD := art{Artifact: media.Artifact{Vendor: "clamav", Product: "main", Version: "62", Kind: "signatures", FileName: "main.cvd"},
		data: mediatest.RandomBytes(70, 5000)} // no release date
	cat := media.Catalog{{Vendor: "clamav", Product: "daily", Version: "6"}, {Vendor: "clamav", Product: "main", Version: "62",
		Artifacts: []string{mainCVD.sha()}}}
	for _, a := range daily6 {
		cat[0].Artifacts = append(cat[0].Artifacts, a.sha())
	}
	m := newMirror(t, newStore(t),
		writeArts(t, 1, media.Catalog{{Vendor: "clamav", Product: "daily", Version: "5", Artifacts: []string{cvd5.sha()}}}, cvd5),
		writeArts(t, 2, cat, append(slices.Clone(daily6), mainCVD)...))

	// /v1/catalog: own version and date, product version 6.
	body, _ := m.catalog(t)
	got := make(map[string]wire.CatalogArtifact)
	for _, a := range decodeCatalog(t, body).Artifacts {
		got[a.SHA256] = a
	}
	for _, a := range daily6 {
		c, ok := got[a.sha()]
		if !ok || c.Version != a.Version || c.ProductVersion != "6" || !c.Released.Equal(a.Released) || c.FileName != a.FileName ||
			c.FilesURL != a.filesPath() {
			t.Errorf("catalog: %s: %+v (listed %v)", a.FileName, c, ok)
		}
	}
	if _, ok := got[cvd5.sha()]; ok {
		t.Error("the catalog lists daily.cvd 5, replaced by 6")
	}
	if c := got[mainCVD.sha()]; !c.Released.IsZero() || bytes.Contains(body, []byte("0001-01-01")) {
		t.Errorf("catalog: main.cvd without a release date: %+v", c)
	}

	// The product page: every version that holds a current file is current.
	folders, _ := listingTables(t, m.listingPage(t, "/files/clamav/daily/"))
	if got := folders.column(colName); !slices.Equal(got, []string{"2/", "3/", "4/", "5/", "6/"}) {
		t.Errorf("daily's versions %q", got)
	}
	if got := folders.column(colCurrent); slices.ContainsFunc(got, func(s string) bool { return s != isCurrent }) {
		t.Errorf("daily's versions marked current: %q", got)
	}

	// Each version page: the file's own version and date; the product
	// version where it differs.
	for _, a := range daily6 {
		if a.FileName == "daily.cvd" {
			continue
		}
		dir := "/files/clamav/daily/" + a.Version + "/"
		page := m.listingPage(t, dir)
		_, files := listingTables(t, page)
		if files == nil {
			t.Fatalf("%s: no files", dir)
		}
		var row map[string]string
		for _, r := range files.rows {
			if r[colName] == a.FileName {
				row = r
			}
		}
		wantPV := "6"
		if a.Version == "6" {
			wantPV = ""
		}
		if row == nil || row[colVersion] != a.Version || row[colProduct] != wantPV || row[colReleased] != a.Released.Format(time.DateOnly) ||
			row[colCurrent] != isCurrent {
			t.Errorf("%s: row of %s: %q", dir, a.FileName, row)
		}
		if hasCol := slices.Contains(files.head, colProduct); hasCol != (wantPV != "") {
			t.Errorf("%s: product version column shown %v, want %v", dir, hasCol, wantPV != "")
		}
		l, _ := m.listingJSON(t, dir)
		for _, e := range l.Entries {
			if e.Name == a.FileName && (e.Version != a.Version || e.ProductVersion != "6" || e.Released == nil || !e.Released.Equal(a.Released)) {
				t.Errorf("%s JSON: %+v", dir, e)
			}
		}
	}
	// daily.cvd 5 is still stored: listed beside the current daily-5.cdiff,
	// not current, with its own date and no product version.
	_, files := listingTables(t, m.listingPage(t, "/files/clamav/daily/5/"))
	if len(files.rows) != 2 {
		t.Fatalf("daily/5/: %q", files.rows)
	}
	if r := files.rows[1]; r[colName] != "daily.cvd" || r[colVersion] != "5" || r[colProduct] != "" || r[colCurrent] != "" ||
		r[colReleased] != "2026-11-15" || r[colSHA] != cvd5.sha() {
		t.Errorf("daily/5/daily.cvd: %q", r)
	}
	resp, b := m.get(t, cvd5.filesPath())
	wantStatus(t, "daily.cvd 5", resp, b, http.StatusOK)
	wantBody(t, "daily.cvd 5", b, cvd5.data)

	// Without a release date: unknown, never year 1.
	page := m.listingPage(t, "/files/clamav/main/62/")
	_, files = listingTables(t, page)
	if files == nil || len(files.rows) != 1 || files.rows[0][colReleased] != unknownDate {
		t.Errorf("main.cvd: %v", files)
	}
	if strings.Contains(page, "0001-") || strings.Contains(page, "<time") {
		t.Errorf("main.cvd: the page shows a date:\n%s", page)
	}
	l, raw := m.listingJSON(t, "/files/clamav/main/62/")
	if len(l.Entries) != 1 || l.Entries[0].Released != nil || bytes.Contains(raw, []byte(`"released"`)) {
		t.Errorf("main.cvd JSON: %s", raw)
	}
}

func itoa(n int) string { return string(rune('0' + n)) }

// Names are shown escaped: bidi overrides and C1 controls as \uXXXX, HTML
// by html/template; links stay exact.
func TestFilesHostileNames(t *testing.T) {
	name := "invoice\u202efdp.exe & 'x' \u0085"
	a := art{Artifact: media.Artifact{Vendor: "v", Product: "p", Version: "1", Platform: "win\u200b64", Language: "ja",
		Kind: "<b>kind</b>\u202e", FileName: name}, data: []byte("payload")}
	m := newMirror(t, newStore(t), writeArts(t, 1, nil, a))
	page := m.listingPage(t, "/files/v/p/1/")
	for _, bad := range []string{"\u202e", "\u0085", "\u200b", "<b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q raw", bad)
		}
	}
	wantContains(t, "page", page, `invoice\u202efdp.exe &amp; &#39;x&#39; \u0085`, `win\u200b64`, `&lt;b&gt;kind&lt;/b&gt;\u202e`)
	if !slices.Contains(links([]byte(page)), a.filesPath()) {
		t.Errorf("no link to %s: %q", a.filesPath(), links([]byte(page)))
	}
	resp, body := m.get(t, a.filesPath())
	wantStatus(t, "hostile name", resp, body, http.StatusOK)
	wantBody(t, "hostile name", body, a.data)
	// JSON keeps the exact names (a script may need them), encoded.
	l, _ := m.listingJSON(t, "/files/v/p/1/"+url.PathEscape("win\u200b64")+"/ja/")
	if len(l.Entries) != 1 || l.Entries[0].Name != name || l.Entries[0].URL != a.filesPath() {
		t.Errorf("JSON: %+v", l.Entries)
	}
}
