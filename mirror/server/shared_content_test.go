package server_test

import (
	"net/http"
	"testing"

	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/wire"
)

// The same bytes can ship under several names or versions: a readme that
// did not change between two versions, or two names for one file in one
// bundle. The catalog describes each as the bundle did (its version, its
// name), and /files/ serves each path.
func TestSharedContent(t *testing.T) {
	readme := mediatest.RandomBytes(60, 4000)
	v1 := []file{
		{"justsystems", "ichitaro", "2026.1", "setup.exe", mediatest.RandomBytes(61, 9000)},
		{"justsystems", "ichitaro", "2026.1", "readme.pdf", readme},
	}
	v2 := []file{
		{"justsystems", "ichitaro", "2026.2", "setup.exe", mediatest.RandomBytes(62, 9000)},
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

// gc keeps the bytes a kept version needs even when an older, removed
// version brought them first.
func TestSharedContentGC(t *testing.T) {
	readme := mediatest.RandomBytes(70, 3000)
	ver := func(v string, seed uint64, withReadme bool) []file {
		fs := []file{{"justsystems", "ichitaro", v, "setup.exe", mediatest.RandomBytes(seed, 5000)}}
		if withReadme {
			fs = append(fs, file{"justsystems", "ichitaro", v, "readme.pdf", readme})
		}
		return fs
	}
	v1, v2, v3 := ver("2026.1", 71, true), ver("2026.2", 72, true), ver("2026.3", 73, false)
	st := newStore(t)
	m := newMirror(t, st, writeBundle(t, 1, nil, v1...))
	mustImport(t, st, writeBundle(t, 2, nil, v2...))
	mustImport(t, st, writeBundle(t, 3, nil, v3...))
	rep, err := st.GC(t.Context(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RemovedVersions != 1 || rep.RemovedBlobs != 1 {
		t.Errorf("gc --keep 2: %+v, want version 2026.1 and its setup.exe removed", rep)
	}
	m.refresh(t)
	for _, f := range append(v2, v3...) {
		resp, b := m.get(t, f.filesPath())
		wantStatus(t, f.filesPath(), resp, b, http.StatusOK)
		wantBody(t, f.filesPath(), b, f.data)
	}
	for _, f := range v1 {
		resp, b := m.get(t, f.filesPath())
		wantStatus(t, f.filesPath()+" after gc", resp, b, http.StatusNotFound)
	}
	if problems, err := st.Check(t.Context()); err != nil || len(problems) != 0 {
		t.Errorf("Check after gc: %q, %v", problems, err)
	}
}
