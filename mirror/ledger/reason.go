package ledger

// Reason codes (Row.ReasonCode) say why a row was written in words no
// language owns, so the ledger reads in the language of whoever reads it:
// commands show the text of the code in the reader's language, followed by
// Row.Reason — the English detail (names, sizes, the scanner's report) —
// where it adds something. Row.ReasonArgs holds the values a code's text
// needs (the Arg* names). Codes are stored: never rename one; a code this
// release does not know is shown as its Reason. Rows written before codes
// existed have none, and are shown with their Reason as it is. A refused
// or failed import with no code is one no code describes: its Reason says
// what happened.
const (
	// Rows that start an import: it is reading the files on the medium.
	ReasonReading      = "reading"       // an import started reading and checking every file
	ReasonReadingAgain = "reading-again" // the same bundle again: every file is read and checked again
	ReasonRepairing    = "repairing"     // a repair started (ArgRestoring of ArgMissing files)

	// Rows that end an import well.
	ReasonAlreadyImported = "already-imported"          // the same bundle again; nothing changed
	ReasonRestored        = "already-imported-restored" // the same bundle again; ArgRestored missing files restored
	ReasonNothingToRepair = "nothing-to-repair"         // --repair: every file in place (ArgMirrorSequence)
	ReasonRepaired        = "repaired"                  // --repair: ArgRestored restored, ArgMissing still missing (ArgMirrorSequence)

	// Imports refused because of the bundle or the medium.
	ReasonSignature       = "signature"        // the publisher signature does not verify with a trusted key
	ReasonApprovals       = "approvals"        // not enough approvals
	ReasonExpired         = "expired"          // the bundle is past its expiry
	ReasonNotYetValid     = "not-yet-valid"    // the bundle is dated in the future
	ReasonDamaged         = "damaged"          // a file's content differs from the signed record
	ReasonForbiddenPath   = "forbidden-path"   // a forbidden name or file type
	ReasonManifest        = "manifest"         // bundle.json is not a valid manifest
	ReasonLayout          = "layout"           // files missing, added or renamed on the medium
	ReasonTooLarge        = "too-large"        // a file beyond the format's limits
	ReasonMetadata        = "metadata"         // a malformed metadata file (.xz)
	ReasonUnreadable      = "unreadable"       // the medium or the import stream could not be read
	ReasonFirstNotFull    = "first-not-full"   // the mirror is empty and the bundle is a delta
	ReasonSite            = "site"             // the bundle is for another site
	ReasonRollback        = "rollback"         // older than the mirror's sequence
	ReasonFork            = "fork"             // another bundle.json with the same sequence was imported
	ReasonWrongBase       = "wrong-base"       // a delta on ArgBase, the mirror at ArgMirrorSequence (state code ArgSince)
	ReasonMissingArtifact = "missing-artifact" // the catalog needs a file neither in the bundle nor on the mirror
	ReasonCatalogAddress  = "catalog-address"  // two current files would share one address
	ReasonUnknownMethod   = "unknown-method"   // vendor evidence of a method this release does not know
	ReasonVendorEvidence  = "vendor-evidence"  // vendor evidence that does not hold
	ReasonMalware         = "malware"          // the virus scanner found something
	ReasonScanError       = "scan-error"       // the virus scanner failed
	ReasonNotRepairable   = "not-repairable"   // --repair: nothing imported yet, or the bundle is newer
	ReasonNotOnMedium     = "not-on-medium"    // --repair: the medium holds none of the missing files

	// Imports that failed on this machine.
	ReasonDiskFull    = "disk-full"   // not enough free space
	ReasonInterrupted = "interrupted" // stopped (Ctrl-C, service stop) before the end

	// Trust changes (ResultTrustChanged).
	ReasonMirrorCreated = "mirror-created" // ArgPublishers, ArgApprovers, ArgApprovals, ArgVendorTrust
	ReasonTrustChanged  = "trust-changed"  // the Arg*Added, Arg*Removed, ArgApprovals, ArgVendorTrust that changed
)

// Names of Row.ReasonArgs. Numbers are decimal; key IDs are separated by
// spaces; ArgVendorTrust is the file's name, "" for the built-in vendor
// trust.
const (
	ArgSince          = "since"           // the mirror's state code, for `export --since`
	ArgBase           = "base"            // the sequence a delta is based on
	ArgMirrorSequence = "mirror_sequence" // the mirror's sequence (a repair does not change it)
	ArgRestored       = "restored"        // files restored
	ArgRestoring      = "restoring"       // files a repair is about to restore
	ArgMissing        = "missing"         // files missing (before or after a repair)
	ArgPublishers     = "publishers"      // publisher key IDs
	ArgApprovers      = "approvers"       // approver key IDs
	ArgApprovals      = "approvals"       // approvals required
	ArgVendorTrust    = "vendor_trust"    // vendor trust file, "" for the built-in one

	ArgPublishersAdded   = "publishers_added"
	ArgPublishersRemoved = "publishers_removed"
	ArgApproversAdded    = "approvers_added"
	ArgApproversRemoved  = "approvers_removed"
)

// ReasonCodes lists every reason code, for the translations of commands to
// be checked against.
func ReasonCodes() []string {
	return []string{
		ReasonReading, ReasonReadingAgain, ReasonRepairing,
		ReasonAlreadyImported, ReasonRestored, ReasonNothingToRepair, ReasonRepaired,
		ReasonSignature, ReasonApprovals, ReasonExpired, ReasonNotYetValid, ReasonDamaged, ReasonForbiddenPath,
		ReasonManifest, ReasonLayout, ReasonTooLarge, ReasonMetadata, ReasonUnreadable, ReasonFirstNotFull,
		ReasonSite, ReasonRollback, ReasonFork, ReasonWrongBase, ReasonMissingArtifact, ReasonCatalogAddress,
		ReasonUnknownMethod, ReasonVendorEvidence, ReasonMalware, ReasonScanError, ReasonNotRepairable,
		ReasonNotOnMedium,
		ReasonDiskFull, ReasonInterrupted,
		ReasonMirrorCreated, ReasonTrustChanged,
	}
}

// Results lists every result (Row.Result), and Verdicts every scan verdict
// (Row.ScanVerdict), for the translations of commands to be checked
// against.
func Results() []string {
	return []string{ResultImported, ResultAlreadyImported, ResultRefused, ResultFailed, ResultTrustChanged,
		ResultStarted, ResultRepaired}
}

// Verdicts: see Results.
func Verdicts() []string { return []string{ScanClean, ScanDetected, ScanError, ScanNotScanned} }
