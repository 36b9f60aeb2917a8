package server_test

import (
	"net/http"
	"testing"

	"github.com/patchferry/patchferry/mirror/wire"
)

// The same bytes can ship under several names or versions: a readme that
// did not change between two versions, or two names for one file in one
// bundle. The catalog describes each as the bundle did (its version, its
// name), and /files/ serves each path.
func TestSharedContent(t *testing.T) {
	readme := randomBytes(60, 4000)
	v1 := []file{
		{"justsystems", "ichitaro", "2026.1", "setup.exe", randomBytes(61, 9000)},
		{"justsystems", "ichitaro", "2026.1", "readme.pdf", readme},
	}
	v2 := []file{
		{"justsystems", "ichitaro", "2026.2", "setup.exe", randomBytes(62, 9000)},
		{"justsystems", "ichitaro", "2026.2", "readme.pdf", readme},
		{"justsystems", "ichitaro", "2026.2", "readme-copy.pdf", readme},
	}
	st := newStore(t)
	m := newMirror(t, st, writeBundle(t, 1, nil, v1...))
	mustImport(t, st, writeBundle(t, 2, nil, v2...))
	m.refresh(t)

	body, _ := m.catalog(t)
	c := decodeCatalog(t, body)
	got := map[string]wire.CatalogArtifact{}
	for _, a := range c.Artifacts {
		got[a.FileName] = a
	}
	if len(c.Artifacts) != len(v2) || len(got) != len(v2) {
		t.Fatalf("catalog lists %d artifacts (%d names), want the %d of version 2026.2:\n%s", len(c.Artifacts), len(got), len(v2), body)
	}
	for _, f := range v2 {
		a, ok := got[f.name]
		if !ok || a.Version != f.version || a.SHA256 != f.sha() || a.FilesURL != f.filesPath() {
			t.Errorf("catalog entry for %s: %+v, want version %s at %s", f.name, a, f.version, f.filesPath())
		}
	}
	for _, f := range append(v1, v2...) {
		resp, b := m.get(t, f.filesPath())
		wantStatus(t, f.filesPath(), resp, b, http.StatusOK)
		wantBody(t, f.filesPath(), b, f.data)
	}
}
