// Package ingest imports a bundle from media into the mirror store, all or
// nothing: it verifies the publisher signature, the approvals, the format,
// the expiry and the sequence rules; hashes every payload on the media once
// while storing it (even when its blob is already stored); re-verifies
// vendor evidence through a hook per verification method on the stored
// copies; optionally runs a virus scanner; and then switches the catalog in
// one bbolt transaction. Every attempt is a
// ledger row. The media are only read.
//
//	ingest.go    Import, Options, Result
//	rules.go     the sequence rules (first full, rollback, fork, delta base);
//	             RefusedError and its Reason (what the CLI explains to staff)
//	evidence.go  Evidence, Hooks, DefaultHooks: vendor evidence checked again
//	             by the methods of media/evidence, on the stored copies
//	scan.go      Scanner: --scan-command split into words, run per batch
package ingest
