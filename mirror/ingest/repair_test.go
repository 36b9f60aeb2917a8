package ingest_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// repairFixture is a mirror at sequence 2, a delta that keeps artifact a
// of sequence 1 in its catalog and drops old; b came with sequence 2.
type repairFixture struct {
	st        *store.Store
	a, b, old file
	seq1      string // the media of sequence 1 (a and old)
	seq2      string // the media of sequence 2 (b)
}

// repairFiles are a, b and old of a repairFixture.
func repairFiles() (a, b, old file) {
	return payload("a.exe", 201, 300_000), payload("b.exe", 202, 70_000), payload("old.exe", 203, 50_000)
}

func newRepairFixture(t *testing.T, seq1 spec) *repairFixture {
	t.Helper()
	f := &repairFixture{st: newStore(t)}
	f.a, f.b, f.old = repairFiles()
	seq1.seq, seq1.files = 1, []file{f.a, f.old}
	f.seq1, _ = writeBundle(t, seq1)
	f.seq2, _ = writeBundle(t, spec{seq: 2, base: 1, files: []file{f.b},
		catalog: media.Catalog{{Vendor: "mozilla", Product: "firefox", Version: "145.0", Artifacts: []string{sha(f.a.data), sha(f.b.data)}}}})
	mustImport(t, f.st, f.seq1)
	mustImport(t, f.st, f.seq2)
	return f
}

// damage flips a byte of each blob (removes it when remove is set) and
// scrubs: scrub quarantines them.
func (f *repairFixture) damage(t *testing.T, remove bool, files ...file) {
	t.Helper()
	for _, x := range files {
		p := f.st.BlobPath(sha(x.data))
		if remove {
			f.st.RemoveBlob(sha(x.data))
			continue
		}
		editFile(t, p, flip(len(x.data)/2))
	}
	rep, err := f.st.Scrub(t.Context(), now, nil)
	if err != nil || len(rep.Quarantined) != len(files) {
		t.Fatalf("scrub: %+v, %v; want %d quarantined", rep, err, len(files))
	}
}

