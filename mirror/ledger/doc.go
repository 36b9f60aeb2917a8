// Package ledger is the import ledger (媒体持込台帳): one row for every
// import attempt, successful or not, and for every trust change. Rows are
// hash-chained — each holds the SHA-256 of the previous row — so Verify
// detects an edited, inserted or removed row. CSV writes the rows for Excel
// (UTF-8 with BOM, one header row).
//
//	ledger.go  Row, Append, All, Verify
//	format.go  the v2 row and head format: encode, seal/unseal, readLink (any version), readHead
//	v1.go      rowV1: the frozen v1 rule, for rows written before rows carried a version
//	csv.go     WriteCSV (Japanese or English header)
//
// # Row format
//
// The rows live in the store's "ledger" bucket under their number (8 bytes,
// big-endian); the key "head" holds the number and hash of the last row, so
// removed last rows are detected. Each row says how it is hashed:
//
// v2 (written since the format carried a version). The body is a JSON object
// that starts with "v":2 and holds every field of Row but hash, prev (the
// previous row's hash, "" for row 1) among them:
//
//	body   = {"v":2,"number":8,"time":"…",…,"prev":"1f43…063c"}
//	hash   = hex(SHA-256(prev ‖ "\n" ‖ body))
//	stored = body without its closing "}" ‖ ,"hash":"<hash>"}
//
// So the stored value is JSON that decodes into Row, and the hash covers
// exactly the bytes stored but the hash member itself: Verify cuts that
// fixed-length member off (unseal) and hashes what is left, never re-encoding
// a row. A release that adds, drops or renames fields keeps "v":2 and its
// rows verify here, and this release's rows verify there. The version
// changes only when this layout or the hash rule does; a row or head of a
// version this release does not know is reported, and Append refuses to
// continue a head it does not know.
//
// v1 (no "v"; written up to commit a2a7147). The stored value is Row encoded
// with encoding/json, hash last; the hash is hex(SHA-256(prev ‖ "\n" ‖ the
// same encoding with "hash":"")). It is verified by re-encoding with rowV1,
// a frozen copy of Row as it was then, so changes to Row never affect it. A
// re-encoding cannot see edits that decode to the same row (a key's letter
// case, a \u escape's hex case); v2 can.
//
// A v1 head is {"number":N,"hash":"…"}, a v2 head the same with "v":2 first.
// A ledger may start with v1 rows and go on with v2 rows: the first v2 row's
// prev is the last v1 row's hash. testdata/ holds a ledger written by the v1
// code and one continued by the first v2 release (see testdata/README.md).
package ledger
