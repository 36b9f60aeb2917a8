package mozilla_test

import (
	"testing"

	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
	"github.com/patchferry/patchferry/fetcher/vendortest/conformance"
	"github.com/patchferry/patchferry/mirror/ingest/ingesttest"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, mozilla.Vendor{}, conformance.Mirror{Import: ingesttest.Import, EvidenceRefused: ingesttest.EvidenceRefused})
}
