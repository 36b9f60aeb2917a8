// Package store keeps the mirror's files and index: content-addressed blobs
// on disk and a bbolt database that says which of them make up the current
// catalog. One process owns a store at a time (bbolt's file lock, taken with
// a timeout, so a second writer gets ErrInUse within seconds).
//
//	<data dir>/
//	  mirror.db                  bbolt; buckets below
//	  blobs/sha256/ab/<sha256>   immutable (0444), named by their SHA-256
//	  tmp/                       same filesystem; every write is
//	                             temp → fsync → rename → fsync(dir)
//
// Buckets of mirror.db:
//
//	config     "trust": publisher and approver keys, threshold, vendor trust
//	           "format": store format version
//	state      "current": the imported catalog state (State);
//	           "artifacts": the current artifacts as resolved at import
//	           ([]media.Current: each as its bundle's manifest lists it,
//	           with that bundle's sequence and the product version)
//	sequences  8-byte big-endian sequence → SequenceRecord (every import)
//	artifacts  sha256 hex NUL vendor NUL product NUL channel NUL version NUL
//	           platform NUL language NUL file name → ArtifactRecord (every
//	           artifact ever imported; the same bytes under another name or
//	           version have a record of their own, one blob)
//	bundles    8-byte big-endian sequence → BundleRecord: the signed
//	           manifest of every bundle that still brings a current
//	           artifact (terminals prove the catalog with them)
//	history    vendor NUL product NUL channel NUL version → HistoryRecord:
//	           every version the mirror has carried, with its earliest
//	           known release date and first sequence; gc never removes it
//	ledger     owned by package mirror/ledger
//	scrub      "state": where the background scrub stands (ScrubState)
//
// A blob is written before any record refers to it, so a crash leaves at
// worst an orphan blob (gc removes it), never a record without its blob.
//
//	store.go   Open (timeout, ErrInUse), Close, Update/View, OnUpdate (a
//	           hook at the end of every Update: the ledger's forwarding)
//	blobs.go   PutBlob (hash while writing), HasBlob, OpenBlob, BlobPath
//	state.go   State, Trust, SequenceRecord, ArtifactRecord and their buckets
//	catalog.go BundleRecord, GetCurrent/PutCurrent, ResolveCurrent,
//	           HistoryRecord, AddHistory, History: what the catalog serves
//	           beyond the State
//	check.go   Check: bbolt consistency, every referenced blob present and
//	           hashing to its name
//	maint.go   Scrub, ScrubWith (re-hash every blob, quarantine what
//	           changed; paced and resumable for the background scrub),
//	           QuarantineDamaged, GC (keep N versions per product, remove
//	           unreferenced blobs)
//	space.go   CheckSpace, SpaceError (ErrNoSpace): a full disk reported
//	           with what is needed; space_unix.go, space_windows.go: free
//	           space and "disk full" errors per OS
//	quarantine.go  Quarantine, Quarantined, Serves, ClearQuarantine: blobs never
//	           served again until an import restores them
package store