func (f *repairFixture) quarantined(t *testing.T) map[string]store.QuarantineRecord {
	t.Helper()
	var q map[string]store.QuarantineRecord
	if err := f.st.View(func(tx *bolt.Tx) (err error) { q, err = store.Quarantined(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return q
}

func repairOptions() ingest.Options {
	o := options()
	o.Repair = true
	return o
}

func repair(t *testing.T, st *store.Store, dir string, o ingest.Options) (*ingest.Result, error) {
	t.Helper()
	o.Repair = true
	return ingest.Import(t.Context(), st, []string{dir}, o)
}

// A blob the current catalog uses, brought by an older sequence than the
// mirror's, is damaged and quarantined by scrub. Importing the old media
// is a rollback; repairing from them restores it, and only it, without
// touching the catalog or the sequence; the ledger says so.
func TestRepairRestoresBlobOfOlderSequence(t *testing.T) {
	f := newRepairFixture(t, spec{})
	f.damage(t, false, f.a, f.old) // old: a blob the current catalog does not use
	before := snapshot(t, f.st)

	var re *ingest.RefusedError
	if _, err := ingest.Import(t.Context(), f.st, []string{f.seq1}, options()); !errors.As(err, &re) || re.Reason != ingest.ReasonRollback {
		t.Fatalf("import of the old media without --repair: %v, want a rollback refusal", err)
	}

	rowsBefore := len(ledgerRows(t, f.st))
	var progress int64
	o := repairOptions()
	o.Progress = func(n int64) { progress += n }
	res, err := repair(t, f.st, f.seq1, o)
	if err != nil {
		t.Fatalf("repair: %v", err)
	}
	if res.Status != ingest.StatusRepaired || res.Sequence != 1 || res.MirrorSequence != 2 || len(res.Restored) != 1 ||
		res.Restored[0].SHA256 != sha(f.a.data) || res.Restored[0].FileName != "a.exe" || res.Restored[0].FirstSequence != 1 ||
		len(res.StillMissing) != 0 || res.Copied != int64(len(f.a.data)) || res.StateCode != state(t, f.st).StateCode {
		t.Errorf("repair result %+v", res)
	}
	if want := int64(len(f.a.data) + len(f.old.data)); progress != want || res.Bytes != want {
		t.Errorf("repair read %d bytes (result %d), want every byte on the medium (%d)", progress, res.Bytes, want)
	}
	if after := snapshot(t, f.st); after != before {
		t.Errorf("the repair changed the state, sequences or artifacts:\nbefore %s\nafter  %s", before, after)
	}
	if got := fileSHA(t, f.st.BlobPath(sha(f.a.data))); got != sha(f.a.data) {
		t.Errorf("a's blob hashes to %s after the repair", got)
	}
	if f.st.HasBlob(sha(f.old.data)) {
		t.Error("the repair stored a blob the current catalog does not use")
	}
	q := f.quarantined(t)
	if _, ok := q[sha(f.a.data)]; ok {
		t.Error("a is still quarantined")
	}
	if _, ok := q[sha(f.old.data)]; !ok {
		t.Error("old's quarantine record was cleared")
	}

	started, row := attempt(t, ledgerRows(t, f.st), rowsBefore)
	if started == nil || row.Result != ledger.ResultRepaired || row.Sequence != 1 || row.Files != 1 || row.Bytes != int64(len(f.a.data)) ||
		row.Number != res.Ledger || !strings.Contains(row.Reason, `"a.exe"`) || !strings.Contains(row.Reason, "stays at sequence 2") ||
		row.Operator != "tanaka" || row.Label != "USB-07" || len(row.Signers) != 1 {
		t.Errorf("repair ledger rows: started %+v, end %+v", started, row)
	}
	if started == nil || started.ReasonCode != ledger.ReasonRepairing || started.ReasonArgs[ledger.ArgRestoring] != "1" ||
		row.ReasonCode != ledger.ReasonRepaired || row.ReasonArgs[ledger.ArgRestored] != "1" || row.ReasonArgs[ledger.ArgMirrorSequence] != "2" {
		t.Errorf("repair ledger rows' reason codes: started %+v, end %+v", started, row)
	}

	// The restored blob is sound: scrub finds nothing new, and Check finds
	// only old (quarantined, and no longer used).
	if rep, err := f.st.Scrub(t.Context(), now, nil); err != nil || len(rep.Quarantined) != 0 {
		t.Errorf("scrub after the repair: %+v, %v", rep, err)
	}
	problems, err := f.st.Check(t.Context())
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], sha(f.old.data)) {
		t.Errorf("Check after the repair: %q, %v; want only old missing", problems, err)
	}

	// Nothing is missing now: a second repair says so without reading the
	// medium, in one ledger row.
	rowsBefore, progress = len(ledgerRows(t, f.st)), 0
	res, err = repair(t, f.st, f.seq1, o)
	if err != nil || res.Status != ingest.StatusNothingToRepair || progress != 0 || res.Copied != 0 {
		t.Fatalf("repair of a sound mirror: %+v, %v (read %d bytes)", res, err, progress)
	}
	if started, row := attempt(t, ledgerRows(t, f.st), rowsBefore); started != nil || row.Result != ledger.ResultRepaired ||
		!strings.Contains(row.Reason, "nothing to repair") || row.Files != 0 || row.ReasonCode != ledger.ReasonNothingToRepair ||
		row.ReasonArgs[ledger.ArgMirrorSequence] != "2" {
		t.Errorf("ledger of a repair with nothing to do: %+v, %+v", started, row)
	}
	if after := snapshot(t, f.st); after != before {
		t.Error("a repair with nothing to do changed the store")
	}
}

// A repair refuses media it cannot trust or use, and changes nothing: a
// damaged medium (named, even when the damaged file is not one the mirror
// needs), a bundle newer than the mirror, another signer, a fork, a
// medium without the missing files.
func TestRepairRefusals(t *testing.T) {
	k := keys(t)
	a, _, old := repairFiles()
	cases := []struct {
		name   string
		media  func(t *testing.T, f *repairFixture) string
		want   []string
		reason ingest.Reason
		class  error
		read   bool // refused while reading the payloads: a started row
	}{
		{
			name: "damaged copy of the missing file",
			media: func(t *testing.T, f *repairFixture) string {
				editFile(t, filepath.Join(f.seq1, filepath.FromSlash(media.PayloadPath(sha(f.a.data)))), flip(100))
				return f.seq1
			},
			want: []string{media.PayloadPath(sha(a.data))}, class: verify.ErrMismatch, read: true,
		},
		{
			name: "damaged copy of another file",
			media: func(t *testing.T, f *repairFixture) string {
				editFile(t, filepath.Join(f.seq1, filepath.FromSlash(media.PayloadPath(sha(f.old.data)))), flip(100))
				return f.seq1
			},
			want: []string{media.PayloadPath(sha(old.data))}, class: verify.ErrMismatch, read: true,
		},
		{
			name: "bundle newer than the mirror",
			media: func(t *testing.T, f *repairFixture) string {
				dir, _ := writeBundle(t, spec{seq: 3, files: []file{f.a}})
				return dir
			},
			want: []string{"bundle sequence 3 is newer than the mirror's sequence 2", "without --repair"}, reason: ingest.ReasonNotRepairable,
		},
		{
			name: "another signer",
			media: func(t *testing.T, f *repairFixture) string {
				dir, _ := writeBundle(t, spec{seq: 1, files: []file{f.a, f.old}, key: k.Other})
				return dir
			},
			want: []string{media.SignatureName}, class: media.ErrSignature,
		},
		{
			name: "fork of sequence 1",
			media: func(t *testing.T, f *repairFixture) string {
				dir, _ := writeBundle(t, spec{seq: 1, files: []file{f.a}})
				return dir
			},
			want: []string{"sequence 1 was imported with a different bundle.json (fork refused)"}, reason: ingest.ReasonFork,
		},
		{
			name: "another site",
			media: func(t *testing.T, f *repairFixture) string {
				dir, _ := writeBundle(t, spec{site: "town", seq: 1, files: []file{f.a, f.old}})
				return dir
			},
			want: []string{`the bundle is for site "town"`}, reason: ingest.ReasonSite,
		},
		{
			name: "medium without the missing file",
			media: func(t *testing.T, f *repairFixture) string {
				return f.seq2 // b only; a is missing
			},
			want: []string{"holds none of the 1 file(s) the mirror is missing", `"a.exe"`, "sequence 1"}, reason: ingest.ReasonNotOnMedium,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newRepairFixture(t, spec{})
			f.damage(t, true, f.a)
			dir := tc.media(t, f)
			before, rowsBefore := snapshot(t, f.st), len(ledgerRows(t, f.st))
			res, err := repair(t, f.st, dir, options())
			var re *ingest.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("repair = %+v, %v; want refused", res, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if re.Reason != tc.reason || (tc.class != nil && !errors.Is(err, tc.class)) {
				t.Errorf("refusal %v: reason %d, want %d and %v", err, re.Reason, tc.reason, tc.class)
			}
			if snapshot(t, f.st) != before {
				t.Error("the refused repair changed the store")
			}
			if f.st.HasBlob(sha(f.a.data)) {
				t.Error("the refused repair left a's blob")
			}
			if _, ok := f.quarantined(t)[sha(f.a.data)]; !ok {
				t.Error("the refused repair cleared the quarantine")
			}
			started, row := attempt(t, ledgerRows(t, f.st), rowsBefore)
			if (started != nil) != tc.read || row.Result != ledger.ResultRefused || row.Reason != err.Error() {
				t.Errorf("ledger: started %+v, end %+v", started, row)
			}
			if cur := state(t, f.st); cur.Sequence != 2 {
				t.Errorf("the mirror is at sequence %d, want 2", cur.Sequence)
			}
		})
	}
}

// An expired bundle may repair (the bytes are proven by the current
// catalog's SHA-256, which was verified in time); the approvals the
// mirror requires are still required.
func TestRepairExpiryAndApprovals(t *testing.T) {
	k := keys(t)
	f := newRepairFixture(t, spec{expires: now.Add(24 * time.Hour)})
	f.damage(t, false, f.a)
	late := options()
	late.Now = func() time.Time { return now.Add(60 * 24 * time.Hour) }
	res, err := repair(t, f.st, f.seq1, late)
	if err != nil || res.Status != ingest.StatusRepaired || len(res.Restored) != 1 {
		t.Fatalf("repair from an expired bundle: %+v, %v", res, err)
	}

	// Now the mirror requires one approval: the same (unapproved) bundle
	// no longer repairs.
	f.damage(t, false, f.a)
	err = f.st.Update(func(tx *bolt.Tx) error {
		tr, err := store.GetTrust(tx)
		if err != nil {
			return err
		}
		tr.Approvers, tr.Threshold = []string{string(k.Approver.Public().PEM())}, 1
		return store.PutTrust(tx, tr)
	})
	if err != nil {
		t.Fatal(err)
	}
	var re *ingest.RefusedError
	if _, err := repair(t, f.st, f.seq1, late); !errors.As(err, &re) || !strings.Contains(err.Error(), media.ApprovalsDir) {
		t.Fatalf("repair without the required approval: %v, want refused", err)
	}
	if f.st.HasBlob(sha(f.a.data)) {
		t.Error("an unapproved repair stored the blob")
	}
}

// Blobs from two sequences are missing: the medium of one restores its
// own and the result names the other, with the sequence that brought it.
func TestRepairPartly(t *testing.T) {
	f := newRepairFixture(t, spec{})
	f.damage(t, true, f.a, f.b)
	res, err := repair(t, f.st, f.seq1, options())
	if err != nil || res.Status != ingest.StatusRepaired || len(res.Restored) != 1 || res.Restored[0].FileName != "a.exe" ||
		len(res.StillMissing) != 1 || res.StillMissing[0].FileName != "b.exe" || res.StillMissing[0].FirstSequence != 2 {
		t.Fatalf("repair of a: %+v, %v", res, err)
	}
	if row := lastRow(t, f.st); !strings.Contains(row.Reason, `still missing 1 file(s): "b.exe"`) {
		t.Errorf("ledger reason %q does not name what is still missing", row.Reason)
	}
	// The current bundle (already imported) restores b: nothing remains.
	res, err = repair(t, f.st, f.seq2, options())
	if err != nil || len(res.Restored) != 1 || len(res.StillMissing) != 0 {
		t.Fatalf("repair of b: %+v, %v", res, err)
	}
	checkConsistent(t, f.st)
}

// A repair runs the virus scanner over the files it restores; on a
// detection they are removed again and stay quarantined.
func TestRepairScan(t *testing.T) {
	f := newRepairFixture(t, spec{})
	f.damage(t, false, f.a)
	o := options()
	o.Scanner = &ingest.Scanner{Argv: []string{script(t, "[ \"$1\" = --version ] && { echo 'Scanner 1.0'; exit 0; }\necho \"$1: Eicar FOUND\"\nexit 1\n")}}
	_, err := repair(t, f.st, f.seq1, o)
	var re *ingest.RefusedError
	if !errors.As(err, &re) || re.Reason != ingest.ReasonMalware {
		t.Fatalf("repair with a detection: %v", err)
	}
	if f.st.HasBlob(sha(f.a.data)) {
		t.Error("the detected blob was kept")
	}
	if _, ok := f.quarantined(t)[sha(f.a.data)]; !ok {
		t.Error("the detected blob is no longer quarantined")
	}
	if row := lastRow(t, f.st); row.ScanVerdict != ledger.ScanDetected || row.Started == 0 {
		t.Errorf("ledger row %+v", row)
	}
}
