package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
)

// Options of a Local.
type Options struct {
	ReadOnly bool             // Open: for status, ledger and showing trust
	Now      func() time.Time // nil: time.Now
	Log      *slog.Logger     // import warnings; nil: discarded
	// Forward, if set, receives a copy of every ledger row written from
	// now on, once its transaction has committed (ledger.Forward): the
	// system log (ledger.SystemLog). A row that cannot be sent is logged to
	// Log; it never fails the operation. Not used when ReadOnly.
	Forward ledger.Sink
}

// Local is the Service on a store this process holds.
type Local struct {
	st    *store.Store
	now   func() time.Time
	log   *slog.Logger
	owned bool // Close closes the store
	// running is the started row of the import running now (0: none).
	running atomic.Uint64
}

var _ Service = (*Local)(nil)

// Open opens the store in dir (store.ErrNoStore when there is none,
// store.ErrInUse when another process holds it).
func Open(dir string, o Options) (*Local, error) {
	st, err := store.Open(dir, store.Options{ReadOnly: o.ReadOnly})
	if err != nil {
		return nil, err
	}
	l := New(st, o)
	l.owned = true
	return l, nil
}

// New returns the Service on st, which the caller owns and closes (`mirror
// serve`); with o.Forward, call it before st is in use. Write operations
// must come one at a time.
func New(st *store.Store, o Options) *Local {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.forward(st)
	return &Local{st: st, now: o.Now, log: o.Log}
}

