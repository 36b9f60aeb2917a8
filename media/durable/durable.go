package durable

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// TempPattern is the pattern of temporary files; readers skip or refuse names
// that contain ".tmp-".
const TempPattern = ".*.tmp-*"

// CreateTemp creates a temporary file in dir for a file that will be renamed
// to name in the same directory (same filesystem, so the rename is atomic).
func CreateTemp(dir, name string) (*os.File, error) {
	return os.CreateTemp(dir, "."+name+".tmp-*")
}

// Commit makes f durable and moves it to dir/name: fsync, close, rename,
// fsync of dir. f must have been made by CreateTemp(dir, …). On error the
// temporary file is removed.
func Commit(f *os.File, dir, name string) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	return SyncDir(dir)
}

// CreateTempMode is CreateTemp with mode perm instead of 0600, for files
// other accounts read (a bundle on shared media).
func CreateTempMode(dir, name string, perm os.FileMode) (*os.File, error) {
	f, err := CreateTemp(dir, name)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(perm); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		Discard(f)
		return nil, err
	}
	return f, nil
}

// Discard closes and removes a temporary file after a failed write.
func Discard(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// WriteFile writes data to dir/name durably and atomically, with mode perm.
func WriteFile(dir, name string, data []byte, perm os.FileMode) error {
	f, err := CreateTempMode(dir, name, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	if _, err := f.Write(data); err != nil {
		Discard(f)
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	return Commit(f, dir, name)
}

// SyncFile fsyncs a file that was written and closed earlier: its data
// reach the disk whichever descriptor asks (Windows wants one that may write).
func SyncFile(path string) error { return syncPath(path, os.O_RDWR, "sync") }

// syncPath opens path with flag and fsyncs it; what begins the error.
func syncPath(path string, flag int, what string) error {
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	return nil
}
