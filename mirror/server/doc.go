// Package server is the mirror's HTTP surface for terminals and staff:
//
//	GET /v1/catalog                 what is current (JSON, mirror/wire.Catalog),
//	                                with the publisher-signed manifest; ETag =
//	                                SHA-256 of the bytes, which change only when
//	                                an import succeeds
//	GET /blobs/sha256/<hex>         immutable blobs: ETag, Cache-Control
//	                                immutable, Range, If-None-Match, HEAD
//	GET /files/<vendor>/<product>/<version>/<file name>
//	                                the same files by name, with HTML index
//	                                pages at every level for staff
//	GET /healthz, GET /metrics      liveness; Prometheus metrics
//
// Requests are answered from an immutable snapshot of the store (catalog,
// artifacts, quarantine) swapped atomically by Refresh after an import, so a
// reader sees the old catalog or the new one, never a mix; blob files never
// change, so a download that started before a switch completes with the old
// bytes.
//
//	server.go    Server, New, Handler, Refresh, access log
//	snapshot.go  snapshot: catalog bytes and the lookup tables behind them
//	blobs.go     /blobs/sha256/<hex>
//	small.go     small blobs served from memory, checked when first read
//	files.go     /files/… and its index pages
//	paths.go     ParseFilesPath: strict parsing of request paths
//	metrics.go   Prometheus collectors (own registry, no globals)
//	open_linux.go, open_other.go  openBlob: on Linux a blocking descriptor
//	             outside the network poller (five system calls fewer per
//	             request); elsewhere os.Open
package server
