package ledger

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media/escape"
	"github.com/patchferry/patchferry/mirror/store"
)

// Results of an attempt.
const (
	ResultImported        = "imported"
	ResultAlreadyImported = "already imported"
	ResultRefused         = "refused"
	ResultFailed          = "failed"
	ResultTrustChanged    = "trust changed"
	// ResultStarted is written when an import starts reading payloads; the
	// row that ends the attempt names it in Row.Started. A started row that
	// no row names is an attempt that never finished (the process died).
	ResultStarted  = "started"
	ResultRepaired = "repaired" // mirror import --repair
)

// Scan verdicts.
const (
	ScanClean      = "clean"
	ScanDetected   = "detected"
	ScanError      = "error"
	ScanNotScanned = "not scanned"
)

// Row is one ledger entry.
type Row struct {
	Number         uint64            `json:"number"` // 1, 2, … without gaps
	Time           time.Time         `json:"time"`
	Operator       string            `json:"operator"`
	Label          string            `json:"label"`
	Bundle         string            `json:"bundle"`
	Sequence       uint64            `json:"sequence"`
	Base           uint64            `json:"base"`
	Signers        []string          `json:"signers"`   // publisher key IDs
	Approvers      []string          `json:"approvers"` // approver key IDs
	Files          int               `json:"files"`
	Bytes          int64             `json:"bytes"`
	Scanner        string            `json:"scanner"`
	ScannerVersion string            `json:"scanner_version"`
	ScanVerdict    string            `json:"scan_verdict"`
	Result         string            `json:"result"`
	Reason         string            `json:"reason"`                // what happened, in English: the detail of ReasonCode
	ReasonCode     string            `json:"reason_code,omitempty"` // why, in words no language owns (reason.go); none in older rows
	ReasonArgs     map[string]string `json:"reason_args,omitempty"` // values the text of ReasonCode needs
	Prev           string            `json:"prev"`                  // hash of the previous row ("" for the first)
	Hash           string            `json:"hash"`                  // SHA-256 over prev and the row's stored bytes without Hash (doc.go)

	// Started is the number of the "started" row of the attempt this row
	// ends (0: none, the attempt ended before it read any payload).
	Started uint64 `json:"started,omitempty"`
}

// escape escapes the control characters of every text of r (see
// media/escape): names and reasons come from media, and the ledger is
// read on terminals and in Excel. Reasons keep their newlines (one line
// per error); each part was quoted where it was made.
func (r *Row) escape() {
	for _, s := range []*string{&r.Operator, &r.Label, &r.Bundle, &r.Scanner, &r.ScannerVersion, &r.ScanVerdict, &r.Result, &r.ReasonCode} {
		*s = escape.String(*s)
	}
	if len(r.ReasonArgs) > 0 {
		args := make(map[string]string, len(r.ReasonArgs)) // a copy: the caller's map stays as it was
		for k, v := range r.ReasonArgs {
			args[escape.String(k)] = escape.String(v)
		}
		r.ReasonArgs = args
	}
	for _, l := range [][]string{r.Signers, r.Approvers} {
		for i := range l {
			l[i] = escape.String(l[i])
		}
	}
	r.Reason = escape.Lines(r.Reason)
}

// Append adds r as the next row, chaining it to the last one, inside tx. It
// returns the row as stored: numbered, linked, its time in UTC, hashed.
func Append(tx *bolt.Tx, r Row) (Row, error) {
	b := tx.Bucket(store.BucketLedger)
	h, err := readHead(b.Get(headKey))
	if err != nil {
		return r, fmt.Errorf("append to the ledger: %w", err)
	}
	r.Number, r.Prev = h.Number+1, h.Hash
	r.Time = r.Time.UTC()
	r.escape()
	data, hash, err := encode(r)
	if err != nil {
		return r, err
	}
	r.Hash = hash
	if err := b.Put(key(r.Number), data); err != nil {
		return r, fmt.Errorf("append ledger row %d: %w", r.Number, err)
	}
	hb, err := json.Marshal(head{V: version, Number: r.Number, Hash: r.Hash})
	if err != nil {
		return r, fmt.Errorf("ledger head: %w", err)
	}
	if err := b.Put(headKey, hb); err != nil {
		return r, fmt.Errorf("ledger head: %w", err)
	}
	return r, nil
}

func key(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

// All returns every row in order, whatever format version it is stored in.
func All(tx *bolt.Tx) ([]Row, error) {
	var rows []Row
	c := tx.Bucket(store.BucketLedger).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			continue // head
		}
		r, err := decodeRow(v)
		if err != nil {
			return nil, fmt.Errorf("ledger row %x: %w", k, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// Verify checks the chain and returns one message per broken link. An
// empty result means the ledger is intact. Each row is checked by the rule
// of its own format version (v1 rows by the frozen v1 rule), so a ledger
// that older releases began verifies after the format changed.
func Verify(tx *bolt.Tx) ([]string, error) {
	b := tx.Bucket(store.BucketLedger)
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	var (
		n        uint64 // rows seen
		prev     string // the hash of the row before
		prevRead = true // whether the row before could be read; if not, the link to it cannot be checked
	)
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			continue // head
		}
		n++
		l, err := readLink(v)
		var uv *unknownVersionError
		switch {
		case errors.As(err, &uv):
			add("row %d: %v", n, err)
		case err != nil:
			add("row %d: cannot be read (%v) — the row was damaged or edited", n, err)
			prev, prevRead = "", false
			continue
		}
		if l.number != n {
			add("row %d: numbered %d — a row before it was removed or inserted", n, l.number)
		}
		if prevRead && l.prev != prev {
			add("row %d: does not link to the row before it — a row was removed, inserted or edited", l.number)
		}
		if uv == nil && !l.intact {
			add("row %d: content does not match its hash — the row was edited", l.number)
		}
		prev, prevRead = l.hash, true
	}
	h, err := readHead(b.Get(headKey))
	if err != nil {
		add("%v — the ledger head was damaged or edited", err)
		return problems, nil
	}
	switch {
	case h.Number != n:
		add("the ledger should end at row %d but ends at row %d — rows at the end were removed or added", h.Number, n)
	case prevRead && h.Hash != prev:
		add("row %d: is not the last row the ledger head records — the last row was replaced", n)
	}
	return problems, nil
}
