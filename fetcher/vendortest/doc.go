// Package vendortest is a fake vendor upstream, like net/http/httptest: an
// HTTP server that serves faithful vendor fixtures in the vendors' exact
// formats, made by code at start, with real HTTP semantics (Range, ETag,
// If-None-Match/If-Modified-Since → 304, HEAD, redirects) and injected
// faults (reset mid-body, 503, slow body, wrong length, Range ignored, no
// ETag), and a DNS server for TXT records. Each vendor's part (its files,
// signed with test keys exactly as the vendor signs) lives in the vendor's
// package (fetcher/vendors/<name>, a Fake); tests use it, and so does
// `patchferry demo`.
//
// The test vendors' anchors are collected in VendorTrust, each under its
// vendor, which the fetcher and the mirror take through their normal
// vendor-trust setting — the same verification code paths as for the real
// vendors.
//
//	upstream.go   Upstream: files, faults, request log, serving, the test
//	              vendors' anchors
//	vendor.go     Vendor, Fake, Tamper: a vendor's part; Snapshot, Restore,
//	              Changed (what a tamper changed)
//	dns.go        SetTXT, ServeDNS: a small UDP DNS server for TXT records
//	conformance/  the suite every vendor runs, and the fetch rig
package vendortest
