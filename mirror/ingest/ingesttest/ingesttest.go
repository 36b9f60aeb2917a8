package ingesttest

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// Import makes a new mirror in a temporary directory that trusts
// publisher and vt, and imports the bundle in dir as `patchferry mirror
// import` does (every check, the ledger row, all or nothing). It returns
// the import's error.
func Import(t testing.TB, dir string, publisher *verify.PublicKey, vt *verify.VendorTrust) error {
	t.Helper()
	raw, err := vt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Create(filepath.Join(t.TempDir(), "mirror"), store.Trust{Publishers: []string{string(publisher.PEM())}, VendorTrust: string(raw)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = ingest.Import(t.Context(), st, []string{dir}, ingest.Options{Operator: "conformance", Now: time.Now})
	return err
}

// EvidenceRefused reports whether err refused an import because a
// vendor's evidence did not hold.
func EvidenceRefused(err error) bool {
	var re *ingest.RefusedError
	return errors.As(err, &re) && re.Reason == ingest.ReasonVendorEvidence
}
