package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/mirror/store/storetest"
)

var scrubTime = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

// rewriteBlob replaces a stored blob (0444) with data.
func rewriteBlob(t *testing.T, st *store.Store, sha string, data []byte) {
	t.Helper()
	p := st.BlobPath(sha)
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o444); err != nil {
		t.Fatal(err)
	}
}

func quarantined(t *testing.T, st *store.Store) map[string]store.QuarantineRecord {
	t.Helper()
	var q map[string]store.QuarantineRecord
	if err := st.View(func(tx *bolt.Tx) (err error) { q, err = store.Quarantined(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestScrub(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, st *store.Store, c []byte) // of the second blob
		why    string                                        // in the reason; "" = intact
	}{
		{name: "intact", damage: func(*testing.T, *store.Store, []byte) {}},
		{name: "flipped byte", why: "SHA-256 is", damage: func(t *testing.T, st *store.Store, c []byte) {
			bad := bytes.Clone(c)
			bad[4321] ^= 0x01
			rewriteBlob(t, st, sha(c), bad)
		}},
		{name: "truncated", why: "bytes", damage: func(t *testing.T, st *store.Store, c []byte) {
			rewriteBlob(t, st, sha(c), c[:len(c)-1])
		}},
		{name: "grown", why: "bytes", damage: func(t *testing.T, st *store.Store, c []byte) {
			rewriteBlob(t, st, sha(c), append(bytes.Clone(c), 0))
		}},
		{name: "missing", why: "missing", damage: func(t *testing.T, st *store.Store, c []byte) {
			if err := os.Remove(st.BlobPath(sha(c))); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, contents := catalogStore(t)
			damaged := sha(contents[1])
			tc.damage(t, st, contents[1])
			var progress int64
			rep, err := st.Scrub(t.Context(), scrubTime, func(n int64) { progress += n })
			if err != nil {
				t.Fatalf("Scrub: %v", err)
			}
			total := int64(len(contents[0]) + len(contents[1]))
			if rep.Checked != 2 || rep.Bytes != total {
				t.Errorf("checked %d blobs, %d bytes; want 2, %d", rep.Checked, rep.Bytes, total)
			}
			q := quarantined(t, st)
			if tc.why == "" {
				if len(rep.Quarantined) != 0 || len(q) != 0 || progress != total {
					t.Fatalf("intact store: report %q, records %v, progress %d of %d", rep.Quarantined, q, progress, total)
				}
				return
			}
			if len(rep.Quarantined) != 1 || !strings.HasPrefix(rep.Quarantined[0], damaged+": ") || !strings.Contains(rep.Quarantined[0], tc.why) {
				t.Fatalf("report %q, want %s with a reason saying %q", rep.Quarantined, damaged, tc.why)
			}
			r, ok := q[damaged]
			if len(q) != 1 || !ok || !r.Time.Equal(scrubTime) || !strings.Contains(r.Reason, tc.why) {
				t.Errorf("quarantine records %+v", q)
			}
			if st.HasBlob(damaged) {
				t.Error("the damaged blob is still in blobs/")
			}
			moved := filepath.Join(st.Dir(), store.QuarantineDir, "sha256", damaged)
			if _, err := os.Stat(moved); (err == nil) == (tc.name == "missing") {
				t.Errorf("quarantine/ copy: %v", err)
			}
			// The intact blob is untouched; Check names the damaged one.
			if !st.HasBlob(sha(contents[0])) {
				t.Error("the intact blob was moved")
			}
			problems, err := st.Check(t.Context())
			if err != nil || len(problems) != 1 || !strings.Contains(problems[0], damaged) {
				t.Errorf("Check after scrub: %q, %v", problems, err)
			}
			// Scrub again: the quarantined blob is not checked or reported again.
			rep, err = st.Scrub(t.Context(), scrubTime.Add(time.Hour), nil)
			if err != nil || rep.Checked != 1 || len(rep.Quarantined) != 0 {
				t.Errorf("second scrub: %+v, %v", rep, err)
			}
			if q := quarantined(t, st); !q[damaged].Time.Equal(scrubTime) {
				t.Errorf("second scrub rewrote the record: %+v", q[damaged])
			}
			// A good copy stored again (as an import does) and the record
			// cleared: Check is clean.
			if _, err := st.PutBlob(t.Context(), damaged, int64(len(contents[1])), bytes.NewReader(contents[1]), nil); err != nil {
				t.Fatal(err)
			}
			if err := st.Update(func(tx *bolt.Tx) error { return store.ClearQuarantine(tx, damaged) }); err != nil {
				t.Fatal(err)
			}
			if q := quarantined(t, st); len(q) != 0 {
				t.Errorf("records after ClearQuarantine: %v", q)
			}
			if problems, err := st.Check(t.Context()); err != nil || len(problems) != 0 {
				t.Errorf("Check after repair: %q, %v", problems, err)
			}
		})
	}
}

func TestScrubCancelled(t *testing.T) {
	st, _ := catalogStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rep, err := st.Scrub(ctx, scrubTime, nil)
	if !errors.Is(err, context.Canceled) || rep == nil || rep.Checked != 0 {
		t.Errorf("Scrub with a cancelled context: %+v, %v", rep, err)
	}
	if q := quarantined(t, st); len(q) != 0 {
		t.Errorf("a cancelled scrub quarantined %v", q)
	}
}

var (
	bundleTime = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	readme     = mediatest.RandomBytes(100, 3000) // in every bundle, unchanged
)

// firefox returns the installer of firefox version v.
func firefox(v int) []byte { return mediatest.RandomBytes(uint64(200+v), 20_000+v) }

// importFirefox imports a full bundle with sequence seq holding firefox
// version v (catalog: that version) and the ichitaro readme.
func importFirefox(t *testing.T, st *store.Store, seq uint64, v int) {
	t.Helper()
	w := mediatest.Write(t, media.WriteOptions{Sequence: seq, Created: bundleTime.Add(time.Duration(seq) * time.Hour)}, mediatest.Contents{Files: []mediatest.File{
		{Data: firefox(v), Artifact: media.Artifact{Vendor: "mozilla", Product: "firefox", Version: fmt.Sprint(v), FileName: "setup.exe",
			Released: released(v)}},
		{Data: readme, Artifact: media.Artifact{Vendor: "justsystems", Product: "ichitaro", Version: "2026.1", FileName: "readme.txt"}},
	}})
	_, err := ingest.Import(t.Context(), st, w.Dirs, ingest.Options{Operator: "t", Now: func() time.Time { return bundleTime.Add(48 * time.Hour) }})
	if err != nil {
		t.Fatalf("import sequence %d: %v", seq, err)
	}
}

// released is the release date of firefox version v.
func released(v int) time.Time { return bundleTime.AddDate(0, 0, -30+v) }

// versionsStore imports firefox versions 1..4 as sequences 1..4.
func versionsStore(t *testing.T) *store.Store {
	t.Helper()
	st := storetest.New(t, storetest.Trust(t))
	for v := 1; v <= 4; v++ {
		importFirefox(t, st, uint64(v), v)
	}
	return st
}

// recordedVersions lists the firefox versions that have artifact records.
func recordedVersions(t *testing.T, st *store.Store) []string {
	t.Helper()
	var out []string
	err := st.View(func(tx *bolt.Tx) error {
		return store.ForEachArtifact(tx, func(r *store.ArtifactRecord) error {
			if r.Product == "firefox" {
				out = append(out, r.Version)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// wantBlobs fails t unless exactly the firefox versions want (and the
// readme) have their blob on disk, and Check finds nothing.
func wantBlobs(t *testing.T, st *store.Store, want ...int) {
	t.Helper()
	for v := 1; v <= 4; v++ {
		if has := st.HasBlob(sha(firefox(v))); has != slices.Contains(want, v) {
			t.Errorf("firefox %d: blob on disk %v, want %v", v, has, !has)
		}
	}
	if !st.HasBlob(sha(readme)) {
		t.Error("the readme's blob was removed")
	}
	if problems, err := st.Check(t.Context()); err != nil || len(problems) != 0 {
		t.Errorf("Check after GC: %q, %v", problems, err)
	}
}

// wantHistory fails t unless the history lists firefox 1..4, each with
// its release date and the sequence that brought it, whatever gc removed.
func wantHistory(t *testing.T, st *store.Store) {
	t.Helper()
	var got []string
	err := st.View(func(tx *bolt.Tx) error {
		hist, err := store.History(tx)
		for _, h := range hist {
			if h.Product == "firefox" {
				got = append(got, fmt.Sprintf("%s %s %d", h.Version, h.Released.Format(time.DateOnly), h.FirstSequence))
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for v := 1; v <= 4; v++ {
		want = append(want, fmt.Sprintf("%d %s %d", v, released(v).Format(time.DateOnly), v))
	}
	if !slices.Equal(got, want) {
		t.Errorf("history %q, want %q", got, want)
	}
}

func TestGC(t *testing.T) {
	cases := []struct {
		keep      int
		versions  []string
		kept      int // versions, of both products
		removed   int
		blobs     int // removed, the orphan included
		keptBlobs []int
	}{
		{keep: 1, versions: []string{"4"}, kept: 2, removed: 3, blobs: 4, keptBlobs: []int{4}},
		{keep: 2, versions: []string{"3", "4"}, kept: 3, removed: 2, blobs: 3, keptBlobs: []int{3, 4}},
		{keep: 4, versions: []string{"1", "2", "3", "4"}, kept: 5, removed: 0, blobs: 1, keptBlobs: []int{1, 2, 3, 4}},
		{keep: 100, versions: []string{"1", "2", "3", "4"}, kept: 5, removed: 0, blobs: 1, keptBlobs: []int{1, 2, 3, 4}},
	}
	st := versionsStore(t)
	// Every case starts from a copy of the same store.
	src := st.Dir()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("keep %d", tc.keep), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "mirror")
			if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			st, err := store.Open(dir, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			// An orphan: a blob an interrupted import wrote without a record.
			orphan := mediatest.RandomBytes(300, 5000)
			if _, err := st.PutBlob(t.Context(), sha(orphan), int64(len(orphan)), bytes.NewReader(orphan), nil); err != nil {
				t.Fatal(err)
			}
			rep, err := st.GC(t.Context(), tc.keep)
			if err != nil {
				t.Fatalf("GC: %v", err)
			}
			if rep.KeptVersions != tc.kept || rep.RemovedVersions != tc.removed || rep.RemovedBlobs != tc.blobs {
				t.Errorf("report %+v, want kept %d removed %d blobs %d", rep, tc.kept, tc.removed, tc.blobs)
			}
			freed := int64(len(orphan))
			for v := 1; v <= 4-tc.keep; v++ {
				freed += int64(len(firefox(v)))
			}
			if rep.FreedBytes != freed {
				t.Errorf("freed %d bytes, want %d", rep.FreedBytes, freed)
			}
			if got := recordedVersions(t, st); !slices.Equal(got, tc.versions) {
				t.Errorf("records of versions %v, want %v", got, tc.versions)
			}
			if st.HasBlob(sha(orphan)) {
				t.Error("the orphan blob was kept")
			}
			wantBlobs(t, st, tc.keptBlobs...)
			wantHistory(t, st)
			// Again: nothing left to do.
			rep, err = st.GC(t.Context(), tc.keep)
			if err != nil || rep.RemovedVersions != 0 || rep.RemovedBlobs != 0 || rep.KeptVersions != tc.kept {
				t.Errorf("second GC: %+v, %v", rep, err)
			}
		})
	}
}

// The current catalog's files are kept whatever --keep says, even when the
// catalog points at an older version than the newest imported.
func TestGCKeepsCatalog(t *testing.T) {
	st := versionsStore(t)
	importFirefox(t, st, 5, 2) // the publisher went back to version 2
	rep, err := st.GC(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := recordedVersions(t, st), []string{"2", "4"}; !slices.Equal(got, want) {
		t.Errorf("records of versions %v, want %v", got, want)
	}
	if rep.RemovedVersions != 2 {
		t.Errorf("report %+v, want 2 versions removed", rep)
	}
	wantBlobs(t, st, 2, 4)
	var cur *store.State
	if err := st.View(func(tx *bolt.Tx) (err error) { cur, err = store.GetState(tx); return err }); err != nil {
		t.Fatal(err)
	}
	for _, c := range cur.Catalog {
		for _, s := range c.Artifacts {
			if !st.HasBlob(s) {
				t.Errorf("catalog %s/%s %s: blob %s removed", c.Vendor, c.Product, c.Version, s)
			}
		}
	}
}

func TestGCRefuses(t *testing.T) {
	st, contents := catalogStore(t)
	for _, keep := range []int{0, -1} {
		if _, err := st.GC(t.Context(), keep); err == nil || !strings.Contains(err.Error(), "keep at least 1") {
			t.Errorf("GC(%d): %v", keep, err)
		}
	}
	for _, c := range contents {
		if !st.HasBlob(sha(c)) {
			t.Error("a refused GC removed a blob")
		}
	}
}

// Forgetting a version also forgets the quarantine records of its blobs:
// otherwise patchferry_quarantined_blobs would report them for ever.
func TestGCForgetsQuarantine(t *testing.T) {
	st := versionsStore(t)
	for _, v := range []int{1, 4} {
		if err := st.Quarantine(sha(firefox(v)), "test", scrubTime); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.GC(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	q := quarantined(t, st)
	if _, ok := q[sha(firefox(1))]; ok {
		t.Error("the quarantine record of a removed version is still there")
	}
	if _, ok := q[sha(firefox(4))]; !ok || len(q) != 1 {
		t.Errorf("quarantine records %v, want version 4's only", q)
	}
}
