// Package mirror is the LGWAN-side half of patchferry; its parts are
// sub-packages with one job each:
//
//	mirror/store    bbolt index + content-addressed blobs; scrub, gc, quarantine
//	mirror/ingest   all-or-nothing import of bundles read through media,
//	                vendor evidence re-verification, virus scan
//	mirror/ledger   the hash-chained import ledger (媒体持込台帳), CSV for Excel
//	mirror/server   the HTTP surface for terminals and staff
//	mirror/service  the typed Service every mirror command goes through:
//	                Local on a store, or the admin client
//	mirror/admin    the admin socket through which `mirror serve` carries
//	                out the other processes' mirror operations (typed JSON,
//	                imports streamed straight into the blob store)
//	mirror/wire     JSON types shared with the agent (standard library only)
//
// It may import media, verify and mirror/wire; never fetcher or clients
// (DESIGN.md).
package mirror
