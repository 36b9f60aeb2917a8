package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/mirror/ingest"
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

func runMirrorImport(ctx context.Context, a *app, o mirrorImportOptions, paths []string) error {
	opts := ingest.Options{Operator: operator(o.operator), Label: o.label, Now: a.now,
		Log: slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if o.scanCommand != "" {
		argv, err := ingest.ParseScanCommand(o.scanCommand)
		if err != nil {
			return usagef("--scan-command: %w", err)
		}
		opts.Scanner = &ingest.Scanner{Argv: argv}
	}
	st, err := a.openStore(o.data, false)
	if err != nil {
		return err
	}
	defer st.Close()
	var bar func(int64)
	done := func() {}
	opts.Total = func(total int64) { bar, done = a.progress(total, a.msg(msgImporting)) }
	opts.Progress = func(n int64) {
		if bar != nil {
			bar(n)
		}
	}
	res, err := ingest.Import(ctx, st, paths, opts)
	done()
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "result": res})
	}
	if res.Status == ingest.StatusAlreadyImported {
		fmt.Fprintf(a.stdout, "%s\n", a.msg(msgAlreadyImported, res.Sequence, res.StateCode))
		return nil
	}
	fmt.Fprintf(a.stdout, "%s\n", a.msg(msgImported, res.Sequence, res.StateCode))
	fmt.Fprintf(a.stdout, "  %s %s (%d)\n", a.label(msgLabelBundle), res.Bundle, res.Files)
	fmt.Fprintf(a.stdout, "  %s %s / %s\n", a.label(msgLabelChecked), humanBytes(res.Bytes), humanBytes(res.Copied))
	fmt.Fprintf(a.stdout, "  %s %s\n", a.label(msgLabelScan), res.Scan)
	fmt.Fprintf(a.stdout, "  %s %s\n", a.label(msgLabelStateCode), res.StateCode)
	return nil
}
