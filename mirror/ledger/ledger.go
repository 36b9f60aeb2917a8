package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// Results of an attempt.
const (
	ResultImported        = "imported"
	ResultAlreadyImported = "already imported"
	ResultRefused         = "refused"
	ResultFailed          = "failed"
	ResultTrustChanged    = "trust changed"
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
	Number         uint64    `json:"number"` // 1, 2, … without gaps
	Time           time.Time `json:"time"`
	Operator       string    `json:"operator"`
	Label          string    `json:"label"`
	Bundle         string    `json:"bundle"`
	Sequence       uint64    `json:"sequence"`
	Base           uint64    `json:"base"`
	Signers        []string  `json:"signers"`   // publisher key IDs
	Approvers      []string  `json:"approvers"` // approver key IDs
	Files          int       `json:"files"`
	Bytes          int64     `json:"bytes"`
	Scanner        string    `json:"scanner"`
	ScannerVersion string    `json:"scanner_version"`
	ScanVerdict    string    `json:"scan_verdict"`
	Result         string    `json:"result"`
	Reason         string    `json:"reason"`
	Prev           string    `json:"prev"` // hash of the previous row ("" for the first)
	Hash           string    `json:"hash"` // SHA-256 over prev and this row without Hash
}

// computeHash returns the chain hash of r (its Hash field ignored).
func (r Row) computeHash() string {
	r.Hash = ""
	b, err := json.Marshal(r)
	if err != nil {
		panic("ledger: row does not encode: " + err.Error()) // plain data
	}
	h := sha256.New()
	h.Write([]byte(r.Prev))
	h.Write([]byte{'\n'})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func key(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

// headKey holds the number and hash of the last row, so a removed last row
// is detected too.
var headKey = []byte("head")

type head struct {
	Number uint64 `json:"number"`
	Hash   string `json:"hash"`
}

// Append adds r as the next row, chaining it to the last one, inside tx.
func Append(tx *bolt.Tx, r Row) (Row, error) {
	b := tx.Bucket(store.BucketLedger)
	var h head
	if v := b.Get(headKey); v != nil {
		if err := json.Unmarshal(v, &h); err != nil {
			return r, fmt.Errorf("ledger head: %w", err)
		}
	}
	r.Number, r.Prev = h.Number+1, h.Hash
	r.Time = r.Time.UTC()
	r.Hash = r.computeHash()
	data, err := json.Marshal(r)
	if err != nil {
		return r, err
	}
	if err := b.Put(key(r.Number), data); err != nil {
		return r, err
	}
	hb, _ := json.Marshal(head{Number: r.Number, Hash: r.Hash})
	return r, b.Put(headKey, hb)
}

// All returns every row in order.
func All(tx *bolt.Tx) ([]Row, error) {
	var rows []Row
	c := tx.Bucket(store.BucketLedger).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			continue // head
		}
		var r Row
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("ledger row %x: %w", k, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// Verify checks the chain and returns one message per broken link. An
// empty result means the ledger is intact.
func Verify(tx *bolt.Tx) ([]string, error) {
	rows, err := All(tx)
	if err != nil {
		return nil, err
	}
	var problems []string
	prev := ""
	for i, r := range rows {
		want := uint64(i + 1)
		if r.Number != want {
			problems = append(problems, fmt.Sprintf("row %d: numbered %d — a row before it was removed or inserted", want, r.Number))
		}
		if r.Prev != prev {
			problems = append(problems, fmt.Sprintf("row %d: does not link to the row before it — a row was removed, inserted or edited", r.Number))
		}
		if r.computeHash() != r.Hash {
			problems = append(problems, fmt.Sprintf("row %d: content does not match its hash — the row was edited", r.Number))
		}
		prev = r.Hash
	}
	var h head
	if v := tx.Bucket(store.BucketLedger).Get(headKey); v != nil {
		if err := json.Unmarshal(v, &h); err != nil {
			return nil, fmt.Errorf("ledger head: %w", err)
		}
	}
	if h.Number != uint64(len(rows)) || h.Hash != prev {
		problems = append(problems, fmt.Sprintf("the ledger should end at row %d but ends at row %d — rows at the end were removed", h.Number, len(rows)))
	}
	return problems, nil
}
