package ingest

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// repair restores, from a signed bundle of the mirror's site whose sequence
// is not newer than the mirror's, the blobs the current catalog references
// that are missing or quarantined. Nothing else changes: not the catalog,
// the sequence, the artifact records, nor any blob the current catalog does
// not reference.
//
// The bundle is verified as for an import (publisher signature, approvals,
// format) except for its expiry: a repair stores only bytes whose SHA-256
// the current catalog — verified, in time, when it was imported — already
// names, so an old bundle can bring back nothing the mirror did not already
// accept; and the media that brought an old sequence have usually expired
// by the time scrub finds its blob damaged. Vendor evidence is not checked
// again (the bytes are those whose evidence was checked when they first
// came); the virus scanner, if given, runs over the restored blobs.
//
// When nothing is missing the answer is StatusNothingToRepair and the
// medium is not read. When something is missing but the medium holds none
// of it, the repair is refused (ReasonNotOnMedium). Otherwise every payload
// on the medium is read and hashed (a damaged medium is refused, as an
// import refuses it), the missing ones are stored, and the files still
// missing afterwards (brought by other sequences) are listed in the result.
func repair(ctx context.Context, st *store.Store, open func() (*media.Bundle, error), o Options, row *ledger.Row) (*Result, error) {
	b, err := open()
	if err != nil {
		return nil, refused(err)
	}
	m := b.Manifest
	manifestSHA := verify.SHA256Hex(b.Raw)
	row.Bundle, row.Sequence, row.Base = b.Name.String(), m.Sequence, m.Base

	if _, _, err := verifyBundle(st, b, repairTime(m, o.Now()), row); err != nil {
		return nil, err
	}
	var cur *store.State
	var missing []FileInfo
	var quarantined map[string]store.QuarantineRecord
	if err := st.View(func(tx *bolt.Tx) error {
		if cur, err = store.GetState(tx); err != nil {
			return err
		}
		if err := checkRepair(tx, cur, m, manifestSHA); err != nil {
			return err
		}
		missing, quarantined, err = missingBlobs(st, tx, cur)
		return err
	}); err != nil {
		return nil, err
	}
	// The result counts the bundle's files and the bytes read off the
	// medium, as an import's does; the ledger row counts what was restored.
	res := &Result{Bundle: row.Bundle, Sequence: m.Sequence, Base: m.Base, StateCode: cur.StateCode, MirrorSequence: cur.Sequence,
		Files: len(m.Artifacts), Signers: row.Signers, Approvers: row.Approvers, Scan: ledger.ScanNotScanned}
	row.Files, row.Bytes = 0, 0

	if len(missing) == 0 {
		res.Status = StatusNothingToRepair
		row.Result = ledger.ResultRepaired
		row.Reason = fmt.Sprintf("nothing to repair: every file the current catalog (sequence %d) uses is in place; the files on the medium were not read", cur.Sequence)
		row.ReasonCode, row.ReasonArgs = ledger.ReasonNothingToRepair, map[string]string{ledger.ArgMirrorSequence: strconv.FormatUint(cur.Sequence, 10)}
		return res, finish(st, o, row, res, nil)
	}
	onMedium := make(map[string]bool)
	for _, a := range m.Payloads() {
		onMedium[a.SHA256] = true
	}
	need := make(map[string]bool)
	for _, f := range missing {
		if onMedium[f.SHA256] {
			need[f.SHA256] = true
		}
	}
	if len(need) == 0 {
		return nil, refuseFor(ReasonNotOnMedium, "", "this medium (bundle sequence %d) holds none of the %d file(s) the mirror is missing: %s; bring the media of those sequences, or on the internet side run `patchferry export --full`",
			m.Sequence, len(missing), describe(missing))
	}

	// A quarantined blob still in blobs/ (not moved aside) is out of
	// service: it is replaced by the medium's copy.
	for sha := range need {
		if _, q := quarantined[sha]; q && st.HasBlob(sha) {
			if err := st.RemoveBlob(sha); err != nil {
				return nil, fmt.Errorf("remove the quarantined blob %s: %w", sha, err)
			}
		}
	}
	if err := start(st, o, row, ledger.ReasonRepairing,
		map[string]string{ledger.ArgRestoring: strconv.Itoa(len(need)), ledger.ArgMissing: strconv.Itoa(len(missing))},
		fmt.Sprintf("repair started: reading every file on the medium to restore %d of the %d files the mirror is missing", len(need), len(missing))); err != nil {
		return nil, err
	}
	written, err := copyPayloads(ctx, st, b, o, res, func(a *media.Artifact) bool { return need[a.SHA256] })
	removeWritten := func() {
		for _, sha := range written {
			st.RemoveBlob(sha)
		}
	}
	if err != nil {
		removeWritten()
		return nil, err
	}
	var paths []string
	for _, sha := range written {
		paths = append(paths, st.BlobPath(sha))
	}
	if o.Scanner != nil && len(paths) > 0 {
		if err := scan(ctx, st, paths, o.Scanner, written, row); err != nil {
			removeWritten()
			return nil, err
		}
		res.Scan = row.ScanVerdict
	}
	restored := make(map[string]bool)
	for _, sha := range written {
		restored[sha] = true
	}
	for _, f := range missing {
		if restored[f.SHA256] {
			res.Restored = append(res.Restored, f)
			row.Files++
			row.Bytes += f.Size
		} else {
			res.StillMissing = append(res.StillMissing, f)
		}
	}
	res.Bytes, res.Status = b.Size(), StatusRepaired
	row.Result = ledger.ResultRepaired
	row.Reason = fmt.Sprintf("repaired from bundle sequence %d (the mirror stays at sequence %d): restored %d file(s): %s; every file on the medium checked out",
		m.Sequence, cur.Sequence, len(res.Restored), describe(res.Restored))
	if len(res.StillMissing) > 0 {
		row.Reason += fmt.Sprintf("; still missing %d file(s): %s", len(res.StillMissing), describe(res.StillMissing))
	}
	row.ReasonCode, row.ReasonArgs = ledger.ReasonRepaired, map[string]string{ledger.ArgRestored: strconv.Itoa(len(res.Restored)),
		ledger.ArgMissing: strconv.Itoa(len(res.StillMissing)), ledger.ArgMirrorSequence: strconv.FormatUint(cur.Sequence, 10)}
	if err := finish(st, o, row, res, written); err != nil {
		removeWritten()
		return nil, err
	}
	return res, nil
}

