package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// testdata/mirror-format2.db was written by the release before store
// format 3 (commit e9e0049): a full bundle 1 (Firefox ESR 128.5.0esr ja and
// en-US, which share a file name; daily.cvd version 4 and daily-2.cdiff,
// with dates on all but the cdiff) and a delta 2 (daily-5.cdiff; catalog
// daily 5). Opened for writing it is upgraded in one transaction: the
// current artifacts keep their own versions and the bundles that brought
// them, the current manifest is kept, and the history lists every version.
func TestUpgradeFormat2(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata", "mirror-format2.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, store.DBName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatalf("open a format-2 store: %v", err)
	}
	defer st.Close()
	err = st.View(func(tx *bolt.Tx) error {
		if f := tx.Bucket([]byte("config")).Get([]byte("format")); len(f) != 1 || f[0] != store.FormatVersion {
			t.Errorf("format after the upgrade: %v", f)
		}
		cur, err := store.GetCurrent(tx)
		if err != nil {
			return err
		}
		var got []string
		for _, c := range cur {
			got = append(got, fmt.Sprintf("%s %s %s/%s seq %d product %s", c.FileName, c.Version, c.Platform, c.Language, c.Sequence, c.ProductVersion))
		}
		want := []string{
			"Firefox Setup 128.5.0esr.exe 128.5.0esr win64/ja seq 1 product 128.5.0esr",
			"Firefox Setup 128.5.0esr.exe 128.5.0esr win64/en-US seq 1 product 128.5.0esr",
			"daily.cvd 4 / seq 1 product 5",
			"daily-2.cdiff 2 / seq 1 product 5",
			"daily-5.cdiff 5 / seq 2 product 5",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("current artifacts after the upgrade:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Only the current manifest was ever kept before format 3.
		if r, err := store.GetBundle(tx, 2); err != nil || r == nil || len(r.Manifest) == 0 {
			t.Errorf("bundle 2 after the upgrade: %v, %v", r, err)
		}
		if r, _ := store.GetBundle(tx, 1); r != nil {
			t.Error("bundle 1 has a manifest, which the old store never kept")
		}
		hist, err := store.History(tx)
		if err != nil {
			return err
		}
		got = nil
		for _, h := range hist {
			got = append(got, fmt.Sprintf("%s/%s %s first %d released %s", h.Vendor, h.Product, h.Version, h.FirstSequence, h.Released.Format(time.DateOnly)))
		}
		want = []string{
			"clamav/daily 2 first 1 released 0001-01-01",
			"clamav/daily 4 first 1 released 2026-11-04",
			"clamav/daily 5 first 2 released 0001-01-01",
			"mozilla/firefox-esr 128.5.0esr first 1 released 2026-11-26",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("history after the upgrade:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
