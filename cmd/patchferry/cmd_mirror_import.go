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
}

func newMirrorImportCommand(a *app) *cobra.Command {
	var o mirrorImportOptions
	cmd := &cobra.Command{
		Use:   "import --data DIR [--operator NAME] [--label LABEL] [--scan-command CMD] PATH...",
		Short: "Verify a bundle again and import it, all or nothing",
		Long: "PATH is a bundle folder, a media root holding one bundle, or the volume folders in any order.\n" +
			"The media are only read. Every attempt is written to the ledger (媒体持込台帳).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runMirrorImport(cmd.Context(), a, o, args) },
	}
	addDataFlag(cmd, &o.data)
	f := cmd.Flags()
	f.StringVar(&o.operator, "operator", "", "who brings the media in, for the ledger (default: the OS user)")
	f.StringVar(&o.label, "label", "", "label of the medium, for the ledger (e.g. USB-07)")
	f.StringVar(&o.scanCommand, "scan-command", "", "virus scanner run on every payload, e.g. \"clamscan --no-summary\" (exit 0 clean, 1 detected)")
	return cmd
}

// runMirrorImport imports the bundle at paths. With `mirror serve` running,
// this process reads the media (they may be mounted for the operator only)
// and streams them to the server, which imports while they arrive.
func runMirrorImport(ctx context.Context, a *app, o mirrorImportOptions, paths []string) error {
	req := service.ImportRequest{Paths: paths, Operator: operator(o.operator), Label: o.label}
	if o.scanCommand != "" {
		argv, err := ingest.ParseScanCommand(o.scanCommand)
		if err != nil {
			return usagef("--scan-command: %w", err)
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
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "result": res})
	}
	if res.Status == ingest.StatusAlreadyImported {
		fmt.Fprintf(a.stdout, "%s\n", a.msg(msgAlreadyImported, res.Sequence, res.StateCode))
		fmt.Fprintf(a.stdout, "  %s %s (%s)\n", a.label(msgLabelLedgerCode), res.LedgerCode, a.msg(msgWriteLedgerCode))
		return nil
	}
	fmt.Fprintf(a.stdout, "%s\n", a.msg(msgImported, res.Sequence, res.StateCode))
	fmt.Fprintf(a.stdout, "  %s %s (%d)\n", a.label(msgLabelBundle), res.Bundle, res.Files)
	fmt.Fprintf(a.stdout, "  %s %s / %s\n", a.label(msgLabelChecked), humanBytes(res.Bytes), humanBytes(res.Copied))
	fmt.Fprintf(a.stdout, "  %s %s\n", a.label(msgLabelScan), res.Scan)
	fmt.Fprintf(a.stdout, "  %s %s\n", a.label(msgLabelStateCode), res.StateCode)
	fmt.Fprintf(a.stdout, "  %s %s (%s)\n", a.label(msgLabelLedgerCode), res.LedgerCode, a.msg(msgWriteLedgerCode))
	return nil
}
