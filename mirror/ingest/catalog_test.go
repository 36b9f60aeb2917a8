package ingest_test

import (
	"errors"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
)

func current(t testing.TB, st *store.Store) []media.Current {
	t.Helper()
	var cur []media.Current
	if err := st.View(func(tx *bolt.Tx) (err error) { cur, err = store.GetCurrent(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return cur
}

// A delta whose catalog keeps an older file and adds a different one at
// the same /files/ address is refused at import, with the address named;
// the mirror keeps serving what it served (each bundle alone is valid).
func TestImportRefusesTwoFilesAtOneAddress(t *testing.T) {
	old, other := payload("setup.exe", 51, 2000), payload("setup.exe", 52, 2500)
	st := newStore(t)
	base, _ := writeBundle(t, spec{seq: 1, files: []file{old}})
	mustImport(t, st, base)
	before, beforeCurrent := snapshot(t, st), current(t, st)
	dir, _ := writeBundle(t, spec{seq: 2, base: 1, files: []file{other},
		catalog: media.Catalog{{Vendor: "mozilla", Product: "firefox", Version: "145.0", Artifacts: []string{sha(old.data), sha(other.data)}}}})
	_, err := ingest.Import(t.Context(), st, []string{dir}, options())
	var re *ingest.RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "/files/mozilla/firefox/145.0/win64/setup.exe") ||
		!strings.Contains(err.Error(), "two different files") {
		t.Fatalf("Import = %v, want refused naming the address", err)
	}
	if snapshot(t, st) != before || len(current(t, st)) != len(beforeCurrent) {
		t.Error("the refused import changed the store")
	}
	if row := lastRow(t, st); row.Result != ledger.ResultRefused || !strings.Contains(row.Reason, "setup.exe") {
		t.Errorf("ledger row %q: %q", row.Result, row.Reason)
	}
	checkConsistent(t, st)
}

// An artifact keeps the version, and the bundle, that brought it: a delta
// that moves the product to a new version keeps the older file under its
// own version, brought by bundle 1, and keeps bundle 1's manifest while it
// brings a current file.
func TestImportKeepsOwnVersionAndBundle(t *testing.T) {
	x, y := payload("x.exe", 61, 2000), payload("y.exe", 62, 3000)
	st := newStore(t)
	base, _ := writeBundle(t, spec{seq: 1, files: []file{x}})
	mustImport(t, st, base)
	dir, _ := writeBundle(t, spec{seq: 2, base: 1, files: []file{y},
		catalog: media.Catalog{{Vendor: "mozilla", Product: "firefox", Version: "146.0", Artifacts: []string{sha(x.data), sha(y.data)}}}})
	mustImport(t, st, dir)
	cur := current(t, st)
	if len(cur) != 2 || cur[0].FileName != "x.exe" || cur[0].Sequence != 1 || cur[0].Version != "145.0" || cur[0].ProductVersion != "146.0" ||
		cur[1].FileName != "y.exe" || cur[1].Sequence != 2 {
		t.Fatalf("current artifacts %+v", cur)
	}
	bundles := func() []uint64 {
		var seqs []uint64
		st.View(func(tx *bolt.Tx) error {
			return store.ForEachBundle(tx, func(seq uint64, _ *store.BundleRecord) error { seqs = append(seqs, seq); return nil })
		})
		return seqs
	}
	if got := bundles(); len(got) != 2 {
		t.Errorf("kept manifests of bundles %v, want 1 and 2", got)
	}
	// A full bundle 3 brings everything itself: 1 and 2 are no longer kept.
	full, _ := writeBundle(t, spec{seq: 3, files: []file{x, y}})
	mustImport(t, st, full)
	if got := bundles(); len(got) != 1 || got[0] != 3 {
		t.Errorf("after a full bundle: kept manifests of bundles %v, want [3]", got)
	}
}