// checkRepair applies the rules of a repair to a manifest against the
// mirror's state: the mirror has a catalog, the bundle is for its site, it
// is not newer than the mirror (that is an import), and it is not a fork
// of a sequence the mirror imported.
func checkRepair(tx *bolt.Tx, cur *store.State, m *media.Manifest, manifestSHA string) error {
	switch {
	case cur == nil:
		return refuseFor(ReasonNotRepairable, "", "this mirror has imported nothing yet, so there is nothing to repair; import a full bundle (without --repair)")
	case m.Site != cur.Site:
		return refuseFor(ReasonSite, "", "the bundle is for site %q, this mirror serves site %q", m.Site, cur.Site)
	case m.Sequence > cur.Sequence:
		return refuseFor(ReasonNotRepairable, "", "bundle sequence %d is newer than the mirror's sequence %d: a repair only uses bundles the mirror has moved past; import it without --repair", m.Sequence, cur.Sequence)
	}
	prev, err := store.GetSequence(tx, m.Sequence)
	if err != nil {
		return err
	}
	if prev != nil && prev.ManifestSHA256 != manifestSHA {
		return refuseFor(ReasonFork, "", "sequence %d was imported with a different bundle.json (fork refused); two bundles with the same sequence exist — find out which one is genuine before going on", m.Sequence)
	}
	return nil
}

// repairTime is the time a repair verifies the bundle at: now, or just
// before the bundle expired if it has (see repair).
func repairTime(m *media.Manifest, now time.Time) time.Time {
	if !m.Expires.IsZero() && !now.Before(m.Expires) {
		return m.Expires.Add(-time.Nanosecond)
	}
	return now
}

// missingBlobs lists the blobs the current catalog references that are not
// in the store or are quarantined, in catalog order, each under the name
// and sequence of its first record; and the quarantine records.
func missingBlobs(st *store.Store, tx *bolt.Tx, cur *store.State) ([]FileInfo, map[string]store.QuarantineRecord, error) {
	quarantined, err := store.Quarantined(tx)
	if err != nil {
		return nil, nil, err
	}
	var out []FileInfo
	seen := make(map[string]bool)
	for _, c := range cur.Catalog {
		for _, sha := range c.Artifacts {
			if seen[sha] {
				continue
			}
			seen[sha] = true
			if _, q := quarantined[sha]; !q && st.HasBlob(sha) {
				continue
			}
			recs, err := store.ArtifactsOf(tx, sha)
			if err != nil {
				return nil, nil, err
			}
			if len(recs) == 0 {
				return nil, nil, fmt.Errorf("catalog artifact %s has no record", sha)
			}
			sort.Slice(recs, func(i, j int) bool { return recs[i].FirstSequence < recs[j].FirstSequence })
			r := recs[0]
			out = append(out, FileInfo{FileName: r.FileName, SHA256: sha, Size: r.Size, FirstSequence: r.FirstSequence})
		}
	}
	return out, quarantined, nil
}

// finish writes the row that ends a repair (or the import of an already
// imported bundle) and clears the quarantine of the blobs it restored, in
// one transaction.
func finish(st *store.Store, o Options, row *ledger.Row, res *Result, restored []string) error {
	return st.Update(func(tx *bolt.Tx) error {
		for _, sha := range restored {
			if err := store.ClearQuarantine(tx, sha); err != nil {
				return err
			}
		}
		row.Time = o.Now()
		r, err := ledger.Append(tx, *row)
		res.Ledger, res.LedgerCode = r.Number, ledger.RowCode(r).String()
		return err
	})
}

// describe lists files for a message or the ledger: at most 10 by name,
// each with the sequence that brought it.
func describe(files []FileInfo) string {
	const max = 10
	var parts []string
	for i, f := range files {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(files)-max))
			break
		}
		parts = append(parts, fmt.Sprintf("%q (%d bytes, sequence %d)", f.FileName, f.Size, f.FirstSequence))
	}
	return strings.Join(parts, ", ")
}
