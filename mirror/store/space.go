package store

import (
	"errors"
	"fmt"
)

// ErrNoSpace is what a *SpaceError is (errors.Is): the data directory's
// disk is too full.
var ErrNoSpace = errors.New("not enough free space")

// SpaceError says that the data directory's disk has too little free space
// for what an operation must write, and how much it needs.
type SpaceError struct {
	Dir  string // the data directory
	Need int64  // bytes the operation still had to write
	Free int64  // bytes free when it was found out; -1 when unknown
	Err  error  // the write's error, when a write failed (ENOSPC)
}

func (e *SpaceError) Error() string {
	free := "unknown"
	if e.Free >= 0 {
		free = mib(e.Free)
	}
	msg := fmt.Sprintf("not enough free space in %s: %s needed for new files, %s free", e.Dir, mib(e.Need), free)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *SpaceError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNoSpace) hold.
func (e *SpaceError) Is(target error) bool { return target == ErrNoSpace }

// CheckSpace returns a *SpaceError when the data directory's disk has less
// than need bytes free (plus a margin for the database and temporary
// files). An unknown free space passes: the writes will say.
func (s *Store) CheckSpace(need int64) error {
	free, err := freeSpace(s.dir)
	if err != nil || need <= 0 {
		return nil
	}
	if margin := int64(16 << 20); free < need+margin {
		return &SpaceError{Dir: s.dir, Need: need + margin, Free: free}
	}
	return nil
}

// noSpace wraps a write error that means the disk is full into a
// *SpaceError naming what was still to be written.
func (s *Store) noSpace(err error, need int64) error {
	if !isNoSpace(err) {
		return err
	}
	free, ferr := freeSpace(s.dir)
	if ferr != nil {
		free = -1
	}
	return &SpaceError{Dir: s.dir, Need: need, Free: free, Err: err}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
