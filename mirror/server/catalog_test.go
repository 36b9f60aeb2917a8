package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/wire"
)

// decodeCatalog parses a /v1/catalog body strictly.
func decodeCatalog(t testing.TB, body []byte) *wire.Catalog {
	t.Helper()
	var c wire.Catalog
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("catalog is not a wire.Catalog: %v\n%s", err, body)
	}
	if dec.More() {
		t.Fatalf("catalog holds more than one JSON value")
	}
	return &c
}

// catalog fetches /v1/catalog and checks the headers every answer has.
func (m *mirror) catalog(t testing.TB) ([]byte, string) {
	t.Helper()
	resp, body := m.get(t, "/v1/catalog")
	wantStatus(t, "catalog", resp, body, http.StatusOK)
	etag := resp.Header.Get("ETag")
	if want := etagOf(sha(body)); etag != want {
		t.Fatalf("catalog ETag %q, want %q (SHA-256 of the body)", etag, want)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
		t.Errorf("catalog Cache-Control %q, want no-cache", got)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("catalog Content-Type %q", got)
	}
	if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
		t.Errorf("catalog Content-Length %q, body %d bytes", got, len(body))
	}
	return body, etag
}

func TestCatalog(t *testing.T) {
	m := basicMirror(t)
	body, etag := m.catalog(t)
	c := decodeCatalog(t, body)
	if c.Site != "city" || c.Sequence != 1 || c.StateCode == "" || !c.Created.Equal(created) {
		t.Errorf("catalog head: site %q sequence %d state code %q created %s", c.Site, c.Sequence, c.StateCode, c.Created)
	}
	// A terminal can check the catalog with the publisher key it trusts.
	if err := mediatest.TestKeys(t).Publisher.Public().Verify(c.Manifest, c.Signature); err != nil {
		t.Errorf("catalog signature does not verify: %v", err)
	}
	m2, err := media.ParseManifest(c.Manifest)
	if err != nil {
		t.Fatalf("catalog manifest: %v", err)
	}
	if m2.Sequence != 1 || len(m2.Artifacts) != len(basic) {
		t.Errorf("catalog manifest: sequence %d, %d artifacts", m2.Sequence, len(m2.Artifacts))
	}
	if c.Approvals == nil {
		t.Error(`"approvals" is null, want []`)
	}
	bySHA := make(map[string]wire.CatalogArtifact)
	for _, a := range c.Artifacts {
		bySHA[a.SHA256] = a
	}
	if len(bySHA) != len(basic) {
		t.Fatalf("catalog lists %d artifacts, want %d", len(bySHA), len(basic))
	}
	for _, f := range basic {
		a, ok := bySHA[f.sha()]
		switch {
		case !ok:
			t.Errorf("%s missing from the catalog", f.name)
			continue
		case a.Vendor != f.vendor || a.Product != f.product || a.Version != f.version || a.FileName != f.name:
			t.Errorf("%s: catalog says %s/%s %s %s", f.name, a.Vendor, a.Product, a.Version, a.FileName)
		case a.Size != int64(len(f.data)) || a.Method != evidence.MethodManual:
			t.Errorf("%s: size %d method %q", f.name, a.Size, a.Method)
		case a.URL != "/blobs/sha256/"+f.sha() || a.FilesURL != f.filesPath():
			t.Errorf("%s: URL %q files URL %q, want %q", f.name, a.URL, a.FilesURL, f.filesPath())
		}
		// Both URLs serve the file.
		for _, u := range []string{a.URL, a.FilesURL} {
			resp, got := m.get(t, u)
			wantStatus(t, u, resp, got, 200)
			wantBody(t, u, got, f.data)
		}
	}

	// Stable between requests; conditional requests and HEAD.
	again, etag2 := m.catalog(t)
	if !bytes.Equal(body, again) || etag != etag2 {
		t.Fatal("the catalog changed between two requests")
	}
	resp, b := m.get(t, "/v1/catalog", "If-None-Match", etag)
	wantStatus(t, "If-None-Match", resp, b, http.StatusNotModified)
	if len(b) != 0 || resp.Header.Get("ETag") != etag {
		t.Errorf("304: %d bytes of body, ETag %q", len(b), resp.Header.Get("ETag"))
	}
	resp, b = m.get(t, "/v1/catalog", "If-None-Match", `"sha256:0000"`)
	wantStatus(t, "If-None-Match other", resp, b, http.StatusOK)
	resp, b = m.do(t, http.MethodHead, "/v1/catalog")
	wantStatus(t, "HEAD", resp, b, http.StatusOK)
	if len(b) != 0 || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) || resp.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %d bytes of body, Content-Length %q, ETag %q", len(b), resp.Header.Get("Content-Length"), resp.Header.Get("ETag"))
	}
}

