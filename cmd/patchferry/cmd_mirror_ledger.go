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
)

type mirrorLedgerOptions struct {
	data        string
	csv, verify bool
}

// errLedgerBroken is returned when the hash chain does not hold.
var errLedgerBroken = errors.New("the ledger was tampered with")

func newMirrorLedgerCommand(a *app) *cobra.Command {
	var o mirrorLedgerOptions
	cmd := &cobra.Command{
		Use:   "ledger --data DIR [--csv | --verify]",
		Short: "Show the import ledger (媒体持込台帳); --csv for Excel, --verify checks the hash chain",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runMirrorLedger(cmd.Context(), a, o) },
	}
	addDataFlag(cmd, &o.data)
	cmd.Flags().BoolVar(&o.csv, "csv", false, "write CSV (UTF-8 with BOM, one header row) to stdout for Excel")
	cmd.Flags().BoolVar(&o.verify, "verify", false, "check that no row was edited or removed")
	cmd.MarkFlagsMutuallyExclusive("csv", "verify")
	return cmd
}

func runMirrorLedger(ctx context.Context, a *app, o mirrorLedgerOptions) error {
	svc, err := a.mirror(o.data, true)
	if err != nil {
		return err
	}
	defer svc.Close()
	if o.verify {
		c, err := svc.VerifyLedger(ctx)
		if err != nil {
			return err
		}
		if a.jsonOut {
			a.printJSON(map[string]any{"ok": len(c.Problems) == 0, "rows": c.Rows, "problems": c.Problems})
		} else if len(c.Problems) == 0 {
			fmt.Fprintln(a.stdout, a.msg(msgLedgerIntact, c.Rows))
		}
		if len(c.Problems) > 0 {
			return fmt.Errorf("%w: %s", errLedgerBroken, strings.Join(c.Problems, "; "))
		}
		return nil
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
		fmt.Fprintf(a.stdout, "%4d %s %-12s %-10s %-28s %-16s %s\n", r.Number, r.Time.In(time.Local).Format("2006-01-02 15:04"),
			escape.String(r.Operator), escape.String(r.Label), escape.String(r.Bundle), escape.String(r.Result), oneLine(r.Reason))
	}
	return nil
}

// oneLine is a reason of several lines (one per error) on one table line.
func oneLine(reason string) string {
	return strings.ReplaceAll(escape.Lines(reason), "\n", " / ")
}
