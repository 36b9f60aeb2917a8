package main

import (
	"os"
	"path/filepath"
)

// splitPath returns the directory (never empty) and base name of p.
func splitPath(p string) (dir, base string) {
	return filepath.Dir(p), filepath.Base(p)
}

// fileSize returns the size of a file for progress totals, 0 if unknown.
func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}
