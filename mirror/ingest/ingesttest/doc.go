// Package ingesttest is test support: a real import into a new mirror, for
// suites outside the mirror that must see the LGWAN side refuse what a
// fetcher should never have bundled (fetcher/vendortest/conformance takes
// it as its Mirror; the fetcher itself may not import the mirror).
//
//	ingesttest.go  Import, EvidenceRefused
package ingesttest
