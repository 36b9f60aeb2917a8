package server_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
)

// bundleMirror serves a store that imported one approved bundle; it
// returns the bundle's folder.
func bundleMirror(t testing.TB) (*mirror, string) {
	t.Helper()
	dir := writeBundle(t, 1, nil, file{"mozilla", "firefox", "145.0", "setup.exe", mediatest.RandomBytes(7, 3000)})
	b, err := media.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := media.Approve(b, mediatest.TestKeys(t).Approver1, "kacho"); err != nil {
		t.Fatal(err)
	}
	return newMirror(t, newStore(t), dir), dir
}

// /v1/bundles/<seq>/ serves bundle.json, its signature and its approvals
// byte for byte as on the medium; anything else is 404 or 400.
func TestBundleFiles(t *testing.T) {
	m, dir := bundleMirror(t)
	for _, rel := range []string{"bundle.json", "bundle.json.sig", "approvals/kacho.sig"} {
		want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		resp, body := m.get(t, "/v1/bundles/1/"+rel)
		wantStatus(t, rel, resp, body, http.StatusOK)
		wantBody(t, rel, body, want)
	}
	for path, status := range map[string]int{
		"/v1/bundles/2/bundle.json":          http.StatusNotFound,
		"/v1/bundles/1/README.txt":           http.StatusNotFound,
		"/v1/bundles/1/approvals/other.sig":  http.StatusNotFound,
		"/v1/bundles/01/bundle.json":         http.StatusBadRequest,
		"/v1/bundles/0/bundle.json":          http.StatusBadRequest,
		"/v1/bundles/-1/bundle.json":         http.StatusBadRequest,
		"/v1/bundles/1e3/bundle.json":        http.StatusBadRequest,
		"/v1/bundles/99999999999999999999/x": http.StatusBadRequest,
	} {
		resp, body := m.get(t, path)
		wantStatus(t, path, resp, body, status)
		if status == http.StatusNotFound && resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: 404 without Cache-Control: no-cache", path)
		}
	}
}

// FuzzBundlePath: whatever the path, /v1/bundles/ answers 200 only for the
// three files of bundle 1 (with their bytes), else a 3xx, 400, 404 or 405 —
// never a server error.
func FuzzBundlePath(f *testing.F) {
	m, dir := bundleMirror(f)
	files := make(map[string][]byte)
	for _, rel := range []string{"bundle.json", "bundle.json.sig", "approvals/kacho.sig"} {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			f.Fatal(err)
		}
		files["/v1/bundles/1/"+rel] = b
	}
	for _, seed := range []string{"/v1/bundles/1/bundle.json", "/v1/bundles/1/approvals/kacho.sig", "/v1/bundles/01/bundle.json",
		"/v1/bundles/1/../1/bundle.json", "/v1/bundles/1/%2e%2e/bundle.json", "/v1/bundles/1/approvals/../bundle.json.sig",
		"/v1/bundles//bundle.json", "/v1/bundles/1/bundle.json/", "/v1/bundles/18446744073709551616/bundle.json"} {
		f.Add(seed)
	}
	h := m.srv.Handler()
	f.Fuzz(func(t *testing.T, p string) {
		req, err := http.NewRequest(http.MethodGet, "http://mirror/", nil)
		if err != nil {
			t.Skip()
		}
		req.URL.Path, req.URL.RawPath, req.RequestURI = "/v1/bundles/"+p, "", ""
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch code := rec.Code; {
		case code == http.StatusOK:
			want, ok := files[req.URL.Path]
			if !ok || rec.Body.String() != string(want) {
				t.Fatalf("%q: 200 with %d bytes, which is none of the bundle's files as served", req.URL.Path, rec.Body.Len())
			}
		case code >= 300 && code < 400, code == http.StatusBadRequest, code == http.StatusNotFound, code == http.StatusMethodNotAllowed:
		default:
			t.Fatalf("%q: status %d", req.URL.Path, code)
		}
	})
}
