package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	bolt "go.etcd.io/bbolt"

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
		RunE: func(cmd *cobra.Command, args []string) error {
			fwd := []string{"mirror", "ledger"}
			if o.csv {
				fwd = append(fwd, "--csv")
			}
			if o.verify {
				fwd = append(fwd, "--verify")
			}
			if handled, err := a.forward(cmd.Context(), o.data, fwd, nil, 0); handled {
				return err
			}
			return runMirrorLedger(a, o)
		},
	}
	addDataFlag(cmd, &o.data)
	cmd.Flags().BoolVar(&o.csv, "csv", false, "write CSV (UTF-8 with BOM, one header row) to stdout for Excel")
	cmd.Flags().BoolVar(&o.verify, "verify", false, "check that no row was edited or removed")
	cmd.MarkFlagsMutuallyExclusive("csv", "verify")
	return cmd
}

func runMirrorLedger(a *app, o mirrorLedgerOptions) error {
	st, release, err := a.openStore(o.data, true)
	if err != nil {
		return err
	}
	defer release()
	var rows []ledger.Row
	var problems []string
	err = st.View(func(tx *bolt.Tx) error {
		if rows, err = ledger.All(tx); err != nil {
			return err
		}
		if o.verify {
			problems, err = ledger.Verify(tx)
		}
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case o.verify:
		if a.jsonOut {
			a.printJSON(map[string]any{"ok": len(problems) == 0, "rows": len(rows), "problems": problems})
		} else if len(problems) == 0 {
			fmt.Fprintln(a.stdout, a.msg(msgLedgerIntact, len(rows)))
		}
		if len(problems) > 0 {
			return fmt.Errorf("%w: %s", errLedgerBroken, strings.Join(problems, "; "))
		}
		return nil
	case o.csv:
		return ledger.WriteCSV(a.stdout, rows, a.lang, time.Local)
	case a.jsonOut:
		return a.printJSON(rows)
	}
	for _, r := range rows {
		fmt.Fprintf(a.stdout, "%4d %s %-12s %-10s %-28s %-16s %s\n", r.Number, r.Time.In(time.Local).Format("2006-01-02 15:04"),
			r.Operator, r.Label, r.Bundle, r.Result, r.Reason)
	}
	return nil
}
