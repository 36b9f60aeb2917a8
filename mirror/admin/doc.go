// Package admin is the local admin socket through which the running
// `patchferry mirror serve` — the one process that owns the store — carries
// out the mirror operations of other processes (import, status, trust,
// ledger, scrub, gc). It is HTTP over an AF_UNIX socket in the data
// directory, <data>/admin.sock, with owner-only permissions (AF_UNIX works on
// Windows 10 and later too).
//
// The protocol is typed: one endpoint per operation of service.Service,
// POST /v1/<op>, with the service's request as JSON and an answer holding
// its result as JSON or its error as a service.WireError, which keeps the
// error's classes (a refusal's reason, the file, a signature or digest
// mismatch, …), so the calling command prints what it would print with no
// server. Client implements service.Service; Serve dispatches to one (the
// Local on the server's store), write operations one at a time.
//
// An import is one request whose body is a length-prefixed JSON header
// (operator, label, scanner, the caller's bundle directories, whether it is
// a repair) followed by
// the bundle as a media import stream, read off the media by the caller:
// the server stores every payload straight from the request, hashing it
// once; only the small meta files are staged, in tmp/. The server answers
// as soon as the import is decided — a refusal may come before everything
// was sent — and the caller reads the answer while it sends. A bundle the
// caller cannot open is refused by the caller, and recorded in the server's
// ledger by a "refusal" request.
//
//	protocol.go  SocketName, the operations, limits, answer, the import
//	             header; strict decoding of requests
//	server.go    Listen (owner-only, stale socket replaced, one server per
//	             data directory), Serve, the import handler
//	client.go    Dial, Client (service.Service), ErrNoServer,
//	             ErrServerStopped
//	upload.go    Client.Import: media opened here, streamed, answered early
package admin
