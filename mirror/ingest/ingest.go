package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// Options of one import.
type Options struct {
	Operator string
	Label    string
	Scanner  *Scanner // nil: no virus scan
	Hooks    Hooks    // nil: DefaultHooks()
	Now      func() time.Time
	// Progress receives the bytes read from the media; Total is called
	// once with the total before reading starts.
	Progress func(int64)
	Total    func(int64)
	Log      *slog.Logger
	// Repair restores, from an older (or the current) signed bundle, the
	// blobs the current catalog references that are missing or
	// quarantined, and changes nothing else (repair.go).
	Repair bool
	// Started, if set, is called with the number of the attempt's
	// "started" ledger row once it is written.
	Started func(row uint64)
}

// Status of a successful import.
const (
	StatusImported        = "imported"
	StatusAlreadyImported = "already imported"
	StatusRepaired        = "repaired"          // Repair restored files
	StatusNothingToRepair = "nothing to repair" // Repair found every file in place
)

// Result describes a successful import.
type Result struct {
	Status    string   `json:"status"`
	Bundle    string   `json:"bundle"`
	Sequence  uint64   `json:"sequence"`
	Base      uint64   `json:"base"`
	StateCode string   `json:"state_code"`
	Files     int      `json:"files"`
	Bytes     int64    `json:"bytes"`  // hashed on the media
	Copied    int64    `json:"copied"` // newly written to the store
	Signers   []string `json:"signers"`
	Approvers []string `json:"approvers"`
	Scan      string   `json:"scan"`
	Ledger    uint64   `json:"ledger_row"`

	// Of a repair: the mirror's sequence (unchanged; Sequence is the
	// bundle's), the files restored, and those still missing after it.
	MirrorSequence uint64     `json:"mirror_sequence,omitempty"`
	Restored       []FileInfo `json:"restored,omitempty"`
	StillMissing   []FileInfo `json:"still_missing,omitempty"`

	// LedgerCode is the ledger code right after the attempt's row (Ledger),
	// for the paper ledger.
	LedgerCode string `json:"ledger_code,omitempty"`
}

