package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
			return usagef("%s", a.msg(msgLedgerCodeMiswritten, s))
		case err != nil:
			return usagef("%s", a.msg(msgLedgerCodeBad, s))
		}
		req.Codes = append(req.Codes, c)
	}
	if len(req.Codes) > service.MaxLedgerCodes {
		return usagef("--code: %d codes, at most %d at a time", len(req.Codes), service.MaxLedgerCodes)
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
		return ledger.WriteCSV(a.stdout, rows, a.lang, time.Local)
	case a.jsonOut:
		return a.printJSON(rows)
	}
	for _, r := range rows {
		fmt.Fprintf(a.stdout, "%4d %s %-24s %-12s %-10s %-28s %-16s %s\n", r.Number, r.Time.In(time.Local).Format("2006-01-02 15:04"),
			ledger.RowCode(r), escape.String(r.Operator), escape.String(r.Label), escape.String(r.Bundle), escape.String(r.Result), oneLine(r.Reason))
	}
	if len(rows) > 0 {
		fmt.Fprintf(a.stdout, "%s %s\n", a.label(msgLabelLedgerCode), ledger.RowCode(rows[len(rows)-1]))
	}
	return nil
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
			fmt.Fprintln(a.stdout, a.msg(msgLedgerIntact, c.Rows))
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
