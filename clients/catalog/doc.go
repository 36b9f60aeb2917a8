// Package catalog is the terminal's side of the mirror's catalog: it reads
// GET /v1/catalog and the signed manifests under /v1/bundles/, and proves
// every field a terminal uses with nothing but the trust it was enrolled
// with (publisher keys, approver keys, threshold) — never trusting the
// mirror itself.
//
// What is proven: the current manifest's and every contributing bundle's
// publisher signature and approvals (media.Trust.ProveCatalog); site,
// sequence, created, expires and state code of the catalog; every field of
// every artifact (vendor … verification, its own version, the product
// version, the bundle that brought it, its /blobs/ and /files/ URLs); the
// products list; the manifest digests in bundles. What is not: history
// (the mirror's own record of versions it carried, kept after gc, when the
// manifests that brought them may be gone).
//
//	verify.go  Verify: a decoded catalog against signed manifests
//	fetch.go   Client: GET the catalog and the manifests of its bundles,
//	           every read bounded
package catalog
