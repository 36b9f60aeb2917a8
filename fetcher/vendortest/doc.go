// Package vendortest is a fake vendor upstream, like net/http/httptest: an
// HTTP server that serves faithful vendor fixtures in the vendors' exact
// formats, made by code at start — ClamAV CVDs and cdiffs signed with test
// keys exactly as ClamAV signs, Mozilla product-details, installers and
// SHA512SUMS signed with a test OpenPGP key, a DNS TXT answer — with real HTTP
// semantics (Range, ETag, If-None-Match/If-Modified-Since → 304, HEAD,
// redirects) and injected faults (reset mid-body, 503, slow body, wrong
// length, Range ignored, no ETag). Tests use it; so does `patchferry demo`.
//
// The test vendors' roots and keys are collected in VendorTrust, which the
// fetcher and the mirror take through their normal vendor-trust setting —
// the same verification code paths as for the real vendors.
//
//	upstream.go  Upstream: files, faults, request log, serving
//	clamav.go    ClamAV databases, cdiffs, .sign files, DNS TXT records
//	dns.go       ServeDNS: a small UDP DNS server for the TXT records
//	mozilla.go   product-details, installers, MARs, SHA512SUMS(.asc)
package vendortest
