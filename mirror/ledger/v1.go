package ledger

import (
	"encoding/json"
	"time"
)

// rowV1 is Row as it was when rows carried no format version (up to commit
// a2a7147): the same fields, order and JSON names. It is frozen: v1 rows are
// verified by re-encoding them with this type, so it must never change, even
// when Row does.
type rowV1 struct {
	Number         uint64    `json:"number"`
	Time           time.Time `json:"time"`
	Operator       string    `json:"operator"`
	Label          string    `json:"label"`
	Bundle         string    `json:"bundle"`
	Sequence       uint64    `json:"sequence"`
	Base           uint64    `json:"base"`
	Signers        []string  `json:"signers"`
	Approvers      []string  `json:"approvers"`
	Files          int       `json:"files"`
	Bytes          int64     `json:"bytes"`
	Scanner        string    `json:"scanner"`
	ScannerVersion string    `json:"scanner_version"`
	ScanVerdict    string    `json:"scan_verdict"`
	Result         string    `json:"result"`
	Reason         string    `json:"reason"`
	Prev           string    `json:"prev"`
	Hash           string    `json:"hash"`
}

// hashV1 is the v1 rule: the chain hash over prev and the row re-encoded
// with an empty Hash.
func (r rowV1) hashV1() string {
	r.Hash = ""
	b, err := json.Marshal(r)
	if err != nil {
		panic("ledger: v1 row does not encode: " + err.Error()) // plain data
	}
	return chainHash(r.Prev, b)
}
