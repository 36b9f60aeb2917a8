//go:build !windows

package durable

import "os"

// SyncDir fsyncs a directory so that a rename inside it survives a power cut.
func SyncDir(dir string) error { return syncPath(dir, os.O_RDONLY, "sync directory") }
