// Package ingest imports a bundle into the mirror store, all or nothing: it
// verifies the publisher signature, the approvals, the format, the expiry
// and the sequence rules; hashes every payload on the media once while
// storing it (even when its blob is already stored, and even when the whole
// bundle is already imported); re-verifies vendor evidence through a hook
// per verification method on the stored copies; optionally runs a virus
// scanner; and then switches the catalog in one bbolt transaction. Every
// attempt is a ledger row; one that gets as far as reading payloads first
// writes a "started" row, which the row that ends it names, so an import
// whose process died is visible. The media are only read.
//
// The bundle comes opened in place from the media (Import), or from an
// import stream that another process reads off the media and sends over
// the admin socket (ImportFrom with media.ReadStream): payloads are then
// stored straight from the stream, so every path reads them exactly once,
// in the order of media.Manifest.Payloads.
//
//	ingest.go            Import, ImportFrom, Options, Result, RecordRefusal;
//	                     the steps of one import and the commit
//	payloads.go          copyPayloads: every payload hashed once, in stream
//	                     order, missing blobs stored; again: an already
//	                     imported bundle checked and its blobs restored
//	repair.go            Options.Repair: restore the current catalog's
//	                     missing or quarantined blobs from an older signed
//	                     bundle, nothing else changed; why expiry does not
//	                     block a repair
//	rules.go             the sequence rules (first full, rollback, fork,
//	                     delta base); RefusedError and its Reason (what the
//	                     CLI explains to staff); LedgerReason: the ledger
//	                     row's reason code of an error
//	evidence.go          Evidence, Hooks, DefaultHooks: vendor evidence
//	                     checked again by the methods of media/evidence, on
//	                     the stored copies
//	scan.go              Scanner: --scan-command split into words, run per
//	                     batch
package ingest
