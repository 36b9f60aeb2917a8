package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendors"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
)

func newFetchCommand(a *app) *cobra.Command {
	var configPath string
	var verbose bool
	cmd := &cobra.Command{
		Use:   a.msg(helpUseFetch),
		Short: a.msg(helpShortFetch),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFetch(cmd.Context(), a, configPath, verbose)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", a.msg(helpFlagConfig))
	addVerboseFlag(a, cmd, &verbose)
	return cmd
}

// addVerboseFlag adds --verbose: the log lines on stderr as well.
func addVerboseFlag(a *app, cmd *cobra.Command, verbose *bool) {
	cmd.Flags().BoolVar(verbose, "verbose", false, a.msg(helpFlagVerbose))
}

// fetchSetup is what a fetch (and an export) work with.
type fetchSetup struct {
	cfg   *fetcher.Config
	cache *fetcher.Cache
	state *fetcher.State
	trust *verify.VendorTrust
}

func (a *app) openFetcher(configPath string) (*fetchSetup, error) {
	cfg, err := fetcher.LoadConfig(configPath, vendors.Fetcher())
	if err != nil {
		return nil, &usageError{err}
	}
	trust := evidence.DefaultTrust()
	if cfg.VendorTrust != "" {
		if _, trust, err = a.readVendorTrust(cfg.VendorTrust); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("cache_dir: %w", err)
	}
	cache, err := fetcher.OpenCache(cfg.CacheDir)
	if err != nil {
		return nil, err
	}
	state, err := fetcher.OpenState(cfg.CacheDir)
	if err != nil {
		return nil, err
	}
	return &fetchSetup{cfg: cfg, cache: cache, state: state, trust: trust}, nil
}

// runFetch is `patchferry fetch`: every enabled source, a summary with one
// line per source (and per new or refused file), the details in a log
// under cache_dir/logs/ (on stderr too with --verbose).
func runFetch(ctx context.Context, a *app, configPath string, verbose bool) error {
	fs, err := a.openFetcher(configPath)
	if err != nil {
		return err
	}
	defer fs.state.Close()
	wl, err := a.openWeeklyLog(fs.cfg.CacheDir, "fetch", verbose)
	if err != nil {
		return err
	}
	defer wl.Close()
	wl.log.Info("fetch started", "config", fs.cfg.Path, "sources", fs.cfg.Enabled())
	sum, err := a.fetch(ctx, fs, wl.log)
	if err != nil {
		wl.log.Error("fetch failed", "err", err)
		return err
	}
	wl.log.Info("fetch finished", "new", sum.NewCount(), "ok", sum.OK())
	if err := wl.tee(a).printFetchSummary(sum); err != nil {
		return err
	}
	if !a.jsonOut {
		fmt.Fprintln(a.stdout, a.msg(msgRunLog, wl.path))
	}
	if !sum.OK() {
		return &exitError{exitFailed} // the summary names each failure
	}
	return nil
}

// fetch runs every enabled source; on a terminal a progress bar names
// the source being fetched.
func (a *app) fetch(ctx context.Context, fs *fetchSetup, log *slog.Logger) (*fetcher.Summary, error) {
	d, err := fetcher.NewDownloader(fs.cfg, fs.cache, fs.state, log)
	if err != nil {
		return nil, &usageError{err}
	}
	bar, describe, done := a.progressDescribed(-1, a.msg(msgDownloading))
	defer done()
	if bar != nil {
		d.Progress = func(string, int64) func(int64) { return bar }
	}
	env := fetcher.Env{Config: fs.cfg, Downloader: d, Cache: fs.cache, State: fs.state, Trust: fs.trust, Log: log, Now: a.now}
	sources := fetcher.EnabledSources(fs.cfg, vendors.Fetcher())
	for i, s := range sources {
		sources[i] = describedSource{Source: s, start: func() { describe(a.msg(msgFetchingSource, s.Name())) }}
	}
	return fetcher.Run(ctx, env, sources)
}

// describedSource calls start before its source fetches.
type describedSource struct {
	fetcher.Source
	start func()
}

func (s describedSource) Fetch(ctx context.Context, env *fetcher.Env) error {
	s.start()
	return s.Source.Fetch(ctx, env)
}

// printFetchSummary prints one line per source and per new or refused
// file, in a fixed order (fetcher.Run sorts them). A source that could not
// reach its vendor is one line, and the hint about the proxy and the
// network follows once.
func (a *app) printFetchSummary(sum *fetcher.Summary) error {
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": sum.OK(), "new": sum.NewCount(), "sources": sum.Sources})
	}
	unreachable := false
	for _, r := range sum.Sources {
		if line := a.unreachableLine(r.Source, r.Err); line != "" {
			fmt.Fprintln(a.stdout, line)
			unreachable = true
			continue
		}
		fmt.Fprintf(a.stdout, "%s: %s\n", r.Source, a.msg(msgFetchLine, len(r.New), r.Unchanged, len(r.Refused)))
		for _, n := range r.New {
			fmt.Fprintf(a.stdout, "  + %s\n", n)
		}
		for _, f := range r.Refused {
			fmt.Fprintf(a.stdout, "  ! %s: %s\n", f.What, f.Reason)
		}
		switch {
		case r.Err != nil:
			fmt.Fprintf(a.stdout, "  ! %s: %s\n", a.msg(msgSourceFailed), a.describe(r.Err))
		case r.Error != "":
			fmt.Fprintf(a.stdout, "  ! %s: %s\n", a.msg(msgSourceFailed), r.Error)
		}
	}
	if unreachable {
		fmt.Fprintf(a.stdout, "  → %s\n", a.msg(hintUnreachable))
	}
	if len(sum.Sources) == 0 {
		fmt.Fprintln(a.stdout, a.msg(msgNoSources))
	}
	return nil
}

