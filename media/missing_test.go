package media

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A path that is not there (a medium not mounted) or is a file is a
// *MissingError naming it, and nothing else is read.
func TestOpenMissing(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bundle.json")
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path   string
		notDir bool
	}{{filepath.Join(dir, "usb"), false}, {file, true}} {
		_, err := Open(dir, tc.path)
		var me *MissingError
		if !errors.As(err, &me) || me.Path != tc.path || me.NotDir != tc.notDir || errors.Is(err, fs.ErrNotExist) == tc.notDir {
			t.Errorf("Open(%s): %T %v; want a *MissingError (not a directory: %v)", tc.path, err, err, tc.notDir)
		}
		if !strings.Contains(err.Error(), tc.path) {
			t.Errorf("%q does not name %s", err, tc.path)
		}
	}
}
