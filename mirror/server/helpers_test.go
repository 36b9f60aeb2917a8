package server_test

// The tests build real stores: bundles written with media.Write, imported
// with ingest.Import, served by server.New over httptest on loopback. The
// publisher key costs about 0.4 s of scrypt (more under -race), so it is
// made once per test binary.

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/server"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/mirror/store/storetest"
)

// Bundles are created at created and imported at now.
var (
	created = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	now     = created.Add(time.Hour)
)

func sha(b []byte) string { return mediatest.SHA256(b) }

// file is one payload of a test bundle.
type file struct {
	vendor, product, version, name string
	data                           []byte
}

func (f file) sha() string { return sha(f.data) }

// filesPath is the file's /files/ URL, escaped.
func (f file) filesPath() string {
	e := url.PathEscape
	return "/files/" + e(f.vendor) + "/" + e(f.product) + "/" + e(f.version) + "/" + e(f.name)
}

// art is a payload with everything a bundle may say of it (Size, SHA256
// and the verification method are filled in by media.Write).
type art struct {
	media.Artifact
	data []byte
}

func (a art) sha() string { return sha(a.data) }

// filesPath is the artifact's /files/ URL, escaped:
// vendor/product/version/[platform/][language/]file name.
func (a art) filesPath() string {
	segs := []string{a.Vendor, a.Product, a.Version}
	for _, s := range []string{a.Platform, a.Language} {
		if s != "" {
			segs = append(segs, s)
		}
	}
	p := "/files"
	for _, s := range append(segs, a.FileName) {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// writeArts writes a full bundle of arts with sequence seq (catalog: nil
// means one entry per product and version of arts).
func writeArts(t testing.TB, seq uint64, catalog media.Catalog, arts ...art) string {
	t.Helper()
	c := mediatest.Contents{Catalog: catalog}
	for _, a := range arts {
		c.Files = append(c.Files, mediatest.File{Data: a.data, Artifact: a.Artifact})
	}
	return mediatest.Write(t, media.WriteOptions{Sequence: seq, Created: created}, c).Dirs[0]
}

// writeBundle writes a full bundle of files with sequence seq (catalog: nil
// means one entry per product of files) and returns its folder.
func writeBundle(t testing.TB, seq uint64, catalog media.Catalog, files ...file) string {
	t.Helper()
	return writeDelta(t, seq, 0, catalog, files...)
}

// writeDelta writes a bundle with sequence seq on top of base (0: full).
func writeDelta(t testing.TB, seq, base uint64, catalog media.Catalog, files ...file) string {
	t.Helper()
	c := mediatest.Contents{Catalog: catalog}
	for _, f := range files {
		c.Files = append(c.Files, mediatest.File{Data: f.data, Artifact: media.Artifact{
			Vendor: f.vendor, Product: f.product, Version: f.version, FileName: f.name, Kind: "installer",
		}})
	}
	return mediatest.Write(t, media.WriteOptions{Sequence: seq, Base: base, Created: created}, c).Dirs[0]
}

// newStore creates a store that trusts the test publisher.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	return storetest.New(t, storetest.Trust(t))
}

func importBundle(t testing.TB, st *store.Store, dir string) (*ingest.Result, error) {
	t.Helper()
	return ingest.Import(t.Context(), st, []string{dir}, ingest.Options{
		Operator: "tanaka", Label: "USB-07", Now: func() time.Time { return now },
	})
}

func mustImport(t testing.TB, st *store.Store, dir string) {
	t.Helper()
	if _, err := importBundle(t, st, dir); err != nil {
		t.Fatalf("import %s: %v", filepath.Base(dir), err)
	}
}

// mirror is a store served over loopback HTTP.
type mirror struct {
	st  *store.Store
	srv *server.Server
	ts  *httptest.Server
}

// newMirror serves st (after importing bundles into it).
func newMirror(t testing.TB, st *store.Store, bundles ...string) *mirror {
	t.Helper()
	return newMirrorWith(t, st, server.Options{Log: slog.New(slog.DiscardHandler)}, nil, bundles...)
}

// newMirrorWith is newMirror with options, and wrap (if not nil) around the
// server's handler.
func newMirrorWith(t testing.TB, st *store.Store, opts server.Options, wrap func(http.Handler) http.Handler, bundles ...string) *mirror {
	t.Helper()
	for _, b := range bundles {
		mustImport(t, st, b)
	}
	srv, err := server.New(st, opts)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &mirror{st: st, srv: srv, ts: ts}
}

func (m *mirror) refresh(t testing.TB) {
	t.Helper()
	if err := m.srv.Refresh(); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
}

// noRedirects is a client that returns redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request with the headers hdr ("Name", "value", …) and returns
// the response and its whole body.
func (m *mirror) do(t testing.TB, method, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, m.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, body
}

func (m *mirror) get(t testing.TB, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	return m.do(t, http.MethodGet, path, hdr...)
}

// wantStatus fails t unless resp has status want.
func wantStatus(t testing.TB, what string, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: status %d, want %d; body %.200q", what, resp.StatusCode, want, body)
	}
}

// wantBody fails t unless body equals want (compared by hash: blobs are big).
func wantBody(t testing.TB, what string, body, want []byte) {
	t.Helper()
	if !bytes.Equal(body, want) {
		t.Fatalf("%s: body of %d bytes (sha256 %.12s), want %d bytes (sha256 %.12s)", what, len(body), sha(body), len(want), sha(want))
	}
}

// wantContains fails t for each of subs that s lacks.
func wantContains(t testing.TB, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}
