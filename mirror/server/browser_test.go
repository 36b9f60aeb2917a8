package server_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/server"
)

// chromium returns the path of a Chromium binary. Without one the test is
// skipped, except in CI (CI=true), where it fails: .ci/run installs the
// Debian package chromium.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true: no chromium or chromium-browser on PATH; install the Debian package chromium")
	}
	t.Skip("no chromium or chromium-browser on PATH (apt-get install chromium)")
	return ""
}

// requestLog records the requests a server got.
type requestLog struct {
	mu   sync.Mutex
	reqs []string // "GET /files/…?…"
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.reqs = append(l.reqs, r.Method+" "+r.URL.RequestURI())
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.reqs
	l.reqs = nil
	return out
}

// A browser renders the listing pages: the DOM has the file table with its
// platform and language columns and values, the breadcrumbs, and the page
// asked for nothing but itself (no stylesheet, script, font, image or
// favicon).
func TestFilesPageInBrowser(t *testing.T) {
	bin := chromium(t)
	var reqs requestLog
	m := newMirrorWith(t, newStore(t), server.Options{}, reqs.wrap, writeArts(t, 1, nil, esr...))
	version := "/files/mozilla/firefox-esr/128.5.0esr/"
	for _, path := range []string{version, version + "win64/", version + "win64/ja/", "/files/"} {
		t.Run(path, func(t *testing.T) {
			reqs.take()
			dom := dumpDOM(t, bin, m.ts.URL+path)
			if got := reqs.take(); !slices.Equal(got, []string{"GET " + path}) {
				t.Errorf("the page made the requests %q, want only its own", got)
			}
			wantContains(t, "DOM", dom, `aria-current="page"`, "ファイル一覧 / files")
			wantSelfContained(t, "DOM", dom)
			_, files := listingTables(t, dom)
			if path == "/files/" {
				if files != nil {
					t.Errorf("the root lists files: %q", files.rows)
				}
				return
			}
			if files == nil {
				t.Fatalf("no file table in the rendered DOM:\n%s", dom)
			}
			for _, col := range []string{colName, colPlatform, colLanguage, colVersion, colReleased, colSize, colSHA} {
				if !slices.Contains(files.head, col) {
					t.Errorf("the rendered file table has no column %q: %q", col, files.head)
				}
			}
			type pl struct{ platform, language string }
			var got []pl
			for _, r := range files.rows {
				got = append(got, pl{r[colPlatform], r[colLanguage]})
				if r[colName] != "Firefox Setup 128.5.0esr.exe" || r[colReleased] != "2024-11-26" {
					t.Errorf("rendered row %q", r)
				}
			}
			want := map[string][]pl{
				version:               {{"win32", "en-US"}, {"win64", "en-US"}, {"win64", "ja"}},
				version + "win64/":    {{"win64", "en-US"}, {"win64", "ja"}},
				version + "win64/ja/": {{"win64", "ja"}},
			}[path]
			if !slices.Equal(got, want) {
				t.Errorf("rendered rows (platform, language) %v, want %v", got, want)
			}
		})
	}
}

// dumpDOM loads url in headless Chromium and returns the DOM it built.
func dumpDOM(t *testing.T, bin, url string) string {
	t.Helper()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+filepath.Join(home, "profile"), "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--disable-dev-shm-usage", "--dump-dom", url)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s --dump-dom %s: %v\n%s", bin, url, err, stderr.String())
	}
	if !strings.Contains(string(out), "</html>") {
		t.Fatalf("chromium dumped no page for %s:\n%s\n%s", url, out, stderr.String())
	}
	return string(out)
}
