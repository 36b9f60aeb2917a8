package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media/escape"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/service"
)

type mirrorLedgerOptions struct {
	data        string
	csv, verify bool
	codes       []string
}

// errLedgerBroken is returned when the hash chain does not hold.
var errLedgerBroken = errors.New("the ledger was tampered with")

// errLedgerCode is returned when the ledger no longer holds the row a code
// written down earlier was taken from.
var errLedgerCode = errors.New("the ledger does not match a ledger code written down earlier")

func newMirrorLedgerCommand(a *app) *cobra.Command {
	var o mirrorLedgerOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseMirrorLedger),
		Short: a.msg(helpShortMirrorLedger),
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runMirrorLedger(cmd.Context(), a, o) },
	}
	addDataFlag(a, cmd, &o.data)
	f := cmd.Flags()
	f.BoolVar(&o.csv, "csv", false, a.msg(helpFlagCSV))
	f.BoolVar(&o.verify, "verify", false, a.msg(helpFlagVerify))
	f.StringSliceVar(&o.codes, "code", nil, a.msg(helpFlagCode))
	cmd.MarkFlagsMutuallyExclusive("csv", "verify")
	cmd.MarkFlagsMutuallyExclusive("csv", "code")
	return cmd
}

func runMirrorLedger(ctx context.Context, a *app, o mirrorLedgerOptions) error {
	var req service.LedgerVerifyRequest
	for _, s := range o.codes {
		c, err := ledger.ParseCode(s)
		switch {
		case errors.Is(err, ledger.ErrCodeCheck):
			return userErr(msgLedgerCodeMiswritten, s).because(err).usage()
		case err != nil:
			return userErr(msgLedgerCodeBad, s).because(err).usage()
		}
		req.Codes = append(req.Codes, c)
	}
	if len(req.Codes) > service.MaxLedgerCodes {
		return userErr(msgUsageTooManyCodes, len(req.Codes), service.MaxLedgerCodes).fix(hintUsageTooManyCodes, service.MaxLedgerCodes).usage()
	}
	svc, err := a.mirror(o.data, true)
	if err != nil {
		return err
	}
	defer svc.Close()
	if o.verify || len(req.Codes) > 0 {
		return a.verifyLedger(ctx, svc, req)
	}
	rows, err := svc.Ledger(ctx)
	if err != nil {
		return err
	}
	switch {
	case o.csv:
		return ledger.WriteCSV(a.stdout, rows, time.Local, a.ledgerWords())
	case a.jsonOut:
		return a.printJSON(a.ledgerJSON(rows))
	}
	a.printLedger(rows)
	return nil
}

// ledgerRowJSON is a row as stored (codes and English, for scripts) with
// its texts in the user's language added.
type ledgerRowJSON struct {
	ledger.Row
	Text ledgerTextJSON `json:"text"`
}

type ledgerTextJSON struct {
	Lang        string `json:"lang"`
	Result      string `json:"result"`
	ScanVerdict string `json:"scan_verdict,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

func (a *app) ledgerJSON(rows []ledger.Row) []ledgerRowJSON {
	out := make([]ledgerRowJSON, len(rows))
	for i, r := range rows {
		out[i] = ledgerRowJSON{Row: r, Text: ledgerTextJSON{Lang: a.lang, Result: a.resultText(r.Result),
			ScanVerdict: a.verdictText(r.ScanVerdict), Reason: a.reasonText(r)}}
	}
	return out
}

// printLedger prints the ledger as a table in the user's language, one
// line per row under a header, and the ledger code now.
func (a *app) printLedger(rows []ledger.Row) {
	table := [][]string{{a.msg(msgColNumber), a.msg(msgColTime), a.msg(msgColLedgerCode), a.msg(msgColOperator),
		a.msg(msgColLabel), a.msg(msgColBundle), a.msg(msgColResult), a.msg(msgColVerdict), a.msg(msgColReason)}}
	for _, r := range rows {
		table = append(table, []string{strconv.FormatUint(r.Number, 10), r.Time.In(time.Local).Format("2006-01-02 15:04"),
			ledger.RowCode(r).String(), escape.String(r.Operator), escape.String(r.Label), escape.String(r.Bundle),
			a.resultText(escape.String(r.Result)), a.verdictText(escape.String(r.ScanVerdict)), oneLine(a.reasonText(r))})
	}
	width := make([]int, len(table[0]))
	for _, line := range table {
		for i, c := range line {
			width[i] = max(width[i], runewidth.StringWidth(c))
		}
	}
	for _, line := range table {
		var b strings.Builder
		for i, c := range line {
			switch {
			case i == 0: // the number, right-aligned
				b.WriteString(runewidth.FillLeft(c, width[i]))
			case i == len(line)-1: // the reason, as long as it is
				b.WriteString(c)
			default:
				b.WriteString(runewidth.FillRight(c, width[i]))
			}
			b.WriteString(" ")
		}
		fmt.Fprintln(a.stdout, strings.TrimRight(b.String(), " "))
	}
	if len(rows) > 0 {
		fmt.Fprintf(a.stdout, "%s %s\n", a.label(msgLabelLedgerCode), ledger.RowCode(rows[len(rows)-1]))
	}
}

// verifyLedger checks the chain and the codes and says what each code
// proves, or what it means that it does not match.
func (a *app) verifyLedger(ctx context.Context, svc service.Service, req service.LedgerVerifyRequest) error {
	c, err := svc.VerifyLedger(ctx, req)
	if err != nil {
		return err
	}
	if a.jsonOut {
		a.printJSON(map[string]any{"ok": c.Intact(), "rows": c.Rows, "problems": c.Problems, "ledger_code": c.Code, "codes": c.Codes})
	} else {
		if len(c.Problems) == 0 {
			fmt.Fprintln(a.stdout, a.msg(msgLedgerIntact, a.count(c.Rows, msgRow, msgRows)))
		}
		for _, r := range c.Codes {
			switch r.Status {
			case ledger.CodeMatches:
				fmt.Fprintln(a.stdout, a.msg(msgLedgerCodeMatches, r.Code, r.Code.Number))
			case ledger.CodeMissing:
				fmt.Fprintln(a.stderr, a.msg(msgLedgerCodeMissing, r.Code, r.Code.Number, c.Rows))
			default:
				fmt.Fprintln(a.stderr, a.msg(msgLedgerCodeDiffers, r.Code, r.Code.Number))
			}
		}
	}
	if len(c.Problems) > 0 {
		return fmt.Errorf("%w: %s", errLedgerBroken, strings.Join(c.Problems, "; "))
	}
	if !c.Intact() {
		return errLedgerCode
	}
	return nil
}

// oneLine is a reason of several lines (one per error) on one table line.
func oneLine(reason string) string {
	return strings.ReplaceAll(escape.Lines(reason), "\n", " / ")
}
