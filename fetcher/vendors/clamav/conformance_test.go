package clamav_test

import (
	"testing"

	"github.com/patchferry/patchferry/fetcher/vendors/clamav"
	"github.com/patchferry/patchferry/fetcher/vendortest/conformance"
	"github.com/patchferry/patchferry/mirror/ingest/ingesttest"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, clamav.Vendor{}, conformance.Mirror{Import: ingesttest.Import, EvidenceRefused: ingesttest.EvidenceRefused})
}
