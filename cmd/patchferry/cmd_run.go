package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newRunCommand(a *app) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseRun),
		Short: a.msg(helpShortRun),
		Long:  a.msg(helpLongRun),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.stdinTerminal = false // a scheduler has nobody to answer a prompt
			fs, err := a.openFetcher(o.config)
			if err != nil {
				return err
			}
			defer fs.state.Close()
			logPath, logFile, err := openRunLog(fs.cfg.CacheDir, a.now().Format("20060102-150405"))
			if err != nil {
				return err
			}
			defer logFile.Close()
			log := slog.New(slog.NewTextHandler(io.MultiWriter(a.stderr, logFile), &slog.HandlerOptions{Level: slog.LevelInfo}))
			log.Info("run started", "config", fs.cfg.Path, "sources", fs.cfg.Enabled())
			sum, err := a.fetch(cmd.Context(), fs, log)
			if err != nil {
				log.Error("fetch failed", "err", err)
				return err
			}
			res, err := a.export(cmd.Context(), fs, o)
			if err != nil {
				log.Error("export failed", "err", err)
				return err
			}
			log.Info("run finished", "new", sum.NewCount(), "nothing_new", res.NothingNew, "sequence", res.Sequence, "ok", sum.OK())
			out := *a
			out.stdout = io.MultiWriter(a.stdout, logFile)
			if a.jsonOut {
				out.stdout = a.stdout
				if err := a.printJSON(map[string]any{"ok": sum.OK(), "fetch": sum.Sources, "export": res, "log": logPath}); err != nil {
					return err
				}
			} else {
				if err := out.printFetchSummary(sum); err != nil {
					return err
				}
				if err := out.printExport(res); err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, a.msg(msgRunLog, logPath))
			}
			if !sum.OK() {
				return &exitError{exitFailed}
			}
			return nil
		},
	}
	addExportFlags(a, cmd, &o, false)
	return cmd
}

// openRunLog creates <cache_dir>/logs/run-<time>.log.
func openRunLog(cacheDir, stamp string) (string, *os.File, error) {
	dir := filepath.Join(cacheDir, "logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	p := filepath.Join(dir, "run-"+stamp+".log")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	return p, f, err
}