func newConfigCommand(a *app) *cobra.Command {
	var configPath, out string
	show := &cobra.Command{
		Use:   a.msg(helpUseConfigShow),
		Short: a.msg(helpShortConfigShow),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := fetcher.LoadConfig(configPath, vendors.Fetcher())
			if err != nil {
				return &usageError{err}
			}
			return a.showConfig(cfg)
		},
	}
	show.Flags().StringVar(&configPath, "config", "", a.msg(helpFlagConfig))
	initCmd := &cobra.Command{
		Use:   a.msg(helpUseConfigInit),
		Short: a.msg(helpShortConfigInit),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" || out == "-" {
				_, err := a.stdout.Write(fetcher.DefaultYAML(vendors.Fetcher()))
				return err
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if errors.Is(err, fs.ErrExist) {
				return userErr(msgErrConfigExists, out).because(err).fix(hintConfigExists).usage()
			}
			if err != nil {
				return userErr(msgUsageConfigCreate, cause{err: err}).because(err).fix(hintUsageConfigCreate).usage()
			}
			_, err = f.Write(fetcher.DefaultYAML(vendors.Fetcher()))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				fmt.Fprintf(a.stderr, "%s\n", out)
			}
			return err
		},
	}
	initCmd.Flags().StringVar(&out, "out", "patchferry.yaml", a.msg(helpFlagConfigOut))
	return newGroupCommand("config", a.msg(helpShortConfig), show, initCmd)
}

// showConfig prints the effective configuration with where each value
// comes from: a comment after each key in YAML ("default", "FILE:LINE"),
// and with --json an "origins" object beside the configuration's keys
// (key → "default", "FILE:LINE" or "off: not listed in FILE", in English
// for scripts).
func (a *app) showConfig(cfg *fetcher.Config) error {
	origin := func(o fetcher.Origin, lang string) string {
		switch {
		case o.Line > 0:
			return format(textOf(msgOriginLine).in(lang), []any{cfg.Path, o.Line})
		case cfg.Path != "" && strings.HasPrefix(o.Key, "sources.") && strings.HasSuffix(o.Key, ".enabled"):
			return format(textOf(msgOriginUnlisted).in(lang), []any{cfg.Path}) // a file lists every source it wants
		}
		return textOf(msgOriginDefault).in(lang)
	}
	if a.jsonOut {
		origins, err := cfg.Origins()
		if err != nil {
			return err
		}
		m := make(map[string]string, len(origins))
		for _, o := range origins {
			m[o.Key] = origin(o, "en")
		}
		return a.printJSON(struct {
			*fetcher.Config
			Origins map[string]string `json:"origins"`
		}{cfg, m})
	}
	b, err := cfg.MarshalOrigins(func(o fetcher.Origin) string { return origin(o, a.lang) })
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(b)
	return err
}
