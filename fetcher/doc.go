// Package fetcher is the internet-side half of patchferry: configuration,
// the download engine, the content-addressed cache, the fetch state, and
// export of full and delta bundles through package media. Each vendor is a
// package under fetcher/vendors, listed in its registry; this package
// never imports one (commands hand the list in). The fake vendor upstream
// used by tests and the demo is fetcher/vendortest, the suite every vendor
// runs fetcher/vendortest/conformance.
//
// It may import media and verify; never mirror or clients (DESIGN.md).
//
//	config.go     Config, Settings, LoadConfig, DefaultConfig, DefaultYAML
//	              (default.yaml, embedded, plus each vendor's section): YAML
//	              whose unknown keys and invalid values name the line; each
//	              source's section decoded with its vendor's type; the value
//	              types vendors use (HTTPURL, HostPort, Word, Count);
//	              Origins, MarshalOrigins: where each value comes from
//	              (config show)
//	configerror.go ConfigError and what it wraps: UnknownKeyError (with
//	              the known key it most resembles, or the section it is
//	              indented too little for), DuplicateKeyError, KindError,
//	              SyntaxError (the line that breaks the YAML, not the
//	              block's first); keyCheck: the walk that finds them
//	vendor.go     Vendor, SourceConfig, SourceBase, EnabledSources
//	download.go   Downloader: bounded parallelism, resume (Range/If-Range),
//	              conditional requests (Meta, Head), retries with backoff
//	              (none for an unreachable host: UnreachableError),
//	              bandwidth limit (golang.org/x/time/rate), size limits,
//	              SHA-256 and SHA-512 of what is written, while it is written
//	cache.go      Cache: <cache_dir>/blobs/sha256/ab/<sha256>, partial/
//	state.go      State (bbolt <cache_dir>/state.db): artifacts and their
//	              evidence, what each source found current, HTTP validators,
//	              which sequence shipped which artifact
//	fetch.go      Source, Env (Admit: the vendor's evidence check from
//	              media/evidence, then keep; Unchanged, KeepPrevious, Refuse,
//	              KeepEvidence), Candidate, Run, Summary; Order: the order
//	              artifacts are listed in
//	export.go     Export: the next bundle — full, delta on the last bundle,
//	              or --since a sequence or the mirror's state code; never
//	              one with nothing to carry, never to a missing media
//	              folder (CheckOut)
//	manual.go     AddManual: files added by hand (method "manual"), dated
//	              as told or by their modification time
//
// Words: an artifact counts as fetched only once its hash and vendor
// signature checked out and it is recorded in the state (Env.Admit).
package fetcher
