package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media/mediatest"
)

// rawGet writes the request line itself, so the path reaches the server
// exactly as given: no client cleans or re-escapes it.
func rawGet(t *testing.T, addr, target string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %q: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %q: read body: %v", target, err)
	}
	return resp, body
}

// Requests that try to leave the tree get 400 or 404, or a redirect to a
// path on the same mirror that in turn gets 400 or 404 (or an index page of
// /files/); no answer holds a byte of mirror.db, /etc/passwd or a file next
// to the data directory.
func TestTraversal(t *testing.T) {
	st := newStore(t)
	m := newMirror(t, st, writeBundle(t, 1, nil, basic...))
	canary := []byte(fmt.Sprintf("CANARY-%x", mediatest.RandomBytes(9, 16)))
	for _, p := range []string{filepath.Join(st.Dir(), "secret.txt"), filepath.Join(filepath.Dir(st.Dir()), "secret.txt")} {
		if err := os.WriteFile(p, canary, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := os.ReadFile(filepath.Join(st.Dir(), "mirror.db"))
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{
		"canary":      canary,
		"bbolt magic": {0xed, 0xda, 0x0c, 0xed},
		"mirror.db":   db[:16],
		"passwd":      []byte("root:"),
	}
	if passwd, err := os.ReadFile("/etc/passwd"); err == nil && len(passwd) >= 16 {
		secrets["/etc/passwd"] = passwd[:16]
	}

	addr := m.ts.Listener.Addr().String()
	base, _ := url.Parse(m.ts.URL + "/")
	targets := []string{
		"/files/../../etc/passwd",
		"/files/%2e%2e/%2e%2e/etc/passwd",
		"/files/%2E%2E/%2E%2E/etc/passwd",
		"/files/.%2e/.%2e/etc/passwd",
		"/files/%2e%2e",
		"/files/..",
		"/files/a%2fb/c/d/e",
		"/files/a%2Fb/",
		"/files/a%5cb/c/d/e",
		`/files/a\b/c/d/e`,
		`/files/..\..\mirror.db`,
		"/files/..%5c..%5cmirror.db",
		"/files/..%2f..%2fmirror.db",
		"/files/mozilla/firefox/145.0/..%2f..%2f..%2f..%2fmirror.db",
		"/files/mozilla/firefox/145.0/Firefox%20Setup%20145.0.exe/../../../../../mirror.db",
		"/files/%252e%252e/%252e%252e/mirror.db",
		"/files/%c0%ae%c0%ae/%c0%ae%c0%ae/mirror.db",
		"/files/x/y/z/%00",
		"/files/%00/",
		"/files/mozilla/firefox/145.0/Firefox%20Setup%20145.0.exe%00.txt",
		"/files/secret.txt",
		"/files/mozilla/firefox/145.0/secret.txt",
		"/blobs/sha256/../../mirror.db",
		"/blobs/sha256/%2e%2e%2f%2e%2e%2fmirror.db",
		"/blobs/sha256/..%2fmirror.db",
		"/blobs/sha256/secret.txt",
		"/blobs/sha256/" + strings.Repeat("0", 62) + "/../../../mirror.db",
		"//etc/passwd",
		"//evil.example/files/",
		"///evil.example/",
		`/\evil.example/`,
		"/mirror.db",
		"/secret.txt",
		"/tmp/",
		"/blobs/",
		"/v1/catalog/../../mirror.db",
		"/v1/../mirror.db",
		"*",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			path := target
			for hop := 0; ; hop++ {
				if hop == 5 {
					t.Fatalf("%s: more than 5 redirects", target)
				}
				resp, body := rawGet(t, addr, path)
				for what, b := range secrets {
					if bytes.Contains(body, b) {
						t.Fatalf("GET %s: the answer holds bytes of %s:\n%q", path, what, body)
					}
				}
				if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusNotFound {
					return
				}
				if hop > 0 && resp.StatusCode == http.StatusOK && strings.HasPrefix(path, "/files/") &&
					strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					return // redirected to an index page of the mirror
				}
				if resp.StatusCode < 300 || resp.StatusCode > 399 {
					t.Fatalf("GET %s: status %d, want 400, 404 or a redirect; body %.200q", path, resp.StatusCode, body)
				}
				loc := resp.Header.Get("Location")
				u, err := url.Parse(loc)
				if err != nil {
					t.Fatalf("GET %s: Location %q: %v", path, loc, err)
				}
				next := base.ResolveReference(u)
				if next.Host != base.Host || next.Scheme != base.Scheme || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) {
					t.Fatalf("GET %s: Location %q leaves the mirror", path, loc)
				}
				path = next.EscapedPath()
				if next.RawQuery != "" {
					path += "?" + next.RawQuery
				}
			}
		})
	}
	// The mirror still serves what it should.
	resp, body := rawGet(t, addr, ffSetup.filesPath())
	wantStatus(t, "file", resp, body, http.StatusOK)
	wantBody(t, "file", body, ffSetup.data)
}
