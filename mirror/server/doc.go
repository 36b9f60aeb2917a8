// Package server is the mirror's HTTP surface for terminals and staff:
//
//	GET /v1/catalog                 what is current (JSON, mirror/wire.Catalog),
//	                                with the publisher-signed manifest; ETag =
//	                                SHA-256 of the bytes, which change only when
//	                                an import succeeds
//	GET /v1/bundles/<seq>/bundle.json, …/bundle.json.sig,
//	    …/approvals/<name>.sig      the signed manifest and approvals of
//	                                each bundle that still brings a current
//	                                artifact (wire.Catalog.Bundles), as on
//	                                the media, for terminals to prove the
//	                                catalog; cacheable for a day, a 404 once
//	                                the mirror no longer keeps it
//	GET /blobs/sha256/<hex>         immutable blobs: ETag, Cache-Control
//	                                immutable, Last-Modified, Range,
//	                                If-None-Match, If-Modified-Since, HEAD
//	GET /files/<vendor>/<product>/<version>/[<platform>/][<language>/]<file name>
//	                                the same files by name, with listings of
//	                                every folder for staff (HTML) and scripts
//	                                (?format=json); see below
//	GET /healthz, GET /metrics      liveness; Prometheus metrics
//
// Requests are answered from an immutable snapshot of the store (catalog,
// artifacts, quarantine) swapped atomically by Refresh after an import, so a
// reader sees the old catalog or the new one, never a mix; blob files never
// change, so a download that started before a switch completes with the old
// bytes.
//
// # The /files/ tree
//
// A file's address is media.Artifact.TreePath: vendor, product, the
// artifact's own version (daily-2.cdiff of ClamAV's daily 6 is under 2/),
// then its platform and its language where it has them, then the file
// name: four to six levels (maxFilesDepth). Import refuses a catalog in
// which two current files would share an address, or a file would stand
// where another's folder is (media.CheckTreePaths), so two current files
// never share one: Firefox Setup 128.5.0esr.exe is at …/win64/ja/ and at
// …/win64/en-US/, each with its own bytes. Files of older versions still
// stored are in the tree too, where a current file does not take the place.
//
// A malformed path is 400 (ParseFilesPath), as is a path beneath a file or
// a file's path with a trailing slash; a path the tree does not have is 404
// with Cache-Control no-cache (an import may bring it); a folder without
// its trailing slash is 301 to the slash form (?format=json kept).
//
// A listing (files.go) has breadcrumbs, one link per level, and the child
// folders, marked 最新 / current when they hold a current file. Files are
// listed with name, platform, language, kind, their own version, the
// product's version where it differs (current files), release date
// (YYYY-MM-DD, 不明 / unknown when the bundle gave none), size in binary
// units (KB, MB, GB; the exact byte count on hover), SHA-256 and the
// current mark; from the version level down, a folder lists every file
// below it, so that the files of all platforms and languages of a version
// are one page away. Labels are in Japanese and English side by side. The
// page loads nothing else (no stylesheet, script, font or image URL; its
// Content-Security-Policy forbids them), and every string from the store
// goes through escape.String (control and bidi characters) before
// html/template escapes the HTML. Listings are Cache-Control no-cache.
//
// ?format=json on a folder gives {path, sequence, state_code, entries}:
// one entry per child, with name, url, type ("folder" or "file") and
// current, and for a file platform, language, kind, version,
// product_version (current files), released (RFC 3339; left out when
// unknown), size (bytes) and sha256. Names are exact, as the bundle gave
// them (the JSON encoding escapes control characters; urls are
// percent-escaped).
//
// A file, and a blob, is answered with Last-Modified: its release date,
// else the time the bundle that brought it was imported (never the zero
// time); /blobs/ takes the earliest of the files with those bytes.
// If-Modified-Since is answered from it when the request has no
// If-None-Match, which wins (RFC 9110); a 304 carries the ETag.
//
// # Never bytes that do not match their name
//
// A blob is answered as "sha256:<hex>", cacheable for a year, so its bytes
// are checked on the way out:
//
//   - Blobs up to 2 KiB are read once, checked, and served from memory.
//   - A whole larger blob (200, also the "Range" a cache asks with for the
//     whole file) is hashed while it is sent: read into memory in 64 KiB
//     chunks, hashed, written; the last chunk is held back until the
//     SHA-256 matched. On a mismatch it is never sent and the response is
//     aborted (http.ErrAbortHandler: the connection is closed, an HTTP/2
//     stream reset), so the client sees fewer bytes than Content-Length —
//     an error, never a complete response — and the blob is quarantined
//     (store.Store.QuarantineDamaged) and the snapshot reloaded: later
//     requests get 404. Cost: no sendfile; a user-space copy and SHA-256
//     (about 2 GB/s with the SHA extensions, 0.4 GB/s without) per byte.
//   - One range of a larger blob is sent from a read of the whole file that
//     hashes it (the bytes outside the range are read and hashed, not
//     sent), with the same hold-back and abort; so the first range of a
//     blob costs a read and hash of the whole file. A file that passed
//     (whole or range) gets a mark, keyed by the file's identity (device,
//     inode), size, modification and, on Linux, change time; for
//     RangeMarkTTL (default one hour) further ranges of the same file are
//     sent without hashing, so a client that fetches a large file in many
//     small ranges does not cost a hash of the whole file per range. A
//     file that is rewritten in any way loses its mark. Bitrot changes
//     none of these, so what is guaranteed for ranges is: a range response
//     is completed only from a file that hashed to its name within the
//     last RangeMarkTTL with its identity unchanged; a file found damaged
//     never serves again. Whole-blob responses are hashed every time.
//   - Several ranges (multipart) are sent only after the whole file hashed
//     to its name (or its mark holds), since ServeContent writes them from
//     a goroutine that cannot hold bytes back.
//   - HEAD and 304 send no bytes and are not checked.
//
// Scrub (scrub.go, run by `mirror serve`) re-hashes every blob in the
// background, paced so that a pass takes about its interval (default a
// week) and capped by a rate; it quarantines what it finds without anyone
// asking, and resumes after a restart where it stopped.
//
// # Slow and many clients
//
// HTTPServer's timeouts: ReadHeaderTimeout against clients that send their
// header slowly; IdleTimeout for keep-alive connections; StallTimeout as
// the write deadline of every response, which a blob download moves ahead
// after each 64 KiB the client took (a download that keeps moving always
// finishes; one that stalls, or never reads, is closed, with a reset so
// that the bytes queued for it do not linger in the kernel). Listener caps the
// open connections (MaxConns, default 4096: with a socket and a blob file
// each, about 8,200 descriptors, below the usual limit once Go has raised
// the soft limit to the hard one); beyond the cap, connections wait, and an
// idle keep-alive connection is closed to make room. A listed blob that
// cannot be opened is answered 503 with Retry-After, never 404, which a
// cache would keep: too many open files, EAGAIN or ENOMEM pass by
// themselves; a listed blob missing from disk is logged as a damaged store
// (scrub quarantines it, `mirror import --repair` restores it); only a blob
// the store no longer lists either is a 404 (gc or quarantine raced the
// snapshot). 404s of blobs carry Cache-Control no-cache, since an import
// may bring the blob back.
//
//	server.go    Server, Options, New, Handler, HTTPServer, Listener,
//	             Refresh, access log
//	snapshot.go  snapshot: catalog bytes and the lookup tables behind them
//	blobs.go     /blobs/sha256/<hex>: serveBlob, 503 on transient errors,
//	             quarantine of damaged blobs
//	verified.go  blobBody, blobWriter: hash while sending, hold back the
//	             last chunk; range marks
//	small.go     small blobs served from memory, checked when first read
//	bundles.go   /v1/bundles/<seq>/…: the kept signed manifests and
//	             approvals
//	files.go     /files/…: files, folder listings (HTML, ?format=json)
//	paths.go     ParseFilesPath: strict parsing of request paths
//	listener.go  the connection cap (limitListener) and idle tracking
//	scrub.go     Server.Scrub: the paced background scrub
//	metrics.go   Prometheus collectors (own registry, no globals)
//	open_linux.go, open_other.go  openBlob: on Linux a blocking descriptor
//	             outside the network poller (five system calls fewer per
//	             request); elsewhere os.Open. changeTime for range marks,
//	             fdLimit for the warning when MaxConns exceeds the limit
package server
