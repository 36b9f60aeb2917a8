// Package durable writes files so that a power cut or a yanked USB stick
// never leaves half a file under its final name: temp file in the same
// directory → fsync → rename → fsync the directory. Readers see the old file
// or the new one.
//
//	durable.go       WriteFile, Commit (fsync + rename + fsync dir), CreateTemp(Mode),
//	                 SyncFile (fsync of a closed file, for batches synced at the end)
//	syncdir_unix.go  SyncDir (fsync of the directory)
//	syncdir_windows.go  SyncDir (a no-op: NTFS journals renames; Windows cannot
//	                 open a directory for fsync)
package durable
