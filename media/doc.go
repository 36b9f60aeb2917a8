// Package media is the bundle format v1: the manifest, its detached
// signatures, a writer that lays a bundle out on transfer media (one
// directory or several volumes), and a strict streaming reader that reads in
// place from read-only media.
//
// # On media
//
//	<media root>/patchferry-<site>-<seq>/          one bundle
//	<media root>/patchferry-<site>-<seq>-vol01of03/  … or one volume of it
//	  bundle.json                manifest; its exact bytes are what is signed
//	  bundle.json.sig            publisher signature: base64 of an ASN.1 DER
//	                             ECDSA P-256/SHA-256 signature (cosign format)
//	  approvals/<name>.sig       approver countersignatures, same format,
//	                             over the approval message (below)
//	  files/sha256/ab/<sha256>   payloads as they are
//	  files/sha256/ab/<sha256>.part-0001 …  pieces of a payload larger than
//	                             --max-file-size (default 4 GiB − 1, FAT32)
//	  meta/<name>.xz             vendor metadata and evidence, xz-compressed
//	  README.txt                 what this is and how to import it (ja, en;
//	                             times in the writing machine's zone)
//	  volume.json                volumes only: which files this volume holds
//
// # Manifest (bundle.json), format 1
//
//	format      1
//	site        site name, [a-z0-9-], part of the folder name
//	sequence    bundle number, monotonic per publisher (1, 2, …)
//	base        0 for a full bundle; else a delta that needs the mirror at
//	            exactly this sequence
//	created     RFC 3339 time of writing (--created / SOURCE_DATE_EPOCH make
//	            it reproducible)
//	expires     RFC 3339; a reader refuses the bundle from then on (omitted:
//	            never)
//	catalog     full catalog state, even in a delta: per product the latest
//	            version and the SHA-256 of the artifacts that make it up
//	            {vendor, product, channel, version, artifacts[]}
//	artifacts   payloads in this bundle:
//	            vendor, product, channel, version, platform, language, kind,
//	            build_id (vendor build, e.g. Firefox's buildID; optional),
//	            file_name (a base name under the path rules), size, sha256,
//	            parts [{size, sha256}] (only when split), released (vendor
//	            release date), url (upstream), verification {method
//	            ("manual" = hash only, "manually added"; the vendors'
//	            methods are named in media/evidence), signer, key_id,
//	            time, evidence[] (names in meta), entry (the file's path in
//	            the evidence, e.g. in SHA512SUMS)}
//	retired     artifacts the mirror should stop offering
//	            {vendor, product, version, sha256}
//	meta        {name, size, sha256 (of the .xz), expanded (bytes after
//	            decompression)}
//
// The manifest names no key: signatures are detached, so a bundle can be
// re-signed or countersigned without changing it. A reader accepts any
// valid JSON encoding (only the signature over the exact bytes matters) but
// refuses unknown fields.
//
// # Signatures and roles
//
// The publisher signs the exact bytes of bundle.json (so `cosign
// verify-blob --key publisher.pub --signature bundle.json.sig
// --insecure-ignore-tlog=true bundle.json` accepts it). An approver signs a
// different message, the approval message (verify.ApprovalMessage), which
// names the role and the manifest's digest; its exact bytes are
//
//	"patchferry approval v1\n" + "sha256:" + <64 lower-case hex of the
//	SHA-256 of the bundle.json bytes> + "\n"
//
// (95 bytes, ASCII). Both are ECDSA P-256 over SHA-256 of the message. A
// publisher signature therefore never counts as an approval, and an
// approval never passes as a publisher signature (bundle.json is a JSON
// object and never starts with "patchferry"). Approvals made before this
// format (over the bundle.json bytes) are refused and named as the old
// format: re-approve with this version. One key holds one role: a mirror
// refuses a key listed both as publisher and approver, and Verify never
// counts the key that signed as publisher as an approver, even when it is
// listed as one; one approver key counts once.
//
// # Limits and path rules
//
// MaxManifestSize, MaxArtifacts, MaxParts, MaxMeta are checked before
// anything is allocated for them. One payload has at most MaxArtifactSize
// bytes (1 TiB), a meta file at most MaxMetaExpanded, so no sum of sizes
// can overflow; a manifest claiming more is refused, naming the file,
// before any file is read. Every name (file names, meta names,
// approver names, every entry found on the medium) passes ValidName: no
// "..", slash, backslash, drive letter, NUL or control character. Every
// field that becomes a path segment on the mirror — vendor, product,
// channel, version, platform, language and file_name of artifacts, and
// vendor, product, channel and version of catalog and retired entries —
// passes ValidSegment, the stricter one rule set (ValidName, and no
// leading dot or space); channel, platform and language may be empty.
// Write, the fetcher (before it keeps a file), and every reader (Validate:
// bundle verify, mirror import) apply it, and errors name the field. The reader
// refuses symbolic links, devices and any file the manifest does not list.
// An .xz file is opened only after its SHA-256 matched, its block headers
// ask for at most MaxXZDict of dictionary, and each block's data ends where
// the index says.
//
// # The catalog terminals prove
//
// A catalog entry names a product's current version and its artifacts by
// SHA-256 only; a delta bundle lists only the artifacts that are new. The
// mirror resolves each entry's SHA-256s to the artifacts one signed manifest
// lists under that product (ResolveCatalog): the bundle being imported,
// else the bundle that brought the artifact before. An artifact keeps its
// own version (daily-2.cdiff stays version 2 in the entry of daily 6);
// the entry's version is its product version. The mirror serves the
// manifest and signatures of every bundle that still brings a current
// artifact, and the sequence of that bundle per artifact, so a terminal
// that holds only the publisher keys and the approval threshold proves
// every field (Trust.ProveCatalog): each manifest's signatures and
// approvals, its site and sequence, and that resolving the current
// manifest's catalog against them gives exactly the artifacts claimed.
// Every artifact's TreePath (vendor/product/version/[platform/]
// [language/]file_name) is its own: Validate refuses a manifest in which
// two different files share one (CheckTreePaths), and the mirror refuses
// an import whose resolved catalog would.
//
// # Import stream
//
// ReadStream and WriteStream carry one bundle from the process that reads
// the media to the one that imports it (the mirror's admin socket): the
// manifest, the signatures and the meta files first, then the payload files
// in the order of Manifest.Payloads, each in data chunks, so the receiver
// reads every payload once, in place, straight from the stream (stream.go
// has the frame grammar). A Bundle reads its files through one small seam,
// source: the bundle directories (Open) or the stream (ReadStream).
//
// # Code map
//
//	manifest.go      Manifest and its parts, ParseManifest (strict), Validate,
//	                 Marshal, Payloads (the one reading order), Paths;
//	                 CheckSegments: the path rules over named fields
//	path.go          ValidName, ValidSegment, ValidPath: the path rules
//	catalog.go       TreePath, Label, CheckTreePaths (no two files at one /files/
//	                 address), Current, ResolveCatalog (the one way the
//	                 mirror and terminals list a catalog's artifacts),
//	                 Products
//	proof.go         SignedManifest, Trust.Check, Trust.ProveCatalog: a
//	                 terminal proves a mirror's catalog with its trust alone
//	layout.go        DirName: patchferry-<site>-<seq>[-volNNofMM]
//	volume.go        VolumeIndex (volume.json)
//	writer.go        Write: stage, sign, fsync everything, durable rename of
//	                 the staging directories into place
//	copy.go          payload copy (copy_file_range where the OS has it), each
//	                 chunk read back and hashed; inputs hashed two at a time,
//	                 finished in order
//	plan.go          part size and volume assignment, CatalogOf
//	writemeta.go     xz compression of meta files
//	open.go          Bundle, Open: finding bundle folders (folder, volumes in
//	                 any order, media root), merging volumes; FileError,
//	                 MissingError (a path that is not there: medium not
//	                 mounted), ErrLayout
//	tree.go          the layout walk: nothing unlisted, no links or devices
//	signatures.go    bundle.json.sig and approvals/*.sig of every volume
//	verify.go        Trust, Verdict, Verify (signatures, approvals, expiry),
//	                 Size
//	source.go        source, the seam between a Bundle and its files;
//	                 dirSource (directories); readers that check and name
//	                 the file
//	payload.go       OpenArtifact, CheckFiles
//	meta.go          OpenMeta, CheckMeta
//	stream.go        the import stream's grammar; ReadStream: structure and
//	                 staged meta files
//	streamframe.go   frames of an import stream, the sender's errors
//	streamsource.go  streamSource: payloads read in place, in stream order
//	streamwrite.go   WriteStream
//	approve.go       Approve: write an approver countersignature (over
//	                 verify.ApprovalMessage); CanApprove
//	readme.go        README.txt in Japanese and English, times in the
//	                 writer's zone (WriteOptions.Zone)
//	statecode.go     CatalogHash, StateCode: the short code of a catalog
//	xzcheck.go       structure, dictionary and block-boundary pre-check of .xz
//	                 files
//	size.go          ParseSize: K/M/G powers of 10, Ki/Mi/Gi powers of 2
//	durable/         temp → fsync → rename → fsync(dir)
//	evidence/        the vendors' verification methods, run by the fetcher and
//	                 the mirror alike, and their built-in trust anchors
//	mediatest/       test support: test keys, payload bytes, bundles from bytes
package media
