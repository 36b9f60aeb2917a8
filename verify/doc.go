// Package verify holds patchferry's pure checks: bytes, trusted keys and a
// time go in, a verdict comes out. It touches no disk, network or clock and
// imports no other patchferry package (the dependency rule in DESIGN.md).
//
// Code map:
//
//	clamav*.go    ClamAV: ParseCVDHeader/Encode, VerifyCVD (scheme A, raw
//	              RSA over MD5; header bound to the signed .info), ParseCdiff, VerifyCdiff (scheme B, PSS-like),
//	              CdiffBuildTime (the new .info header's build time, from
//	              the first lines of the script),
//	              VerifyClamSign (scheme C, .sign PKCS#7 via relic),
//	              ParseClamAVTXT (DNS TXT of current.cvd.clamav.net)
//	digest.go     Reader, Copy: SHA-256 and size checked while streaming
//	              (a limit L refuses byte L+1); DigestError, SizeError
//	keys.go       GenerateKeyPair, ParsePrivateKey, ParsePublicKey: the
//	              sigstore/cosign PEM formats (ENCRYPTED SIGSTORE PRIVATE KEY,
//	              scrypt + secretbox; ENCRYPTED COSIGN PRIVATE KEY reads too)
//	openpgp.go    VerifyDetachedArmored (vendor .asc, subkeys), ParseSums (SHA512SUMS)
//	recover.go    SignerCandidates: the keys an ECDSA P-256 signature may
//	              be by (public key recovery, SEC 1 §4.1.6), for messages
//	              that name the signer of an untrusted signature
//	signature.go  Sign (deterministic ECDSA P-256/SHA-256, RFC 6979),
//	              EncodeSignature / DecodeSignature (the base64 DER text that
//	              cosign sign-blob writes), PublicKey.Verify through sigstore
//	threshold.go  ApprovalMessage (what an approver signs), Signer
//	              (UntrustedError: the keys tried and the candidates),
//	              Approvals: which distinct trusted keys approved a manifest
//	              and the threshold (one key twice counts once, the
//	              publisher never)
//	validity.go   CheckValidity: created/expires judged against an
//	              injected "now" (ValidityError carries the times)
//	vendortrust.go VendorTrust (vendor-trust.yaml, format 2; format 1 read
//	              and upgraded), Anchors: one vendor's roots, keys and signer
//	              constraints; For(vendor, product) gives a check only its
//	              vendor's anchors (the built-in ones: media/evidence)
//	verifytest/   test support: the public vendor samples in
//	              testdata/fixtures
//
// Words:
//
//	anchors      what a vendor's signatures are checked against: its
//	             Authenticode roots with the organizations they may sign
//	             for, its OpenPGP keys pinned by fingerprint, ClamAV's keys
//	             and .sign roots. Scoped: a check sees one vendor's only.
//	key ID       the first 16 hex digits of SHA-256 over the key's
//	             PKIX DER encoding; what messages and the ledger show
//	publisher    the key that signs bundle.json (bundle.json.sig)
//	approver     a key whose countersignature (approvals/<name>.sig) counts
//	             toward the mirror's approval threshold (上司の承認)
package verify
