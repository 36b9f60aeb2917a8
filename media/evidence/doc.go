// Package evidence checks vendor evidence: each verification method the
// manifest can record is implemented here once, and both sides call it — the
// fetcher before it keeps a download, the mirror on the stored copy during
// an import. A check sees only the trust anchors of the artifact's vendor
// (verify.VendorTrust.For), so one vendor's keys never vouch for another's
// files.
//
// It builds on media (the Artifact and its verification record) and verify
// (the pure signature checks); it never imports fetcher or mirror.
//
//	evidence.go   Subject (the artifact and how to read it), Finding,
//	              Method, Methods (every method by name), DefaultTrust (every
//	              vendor's built-in anchors), Check, ErrUnknownMethod,
//	              ErrUnusable; vendors: the list of the vendors' parts
//	manual.go     "manual": files added by hand, hash only
//	clamav.go     "clamav-cvd", "clamav-cdiff", "clamav-sign"; ClamAV's keys
//	              and .sign root
//	microsoft.go  Microsoft Root CA 2010/2011, signer Microsoft Corporation
//	mozilla.go    "openpgp-sha512sums"; MozillaSums (the signed sums file);
//	              Mozilla's release key
//	roots/        the built-in certificates and keys (the same files as in
//	              testdata/fixtures, where their origins are written)
//
// Adding a vendor: a file here with its methods and anchors, and one line
// in vendors.
package evidence