// FileInfo names a blob of the current catalog in a repair's result.
type FileInfo struct {
	FileName string `json:"file_name"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	// FirstSequence is the sequence of the bundle that first brought it
	// (the media that can restore it).
	FirstSequence uint64 `json:"first_sequence"`
}

// Import imports the bundle found in paths (a bundle folder, a media root,
// or volume folders in any order). On any error nothing visible changes:
// the catalog stays as it was, and blobs written so far are unreferenced
// (a run again copies only what is missing). Every attempt is a ledger row.
func Import(ctx context.Context, st *store.Store, paths []string, o Options) (*Result, error) {
	return ImportFrom(ctx, st, func() (*media.Bundle, error) { return media.Open(paths...) }, o)
}

// ImportFrom imports the bundle that open returns, as Import does: the
// media opened in place (media.Open), or an import stream read from another
// process (media.ReadStream). A bundle that cannot be opened is refused.
// Payloads are read exactly once each, in the order of
// Manifest.Payloads, on every path — also when the bundle is already
// imported, when every payload is still hashed on the media (a damaged copy
// is refused) and what is missing or quarantined on the mirror is restored.
// With o.Repair it repairs instead (repair.go).
//
// An attempt that gets as far as reading payloads writes a "started"
// ledger row first; the row that ends it names that row (Row.Started), so
// an attempt whose process died shows as a started row no row ends.
func ImportFrom(ctx context.Context, st *store.Store, open func() (*media.Bundle, error), o Options) (*Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Hooks == nil {
		o.Hooks = DefaultHooks()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	row := ledger.Row{Time: o.Now(), Operator: o.Operator, Label: o.Label, ScanVerdict: ledger.ScanNotScanned}
	if o.Scanner != nil {
		row.Scanner = o.Scanner.Name()
	}
	runner := run
	if o.Repair {
		runner = repair
	}
	res, err := runner(ctx, st, open, o, &row)
	if err == nil {
		return res, nil
	}
	row.Time, row.Result, row.Reason = o.Now(), ledger.ResultFailed, err.Error()
	row.ReasonCode, row.ReasonArgs = LedgerReason(err)
	var re *RefusedError
	if errors.As(err, &re) {
		row.Result = ledger.ResultRefused
	}
	o.Log.Warn("import "+row.Result, "bundle", row.Bundle, "reason", row.Reason)
	if lerr := st.Update(func(tx *bolt.Tx) error { _, err := ledger.Append(tx, row); return err }); lerr != nil {
		return nil, errors.Join(err, fmt.Errorf("the ledger row could not be written: %w", lerr))
	}
	return nil, err
}

func run(ctx context.Context, st *store.Store, open func() (*media.Bundle, error), o Options, row *ledger.Row) (*Result, error) {
	b, err := open()
	if err != nil {
		return nil, refused(err)
	}
	m := b.Manifest
	manifestSHA := verify.SHA256Hex(b.Raw)
	row.Bundle, row.Sequence, row.Base = b.Name.String(), m.Sequence, m.Base
	row.Files, row.Bytes = len(m.Artifacts), b.Size()

	trust, verdict, err := verifyBundle(st, b, o.Now(), row)
	if err != nil {
		return nil, err
	}
	var cur *store.State
	if err := st.View(func(tx *bolt.Tx) (err error) { cur, err = store.GetState(tx); return err }); err != nil {
		return nil, err
	}
	res := &Result{Bundle: row.Bundle, Sequence: m.Sequence, Base: m.Base, Files: row.Files, Bytes: row.Bytes,
		Signers: row.Signers, Approvers: row.Approvers, Scan: ledger.ScanNotScanned}
	noop, err := checkSequence(cur, m, manifestSHA)
	if err != nil {
		return nil, err
	}
	if noop {
		return again(ctx, st, b, o, row, res, cur)
	}
	if err := checkCatalog(st, b); err != nil {
		return nil, err
	}
	if err := start(st, o, row, ledger.ReasonReading, nil, "import started: reading and checking every file on the medium"); err != nil {
		return nil, err
	}
	written, err := copyPayloads(ctx, st, b, o, res, nil)
	if err != nil {
		return nil, err
	}
	// Vendor evidence is checked on the stored copies: the media are read
	// once. Blobs that fail are not kept.
	stored := &Evidence{Bundle: b,
		Open: func(_ context.Context, a *media.Artifact) (io.ReadCloser, error) {
			return st.OpenBlob(a.SHA256)
		},
		Stored: func(match func(*media.Artifact) bool) (*media.Artifact, error) {
			return findStored(st, match)
		}}
	if err := checkEvidence(ctx, stored, trust, o.Hooks); err != nil {
		for _, sha := range written {
			st.RemoveBlob(sha)
		}
		return nil, err
	}
	if o.Scanner != nil {
		if err := scan(ctx, st, bundleBlobs(st, b), o.Scanner, written, row); err != nil {
			return nil, err
		}
		res.Scan = row.ScanVerdict
	}
	return res, commit(st, b, manifestSHA, verdict, o, row, res)
}

// findStored returns an artifact on the mirror that match accepts, or nil.
func findStored(st *store.Store, match func(*media.Artifact) bool) (*media.Artifact, error) {
	var found *media.Artifact
	errFound := errors.New("found")
	err := st.View(func(tx *bolt.Tx) error {
		return store.ForEachArtifact(tx, func(r *store.ArtifactRecord) error {
			if match(&r.Artifact) && st.HasBlob(r.SHA256) {
				found = &r.Artifact
				return errFound
			}
			return nil
		})
	})
	if err != nil && !errors.Is(err, errFound) {
		return nil, err
	}
	return found, nil
}

// checkCatalog refuses a catalog that names an artifact neither in this
// bundle nor already on the mirror, and one whose current artifacts the
// file tree could not tell apart (two files at one /files/ address).
func checkCatalog(st *store.Store, b *media.Bundle) error {
	if err := checkFiles(st, b); err != nil {
		return err
	}
	return st.View(func(tx *bolt.Tx) error {
		_, err := resolveCurrent(tx, b.Manifest)
		return err
	})
}

// resolveCurrent lists the current artifacts the mirror serves once m is
// imported (store.ResolveCurrent), refusing a list in which two files
// would share a /files/ address.
func resolveCurrent(tx *bolt.Tx, m *media.Manifest) ([]media.Current, error) {
	prev, err := store.GetCurrent(tx)
	if err != nil {
		return nil, err
	}
	list, err := store.ResolveCurrent(tx, m, prev)
	if err != nil {
		return nil, refuseFor(ReasonMissingArtifact, "", "%v; on the internet side run `patchferry export --full`", err)
	}
	arts := make([]*media.Artifact, len(list))
	for i := range list {
		arts[i] = &list[i].Artifact
	}
	if err := media.CheckTreePaths(arts); err != nil {
		return nil, refuseFor(ReasonCatalogAddress, "", "the catalog cannot be served: %v; nothing was imported — update patchferry on the internet side and export again", err)
	}
	return list, nil
}

// checkFiles refuses a catalog that names an artifact neither in this
// bundle nor already on the mirror.
func checkFiles(st *store.Store, b *media.Bundle) error {
	inBundle := make(map[string]bool)
	for _, a := range b.Manifest.Artifacts {
		inBundle[a.SHA256] = true
	}
	return st.View(func(tx *bolt.Tx) error {
		for _, c := range b.Manifest.Catalog {
			for _, sha := range c.Artifacts {
				if inBundle[sha] {
					continue
				}
				if r, err := store.GetArtifact(tx, sha); err != nil || r == nil || !st.HasBlob(sha) {
					return refuseFor(ReasonMissingArtifact, "", "the catalog lists %s/%s %s with artifact %s, which is neither in this bundle nor on this mirror; on the internet side run `patchferry export --full`",
						c.Vendor, c.Product, c.Version, sha)
				}
			}
		}
		return nil
	})
}

// checkEvidence runs the hook of every artifact's verification method.
func checkEvidence(ctx context.Context, ev *Evidence, trust *store.Trust, hooks Hooks) error {
	b := ev.Bundle
	vt, err := trust.Vendor()
	if err != nil {
		return err
	}
	for i := range b.Manifest.Artifacts {
		a := &b.Manifest.Artifacts[i]
		hook, ok := hooks[a.Verification.Method]
		if !ok {
			return refuseFor(ReasonUnknownMethod, "", "%s (%s/%s %s): this mirror cannot re-verify vendor evidence of method %q; update patchferry on the LGWAN side",
				a.FileName, a.Vendor, a.Product, a.Version, a.Verification.Method)
		}
		if err := ev.check(ctx, hook, a, vt); err != nil {
			return &RefusedError{Err: fmt.Errorf("%s (%s/%s %s): vendor evidence does not hold: %w", a.FileName, a.Vendor, a.Product, a.Version, err),
				Reason: ReasonVendorEvidence}
		}
	}
	return nil
}

// bundleBlobs returns the paths of the stored blobs of every payload of b.
func bundleBlobs(st *store.Store, b *media.Bundle) []string {
	var paths []string
	for _, a := range b.Manifest.Payloads() {
		paths = append(paths, st.BlobPath(a.SHA256))
	}
	return paths
}

// scan runs the virus scanner over the stored blobs at paths. On a
// detection the blobs this attempt wrote are removed again.
func scan(ctx context.Context, st *store.Store, paths []string, sc *Scanner, written []string, row *ledger.Row) error {
	row.ScannerVersion = sc.Version(ctx)
	verdict, report, err := sc.Scan(ctx, paths)
	row.ScanVerdict = verdict
	if err != nil {
		return &RefusedError{Err: err, Reason: ReasonScanError}
	}
	if verdict == ledger.ScanDetected {
		for _, sha := range written {
			st.RemoveBlob(sha)
		}
		return refuseFor(ReasonMalware, "", "the virus scanner found malware; the bundle was not imported: %s", report)
	}
	return nil
}

// commit switches the catalog in one transaction, with the ledger row.
func commit(st *store.Store, b *media.Bundle, manifestSHA string, v *media.Verdict, o Options, row *ledger.Row, res *Result) error {
	m := b.Manifest
	return st.Update(func(tx *bolt.Tx) error {
		cur, err := store.GetState(tx)
		if err != nil {
			return err
		}
		if _, err := checkSequence(cur, m, manifestSHA); err != nil {
			return err // another import got in first
		}
		for _, a := range m.Artifacts {
			if err := store.PutArtifact(tx, &store.ArtifactRecord{Artifact: a, FirstSequence: m.Sequence}); err != nil {
				return err
			}
			if err := store.ClearQuarantine(tx, a.SHA256); err != nil {
				return err
			}
		}
		list, err := resolveCurrent(tx, m)
		if err != nil {
			return err
		}
		if err := store.PutCurrent(tx, list); err != nil {
			return err
		}
		if err := store.PutBundle(tx, m.Sequence, &store.BundleRecord{Manifest: b.Raw, Signature: b.Signature,
			Approvals: b.Approvals, ManifestSHA256: manifestSHA}); err != nil {
			return err
		}
		keep := map[uint64]bool{m.Sequence: true}
		for _, c := range list {
			keep[c.Sequence] = true
		}
		if err := store.KeepBundles(tx, keep); err != nil {
			return err
		}
		if err := store.AddHistoryOf(tx, m.Catalog, list, m.Sequence); err != nil {
			return err
		}
		now := o.Now().UTC()
		state := &store.State{
			Site: m.Site, Sequence: m.Sequence, Base: m.Base, ManifestSHA256: manifestSHA,
			Manifest: b.Raw, Signature: b.Signature, Approvals: b.Approvals, ImportedAt: now,
			CatalogHash: media.CatalogHash(m.Sequence, m.Catalog), StateCode: media.StateCode(m.Sequence, m.Catalog),
			Catalog: m.Catalog, Created: m.Created, Expires: m.Expires,
			Signers: map[string]string{"publisher": strings.Join(row.Signers, " ")},
		}
		if len(row.Approvers) > 0 {
			state.Signers["approvers"] = strings.Join(row.Approvers, " ")
		}
		if err := store.PutState(tx, state); err != nil {
			return err
		}
		if err := store.PutSequence(tx, m.Sequence, &store.SequenceRecord{ManifestSHA256: manifestSHA, ImportedAt: now}); err != nil {
			return err
		}
		row.Time, row.Result = o.Now(), ledger.ResultImported
		r, err := ledger.Append(tx, *row)
		res.Status, res.StateCode, res.Ledger, res.LedgerCode = StatusImported, state.StateCode, r.Number, ledger.RowCode(r).String()
		return err
	})
}

// verifyBundle verifies b with the mirror's trust — publisher signature,
// approvals, format, validity at the time at — and records its signers and
// approvers in row; it returns that trust and the verdict. A bundle that
// does not verify is refused.
func verifyBundle(st *store.Store, b *media.Bundle, at time.Time, row *ledger.Row) (*store.Trust, *media.Verdict, error) {
	var trust *store.Trust
	if err := st.View(func(tx *bolt.Tx) (err error) { trust, err = store.GetTrust(tx); return err }); err != nil {
		return nil, nil, err
	}
	keys, err := trust.Keys()
	if err != nil {
		return nil, nil, err
	}
	verdict, err := b.Verify(keys, at)
	if err != nil {
		return nil, nil, refused(err)
	}
	row.Signers = []string{verdict.Publisher.ID()}
	for _, k := range verdict.Approvers {
		row.Approvers = append(row.Approvers, k.ID())
	}
	return trust, verdict, nil
}

// start writes the "started" row of an attempt that is about to read
// payloads, with a reason code, its args and the English reason, and sets
// row.Started to its number: the row that ends the attempt names it.
func start(st *store.Store, o Options, row *ledger.Row, code string, args map[string]string, reason string) error {
	r := *row
	r.Time, r.Result, r.Reason, r.ReasonCode, r.ReasonArgs = o.Now(), ledger.ResultStarted, reason, code, args
	err := st.Update(func(tx *bolt.Tx) error {
		var err error
		r, err = ledger.Append(tx, r)
		return err
	})
	if err != nil {
		return fmt.Errorf("the ledger row of the start could not be written: %w", err)
	}
	row.Started = r.Number
	if o.Started != nil {
		o.Started(r.Number)
	}
	return nil
}

// RecordRefusal writes the ledger row of an import that was refused before
// the bundle reached the mirror: the process that read the media could not
// open it (handed over through the admin socket). code and args are the
// row's reason code and its values (LedgerReason of that process's error);
// with no code, ledger.ReasonUnreadable.
func RecordRefusal(st *store.Store, o Options, reason, code string, args map[string]string) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if code == "" {
		code = ledger.ReasonUnreadable
	}
	row := ledger.Row{Time: o.Now(), Operator: o.Operator, Label: o.Label, ScanVerdict: ledger.ScanNotScanned,
		Result: ledger.ResultRefused, Reason: reason, ReasonCode: code, ReasonArgs: args}
	if o.Log != nil {
		o.Log.Warn("import "+row.Result, "label", row.Label, "reason", row.Reason)
	}
	return st.Update(func(tx *bolt.Tx) error { _, err := ledger.Append(tx, row); return err })
}
