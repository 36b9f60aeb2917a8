package server_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/mirror/store"
)

// damageBlob rewrites a stored blob (0444) with fn applied to its bytes.
func damageBlob(t testing.TB, st *store.Store, sha string, fn func([]byte) []byte) {
	t.Helper()
	p := st.BlobPath(sha)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, fn(bytes.Clone(b)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o444); err != nil {
		t.Fatal(err)
	}
}

// A blob whose bytes rotted on disk is quarantined by scrub and no longer
// served; a later import that brings the file again puts it back.
func TestScrubbedBlobNotServed(t *testing.T) {
	st := newStore(t)
	m := newMirror(t, st, writeBundle(t, 1, nil, basic...))
	catalogBefore, _ := m.catalog(t)
	rotten, short := ffMSI, ichitaro
	damageBlob(t, st, rotten.sha(), func(b []byte) []byte { b[1234] ^= 0x04; return b })
	damageBlob(t, st, short.sha(), func(b []byte) []byte { return b[:len(b)-1] })

	// Before any scrub, a blob of the wrong size is refused outright, and
	// quarantined at once: the next request is a 404.
	resp, body := m.get(t, "/blobs/sha256/"+short.sha())
	wantStatus(t, "truncated blob", resp, body, http.StatusInternalServerError)
	if bytes.Contains(body, short.data[:64]) {
		t.Error("the truncated blob was sent")
	}
	resp, body = m.get(t, short.filesPath())
	wantStatus(t, "truncated blob asked again", resp, body, http.StatusNotFound)

	rep, err := st.Scrub(t.Context(), now, nil)
	if err != nil {
		t.Fatalf("Scrub: %v", err)
	}
	if rep.Checked != len(basic)-1 || len(rep.Quarantined) != 1 || !strings.HasPrefix(rep.Quarantined[0], rotten.sha()+": ") {
		t.Fatalf("scrub report: %+v", rep)
	}
	// Moved aside for investigation, not deleted.
	for _, f := range []file{rotten, short} {
		if _, err := os.Stat(st.BlobPath(f.sha())); !os.IsNotExist(err) {
			t.Errorf("%s is still in blobs/: %v", f.name, err)
		}
		if _, err := os.Stat(filepath.Join(st.Dir(), store.QuarantineDir, "sha256", f.sha())); err != nil {
			t.Errorf("%s is not in quarantine/: %v", f.name, err)
		}
	}

	// Even before Refresh the damaged bytes are not served.
	resp, body = m.get(t, "/blobs/sha256/"+rotten.sha())
	wantStatus(t, "quarantined blob before Refresh", resp, body, http.StatusNotFound)

	m.refresh(t)
	for _, f := range []file{rotten, short} {
		for _, u := range []string{"/blobs/sha256/" + f.sha(), f.filesPath()} {
			resp, body := m.get(t, u)
			wantStatus(t, u, resp, body, http.StatusNotFound)
		}
	}
	resp, body = m.get(t, "/files/mozilla/firefox/145.0/")
	wantStatus(t, "index", resp, body, http.StatusOK)
	if strings.Contains(string(body), rotten.sha()) || !strings.Contains(string(body), ffSetup.sha()) {
		t.Errorf("the index page does not list exactly the intact file:\n%s", body)
	}
	// A product with nothing left to serve is gone from the tree.
	resp, body = m.get(t, "/files/justsystems/")
	wantStatus(t, "empty vendor", resp, body, http.StatusNotFound)
	resp, body = m.get(t, ffSetup.filesPath())
	wantStatus(t, "intact file", resp, body, http.StatusOK)
	wantBody(t, "intact file", body, ffSetup.data)
	wantMetric(t, m.metrics(t), "patchferry_quarantined_blobs 2", "patchferry_served_blobs 1")
	// The catalog is what was imported; it changes only with an import.
	if after, _ := m.catalog(t); !bytes.Equal(after, catalogBefore) {
		t.Error("scrub changed the catalog")
	}
	problems, err := st.Check(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 2 {
		t.Errorf("Check after the scrub: %q, want the two quarantined blobs", problems)
	}

	// A second scrub does not count quarantined blobs again.
	rep, err = st.Scrub(t.Context(), now, nil)
	if err != nil || rep.Checked != 1 || len(rep.Quarantined) != 0 {
		t.Errorf("second scrub: %+v, %v", rep, err)
	}

	// The next bundle brings the files again: served again, quarantine
	// cleared, the store consistent.
	mustImport(t, st, writeBundle(t, 2, nil, basic...))
	m.refresh(t)
	for _, f := range basic {
		for _, u := range []string{"/blobs/sha256/" + f.sha(), f.filesPath()} {
			resp, body := m.get(t, u)
			wantStatus(t, u, resp, body, http.StatusOK)
			wantBody(t, u, body, f.data)
		}
	}
	wantMetric(t, m.metrics(t), "patchferry_quarantined_blobs 0", "patchferry_served_blobs 3")
	if problems, err := st.Check(t.Context()); err != nil || len(problems) != 0 {
		t.Errorf("Check after the repair: %q, %v", problems, err)
	}
}
