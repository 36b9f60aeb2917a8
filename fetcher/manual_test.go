package fetcher_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
)

// A file added by hand is dated as told, else by its modification time
// (each file its own, to the second, in UTC); the export carries the date.
func TestAddManualReleased(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	dir := t.TempDir()
	file := func(name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	jst := time.FixedZone("JST", 9*60*60)
	m1 := time.Date(2026, 10, 1, 12, 30, 15, 123456789, jst)
	m2 := time.Date(2026, 10, 2, 8, 0, 0, 0, jst)
	a, b := file("setup-a.exe", m1), file("setup-b.exe", m2)

	added, err := fetcher.AddManual(e.st, e.cache, media.Artifact{Vendor: "justsystems", Product: "ichitaro", Version: "1"}, []string{a, b}, exportNow)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []time.Time{m1.Truncate(time.Second), m2} {
		got := added[i].Released
		if !got.Equal(want) || got.Location() != time.UTC || got.Nanosecond() != 0 {
			t.Errorf("%s: released %v, want its modification time %v in UTC, to the second", added[i].FileName, got, want)
		}
		if rec, err := e.st.Artifact(added[i].SHA256); err != nil || rec == nil || !rec.Released.Equal(want) {
			t.Errorf("%s: recorded %+v, %v", added[i].FileName, rec, err)
		}
	}

	told := time.Date(2026, 9, 30, 0, 0, 0, 0, jst)
	added, err = fetcher.AddManual(e.st, e.cache, media.Artifact{Vendor: "justsystems", Product: "ichitaro", Version: "2", Released: told},
		[]string{file("setup-c.exe", m1)}, exportNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := added[0].Released; !got.Equal(told) || got.Location() != time.UTC {
		t.Errorf("released %v, want %v (as told) in UTC", got, told)
	}
	m := e.open(t, e.mustExport(t, fetcher.ExportOptions{Sources: []string{}})).Manifest
	if len(m.Artifacts) != 1 || !m.Artifacts[0].Released.Equal(told) {
		t.Errorf("exported %+v, want version 2 released %v", m.Artifacts, told)
	}
}
