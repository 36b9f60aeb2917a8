// Package ledger is the import ledger (媒体持込台帳): one row for every
// import attempt, successful or not, and for every trust change. Rows are
// hash-chained — each holds the SHA-256 of the previous row — so Verify
// detects an edited, inserted or removed row that was not covered up by
// rewriting the rows after it. To catch that too, the chain is anchored
// outside the database: a ledger code (Code) written in the paper ledger
// after each import, and a copy of every row in the system log (Forward).
// CSV writes the rows for Excel (UTF-8 with BOM, one header row).
//
// Rows hold no language: the result, the scan verdict and the reason code
// are fixed words (reason.go), and Reason is the English detail. Commands
// translate them on output (the CSV's Words, the table); the system log
// gets them as stored.
//
//	ledger.go     Row, Append, All, Verify
//	format.go     the v2 row and head format: encode, seal/unseal, readLink (any version), readHead
//	v1.go         rowV1: the frozen v1 rule, for rows written before rows carried a version
//	reason.go     reason codes (Row.ReasonCode) and the names of their args; ReasonCodes, Results, Verdicts
//	csv.go        Columns, Words, WriteCSV (the header and texts in the caller's words; each row's ledger code)
//	code.go       Code: CodeOf, RowCode, ParseCode, HeadCode, CodeAt, CheckCodes
//	forward.go    Sink, Line, Forward: rows sent to a Sink after their commit
//	systemlog*.go SystemLog: the Sink of syslog (/dev/log) or the Windows event log
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
// rows verify here, and this release's rows verify there (so did adding
// reason_code and reason_args: rows without them are stored as before). The version
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
//
// # Ledger codes
//
// The ledger code of row n is "<n>-XXXX-XXXX-XXXX-XXXX": 15 characters of
// Crockford base 32 (0-9 A-Z without I L O U) holding the first 75 bits of
// SHA-256("patchferry ledger code v1\n" ‖ n in decimal ‖ "\n" ‖ the row's
// hash in hex), then one Luhn mod 32 character over the digits of n and
// those 15 characters. The code after an import is the code of its row:
// the ledger's head at that moment. ParseCode reads lower case, spaces or
// no dashes, and O, I, L for 0, 1, 1; the check character catches any one
// miswritten character (ErrCodeCheck, before the ledger is even looked
// at). CheckCodes says, for each code, whether the row of that number is
// still the row the code was taken from; with Verify's unbroken chain from
// row 1 that pins every row up to it.
//
// Why 75 bits: codes are public (they are on paper), and there is no
// secret on the mirror an attacker with the database file would not have.
// To hide a change to a row at or before a recorded code, they must build
// another valid chain whose row of that number hashes to the same 75 bits:
// a second-preimage search of about 2^75 SHA-256 computations. At 2·10^10
// per second (one high-end GPU) that is about 60,000 GPU-years; 40 bits,
// as short as the state code, would take a GPU under a minute. 16
// characters in four groups are still copied by hand like a product key.
//
// # What is detected, and what is not
//
// With a code written down (paper ledger), `mirror ledger --verify --code`
// detects any change to rows 1 to its number — an edited, removed,
// inserted or reordered row, even when every later hash and the head were
// recomputed, and rows removed from the end — as long as the chain is
// checked too (it always is).
//
// Without a code, Verify detects edits that were not covered up, but
// nothing in the database can tell a consistent rewrite (rows removed from
// the end and the head moved, or a row edited and every later row
// rehashed, or the whole ledger rebuilt) from the real ledger: the chain
// is public arithmetic. Rows after the last code written down are covered
// only by their copy in the system log.
//
// The system log copy (Forward, SystemLog) is sent after each row's
// transaction has committed, one line per row (Line: number, hash, code,
// time, result, reason code, sequence, operator, label, bundle, reason;
// text quoted).
// A row that cannot be sent is logged as an error and not sent again; a
// process run with --syslog=false sends nothing, and its rows are not sent
// later either. Someone with root (Administrator) on the mirror can also
// change or delete the local system log: forward it to a remote log
// server (rsyslog, Windows Event Forwarding) to keep a copy out of their
// reach. Nothing here stops an attacker from writing new rows or deleting
// the database; it makes a changed past visible.
package ledger
