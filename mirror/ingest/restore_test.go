package ingest_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
)

// Bringing the same media again restores what scrub quarantined or what
// went missing, without changing the catalog.
func TestReimportRestoresDamagedBlobs(t *testing.T) {
	a := payload("a.exe", 7, 200_000)
	b := payload("b.exe", 8, 100_000)
	dir, _ := writeBundle(t, spec{seq: 1, files: []file{a, b}})
	st := newStore(t)
	mustImport(t, st, dir)
	before := state(t, st).ManifestSHA256

	// Bit rot in a, b deleted: scrub quarantines both.
	pa := st.BlobPath(sha(a.data))
	os.Chmod(pa, 0o644)
	editFile(t, pa, flip(1000))
	os.Remove(st.BlobPath(sha(b.data)))
	rep, err := st.Scrub(t.Context(), time.Now(), nil)
	if err != nil || len(rep.Quarantined) != 2 {
		t.Fatalf("scrub: %+v, %v", rep, err)
	}

	res, err := ingest.Import(t.Context(), st, []string{dir}, options())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != ingest.StatusAlreadyImported || res.Copied != int64(len(a.data)+len(b.data)) {
		t.Fatalf("re-import: %+v", res)
	}
	if got := state(t, st).ManifestSHA256; got != before {
		t.Fatal("the catalog changed")
	}
	if fileSHA(t, pa) != sha(a.data) || fileSHA(t, st.BlobPath(sha(b.data))) != sha(b.data) {
		t.Fatal("blobs not restored")
	}
	checkConsistent(t, st)
	row := lastRow(t, st)
	if row.Result != ledger.ResultAlreadyImported || !strings.Contains(row.Reason, "2 missing or quarantined files were restored") ||
		row.ReasonCode != ledger.ReasonRestored || row.ReasonArgs[ledger.ArgRestored] != "2" {
		t.Fatalf("ledger row: %+v", row)
	}
	rep, err = st.Scrub(t.Context(), time.Now(), nil)
	if err != nil || len(rep.Quarantined) != 0 {
		t.Fatalf("scrub after restore: %+v, %v", rep, err)
	}
}
