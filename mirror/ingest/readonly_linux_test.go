package ingest_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/patchferry/patchferry/mirror/ingest"
)

// readOnlyBind mounts src read-only at a new directory and returns it. The
// mount is removed when the test ends. Mode bits would not do: root
// ignores them.
func readOnlyBind(t *testing.T, src string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "a read-only bind mount needs root")
	}
	dst := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount(src, dst, "", syscall.MS_BIND, ""); err != nil {
		skipOrFail(t, "bind mount: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dst, 0); err != nil {
			t.Errorf("unmount %s: %v", dst, err)
		}
	})
	if err := syscall.Mount("", dst, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		skipOrFail(t, "remount read-only: %v", err)
	}
	// Prove it: not even root can write there.
	err := os.WriteFile(filepath.Join(dst, "probe"), nil, 0o644)
	if !errors.Is(err, syscall.EROFS) {
		t.Fatalf("writing into the read-only mount: %v, want EROFS", err)
	}
	return dst
}

// treeState describes every entry under root: type, mode, size, mtime and
// content hash.
func treeState(t *testing.T, root string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		desc := fmt.Sprintf("%v %d %d", fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		if fi.Mode().IsRegular() {
			desc += " " + fileSHA(t, p)
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportFromReadOnlyMount(t *testing.T) {
	dir, _ := writeBundle(t, spec{seq: 1, files: []file{payload("a.exe", 91, 200_000), payload("b.exe", 92, 5000)},
		meta: []file{{"feed", []byte("<feed/>")}}})
	root := filepath.Dir(dir)
	ro := readOnlyBind(t, root)
	before := treeState(t, ro)

	st := newStore(t)
	res, err := ingest.Import(t.Context(), st, []string{ro}, options())
	if err != nil {
		t.Fatalf("Import from a read-only medium: %v", err)
	}
	if res.Status != ingest.StatusImported || res.Files != 2 {
		t.Errorf("result %+v", res)
	}
	// Importing it again reads it again and writes nothing either.
	if res, err := ingest.Import(t.Context(), st, []string{filepath.Join(ro, filepath.Base(dir))}, options()); err != nil || res.Status != ingest.StatusAlreadyImported {
		t.Errorf("second Import = %+v, %v; want already imported", res, err)
	}
	after := treeState(t, ro)
	if len(after) != len(before) {
		t.Errorf("the medium had %d entries, now %d", len(before), len(after))
	}
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed on the medium: %s → %s", p, b, after[p])
		}
	}
	checkConsistent(t, st)
}
