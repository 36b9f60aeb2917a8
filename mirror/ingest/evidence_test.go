package ingest_test

// Vendor evidence through Import, against real vendor files: ClamAV CVDs,
// cdiffs and .sign files and Mozilla SHA512SUMS(.asc) made by the vendors'
// fakes (test-only here: no HTTP, just their files and keys), put into
// bundles with media.Write. Each method on its own is tested in
// media/evidence.

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/fetcher/vendors/vendorstest"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// cvdHeader is the header evidence the fetcher keeps of a CVD.
func cvdHeader(cvd []byte) []byte {
	return bytes.TrimRight(cvd[:verify.CVDHeaderSize], "\x00")
}

// vendorInput is one payload of a vendor bundle.
type vendorInput struct {
	data []byte
	art  media.Artifact
}

// vendorBundle writes a full bundle (sequence 1) of the inputs and meta
// files and opens it; opt may change the options and contents.
func vendorBundle(t *testing.T, inputs []vendorInput, meta map[string][]byte, opt ...func(*media.WriteOptions, *mediatest.Contents)) (string, *media.Bundle) {
	t.Helper()
	c := mediatest.Contents{Meta: meta}
	for _, in := range inputs {
		c.Files = append(c.Files, mediatest.File{Data: in.data, Artifact: in.art})
	}
	o := media.WriteOptions{Created: created}
	for _, fn := range opt {
		fn(&o, &c)
	}
	w := mediatest.Write(t, o, c)
	b, err := media.Open(w.Dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	return w.Dirs[0], b
}

// A method the mirror does not know is refused by the import (each known
// one is tested in media/evidence).
func TestImportRefusesUnknownMethod(t *testing.T) {
	t.Parallel()
	dir, _ := vendorBundle(t, []vendorInput{{[]byte("x"), media.Artifact{Vendor: "example", Product: "tool", Version: "1",
		FileName: "tool.exe", Verification: media.Verification{Method: "authenticode"}}}}, nil)
	st := newStore(t)
	_, err := ingest.Import(t.Context(), st, []string{dir}, options())
	var re *ingest.RefusedError
	if !errors.As(err, &re) || re.Reason != ingest.ReasonUnknownMethod || !strings.Contains(err.Error(), `method "authenticode"`) {
		t.Fatalf("Import = %v, want refused for the unknown method", err)
	}
}

// Through Import: with the vendors in the mirror's vendor trust, genuine
// evidence imports; altered evidence is refused, written to the ledger, and
// changes nothing.
func TestImportVendorEvidence(t *testing.T) {
	t.Parallel()
	f := vendorstest.Get()
	vtYAML, err := f.Trust.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	newVendorStore := func(t *testing.T) *store.Store {
		st, err := store.Create(filepath.Join(t.TempDir(), "mirror"), store.Trust{
			Publishers: []string{string(keys(t).Publisher.Public().PEM())}, VendorTrust: string(vtYAML)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	header := "clamav-daily-2.cvd-header"
	inputs := []vendorInput{
		{f.CVD, vendorstest.CVDArtifact("2", header)},
		{f.CVDSign, vendorstest.SignArtifact("2", "daily-2.cvd.sign")},
		{f.Cdiff, vendorstest.CdiffArtifact("2")},
		{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName, vendorstest.AscName)},
	}
	good := map[string][]byte{header: cvdHeader(f.CVD), vendorstest.SumsName: f.Sums, vendorstest.AscName: f.Asc}

	t.Run("genuine", func(t *testing.T) {
		t.Parallel()
		st := newVendorStore(t)
		dir, _ := vendorBundle(t, inputs, good)
		if res := mustImport(t, st, dir); res.Status != ingest.StatusImported || res.Files != 4 {
			t.Errorf("result %+v", res)
		}
		checkConsistent(t, st)
	})
	// A .sign the CDN published after the fetcher took its file: it comes
	// in a later delta, and is checked against the file on the mirror.
	t.Run("late .sign", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name string
			sign []byte
			ok   bool
		}{{"genuine", f.CVDSign, true}, {"of other bytes", f.CVD1Sign, false}} {
			st := newVendorStore(t)
			dir, _ := vendorBundle(t, inputs[:1], map[string][]byte{header: cvdHeader(f.CVD)})
			mustImport(t, st, dir)
			before := snapshot(t, st)
			delta, _ := vendorBundle(t, []vendorInput{{tc.sign, vendorstest.SignArtifact("2", "daily-2.cvd.sign")}}, nil,
				func(o *media.WriteOptions, c *mediatest.Contents) {
					o.Sequence, o.Base = 2, 1
					c.Catalog = media.Catalog{{Vendor: "clamav", Product: "daily", Version: "2",
						Artifacts: []string{sha(f.CVD), sha(tc.sign)}}}
				})
			_, err := ingest.Import(t.Context(), st, []string{delta}, options())
			var re *ingest.RefusedError
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s: Import of the late .sign: %v", tc.name, err)
			case !tc.ok && (!errors.As(err, &re) || re.Reason != ingest.ReasonVendorEvidence || !errors.Is(err, verify.ErrBadSignature)):
				t.Errorf("%s: Import = %v, want refused: the .sign does not sign the stored file", tc.name, err)
			case !tc.ok && snapshot(t, st) != before:
				t.Errorf("%s: the refused import changed the store", tc.name)
			}
			checkConsistent(t, st)
		}
	})
	for name, meta := range map[string]map[string][]byte{
		"cvd header":    {header: cvdHeader(f.CVD1), vendorstest.SumsName: f.Sums, vendorstest.AscName: f.Asc},
		"sums by other": {header: cvdHeader(f.CVD), vendorstest.SumsName: f.Sums, vendorstest.AscName: f.AscOther},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := newVendorStore(t)
			before := snapshot(t, st)
			dir, _ := vendorBundle(t, inputs, meta)
			_, err := ingest.Import(t.Context(), st, []string{dir}, options())
			var re *ingest.RefusedError
			if !errors.As(err, &re) || re.Reason != ingest.ReasonVendorEvidence || !strings.Contains(err.Error(), "vendor evidence does not hold") {
				t.Fatalf("Import = %v, want refused for the evidence", err)
			}
			if snapshot(t, st) != before {
				t.Error("the refused import changed the store")
			}
			if row := lastRow(t, st); row.Result != ledger.ResultRefused || !strings.Contains(row.Reason, "vendor evidence") {
				t.Errorf("ledger row %q: %q", row.Result, row.Reason)
			}
			// Evidence is checked on the stored copies; the ones that
			// failed are not kept.
			if blobs := listFiles(t, filepath.Join(st.Dir(), "blobs")); len(blobs) != 0 {
				t.Errorf("blobs kept after refused evidence: %v", blobs)
			}
			checkConsistent(t, st)
		})
	}
}
