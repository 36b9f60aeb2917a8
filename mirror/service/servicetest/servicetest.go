package servicetest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// Open returns the Service under test for the mirror in data, which the
// suite has just created, with the clock now; the suite closes it.
type Open func(t *testing.T, data string, now func() time.Time) service.Service

// Run takes one new mirror through every operation of the Service that
// open returns, checking results and the classes of errors.
func Run(t *testing.T, open Open) {
	f := newFixture(t)
	data := filepath.Join(t.TempDir(), "data")
	if _, err := service.Create(data, service.InitRequest{Publishers: []string{f.publisherPEM}, Operator: "tester"}, service.Options{Now: f.now}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	svc := open(t, data, f.now)
	defer func() {
		if err := svc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	ctx := t.Context()

	st, err := svc.Status(ctx)
	if err != nil || st.Sequence != 0 || st.LastImport != nil || st.Publishers != 1 || st.LedgerRows != 1 || st.Catalog == nil {
		t.Fatalf("status of a new mirror: %+v, %v", st, err)
	}

	// An import, with the progress the caller shows.
	full := f.bundle(t, 1, 0, f.payloads...)
	var total, progress int64
	res, err := svc.Import(ctx, service.ImportRequest{Paths: []string{full}, Operator: "山田", Label: "USB-07",
		Total: func(n int64) { total += n }, Progress: func(n int64) { progress += n }})
	if err != nil || res.Status != ingest.StatusImported || res.Sequence != 1 || res.Files != len(f.payloads) || res.Copied != f.size() {
		t.Fatalf("import: %+v, %v", res, err)
	}
	if total != f.size() || progress != f.size() {
		t.Errorf("import progress: total %d, %d bytes, want %d", total, progress, f.size())
	}
	st, err = svc.Status(ctx)
	if err != nil || st.Sequence != 1 || st.StateCode != res.StateCode || st.LastImport == nil || st.Artifacts != len(f.payloads) || len(st.Catalog) != 1 {
		t.Fatalf("status after the import: %+v, %v", st, err)
	}
	if res, err := svc.Import(ctx, service.ImportRequest{Paths: []string{full}}); err != nil || res.Status != ingest.StatusAlreadyImported || res.Copied != 0 {
		t.Errorf("import again: %+v, %v", res, err)
	}

	// Refusals keep their classes.
	damaged := f.bundle(t, 2, 0, f.payloads...)
	flipped := flipPayload(t, damaged, f.payloads[0])
	_, err = svc.Import(ctx, service.ImportRequest{Paths: []string{damaged}, Label: "USB-08"})
	wantRefused(t, "damaged payload", err, verify.ErrMismatch, flipped, ingest.ReasonOther)
	unopenable := f.bundle(t, 2, 0, f.payloads...)
	os.WriteFile(filepath.Join(unopenable, "autorun.inf"), []byte("[autorun]\n"), 0o644)
	_, err = svc.Import(ctx, service.ImportRequest{Paths: []string{unopenable}, Label: "USB-09"})
	wantRefused(t, "unopenable bundle", err, media.ErrLayout, "autorun.inf", ingest.ReasonOther)
	_, err = svc.Import(ctx, service.ImportRequest{Paths: []string{f.bundle(t, 4, 3, f.payloads[0])}})
	wantRefused(t, "delta on another base", err, nil, "", ingest.ReasonWrongBase)
	var re *ingest.RefusedError
	if errors.As(err, &re) && re.Since != st.StateCode {
		t.Errorf("wrong base: since %q, want the state code %q", re.Since, st.StateCode)
	}

	// Trust: show, change, and changes refused as invalid requests.
	ti, err := svc.Trust(ctx)
	if err != nil || !slices.Equal(ti.PublisherKeyIDs, []string{f.publisher.ID()}) || len(ti.ApproverKeyIDs) != 0 || ti.VendorTrust != "built-in" || ti.Changes != nil || ti.VendorTrustFile == "" {
		t.Fatalf("trust: %+v, %v", ti, err)
	}
	ti, err = svc.ChangeTrust(ctx, service.TrustChange{Operator: "kacho", AddApprovers: []string{f.approverPEM}})
	if err != nil || !slices.Equal(ti.ApproverKeyIDs, []string{f.approver.ID()}) || !slices.Equal(ti.Changes, []string{"added approver " + f.approver.ID()}) {
		t.Fatalf("add an approver: %+v, %v", ti, err)
	}
	two := 2
	for name, req := range map[string]service.TrustChange{
		"unknown key":        {RemovePublishers: []string{"0000000000000000"}},
		"too many approvals": {Approvals: &two},
		"bad vendor trust":   {VendorTrust: &service.VendorTrustFile{Name: "vt.yaml", YAML: "surprise: true\n"}},
		"not a key":          {AddPublishers: []string{"-----BEGIN PUBLIC KEY-----\n"}},
	} {
		var ie *service.InvalidError
		if _, err := svc.ChangeTrust(ctx, req); !errors.As(err, &ie) {
			t.Errorf("trust change with %s: %v, want an invalid request", name, err)
		}
	}

	// The ledger holds every attempt, in order, and its chain holds.
	rows, err := svc.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var results []string
	for _, r := range rows {
		results = append(results, r.Result)
	}
	// Each attempt that read payloads has a started row, which the row
	// that ends it names.
	want := []string{ledger.ResultTrustChanged, ledger.ResultStarted, ledger.ResultImported, ledger.ResultStarted, ledger.ResultAlreadyImported,
		ledger.ResultStarted, ledger.ResultRefused, ledger.ResultRefused, ledger.ResultRefused, ledger.ResultTrustChanged}
	if !slices.Equal(results, want) || rows[2].Operator != "山田" || rows[7].Label != "USB-09" || rows[7].Bundle != "" || !strings.Contains(rows[7].Reason, "autorun.inf") ||
		rows[2].Started != rows[1].Number || rows[4].Started != rows[3].Number || rows[6].Started != rows[5].Number || rows[7].Started != 0 ||
		rows[1].Operator != "山田" || rows[1].Bundle != res.Bundle {
		t.Errorf("ledger: %q\n%+v", results, rows)
	}
	if c, err := svc.VerifyLedger(ctx, service.LedgerVerifyRequest{}); err != nil || c.Rows != len(rows) || len(c.Problems) != 0 {
		t.Errorf("verify ledger: %+v, %v", c, err)
	}
	checkLedgerCodes(t, svc, rows, res)

	// Scrub finds a damaged blob; the same media again restore it.
	if rep, err := svc.Scrub(ctx, service.ScrubRequest{}); err != nil || rep.Checked != len(f.payloads) || len(rep.Quarantined) != 0 {
		t.Errorf("scrub: %+v, %v", rep, err)
	}
	flipBlob(t, data, verify.SHA256Hex(f.payloads[1]))
	if rep, err := svc.Scrub(ctx, service.ScrubRequest{}); err != nil || len(rep.Quarantined) != 1 || !strings.HasPrefix(rep.Quarantined[0], verify.SHA256Hex(f.payloads[1])) {
		t.Errorf("scrub of a damaged blob: %+v, %v", rep, err)
	}
	if res, err := svc.Import(ctx, service.ImportRequest{Paths: []string{full}}); err != nil || res.Status != ingest.StatusAlreadyImported || res.Copied != int64(len(f.payloads[1])) {
		t.Errorf("import again after scrub: %+v, %v", res, err)
	}

	// GC.
	var ie *service.InvalidError
	if _, err := svc.GC(ctx, service.GCRequest{Keep: 0}); !errors.As(err, &ie) {
		t.Errorf("gc --keep 0: %v, want an invalid request", err)
	}
	if rep, err := svc.GC(ctx, service.GCRequest{Keep: 1}); err != nil || rep.KeptVersions != 1 || rep.RemovedBlobs != 0 {
		t.Errorf("gc: %+v, %v", rep, err)
	}
	if err := svc.RecordRefusal(ctx, service.Refusal{Label: "USB-10", Reason: "the medium was unreadable"}); err != nil {
		t.Errorf("record a refusal: %v", err)
	}
	if rows, err := svc.Ledger(ctx); err != nil || rows[len(rows)-1].Result != ledger.ResultRefused || rows[len(rows)-1].Label != "USB-10" {
		t.Errorf("the recorded refusal: %v", err)
	}
	if st, err := svc.Status(ctx); err != nil || len(st.Unfinished) != 0 || st.ImportRunning || st.LastAttempt == nil || st.LastAttempt.Label != "USB-10" {
		t.Errorf("status after attempts that all ended: %+v, %v", st, err)
	}

	repair(t, f, data, svc, full)
}

// repair takes the mirror to sequence 2 with a delta whose catalog keeps
// the payloads of sequence 1 (the media full), damages one of them, and
// repairs it from the media of sequence 1.
func repair(t *testing.T, f *fixture, data string, svc service.Service, full string) {
	ctx := t.Context()
	extra := []byte("ichitaro 2 readme")
	cat := media.Catalog{{Vendor: "justsystems", Product: "ichitaro", Version: "2"}}
	for _, p := range append(slices.Clone(f.payloads), extra) {
		cat[0].Artifacts = append(cat[0].Artifacts, verify.SHA256Hex(p))
	}
	delta := f.bundleWith(t, 2, 1, cat, extra)
	if res, err := svc.Import(ctx, service.ImportRequest{Paths: []string{delta}}); err != nil || res.Status != ingest.StatusImported || res.Copied != int64(len(extra)) {
		t.Fatalf("import of the delta: %+v, %v", res, err)
	}
	before, err := svc.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	damaged := verify.SHA256Hex(f.payloads[1])
	flipBlob(t, data, damaged)
	if rep, err := svc.Scrub(ctx, service.ScrubRequest{}); err != nil || len(rep.Quarantined) != 1 {
		t.Fatalf("scrub: %+v, %v", rep, err)
	}
	// Without --repair the old media are a rollback.
	_, err = svc.Import(ctx, service.ImportRequest{Paths: []string{full}})
	wantRefused(t, "old media without --repair", err, nil, "", ingest.ReasonRollback)
	// A damaged copy of them is refused, naming the file.
	tampered := copyDir(t, full)
	flippedFile := flipPayload(t, tampered, f.payloads[1])
	_, err = svc.Import(ctx, service.ImportRequest{Paths: []string{tampered}, Repair: true})
	wantRefused(t, "repair from damaged media", err, verify.ErrMismatch, flippedFile, ingest.ReasonOther)
	// The media as they were restore the blob, and nothing else changes.
	res, err := svc.Import(ctx, service.ImportRequest{Paths: []string{full}, Operator: "山田", Label: "USB-07", Repair: true})
	if err != nil || res.Status != ingest.StatusRepaired || res.Sequence != 1 || res.MirrorSequence != 2 || len(res.Restored) != 1 ||
		res.Restored[0].SHA256 != damaged || len(res.StillMissing) != 0 || res.StateCode != before.StateCode {
		t.Fatalf("repair: %+v, %v", res, err)
	}
	after, err := svc.Status(ctx)
	if err != nil || after.Sequence != 2 || after.StateCode != before.StateCode || !after.LastImport.Equal(*before.LastImport) ||
		after.LastAttempt == nil || after.LastAttempt.Result != ledger.ResultRepaired {
		t.Errorf("status after the repair: %+v, %v; before %+v", after, err, before)
	}
	rows, err := svc.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if end, start := rows[len(rows)-1], rows[len(rows)-2]; end.Result != ledger.ResultRepaired || end.Sequence != 1 || end.Files != 1 ||
		end.Bytes != int64(len(f.payloads[1])) || end.Started != start.Number || start.Result != ledger.ResultStarted || end.Number != res.Ledger {
		t.Errorf("the repair's ledger rows: %+v\n%+v", start, end)
	}
	if rep, err := svc.Scrub(ctx, service.ScrubRequest{}); err != nil || len(rep.Quarantined) != 0 {
		t.Errorf("scrub after the repair: %+v, %v", rep, err)
	}
	// Again: nothing to repair.
	if res, err := svc.Import(ctx, service.ImportRequest{Paths: []string{full}, Repair: true}); err != nil || res.Status != ingest.StatusNothingToRepair {
		t.Errorf("a second repair: %+v, %v", res, err)
	}
}

// wantRefused checks a refused import: the class, the file it names, the
// reason.
func wantRefused(t *testing.T, what string, err, class error, file string, reason ingest.Reason) {
	t.Helper()
	var re *ingest.RefusedError
	if !errors.As(err, &re) {
		t.Errorf("%s: %v, want a refusal", what, err)
		return
	}
	if re.Reason != reason || (class != nil && !errors.Is(err, class)) {
		t.Errorf("%s: %v (reason %d), want reason %d and %v", what, err, re.Reason, reason, class)
	}
	var fe *media.FileError
	if file != "" && (!errors.As(err, &fe) || fe.Path != file) {
		t.Errorf("%s: %v names file %v, want %s", what, err, fe, file)
	}
}

// flipBlob flips one byte of a stored blob.
func flipBlob(t *testing.T, data, sha string) {
	t.Helper()
	p := filepath.Join(data, store.BlobsDir, "sha256", sha[:2], sha)
	os.Chmod(p, 0o644)
	flipFile(t, p)
}

// checkLedgerCodes: an import reports the code of its ledger row; status
// and a check report the code now; codes written down match while the
// ledger holds their rows, others are reported; a request with no code in
// it is invalid.
func checkLedgerCodes(t *testing.T, svc service.Service, rows []ledger.Row, imported *ingest.Result) {
	t.Helper()
	ctx := t.Context()
	last := ledger.RowCode(rows[len(rows)-1])
	// rows[2]: the import's end row (rows[1] is its started row).
	if imported.LedgerCode != ledger.RowCode(rows[2]).String() || imported.Ledger != 3 {
		t.Errorf("import: ledger row %d, code %q; want row 3, code %s", imported.Ledger, imported.LedgerCode, ledger.RowCode(rows[2]))
	}
	if st, err := svc.Status(ctx); err != nil || st.LedgerCode != last.String() {
		t.Errorf("status: ledger code %q (%v), want %s", st.LedgerCode, err, last)
	}
	wrong := ledger.CodeOf(2, "another row")
	beyond := ledger.CodeOf(uint64(len(rows)+3), rows[len(rows)-1].Hash)
	c, err := svc.VerifyLedger(ctx, service.LedgerVerifyRequest{Codes: []ledger.Code{ledger.RowCode(rows[1]), last, wrong, beyond}})
	if err != nil {
		t.Fatalf("verify ledger codes: %v", err)
	}
	want := []string{ledger.CodeMatches, ledger.CodeMatches, ledger.CodeDiffers, ledger.CodeMissing}
	var got []string
	for _, r := range c.Codes {
		got = append(got, r.Status)
	}
	if !slices.Equal(got, want) || c.Code != last.String() || c.Intact() || len(c.Problems) != 0 {
		t.Errorf("verify ledger codes: %+v, want statuses %q and the code now %s", c, want, last)
	}
	if len(c.Codes) == 4 && (c.Codes[2].Found == nil || *c.Codes[2].Found != ledger.RowCode(rows[1]) || c.Codes[3].Found != nil || c.Codes[0].Code != ledger.RowCode(rows[1])) {
		t.Errorf("verify ledger codes: found %+v", c.Codes)
	}
	if c, err := svc.VerifyLedger(ctx, service.LedgerVerifyRequest{Codes: []ledger.Code{last}}); err != nil || !c.Intact() {
		t.Errorf("verify the code now: %+v, %v", c, err)
	}
	var ie *service.InvalidError
	if _, err := svc.VerifyLedger(ctx, service.LedgerVerifyRequest{Codes: []ledger.Code{{}}}); !errors.As(err, &ie) {
		t.Errorf("verify with an empty code: %v, want an invalid request", err)
	}
}
