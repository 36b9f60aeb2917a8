package media

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A path that is not there (a medium not connected), is a file, or is an
// empty folder (a medium not mounted) is a *MissingError naming it.
func TestOpenMissing(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bundle.json")
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "mnt")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path             string
		notDir, noBundle bool
	}{{filepath.Join(dir, "usb"), false, false}, {file, true, false}, {empty, false, true}} {
		_, err := Open(tc.path)
		var me *MissingError
		if !errors.As(err, &me) || me.Path != tc.path || me.NotDir != tc.notDir || me.NoBundle != tc.noBundle ||
			errors.Is(err, fs.ErrNotExist) != (!tc.notDir && !tc.noBundle) || errors.Is(err, ErrLayout) != tc.noBundle {
			t.Errorf("Open(%s): %T %v; want a *MissingError (not a directory: %v, no bundle: %v)", tc.path, err, err, tc.notDir, tc.noBundle)
		}
		if !strings.Contains(err.Error(), tc.path) {
			t.Errorf("%q does not name %s", err, tc.path)
		}
	}
}
