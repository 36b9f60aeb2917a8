package ingest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
)

// TestImportResume: an import that fails part-way keeps the blobs it wrote
// (unreferenced), and the next import copies only what is missing.
func TestImportResume(t *testing.T) {
	a, b, c := payload("a.exe", 81, 300_000), payload("b.exe", 82, 200_000), payload("c.exe", 83, 100_000)
	dir, m := writeBundle(t, spec{seq: 1, files: []file{a, b, c}})
	st := newStore(t)

	// First attempt: b's copy on the media is damaged.
	bPath := filepath.Join(dir, filepath.FromSlash(media.PayloadPath(m.Artifacts[1].SHA256)))
	editFile(t, bPath, flip(150_000))
	_, err := ingest.Import(t.Context(), st, []string{dir}, options())
	var re *ingest.RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("first Import = %v, want refused", err)
	}
	if state(t, st) != nil {
		t.Fatal("a refused first import left a state")
	}
	if !st.HasBlob(sha(a.data)) || st.HasBlob(sha(b.data)) || st.HasBlob(sha(c.data)) {
		t.Fatalf("after the failed import: a stored %v, b %v, c %v; want only a", st.HasBlob(sha(a.data)), st.HasBlob(sha(b.data)), st.HasBlob(sha(c.data)))
	}
	checkConsistent(t, st)
	aBefore, err := os.Stat(st.BlobPath(sha(a.data)))
	if err != nil {
		t.Fatal(err)
	}

	// The damaged file is copied again from the internet side.
	if err := os.WriteFile(bPath, b.data, 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // a rewrite of a would get a later mtime
	var progress int64
	o := options()
	o.Progress = func(n int64) { progress += n }
	res, err := ingest.Import(t.Context(), st, []string{dir}, o)
	if err != nil {
		t.Fatalf("second Import: %v", err)
	}
	if want := int64(len(b.data) + len(c.data)); res.Copied != want {
		t.Errorf("the second import copied %d bytes, want %d (only b and c)", res.Copied, want)
	}
	if want := int64(len(a.data) + len(b.data) + len(c.data)); res.Bytes != want || progress != want {
		t.Errorf("the second import checked %d bytes (progress %d), want every byte on the media (%d)", res.Bytes, progress, want)
	}
	aAfter, err := os.Stat(st.BlobPath(sha(a.data)))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(aBefore, aAfter) || !aAfter.ModTime().Equal(aBefore.ModTime()) {
		t.Error("a's blob was written again")
	}
	rows := ledgerRows(t, st)
	if _, first := attempt(t, rows[:2], 0); first.Result != ledger.ResultRefused {
		t.Errorf("first attempt ended %q, want refused", first.Result)
	}
	if _, second := attempt(t, rows, 2); second.Result != ledger.ResultImported {
		t.Errorf("second attempt ended %q, want imported", second.Result)
	}
	checkConsistent(t, st)
}

// TestImportCancelled: Ctrl-C in the middle of the copy is a failure of
// this run, not a refusal of the bundle; nothing changes but the ledger,
// and the next run copies only what is missing.
func TestImportCancelled(t *testing.T) {
	files := []file{payload("a.exe", 121, 2<<20), payload("b.exe", 122, 2<<20), payload("c.exe", 123, 2<<20)}
	dir, _ := writeBundle(t, spec{seq: 1, files: files})
	st := newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var read int64
	o := options()
	o.Progress = func(n int64) {
		if read += n; read >= 3<<20 { // in the middle of b
			cancel()
		}
	}
	_, err := ingest.Import(ctx, st, []string{dir}, o)
	var re *ingest.RefusedError
	if !errors.Is(err, context.Canceled) || errors.As(err, &re) {
		t.Fatalf("cancelled Import = %v, want context.Canceled and not a refusal", err)
	}
	if row := lastRow(t, st); row.Result != ledger.ResultFailed || !strings.Contains(row.Reason, "canceled") || row.ReasonCode != ledger.ReasonInterrupted {
		t.Errorf("ledger row %q %q, want failed", row.Result, row.Reason)
	}
	if state(t, st) != nil {
		t.Error("a cancelled import switched the catalog")
	}
	checkConsistent(t, st)
	if !st.HasBlob(sha(files[0].data)) || st.HasBlob(sha(files[1].data)) {
		t.Fatal("want a stored and b not after cancelling in the middle of b")
	}
	res := mustImport(t, st, dir)
	if res.Copied != 4<<20 {
		t.Errorf("the next import copied %d bytes, want %d (b and c)", res.Copied, 4<<20)
	}
	checkConsistent(t, st)
}