func TestCatalogEmptyMirror(t *testing.T) {
	m := newMirror(t, newStore(t))
	body, _ := m.catalog(t)
	c := decodeCatalog(t, body)
	if c.Sequence != 0 || c.Artifacts == nil || len(c.Artifacts) != 0 || c.Approvals == nil {
		t.Errorf("empty mirror catalog: %s", body)
	}
	resp, b := m.get(t, "/files/")
	wantStatus(t, "index", resp, b, 200)
}

// flipPayload flips one byte of the first payload of a bundle folder.
func flipPayload(t testing.TB, dir string) string {
	t.Helper()
	payloads, _ := filepath.Glob(filepath.Join(dir, "files", "sha256", "*", "*"))
	if len(payloads) == 0 {
		t.Fatalf("no payloads in %s", dir)
	}
	p := payloads[0]
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The catalog's bytes change exactly when an import succeeds and the server
// is refreshed; refused imports and no-op imports leave them as they were.
func TestCatalogChangesOnlyOnImport(t *testing.T) {
	st := newStore(t)
	first := writeBundle(t, 1, nil, basic...)
	m := newMirror(t, st, first)
	before, etag := m.catalog(t)
	ffNext := file{"mozilla", "firefox", "146.0", "Firefox Setup 146.0.exe", mediatest.RandomBytes(4, 40_000)}

	refusals := []struct {
		name   string
		bundle func(t *testing.T) string
		ok     bool   // the import succeeds but changes nothing
		why    string // in the refusal
	}{
		{name: "damaged payload", bundle: func(t *testing.T) string {
			d := writeBundle(t, 2, nil, ffNext)
			flipPayload(t, d)
			return d
		}, why: "SHA-256 is"},
		{name: "other bundle with the same sequence", bundle: func(t *testing.T) string {
			return writeBundle(t, 1, nil, ffNext)
		}, why: "fork"},
		{name: "catalog names an artifact nobody has", bundle: func(t *testing.T) string {
			return writeDelta(t, 2, 1, media.Catalog{{Vendor: "mozilla", Product: "firefox", Version: "146.0",
				Artifacts: []string{ffNext.sha(), sha([]byte("missing"))}}}, ffNext)
		}, why: "neither in this bundle nor on this mirror"},
		{name: "unlisted file", bundle: func(t *testing.T) string {
			d := writeBundle(t, 2, nil, ffNext)
			if err := os.WriteFile(filepath.Join(d, "autorun.inf"), []byte("[autorun]\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return d
		}, why: "autorun.inf"},
		{name: "not a bundle", bundle: func(t *testing.T) string { return t.TempDir() }, why: "holds no bundle"},
		{name: "the same bundle again", bundle: func(*testing.T) string { return first }, ok: true},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, err := importBundle(t, st, tc.bundle(t))
			if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), tc.why)) {
				t.Fatalf("import: %v; want a refusal saying %q", err, tc.why)
			}
			m.refresh(t)
			after, etag2 := m.catalog(t)
			if !bytes.Equal(before, after) || etag != etag2 {
				t.Fatalf("catalog changed:\n%s\n→\n%s", before, after)
			}
			resp, b := m.get(t, "/v1/catalog", "If-None-Match", etag)
			wantStatus(t, "If-None-Match", resp, b, http.StatusNotModified)
			// What the refused bundle carried is not served.
			resp, b = m.get(t, "/blobs/sha256/"+ffNext.sha())
			wantStatus(t, "refused blob", resp, b, http.StatusNotFound)
		})
	}

	// A successful import changes nothing until Refresh, then everything.
	mustImport(t, st, writeBundle(t, 2, nil, ffNext))
	if same, _ := m.catalog(t); !bytes.Equal(same, before) {
		t.Fatal("the catalog changed before Refresh")
	}
	m.refresh(t)
	after, etag2 := m.catalog(t)
	if bytes.Equal(before, after) || etag == etag2 {
		t.Fatal("the catalog did not change after a successful import")
	}
	if c := decodeCatalog(t, after); c.Sequence != 2 || len(c.Artifacts) != 1 || c.Artifacts[0].SHA256 != ffNext.sha() {
		t.Errorf("new catalog: sequence %d, artifacts %+v", c.Sequence, c.Artifacts)
	}
	resp, b := m.get(t, "/v1/catalog", "If-None-Match", etag)
	wantStatus(t, "old ETag", resp, b, http.StatusOK)
	resp, b = m.get(t, "/blobs/sha256/"+ffNext.sha())
	wantStatus(t, "new blob", resp, b, http.StatusOK)
	wantBody(t, "new blob", b, ffNext.data)
	// Blobs of the previous catalog are still served (terminals that have
	// not caught up, /files/ for staff).
	resp, b = m.get(t, "/blobs/sha256/"+ffSetup.sha())
	wantStatus(t, "old blob", resp, b, http.StatusOK)
}

