//go:build windows

package durable

// SyncDir is a no-op on Windows: a directory cannot be opened for fsync
// there, and NTFS journals the rename itself.
func SyncDir(dir string) error { return nil }
