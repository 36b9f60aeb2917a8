// Package admin is the local admin socket through which one process — the
// running `patchferry mirror serve`, the owner of the store — carries out
// the mirror commands of other processes (import, status, ledger, trust,
// scrub, gc). It is HTTP over an AF_UNIX socket in the data directory,
// <data>/admin.sock, with owner-only permissions (AF_UNIX works on Windows 10
// and later too).
//
// A call sends the command line and the files it names — for an import the
// bundle as read from the media by the calling process, for trust the key
// files — as a tar stream; the owner unpacks them into its tmp/ directory,
// runs the same command code against its open store, and answers with the
// command's stdout, stderr and exit code, so the caller's output and exit
// code are the same as with no server running.
//
//	admin.go   Request, Response, Upload, SocketName
//	server.go  Listen, Serve (unpack uploads strictly, run, answer)
//	client.go  Call, ErrNoServer
package admin
