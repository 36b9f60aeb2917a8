// Package fetcher is the internet-side half of patchferry: configuration,
// the download engine, the content-addressed cache, the fetch state, and
// export of full and delta bundles through package media. Vendor sources
// live in fetcher/sources (one file per vendor); the fake vendor upstream
// used by tests and the demo in fetcher/vendortest.
//
// It may import media and verify; never mirror or clients (DESIGN.md).
//
//	config.go     Config, LoadConfig, DefaultConfig (default.yaml, embedded):
//	              YAML whose unknown keys and invalid values name the line
//	download.go   Downloader: bounded parallelism, resume (Range/If-Range),
//	              conditional requests (Meta, Head), retries with backoff,
//	              bandwidth limit, size limits, hashing while downloading
//	cache.go      Cache: <cache_dir>/blobs/sha256/ab/<sha256>, partial/
//	state.go      State (bbolt <cache_dir>/state.db): artifacts and their
//	              evidence, what each source found current, HTTP validators,
//	              which sequence shipped which artifact
//	fetch.go      Source, Env (Keep, Refuse, KeepEvidence), Run, Summary
//	export.go     Export: the next bundle — full, delta on the last bundle,
//	              or --since a sequence or the mirror's state code
//	manual.go     AddManual: files added by hand (method "manual")
//
// Words: an artifact counts as fetched only once its hash and vendor
// signature checked out and it is recorded in the state (Env.Keep).
package fetcher