// TestCatalogConditional: the catalog answers conditional, HEAD and Range
// requests like any static file (http.ServeContent), with the SHA-256 ETag
// as the validator; a Refresh with nothing new changes neither bytes nor
// ETag, so terminals keep getting 304.
func TestCatalogConditional(t *testing.T) {
	m := basicMirror(t)
	body, etag := m.catalog(t)
	if len(body) < 100 {
		t.Fatalf("catalog of %d bytes is too short to test ranges", len(body))
	}

	for _, match := range []string{etag, `"sha256:0000", ` + etag, "W/" + etag, "*"} {
		resp, b := m.get(t, "/v1/catalog", "If-None-Match", match)
		wantStatus(t, "If-None-Match: "+match, resp, b, http.StatusNotModified)
		if len(b) != 0 || resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("304 to %s: %d bytes of body, ETag %q, Cache-Control %q", match, len(b), resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
		}
	}
	resp, b := m.get(t, "/v1/catalog", "If-None-Match", `"sha256:0000"`)
	wantStatus(t, "If-None-Match other", resp, b, http.StatusOK)
	wantBody(t, "If-None-Match other", b, body)
	// No Last-Modified, so a date cannot make the catalog look unchanged.
	resp, b = m.get(t, "/v1/catalog", "If-Modified-Since", "Sun, 01 Jan 2090 00:00:00 GMT")
	wantStatus(t, "If-Modified-Since", resp, b, http.StatusOK)
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		t.Errorf("Last-Modified %q", lm)
	}

	resp, b = m.do(t, http.MethodHead, "/v1/catalog")
	wantStatus(t, "HEAD", resp, b, http.StatusOK)
	if len(b) != 0 || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) || resp.Header.Get("ETag") != etag ||
		resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("HEAD: %d bytes of body, headers %v", len(b), resp.Header)
	}
	resp, b = m.do(t, http.MethodHead, "/v1/catalog", "If-None-Match", etag)
	wantStatus(t, "HEAD If-None-Match", resp, b, http.StatusNotModified)

	resp, b = m.get(t, "/v1/catalog", "Range", "bytes=10-49")
	wantStatus(t, "Range", resp, b, http.StatusPartialContent)
	wantBody(t, "Range", b, body[10:50])
	if cr := resp.Header.Get("Content-Range"); cr != "bytes 10-49/"+strconv.Itoa(len(body)) || resp.Header.Get("ETag") != etag {
		t.Errorf("Range: Content-Range %q, ETag %q", cr, resp.Header.Get("ETag"))
	}
	resp, b = m.get(t, "/v1/catalog", "Range", "bytes=-5")
	wantStatus(t, "suffix Range", resp, b, http.StatusPartialContent)
	wantBody(t, "suffix Range", b, body[len(body)-5:])
	resp, b = m.get(t, "/v1/catalog", "Range", "bytes=10-", "If-Range", etag)
	wantStatus(t, "If-Range current", resp, b, http.StatusPartialContent)
	wantBody(t, "If-Range current", b, body[10:])
	resp, b = m.get(t, "/v1/catalog", "Range", "bytes=10-", "If-Range", `"sha256:0000"`)
	wantStatus(t, "If-Range old", resp, b, http.StatusOK) // changed since: the whole catalog
	wantBody(t, "If-Range old", b, body)
	resp, b = m.get(t, "/v1/catalog", "Range", "bytes="+strconv.Itoa(len(body))+"-")
	wantStatus(t, "Range past the end", resp, b, http.StatusRequestedRangeNotSatisfiable)
	resp, b = m.get(t, "/v1/catalog", "If-Match", `"sha256:0000"`)
	wantStatus(t, "If-Match other", resp, b, http.StatusPreconditionFailed)

	// Nothing imported: Refresh builds a new snapshot with the same bytes.
	m.refresh(t)
	again, etag2 := m.catalog(t)
	if !bytes.Equal(again, body) || etag2 != etag {
		t.Fatalf("a Refresh with nothing new changed the catalog (ETag %s → %s)", etag, etag2)
	}
	resp, b = m.get(t, "/v1/catalog", "If-None-Match", etag)
	wantStatus(t, "If-None-Match after Refresh", resp, b, http.StatusNotModified)
}
