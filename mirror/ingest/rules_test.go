package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// TestSequenceRules imports bundles one after another into a new store and
// checks each outcome. A refused step must leave the state as it was and
// add a ledger row saying why.
func TestSequenceRules(t *testing.T) {
	a := []file{payload("a.exe", 1, 3000)}
	b := []file{payload("b.exe", 2, 4000)}
	c := []file{payload("c.exe", 3, 5000)}
	type step struct {
		spec   spec
		status string // success: ingest.StatusImported or StatusAlreadyImported
		refuse string // refused: the error contains this; "{state}" stands for the current state code
		reason ingest.Reason
	}
	imported := ingest.StatusImported
	cases := []struct {
		name  string
		steps []step
	}{
		{"first bundle is a delta", []step{
			{spec: spec{seq: 2, base: 1, files: a}, refuse: "the first bundle must be a full bundle", reason: ingest.ReasonFirstNotFull},
			{spec: spec{seq: 1, files: a}, status: imported}, // and a full one then goes in
		}},
		{"newer full bundle", []step{
			{spec: spec{seq: 1, files: a}, status: imported},
			{spec: spec{seq: 5, files: b}, status: imported},
		}},
		{"delta on the current sequence", []step{
			{spec: spec{seq: 1, files: a}, status: imported},
			{spec: spec{seq: 2, base: 1, files: b}, status: imported},
			{spec: spec{seq: 3, base: 2, files: c}, status: imported},
		}},
		{"older sequence (rollback)", []step{
			{spec: spec{seq: 2, files: a}, status: imported},
			{spec: spec{seq: 1, files: b}, refuse: "bundle sequence 1 is older than the mirror's sequence 2 (rollback refused)", reason: ingest.ReasonRollback},
		}},
		{"older delta (rollback)", []step{
			{spec: spec{seq: 1, files: a}, status: imported},
			{spec: spec{seq: 3, files: b}, status: imported},
			{spec: spec{seq: 2, base: 1, files: c}, refuse: "rollback refused", reason: ingest.ReasonRollback},
		}},
		{"same bundle again", []step{
			{spec: spec{seq: 1, files: a}, status: imported},
			{spec: spec{seq: 1, files: a}, status: ingest.StatusAlreadyImported},
			{spec: spec{seq: 1, files: a}, status: ingest.StatusAlreadyImported},
		}},
		{"same sequence, different bundle (fork)", []step{
			{spec: spec{seq: 1, files: a}, status: imported},
			{spec: spec{seq: 1, files: b}, refuse: "sequence 1 is already imported with a different bundle.json (fork refused)", reason: ingest.ReasonFork},
		}},
		{"same sequence, same files, other expiry (fork)", []step{
			{spec: spec{seq: 1, files: a}, status: imported},
			{spec: spec{seq: 1, files: a, expires: now.Add(24 * time.Hour)}, refuse: "fork refused", reason: ingest.ReasonFork},
		}},
		{"delta on another base", []step{
			{spec: spec{seq: 1, files: a}, status: imported},
			{spec: spec{seq: 2, files: b}, status: imported},
			{spec: spec{seq: 3, base: 1, files: c}, refuse: "this is a delta on sequence 1, but the mirror is at sequence 2; on the internet side run `patchferry export --since {state}`", reason: ingest.ReasonWrongBase},
		}},
		{"delta ahead of the mirror", []step{
			{spec: spec{seq: 1, files: a}, status: imported},
			{spec: spec{seq: 4, base: 3, files: b}, refuse: "patchferry export --since {state}", reason: ingest.ReasonWrongBase},
		}},
		{"bundle for another site", []step{
			{spec: spec{site: "city-a", seq: 1, files: a}, status: imported},
			{spec: spec{site: "city-b", seq: 2, files: b}, refuse: `the bundle is for site "city-b", this mirror serves site "city-a"`, reason: ingest.ReasonSite},
		}},
		{"same sequence for another site", []step{
			{spec: spec{site: "city-a", seq: 1, files: a}, status: imported},
			{spec: spec{site: "city-b", seq: 1, files: a}, refuse: `site "city-b"`, reason: ingest.ReasonSite},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			for i, s := range tc.steps {
				dir, m := writeBundle(t, s.spec)
				before := snapshot(t, st)
				rowsBefore := len(ledgerRows(t, st))
				var code string
				if cur := state(t, st); cur != nil {
					code = cur.StateCode
				}
				res, err := ingest.Import(t.Context(), st, []string{dir}, options())
				// A refusal by the sequence rules comes before any payload is
				// read: one row. An import (also of the same bundle again,
				// which reads the media in full) starts and ends: two.
				started, row := attempt(t, ledgerRows(t, st), rowsBefore)
				if (started == nil) != (s.refuse != "") {
					t.Errorf("step %d: started row %+v; want one exactly when the payloads were read", i+1, started)
				}
				if row.Bundle != filepath.Base(dir) || row.Sequence != m.Sequence || row.Base != m.Base || row.Operator != "tanaka" || row.Label != "USB-07" {
					t.Errorf("step %d: ledger row %+v does not describe the attempt", i+1, row)
				}
				if s.refuse != "" {
					want := strings.ReplaceAll(s.refuse, "{state}", code)
					var re *ingest.RefusedError
					if err == nil || !errors.As(err, &re) {
						t.Fatalf("step %d: Import = %v, %v; want refused with %q", i+1, res, err, want)
					}
					if !strings.Contains(err.Error(), want) {
						t.Errorf("step %d: error %q does not contain %q", i+1, err, want)
					}
					if re.Reason != s.reason || (s.reason == ingest.ReasonWrongBase) != (re.Since == code && code != "") {
						t.Errorf("step %d: reason %d, since %q; want reason %d (since %q for a wrong base)", i+1, re.Reason, re.Since, s.reason, code)
					}
					if after := snapshot(t, st); after != before {
						t.Errorf("step %d: a refused import changed the store:\nbefore %s\nafter  %s", i+1, before, after)
					}
					if row.Result != ledger.ResultRefused || row.Reason != err.Error() {
						t.Errorf("step %d: ledger row %q %q, want refused with the error", i+1, row.Result, row.Reason)
					}
					wantCode := map[ingest.Reason]string{ingest.ReasonFirstNotFull: ledger.ReasonFirstNotFull, ingest.ReasonRollback: ledger.ReasonRollback,
						ingest.ReasonFork: ledger.ReasonFork, ingest.ReasonWrongBase: ledger.ReasonWrongBase, ingest.ReasonSite: ledger.ReasonSite}[s.reason]
					if row.ReasonCode != wantCode || (s.reason == ingest.ReasonWrongBase) != (row.ReasonArgs[ledger.ArgSince] == code && code != "") {
						t.Errorf("step %d: ledger row's reason code %q, args %q; want %q (since %q for a wrong base)", i+1, row.ReasonCode, row.ReasonArgs, wantCode, code)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: Import: %v", i+1, err)
				}
				if res.Status != s.status || res.Sequence != m.Sequence || res.Base != m.Base || res.Ledger != row.Number {
					t.Errorf("step %d: result %+v, want status %q for sequence %d (ledger row %d)", i+1, res, s.status, m.Sequence, row.Number)
				}
				cur := state(t, st)
				switch s.status {
				case ingest.StatusImported:
					if cur.Sequence != m.Sequence || cur.Site != m.Site || res.StateCode != cur.StateCode || cur.StateCode == code {
						t.Errorf("step %d: state %d %s %s after importing sequence %d", i+1, cur.Sequence, cur.Site, cur.StateCode, m.Sequence)
					}
					if row.Result != ledger.ResultImported || row.ReasonCode != "" || started == nil || started.ReasonCode != ledger.ReasonReading {
						t.Errorf("step %d: ledger row result %q, reason code %q (started: %+v)", i+1, row.Result, row.ReasonCode, started)
					}
				case ingest.StatusAlreadyImported:
					if after := snapshot(t, st); after != before {
						t.Errorf("step %d: importing the same bundle again changed the store", i+1)
					}
					if row.Result != ledger.ResultAlreadyImported || res.StateCode != code || res.Copied != 0 {
						t.Errorf("step %d: ledger row %q, state code %q (want %q), copied %d", i+1, row.Result, res.StateCode, code, res.Copied)
					}
					if row.ReasonCode != ledger.ReasonAlreadyImported || started == nil || started.ReasonCode != ledger.ReasonReadingAgain {
						t.Errorf("step %d: reason code %q, started %+v", i+1, row.ReasonCode, started)
					}
				}
			}
			checkConsistent(t, st)
		})
	}
}

// TestLedgerReason: every refusal reason and every typed error the ledger
// has a code for gets it (refusal reasons first: vendor evidence that does
// not hold wraps a digest mismatch, but is not a damaged medium); what no
// code describes gets none.
func TestLedgerReason(t *testing.T) {
	refused := func(r ingest.Reason, err error) error { return &ingest.RefusedError{Reason: r, Err: err} }
	cases := []struct {
		err  error
		code string
		args map[string]string
	}{
		{&ingest.RefusedError{Reason: ingest.ReasonWrongBase, Since: "2-ABCD", Err: errors.New("x")}, ledger.ReasonWrongBase, map[string]string{ledger.ArgSince: "2-ABCD"}},
		{refused(ingest.ReasonVendorEvidence, fmt.Errorf("checksum: %w", verify.ErrMismatch)), ledger.ReasonVendorEvidence, nil},
		{refused(ingest.ReasonCatalogAddress, errors.New("two files at /files/a")), ledger.ReasonCatalogAddress, nil},
		{refused(ingest.ReasonScanError, errors.New("scanner failed")), ledger.ReasonScanError, nil},
		{refused(ingest.ReasonNotOnMedium, errors.New("none")), ledger.ReasonNotOnMedium, nil},
		{refused(ingest.ReasonOther, &media.FileError{Path: "bundle.json.sig", Err: fmt.Errorf("%w: no", media.ErrSignature)}), ledger.ReasonSignature, nil},
		{refused(ingest.ReasonOther, &verify.LimitError{What: "bundle.json", Limit: 1}), ledger.ReasonTooLarge, nil},
		{refused(ingest.ReasonOther, fmt.Errorf("meta: %w", media.ErrXZ)), ledger.ReasonMetadata, nil},
		{refused(ingest.ReasonOther, &media.FileError{Path: "files", Err: fmt.Errorf("%w: x", media.ErrPath)}), ledger.ReasonForbiddenPath, nil},
		{refused(ingest.ReasonOther, errors.New("read /media/usb: input/output error")), ledger.ReasonUnreadable, nil},
		{refused(ingest.ReasonOther, fmt.Errorf("read: %w", context.Canceled)), ledger.ReasonInterrupted, nil},
		{fmt.Errorf("store a.exe: %w", store.ErrNoSpace), ledger.ReasonDiskFull, nil},
		{fmt.Errorf("copy: %w", context.DeadlineExceeded), ledger.ReasonInterrupted, nil},
		{errors.New("open mirror.db: permission denied"), "", nil},
	}
	for _, tc := range cases {
		code, args := ingest.LedgerReason(tc.err)
		if code != tc.code || !maps.Equal(args, tc.args) {
			t.Errorf("LedgerReason(%v) = %q, %q; want %q, %q", tc.err, code, args, tc.code, tc.args)
		}
	}
}