// forward sends st's new ledger rows to o.Forward, if set. A ledger whose
// head cannot be read is logged, not refused: `mirror ledger --verify`
// says what is wrong with it, and appending refuses it anyway.
func (o Options) forward(st *store.Store) {
	if o.Forward == nil || o.ReadOnly {
		return
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if _, err := ledger.Forward(st, o.Forward, log); err != nil {
		log.Error("ledger rows are NOT forwarded to the system log", "err", err)
	}
}

// Close closes the store if Open opened it.
func (l *Local) Close() error {
	if l.owned {
		return l.st.Close()
	}
	return nil
}

// Import imports the bundle that req.Open returns, else the one at
// req.Paths.
func (l *Local) Import(ctx context.Context, req ImportRequest) (*ingest.Result, error) {
	o := ingest.Options{Operator: req.Operator, Label: req.Label, Now: l.now, Log: l.log, Total: req.Total, Progress: req.Progress,
		Repair: req.Repair, Started: func(row uint64) { l.running.Store(row) }}
	defer l.running.Store(0)
	if len(req.Scanner) > 0 {
		for _, w := range req.Scanner {
			if w == "" {
				return nil, invalidf("scanner command: an empty word")
			}
		}
		o.Scanner = &ingest.Scanner{Argv: req.Scanner}
	}
	open := req.Open
	if open == nil {
		if len(req.Paths) == 0 {
			return nil, invalidf("no bundle folder given")
		}
		open = func() (*media.Bundle, error) { return media.Open(req.Paths...) }
	}
	return ingest.ImportFrom(ctx, l.st, open, o)
}

// RecordRefusal writes the ledger row of an import refused by the caller.
func (l *Local) RecordRefusal(ctx context.Context, req Refusal) error {
	if req.Reason == "" {
		return invalidf("a refusal needs its reason")
	}
	return ingest.RecordRefusal(l.st, ingest.Options{Operator: req.Operator, Label: req.Label, Now: l.now, Log: l.log}, req.Reason, req.Code, req.Args)
}

// Ledger returns every ledger row.
func (l *Local) Ledger(ctx context.Context) ([]ledger.Row, error) {
	var rows []ledger.Row
	err := l.st.View(func(tx *bolt.Tx) (err error) {
		rows, err = ledger.All(tx)
		return err
	})
	return rows, err
}

// VerifyLedger checks the ledger's hash chain, and that it still holds the
// rows that req.Codes were taken from.
func (l *Local) VerifyLedger(ctx context.Context, req LedgerVerifyRequest) (*LedgerCheck, error) {
	if len(req.Codes) > MaxLedgerCodes {
		return nil, invalidf("%d ledger codes: give at most %d at a time", len(req.Codes), MaxLedgerCodes)
	}
	for _, c := range req.Codes {
		if c.IsZero() {
			return nil, invalid(fmt.Errorf("an empty ledger code: %w", ledger.ErrCodeFormat))
		}
	}
	var c LedgerCheck
	err := l.st.View(func(tx *bolt.Tx) error {
		rows, err := ledger.All(tx)
		if err != nil {
			return err
		}
		c.Rows = len(rows)
		if c.Problems, err = ledger.Verify(tx); err != nil {
			return err
		}
		head, err := ledger.HeadCode(tx)
		if err != nil {
			return err
		}
		c.Code = head.String()
		if len(req.Codes) > 0 {
			c.Codes, err = ledger.CheckCodes(tx, req.Codes)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Scrub re-hashes every blob; damaged ones are quarantined.
func (l *Local) Scrub(ctx context.Context, req ScrubRequest) (*store.ScrubReport, error) {
	return l.st.Scrub(ctx, l.now(), req.Progress)
}

// GC keeps req.Keep versions per product.
func (l *Local) GC(ctx context.Context, req GCRequest) (*store.GCReport, error) {
	if req.Keep < 1 {
		return nil, invalidf("--keep %d: keep at least 1 version per product", req.Keep)
	}
	return l.st.GC(ctx, req.Keep)
}

// Status says what the mirror serves.
func (l *Local) Status(ctx context.Context) (*Status, error) {
	s := &Status{Data: l.st.Dir(), Catalog: []CatalogSummary{}}
	err := l.st.View(func(tx *bolt.Tx) error {
		t, err := store.GetTrust(tx)
		if err != nil {
			return err
		}
		s.Publishers, s.Approvers, s.Approvals = len(t.Publishers), len(t.Approvers), t.Threshold
		cur, err := store.GetState(tx)
		if err != nil {
			return err
		}
		if cur != nil {
			days := int(l.now().Sub(cur.ImportedAt).Hours() / 24)
			s.Site, s.Sequence, s.Base, s.StateCode = cur.Site, cur.Sequence, cur.Base, cur.StateCode
			s.LastImport, s.DaysSince, s.Created = &cur.ImportedAt, &days, &cur.Created
			if !cur.Expires.IsZero() {
				s.Expires = &cur.Expires
			}
			s.Products = len(cur.Catalog)
			for _, c := range cur.Catalog {
				s.Catalog = append(s.Catalog, CatalogSummary{Product: c.Vendor + "/" + c.Product, Version: c.Version, Files: len(c.Artifacts)})
			}
			current, err := store.GetCurrent(tx)
			if err != nil {
				return err
			}
			kept := make(map[uint64]bool)
			for _, c := range current {
				if _, ok := kept[c.Sequence]; !ok {
					r, err := store.GetBundle(tx, c.Sequence)
					if err != nil {
						return err
					}
					kept[c.Sequence] = r != nil
				}
				if !kept[c.Sequence] {
					s.Unprovable++
				}
			}
		}
		if err := store.ForEachArtifact(tx, func(*store.ArtifactRecord) error { s.Artifacts++; return nil }); err != nil {
			return err
		}
		rows, err := ledger.All(tx)
		if err != nil {
			return err
		}
		s.LedgerRows = len(rows)
		head, err := ledger.HeadCode(tx)
		if err != nil {
			return err
		}
		s.LedgerCode = head.String()
		for i := len(rows) - 1; i >= 0; i-- {
			if r := rows[i].Result; r != ledger.ResultTrustChanged && r != ledger.ResultStarted {
				s.LastAttempt = &rows[i]
				break
			}
		}
		running := l.running.Load()
		s.ImportRunning = running != 0
		s.Unfinished = unfinished(rows, running)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// unfinished returns the "started" rows that no row ends, after the last
// attempt that ended with an import or a repair, but for the started row
// running (the import running now).
func unfinished(rows []ledger.Row, running uint64) []ledger.Row {
	ended := make(map[uint64]bool)
	from := 0
	for i, r := range rows {
		ended[r.Started] = true
		switch r.Result {
		case ledger.ResultImported, ledger.ResultAlreadyImported, ledger.ResultRepaired:
			from = i + 1
		}
	}
	var out []ledger.Row
	for _, r := range rows[from:] {
		if r.Result == ledger.ResultStarted && !ended[r.Number] && r.Number != running {
			out = append(out, r)
		}
	}
	return out
}

// InvalidError is a request the service refuses as it stands: a usage
// error of the command that made it (exit code 2), such as a key ID the
// mirror does not have.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

func invalidf(format string, a ...any) error {
	return &InvalidError{Err: fmt.Errorf(format, a...)}
}

// invalid marks err as an invalid request, unless it is nil.
func invalid(err error) error {
	if err == nil {
		return nil
	}
	var ie *InvalidError
	if errors.As(err, &ie) {
		return err
	}
	return &InvalidError{Err: err}
}
