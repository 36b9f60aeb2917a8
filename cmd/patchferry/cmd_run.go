package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media/escape"
)

func newRunCommand(a *app) *cobra.Command {
	var o exportOptions
	var verbose bool
	cmd := &cobra.Command{
		Use:   a.msg(helpUseRun),
		Short: a.msg(helpShortRun),
		Long:  a.msg(helpLongRun),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.stdinTerminal = false // a scheduler has nobody to answer a prompt
			return a.runWeekly(cmd.Context(), o, verbose)
		},
	}
	addExportFlags(a, cmd, &o, false)
	addVerboseFlag(a, cmd, &verbose)
	return cmd
}

// runWeekly is `patchferry run`. The media folder is checked first: with
// the medium absent nothing is fetched or written (exit 2). When every
// enabled source failed nothing is written either (exit 1); else the
// next bundle, if there is anything to carry.
func (a *app) runWeekly(ctx context.Context, o exportOptions, verbose bool) error {
	fs, err := a.openFetcher(o.config)
	if err != nil {
		return err
	}
	defer fs.state.Close()
	if _, err := a.mediaRoot(fs, o); err != nil {
		return err
	}
	wl, err := a.openWeeklyLog(fs.cfg.CacheDir, "run", verbose)
	if err != nil {
		return err
	}
	defer wl.Close()
	wl.log.Info("run started", "config", fs.cfg.Path, "sources", fs.cfg.Enabled())
	sum, err := a.fetch(ctx, fs, wl.log)
	if err != nil {
		wl.log.Error("fetch failed", "err", err)
		return err
	}
	out := wl.tee(a)
	if sum.AllFailed() {
		wl.log.Error("run finished: every source failed, nothing exported", "sources", len(sum.Sources))
		if a.jsonOut {
			return a.printJSONExit(map[string]any{"ok": false, "fetch": sum.Sources, "export": nil, "log": wl.path})
		}
		if err := out.printFetchSummary(sum); err != nil {
			return err
		}
		fmt.Fprintln(out.stdout, a.msg(msgAllFailed))
		fmt.Fprintf(out.stdout, "  → %s\n", a.msg(hintAllFailed))
		fmt.Fprintln(a.stdout, a.msg(msgRunLog, wl.path))
		return &exitError{exitFailed}
	}
	res, err := a.export(ctx, fs, o)
	if err != nil {
		wl.log.Error("export failed", "err", err)
		return err
	}
	wl.log.Info("run finished", "new", sum.NewCount(), "nothing_new", res.NothingNew, "sequence", res.Sequence, "ok", sum.OK())
	if a.jsonOut {
		if err := a.printJSON(map[string]any{"ok": sum.OK(), "fetch": sum.Sources, "export": res, "log": wl.path}); err != nil {
			return err
		}
	} else {
		if err := out.printFetchSummary(sum); err != nil {
			return err
		}
		if err := out.printExport(res, ""); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, a.msg(msgRunLog, wl.path))
	}
	if !sum.OK() {
		return &exitError{exitFailed}
	}
	return nil
}

// printJSONExit prints v and ends the command with exit code 1.
func (a *app) printJSONExit(v any) error {
	if err := a.printJSON(v); err != nil {
		return err
	}
	return &exitError{exitFailed}
}

// weeklyLog is the log of one fetch or run,
// <cache_dir>/logs/<kind>-<time>.log: every INFO, WARN and ERROR line
// (retries, refusals, failed sources with their URLs), and a copy of the
// summary. With --verbose the lines go to stderr too, as they are written.
type weeklyLog struct {
	path string
	file *os.File
	esc  *escape.Writer // file, escaped: the summary copied into it
	log  *slog.Logger
}

func (a *app) openWeeklyLog(cacheDir, kind string, verbose bool) (*weeklyLog, error) {
	path, f, err := openRunLog(cacheDir, kind+"-"+a.now().Format("20060102-150405"))
	if err != nil {
		return nil, err
	}
	var w io.Writer = f
	if verbose {
		w = io.MultiWriter(f, a.stderr)
	}
	// slog's text handler quotes any value holding a control character.
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return &weeklyLog{path: path, file: f, esc: escape.NewWriter(f), log: log}, nil
}

func (l *weeklyLog) Close() error {
	l.esc.Flush()
	return l.file.Close()
}

// tee returns a copy of a whose text output goes into the log as well.
func (l *weeklyLog) tee(a *app) *app {
	out := *a
	if !a.jsonOut {
		out.stdout = io.MultiWriter(a.stdout, l.esc)
	}
	return &out
}

// openRunLog creates (or appends to) <cache_dir>/logs/<name>.log.
func openRunLog(cacheDir, name string) (string, *os.File, error) {
	dir := filepath.Join(cacheDir, "logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	p := filepath.Join(dir, name+".log")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	return p, f, err
}
