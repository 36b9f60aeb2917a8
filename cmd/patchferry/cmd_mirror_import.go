package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/service"
)

type mirrorImportOptions struct {
	data, operator, label, scanCommand string
	repair                             bool
}

func newMirrorImportCommand(a *app) *cobra.Command {
	var o mirrorImportOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseMirrorImport),
		Short: a.msg(helpShortMirrorImport),
		Long:  a.msg(helpLongMirrorImport),
		Args:  cobra.MinimumNArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return runMirrorImport(cmd.Context(), a, o, args) },
	}
	addDataFlag(a, cmd, &o.data)
	f := cmd.Flags()
	f.StringVar(&o.operator, "operator", "", a.msg(helpFlagImportOperator))
	f.StringVar(&o.label, "label", "", a.msg(helpFlagLabel))
	f.StringVar(&o.scanCommand, "scan-command", "", a.msg(helpFlagScanCommand))
	f.BoolVar(&o.repair, "repair", false, a.msg(helpFlagRepair))
	return cmd
}

// runMirrorImport imports the bundle at paths. With `mirror serve` running,
// this process reads the media (they may be mounted for the operator only)
// and streams them to the server, which imports while they arrive.
func runMirrorImport(ctx context.Context, a *app, o mirrorImportOptions, paths []string) error {
	req := service.ImportRequest{Paths: paths, Operator: operator(o.operator), Label: o.label, Repair: o.repair}
	if o.scanCommand != "" {
		argv, err := ingest.ParseScanCommand(o.scanCommand)
		if err != nil {
			return scanCommandError(o.scanCommand, err)
		}
		req.Scanner = argv
	}
	svc, err := a.mirror(o.data, false)
	if err != nil {
		return err
	}
	defer svc.Close()
	desc := a.msg(msgImporting)
	if _, remote := svc.(*admin.Client); remote {
		desc = a.msg(msgSending)
	}
	var bar func(int64)
	done := func() {}
	req.Total = func(total int64) { bar, done = a.progress(total, desc) }
	req.Progress = func(n int64) {
		if bar != nil {
			bar(n)
		}
	}
	res, err := svc.Import(ctx, req)
	done()
	if err != nil {
		a.printRefusalCode(ctx, svc, err)
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "result": res})
	}
	if o.repair {
		a.printRepair(res)
		return nil
	}
	if res.Status == ingest.StatusAlreadyImported {
		fmt.Fprintf(a.stdout, "%s\n", a.msg(msgAlreadyImported, res.Sequence, res.StateCode))
		fmt.Fprintf(a.stdout, "  %s %s%s\n", a.label(msgLabelLedgerCode), res.LedgerCode, a.msg(msgParen, a.msg(msgWriteLedgerCode)))
		return nil
	}
	fmt.Fprintf(a.stdout, "%s\n", a.msg(msgImportedSequence, res.Sequence))
	fmt.Fprintf(a.stdout, "  %s %s%s\n", a.label(msgLabelBundle), res.Bundle, a.msg(msgParen, a.count(res.Files, msgFile, msgFiles)))
	fmt.Fprintf(a.stdout, "  %s %s / %s\n", a.label(msgLabelChecked), humanBytes(res.Bytes), humanBytes(res.Copied))
	fmt.Fprintf(a.stdout, "  %s %s\n", a.label(msgLabelScan), a.verdictText(res.Scan))
	fmt.Fprintf(a.stdout, "  %s %s\n", a.label(msgLabelStateCode), res.StateCode)
	fmt.Fprintf(a.stdout, "  %s %s%s\n", a.label(msgLabelLedgerCode), res.LedgerCode, a.msg(msgParen, a.msg(msgWriteLedgerCode)))
	return nil
}

// printRepair says what a repair restored and what is still missing.
func (a *app) printRepair(res *ingest.Result) {
	defer func() {
		if res.LedgerCode != "" {
			fmt.Fprintf(a.stdout, "  %s %s%s\n", a.label(msgLabelLedgerCode), res.LedgerCode, a.msg(msgParen, a.msg(msgWriteLedgerCode)))
		}
	}()
	if res.Status == ingest.StatusNothingToRepair {
		fmt.Fprintf(a.stdout, "%s\n", a.msg(msgNothingToRepair, res.MirrorSequence, res.StateCode))
		return
	}
	var restored int64
	for _, f := range res.Restored {
		restored += f.Size
	}
	fmt.Fprintf(a.stdout, "%s\n", a.msg(msgRepaired, a.count(len(res.Restored), msgFile, msgFiles), humanBytes(restored), res.Sequence, res.MirrorSequence, res.StateCode))
	for _, f := range res.Restored {
		fmt.Fprintf(a.stdout, "  %s %q (%s)\n", a.label(msgLabelRestored), f.FileName, humanBytes(f.Size))
	}
	fmt.Fprintf(a.stdout, "  %s %s / %s\n", a.label(msgLabelChecked), humanBytes(res.Bytes), humanBytes(res.Copied))
	if len(res.StillMissing) > 0 {
		fmt.Fprintf(a.stdout, "%s\n", a.msg(msgStillMissing, a.count(len(res.StillMissing), msgFile, msgFiles)))
		for _, f := range res.StillMissing {
			fmt.Fprintf(a.stdout, "  %q (%s, %s %d)\n", f.FileName, humanBytes(f.Size), a.msg(msgLabelSequence), f.FirstSequence)
		}
	}
}

// printRefusalCode prints the ledger code after an import that was refused
// or failed: its ledger row is written too, and the paper ledger records
// every attempt. Nothing is printed when the mirror cannot say (the server
// stopped, the store is in use) or with --json (status has the code).
func (a *app) printRefusalCode(ctx context.Context, svc service.Service, err error) {
	if a.jsonOut || isUsage(err) {
		return
	}
	s, serr := svc.Status(ctx)
	if serr != nil || s.LedgerCode == "" {
		return
	}
	fmt.Fprintf(a.stderr, "%s %s%s\n", a.label(msgLabelLedgerCode), s.LedgerCode, a.msg(msgParen, a.msg(msgWriteLedgerCode)))
}
