package ingest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

func TestImport(t *testing.T) {
	a := payload("Firefox Setup 145.0.exe", 51, 2<<20+5) // more than one copy buffer
	same := file{"Firefox Setup 145.0 (copy).exe", a.data}
	b := payload("empty.txt", 0, 0)
	feed := file{"vendor-feed", bytes.Repeat([]byte("<update/>\n"), 5000)}
	dir, m := writeBundle(t, spec{seq: 1, files: []file{a, same, b}, meta: []file{feed}, maxFileSize: 1 << 20})
	bundle, err := media.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(t)

	var total, progress int64
	o := options()
	o.Total = func(n int64) { total += n }
	o.Progress = func(n int64) { progress += n }
	res, err := ingest.Import(t.Context(), st, []string{dir}, o)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	want := ingest.Result{
		Status: ingest.StatusImported, Bundle: "patchferry-city-1", Sequence: 1, Files: 3,
		Bytes: bundle.Size(), Copied: int64(len(a.data) + len(b.data)),
		Signers: []string{keys(t).Publisher.Public().ID()}, Scan: ledger.ScanNotScanned, Ledger: 2, // 1: started
		StateCode: media.StateCode(1, m.Catalog),
	}
	if res.Status != want.Status || res.Bundle != want.Bundle || res.Sequence != want.Sequence || res.Files != want.Files ||
		res.Bytes != want.Bytes || res.Copied != want.Copied || !slices.Equal(res.Signers, want.Signers) ||
		res.Scan != want.Scan || res.Ledger != want.Ledger || res.StateCode != want.StateCode || len(res.Approvers) != 0 {
		t.Errorf("result\n%+v\nwant\n%+v", *res, want)
	}
	if total != bundle.Size() || progress != total {
		t.Errorf("progress: total %d, reported %d; want both %d (every byte read from the media)", total, progress, bundle.Size())
	}

	raw, err := os.ReadFile(filepath.Join(dir, media.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	cur := state(t, st)
	if cur.Site != "city" || cur.Sequence != 1 || cur.Base != 0 || cur.ManifestSHA256 != sha(raw) ||
		!bytes.Equal(cur.Manifest, raw) || len(cur.Signature) == 0 || !cur.ImportedAt.Equal(now) ||
		cur.StateCode != res.StateCode || cur.CatalogHash != media.CatalogHash(1, m.Catalog) ||
		!cur.Created.Equal(created) || len(cur.Catalog) != 1 || len(cur.Catalog[0].Artifacts) != 2 ||
		cur.Signers["publisher"] != res.Signers[0] {
		t.Errorf("state after import: site %s sequence %d base %d manifest %s imported %v state code %s catalog %+v signers %v",
			cur.Site, cur.Sequence, cur.Base, cur.ManifestSHA256, cur.ImportedAt, cur.StateCode, cur.Catalog, cur.Signers)
	}
	err = st.View(func(tx *bolt.Tx) error {
		if r, err := store.GetSequence(tx, 1); err != nil || r == nil || r.ManifestSHA256 != sha(raw) {
			t.Errorf("sequence record %+v, %v", r, err)
		}
		for _, art := range m.Artifacts {
			r, err := store.GetArtifact(tx, art.SHA256)
			if err != nil || r == nil || r.FirstSequence != 1 || r.Size != art.Size {
				t.Errorf("artifact record of %s: %+v, %v", art.FileName, r, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []file{a, b} {
		p := st.BlobPath(sha(f.data))
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o444 || fi.Size() != int64(len(f.data)) {
			t.Errorf("blob of %s: %v, %v", f.name, fi, err)
		}
	}
	started, row := attempt(t, ledgerRows(t, st), 0)
	if started == nil || started.Number != 1 || started.Files != 3 || started.Bytes != bundle.Size() || !slices.Equal(started.Signers, res.Signers) {
		t.Errorf("started row %+v, want row 1 with what was known before the payloads were read", started)
	}
	if row.Number != 2 || row.Result != ledger.ResultImported || row.Reason != "" || row.Files != 3 ||
		row.Bytes != bundle.Size() || row.Bundle != "patchferry-city-1" || row.Sequence != 1 ||
		!slices.Equal(row.Signers, res.Signers) || row.ScanVerdict != ledger.ScanNotScanned || row.Scanner != "" ||
		row.Operator != "tanaka" || row.Label != "USB-07" || !row.Time.Equal(now) {
		t.Errorf("ledger row %+v", row)
	}
	checkConsistent(t, st)
}

// TestImportVolumes imports a bundle split over volumes given in any order.
func TestImportVolumes(t *testing.T) {
	files := []file{payload("a.exe", 61, 300_000), payload("b.exe", 62, 300_000), payload("c.exe", 63, 300_000)}
	src := t.TempDir()
	var c media.Contents
	for _, f := range files {
		p := filepath.Join(src, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		c.Inputs = append(c.Inputs, media.Input{Path: p, Artifact: media.Artifact{Vendor: "v", Product: "p", Version: "1"}})
	}
	w, err := media.Write(t.Context(), media.WriteOptions{Out: filepath.Join(t.TempDir(), "media"), Site: "city", Sequence: 1,
		Created: created, Key: keys(t).Publisher, VolumeSize: 400_000}, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Dirs) < 2 {
		t.Fatalf("the bundle has %d volume(s), want several", len(w.Dirs))
	}
	st := newStore(t)
	reversed := slices.Clone(w.Dirs)
	slices.Reverse(reversed)
	res, err := ingest.Import(t.Context(), st, reversed, options())
	if err != nil {
		t.Fatalf("Import of volumes in reverse order: %v", err)
	}
	if res.Files != 3 || res.Copied != 900_000 {
		t.Errorf("result %+v", res)
	}
	checkConsistent(t, st)
}

func TestImportWithApprovals(t *testing.T) {
	k := keys(t)
	st := newStore(t)
	err := st.Update(func(tx *bolt.Tx) error {
		tr, err := store.GetTrust(tx)
		if err != nil {
			return err
		}
		tr.Approvers, tr.Threshold = []string{string(k.Approver.Public().PEM())}, 1
		return store.PutTrust(tx, tr)
	})
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := writeBundle(t, spec{seq: 1, files: []file{payload("a.exe", 71, 100)}, approvers: []*verify.PrivateKey{k.Approver}})
	res := mustImport(t, st, dir)
	want := []string{k.Approver.Public().ID()}
	if !slices.Equal(res.Approvers, want) {
		t.Errorf("result approvers %v, want %v", res.Approvers, want)
	}
	if row := lastRow(t, st); !slices.Equal(row.Approvers, want) {
		t.Errorf("ledger approvers %v, want %v", row.Approvers, want)
	}
	if cur := state(t, st); cur.Signers["approvers"] != want[0] || len(cur.Approvals) != 1 {
		t.Errorf("state signers %v with %d approvals", cur.Signers, len(cur.Approvals))
	}
}
