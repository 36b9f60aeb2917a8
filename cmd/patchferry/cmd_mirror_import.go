package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/ingest"
)

type mirrorImportOptions struct {
	data, operator, label, scanCommand string
	recordRefusal                      string // internal: set by a forwarding client
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
	f.StringVar(&o.recordRefusal, "record-refusal", "", "internal: record a refusal found by the process that read the media")
	f.MarkHidden("record-refusal")
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
	if handled, err := a.forwardImport(ctx, o, paths); handled {
		return err
	}
	st, release, err := a.openStore(o.data, false)
	if err != nil {
		return err
	}
	defer release()
	if o.recordRefusal != "" {
		if err := ingest.RecordRefusal(st, opts, o.recordRefusal); err != nil {
			return err
		}
		return errors.New(o.recordRefusal)
	}
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

// forwardImport hands the import to a running `mirror serve`: this process
// reads the media (they may be mounted for the operator only) and streams
// the bundle to the server, which verifies and imports it. A bundle that
// cannot even be opened here is refused here, and the server records the
// refusal in the ledger.
func (a *app) forwardImport(ctx context.Context, o mirrorImportOptions, paths []string) (bool, error) {
	if a.owned != nil {
		return false, nil
	}
	args := []string{"mirror", "import", "--operator", operator(o.operator), "--label", o.label}
	if o.scanCommand != "" {
		args = append(args, "--scan-command", o.scanCommand)
	}
	b, openErr := media.Open(paths...)
	if openErr != nil {
		handled, err := a.forwardQuiet(ctx, o.data, append(args, "--record-refusal", openErr.Error(), "-"))
		if !handled {
			return false, nil
		}
		if err != nil && !isExit(err) {
			return true, errors.Join(openErr, err)
		}
		return true, openErr
	}
	var uploads []admin.Upload
	var total int64
	for i, d := range b.Dirs {
		name := fmt.Sprintf("in/%d/%s", i+1, filepath.Base(d))
		ups, n, err := uploadDir(d, name)
		if err != nil {
			return true, err
		}
		uploads, total = append(uploads, ups...), total+n
		args = append(args, uploadPrefix+name)
	}
	return a.forward(ctx, o.data, args, uploads, total)
}
