package ingest_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
)

// streamed returns an opener of the bundle at dir as the admin socket
// hands it over: written as an import stream by one side, read by the
// other, meta files staged in stage.
func streamed(t *testing.T, dir, stage string) func() (*media.Bundle, error) {
	t.Helper()
	b, err := media.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := media.WriteStream(t.Context(), &buf, b, nil); err != nil {
		t.Fatal(err)
	}
	return func() (*media.Bundle, error) {
		return media.ReadStream(t.Context(), &buf, media.StreamOptions{Dirs: b.Dirs, StageDir: stage})
	}
}

// An import from a stream stores every payload straight from it: the
// same result and store as from the media, and only meta files staged.
func TestImportFromStream(t *testing.T) {
	big := payload("big.msu", 41, 3<<20)
	files := []file{big, payload("small.exe", 42, 1000), payload("empty.bin", 43, 0)}
	meta := []file{{"SHA512SUMS", []byte(strings.Repeat("00  big.msu\n", 50))}}
	dir, _ := writeBundle(t, spec{seq: 1, files: files, meta: meta, maxFileSize: 1 << 20})
	local, served := newStore(t), newStore(t)
	want := mustImport(t, local, dir)

	stage := t.TempDir()
	res, err := ingest.ImportFrom(t.Context(), served, streamed(t, dir, stage), options())
	if err != nil {
		t.Fatalf("ImportFrom a stream: %v", err)
	}
	if res.Status != want.Status || res.StateCode != want.StateCode || res.Copied != want.Copied || res.Bytes != want.Bytes {
		t.Errorf("from the stream %+v, from the media %+v", res, want)
	}
	if snapshot(t, served) != snapshot(t, local) {
		t.Error("the store differs from one that imported the media directly")
	}
	for _, f := range files {
		if got := fileSHA(t, served.BlobPath(sha(f.data))); got != sha(f.data) {
			t.Errorf("%s: stored %s", f.name, got)
		}
	}
	if entries, _ := os.ReadDir(stage); len(entries) != 1 {
		t.Errorf("staged %d files, want the one meta file", len(entries))
	}
	checkConsistent(t, served)
}

// The same bundle again, from the media or a stream: every payload is
// still read and hashed, so a damaged copy is a refusal and not "already
// imported", and the store does not change.
func TestImportAgainChecksTheMedia(t *testing.T) {
	x, y := payload("x.exe", 51, 300_000), payload("y.exe", 52, 2000)
	dir, m := writeBundle(t, spec{seq: 1, files: []file{x, y}})
	for _, via := range []string{"media", "stream"} {
		t.Run(via, func(t *testing.T) {
			st := newStore(t)
			mustImport(t, st, dir)
			damaged := filepath.Join(t.TempDir(), filepath.Base(dir))
			copyDir(t, dir, damaged)
			p := filepath.Join(damaged, filepath.FromSlash(media.PayloadPath(m.Artifacts[1].SHA256)))
			editFile(t, p, flip(100))
			before := snapshot(t, st)
			var err error
			if via == "media" {
				_, err = ingest.Import(t.Context(), st, []string{damaged}, options())
			} else {
				_, err = ingest.ImportFrom(t.Context(), st, streamed(t, damaged, t.TempDir()), options())
			}
			var re *ingest.RefusedError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), media.PayloadPath(sha(y.data))) {
				t.Fatalf("the damaged copy of an imported bundle: %v, want refused naming the payload", err)
			}
			if snapshot(t, st) != before {
				t.Error("the refused import changed the store")
			}
			if row := lastRow(t, st); row.Result != ledger.ResultRefused {
				t.Errorf("ledger row %q %q", row.Result, row.Reason)
			}
			// Intact media, a blob lost on the mirror: restored, from the stream too.
			os.Remove(st.BlobPath(sha(x.data)))
			var res *ingest.Result
			if via == "media" {
				res, err = ingest.Import(t.Context(), st, []string{dir}, options())
			} else {
				res, err = ingest.ImportFrom(t.Context(), st, streamed(t, dir, t.TempDir()), options())
			}
			if err != nil || res.Status != ingest.StatusAlreadyImported || res.Copied != int64(len(x.data)) || res.Bytes != int64(len(x.data)+len(y.data)) {
				t.Fatalf("again with a lost blob: %+v, %v", res, err)
			}
			checkConsistent(t, st)
		})
	}
}

// A stream whose bundle cannot be read is refused, with its ledger row.
func TestImportFromBrokenStream(t *testing.T) {
	st := newStore(t)
	_, err := ingest.ImportFrom(t.Context(), st, func() (*media.Bundle, error) {
		return media.ReadStream(t.Context(), strings.NewReader("not a stream"), media.StreamOptions{Dirs: []string{"/media/usb"}, StageDir: t.TempDir()})
	}, options())
	var re *ingest.RefusedError
	if !errors.As(err, &re) || !errors.Is(err, media.ErrLayout) {
		t.Fatalf("ImportFrom a broken stream: %v", err)
	}
	if row := lastRow(t, st); row.Result != ledger.ResultRefused || row.Label != "USB-07" {
		t.Errorf("ledger row %+v", row)
	}
}

// copyDir copies a bundle folder.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
