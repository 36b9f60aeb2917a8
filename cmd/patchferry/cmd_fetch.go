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
	cmd := &cobra.Command{
		Use:   "fetch [--config F]",
		Short: "Download what is new from every enabled vendor source and verify each vendor signature",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			sum, err := runFetch(cmd.Context(), a, configPath)
			if err != nil {
				return err
			}
			if err := a.printFetchSummary(sum); err != nil {
				return err
			}
			if !sum.OK() {
				return &exitError{exitFailed} // the summary names each failure
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "configuration file (default: the built-in configuration)")
	return cmd
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

func runFetch(ctx context.Context, a *app, configPath string) (*fetcher.Summary, error) {
	fs, err := a.openFetcher(configPath)
	if err != nil {
		return nil, err
	}
	defer fs.state.Close()
	return a.fetch(ctx, fs, slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// fetch runs every enabled source.
func (a *app) fetch(ctx context.Context, fs *fetchSetup, log *slog.Logger) (*fetcher.Summary, error) {
	d, err := fetcher.NewDownloader(fs.cfg, fs.cache, fs.state, log)
	if err != nil {
		return nil, &usageError{err}
	}
	bar, done := a.progress(-1, a.msg(msgDownloading))
	defer done()
	if bar != nil {
		d.Progress = func(string, int64) func(int64) { return bar }
	}
	env := fetcher.Env{Config: fs.cfg, Downloader: d, Cache: fs.cache, State: fs.state, Trust: fs.trust, Log: log, Now: a.now}
	return fetcher.Run(ctx, env, fetcher.EnabledSources(fs.cfg, vendors.Fetcher()))
}

func (a *app) printFetchSummary(sum *fetcher.Summary) error {
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": sum.OK(), "new": sum.NewCount(), "sources": sum.Sources})
	}
	for _, r := range sum.Sources {
		fmt.Fprintf(a.stdout, "%s: %s\n", r.Source, a.msg(msgFetchLine, len(r.New), r.Unchanged, len(r.Refused)))
		for _, n := range r.New {
			fmt.Fprintf(a.stdout, "  + %s\n", n)
		}
		for _, f := range r.Refused {
			fmt.Fprintf(a.stdout, "  ! %s: %s\n", f.What, f.Reason)
		}
		if r.Error != "" {
			fmt.Fprintf(a.stdout, "  ! %s: %s\n", a.msg(msgSourceFailed), r.Error)
		}
	}
	if len(sum.Sources) == 0 {
		fmt.Fprintln(a.stdout, a.msg(msgNoSources))
	}
	return nil
}

func newConfigCommand(a *app) *cobra.Command {
	var configPath, out string
	show := &cobra.Command{
		Use:   "show [--config F]",
		Short: "Print the effective configuration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := fetcher.LoadConfig(configPath, vendors.Fetcher())
			if err != nil {
				return &usageError{err}
			}
			return a.showConfig(cfg)
		},
	}
	show.Flags().StringVar(&configPath, "config", "", "configuration file (default: the built-in configuration)")
	initCmd := &cobra.Command{
		Use:   "init [--out FILE]",
		Short: "Write a commented starter configuration (the built-in default)",
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
				return usagef("%w (a configuration is never overwritten)", err)
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
	initCmd.Flags().StringVar(&out, "out", "patchferry.yaml", "file to write (- for stdout)")
	return newGroupCommand("config", "Show or start the fetcher configuration", show, initCmd)
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
