package ledger

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/patchferry/patchferry/media/escape"
)

// Columns are the columns of the ledger CSV, in order, named as the
// fields of a row's JSON ("ledger_code": the row's ledger code).
func Columns() []string {
	return []string{"number", "time", "operator", "label", "bundle", "sequence", "base", "signers", "approvers",
		"files", "bytes", "scanner", "scanner_version", "scan_verdict", "result", "reason", "hash", "ledger_code"}
}

// Words are what a CSV says in its reader's language: the header row (a
// name for each of Columns, in order; nil: the column names), and the text
// of a row's result, scan verdict and reason (nil: the stored value, a
// code). The ledger stores codes and English detail; commands translate.
type Words struct {
	Header  []string
	Result  func(Row) string
	Verdict func(Row) string
	Reason  func(Row) string
}

// WriteCSV writes rows as CSV for Excel: a UTF-8 byte order mark (so Excel
// reads Japanese text), one header row, CRLF line ends, times in loc, the
// texts of words. The last column is each row's ledger code: the code the
// ledger had right after the row was written, so the paper record of any
// import can be checked against it.
func WriteCSV(w io.Writer, rows []Row, loc *time.Location, words Words) error {
	h := words.Header
	if h == nil {
		h = Columns()
	}
	if len(h) != len(Columns()) {
		return fmt.Errorf("ledger CSV: %d header names for %d columns", len(h), len(Columns()))
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(h); err != nil {
		return err
	}
	text := func(f func(Row) string, r Row, stored string) string {
		if f == nil {
			return stored
		}
		return f(r)
	}
	for _, r := range rows {
		rec := []string{
			strconv.FormatUint(r.Number, 10), r.Time.In(loc).Format("2006-01-02 15:04:05"), r.Operator, r.Label,
			r.Bundle, strconv.FormatUint(r.Sequence, 10), strconv.FormatUint(r.Base, 10),
			strings.Join(r.Signers, " "), strings.Join(r.Approvers, " "), strconv.Itoa(r.Files),
			strconv.FormatInt(r.Bytes, 10), r.Scanner, r.ScannerVersion, text(words.Verdict, r, r.ScanVerdict),
			text(words.Result, r, r.Result), text(words.Reason, r, r.Reason), r.Hash, RowCode(r).String(),
		}
		for i, f := range rec {
			rec[i] = defuse(escape.Lines(f)) // rows written before Append escaped
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse keeps Excel from running a cell as a formula (CSV injection): a
// cell starting with = + - @ gets a leading apostrophe.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
