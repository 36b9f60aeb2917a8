package ledger

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// A Sink keeps a copy of ledger rows outside the data directory: the
// system log (SystemLog). Send gets one line per row, warn set for an
// attempt that was refused or failed. It must return within seconds.
type Sink interface {
	Send(line string, warn bool) error
}

// maxReason bounds the reason in a forwarded line (syslog datagrams and
// event log entries are limited; the full reason stays in the ledger).
const maxReason = 2048

// Line is the line a row is forwarded as: number, hash, the ledger code
// right after the row, time, result, the reason code (when the row has
// one), sequence, operator, label, bundle and reason — the stored codes
// and English text, never a translation. Text that may come from media or
// the operator is quoted (%q), so a line is one line and control
// characters cannot forge others.
func Line(r Row) string {
	reason := r.Reason
	if len(reason) > maxReason {
		cut := maxReason
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut] + "…"
	}
	code := ""
	if r.ReasonCode != "" {
		code = fmt.Sprintf(" reason_code=%q", r.ReasonCode)
	}
	return fmt.Sprintf("ledger row=%d hash=%s code=%s time=%s result=%q%s sequence=%d operator=%q label=%q bundle=%q reason=%q",
		r.Number, r.Hash, RowCode(r), r.Time.UTC().Format(time.RFC3339), r.Result, code, r.Sequence, r.Operator, r.Label, r.Bundle, reason)
}

// Forwarder sends every ledger row committed through a store to a Sink,
// after the row's transaction has committed — never inside it, so a slow
// or missing system log never holds the store, and a row that was rolled
// back is never sent. A row that cannot be sent is logged as an error; it
// never fails the operation that wrote it.
type Forwarder struct {
	sink Sink
	log  *slog.Logger
	mu   sync.Mutex
	sent uint64 // the last row sent (or there when the forwarder started)
}

// Forward makes a Forwarder of st's new rows to sink: rows appended from
// now on through st.Update are sent, in order, each once (set it up before
// st is in use, or a row appended meanwhile may be missed).
func Forward(st *store.Store, sink Sink, log *slog.Logger) (*Forwarder, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &Forwarder{sink: sink, log: log}
	err := st.View(func(tx *bolt.Tx) error {
		h, err := readHead(tx.Bucket(store.BucketLedger).Get(headKey))
		f.sent = h.Number
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("forward the ledger to the system log: %w", err)
	}
	st.OnUpdate(f.observe)
	return f, nil
}

// observe runs at the end of every successful st.Update, inside its
// transaction: it reads the rows after the last one sent and sends them
// once the transaction has committed.
func (f *Forwarder) observe(tx *bolt.Tx) {
	b := tx.Bucket(store.BucketLedger)
	if b == nil {
		return
	}
	h, err := readHead(b.Get(headKey))
	f.mu.Lock()
	from := f.sent
	f.mu.Unlock()
	if err != nil || h.Number <= from {
		return
	}
	var rows []Row
	c := b.Cursor()
	for k, v := c.Seek(key(from + 1)); len(k) == 8; k, v = c.Next() {
		r, err := decodeRow(v)
		if err != nil {
			f.log.Error("ledger row NOT forwarded to the system log: it cannot be read", "row", fmt.Sprintf("%x", k), "err", err)
			continue
		}
		rows = append(rows, r)
	}
	tx.OnCommit(func() { f.send(rows) })
}

// send sends the rows not sent yet. Commits that overlap may both have
// read a row; the first to get here sends it.
func (f *Forwarder) send(rows []Row) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range rows {
		if r.Number <= f.sent {
			continue
		}
		f.sent = r.Number
		warn := r.Result == ResultRefused || r.Result == ResultFailed
		if err := f.sink.Send(Line(r), warn); err != nil {
			f.log.Error("ledger row NOT forwarded to the system log: the only copy is in mirror.db; check the system log service (journald, rsyslog, Windows Event Log)",
				"row", r.Number, "code", RowCode(r).String(), "err", err)
		}
	}
}

// decodeRow decodes a stored row, whatever its format version.
func decodeRow(v []byte) (Row, error) {
	var r Row
	err := json.Unmarshal(v, &r)
	return r, err
}
