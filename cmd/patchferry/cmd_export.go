package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

type exportOptions struct {
	config, key, passwordFile, out, since string
	full                                  bool
	volumeSize, maxFileSize               string
	created, expires                      string
}

func addExportFlags(a *app, cmd *cobra.Command, o *exportOptions, withSince bool) {
	f := cmd.Flags()
	f.StringVar(&o.config, "config", "", a.msg(helpFlagConfig))
	f.StringVar(&o.key, "key", "", a.msg(helpFlagExportKey))
	f.StringVar(&o.passwordFile, "password-file", "", a.msg(helpFlagPasswordFileBatch))
	f.StringVar(&o.out, "out", "", a.msg(helpFlagExportOut))
	if withSince {
		f.StringVar(&o.since, "since", "", a.msg(helpFlagSince))
	}
	f.BoolVar(&o.full, "full", false, a.msg(helpFlagFull))
	f.StringVar(&o.volumeSize, "volume-size", "", a.msg(helpFlagExportVolumeSize))
	f.StringVar(&o.maxFileSize, "max-file-size", "", a.msg(helpFlagExportMaxFileSize))
	f.StringVar(&o.created, "created", "", a.msg(helpFlagCreated))
	f.StringVar(&o.expires, "expires", "30d", a.msg(helpFlagExpires))
}

func newExportCommand(a *app) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseExport),
		Short: a.msg(helpShortExport),
		Long:  a.msg(helpLongExport),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.full && o.since != "" {
				return userErr(msgUsageSinceFull).fix(hintUsageSinceFull).usage()
			}
			fs, err := a.openFetcher(o.config)
			if err != nil {
				return err
			}
			defer fs.state.Close()
			res, err := a.export(cmd.Context(), fs, o)
			if err != nil {
				return err
			}
			return a.printExport(res, o.since)
		},
	}
	addExportFlags(a, cmd, &o, true)
	return cmd
}

// mediaRoot returns --out, else out of the configuration: a folder that
// must exist (the medium, connected and mounted). It is never created: a
// missing one is a usage error whose hint is about mounting the medium.
func (a *app) mediaRoot(fs *fetchSetup, o exportOptions) (string, error) {
	out := o.out
	if out == "" {
		out = fs.cfg.Out
	}
	if out == "" {
		return "", userErr(msgUsageOutRequired).fix(hintUsageOutRequired).usage()
	}
	return out, a.noMedia(out, fetcher.CheckOut(out))
}

// zone is the time zone README.txt on the medium shows times in: the
// machine's (main's clock is time.Now, in time.Local: $TZ, else the
// system's setting). With --created or SOURCE_DATE_EPOCH the same inputs
// give the same bytes on the same machine; bundle.json and its signature
// are the same in every zone.
func (a *app) zone() *time.Location { return a.now().Location() }

// export runs an export with the options and configuration. It checks the
// media folder and --since before it asks for the key's password.
func (a *app) export(ctx context.Context, fs *fetchSetup, o exportOptions) (*fetcher.ExportResult, error) {
	out, err := a.mediaRoot(fs, o)
	if err != nil {
		return nil, err
	}
	keyPath := o.key
	if keyPath == "" {
		keyPath = fs.cfg.Key
	}
	created, err := a.parseCreated(o.created)
	if err != nil {
		return nil, err
	}
	validity, err := parseExpiry(o.expires)
	if err != nil {
		return nil, err
	}
	volumeSize, err := parseSizeFlag("volume-size", o.volumeSize, 0)
	if err != nil {
		return nil, err
	}
	maxFileSize, err := parseSizeFlag("max-file-size", o.maxFileSize, media.DefaultMaxFileSize)
	if err != nil {
		return nil, err
	}
	if o.since != "" { // a mistyped state code fails before the password is asked for
		if err := fetcher.CheckSince(fs.state, o.since); err != nil {
			if errors.Is(err, fetcher.ErrSinceSyntax) {
				return nil, &usageError{err}
			}
			return nil, err
		}
	}
	// The key (and its password) only once there is a bundle to write:
	// nobody is asked for a password to be told there is nothing new.
	var bar func(int64)
	done := func() {}
	defer func() { done() }()
	loadKey := func() (*verify.PrivateKey, error) {
		key, err := a.loadPrivateKey(keyPath, o.passwordFile)
		if err == nil {
			bar, done = a.progress(-1, a.msg(msgCopying))
		}
		return key, err
	}
	res, err := fetcher.Export(ctx, fs.state, fs.cache, fetcher.ExportOptions{
		Out: out, Site: string(fs.cfg.Site), LoadKey: loadKey, Sources: fs.cfg.Enabled(), Since: o.since, Full: o.full,
		Created: created, Validity: validity, VolumeSize: volumeSize, MaxFileSize: maxFileSize,
		Progress: func(n int64) {
			if bar != nil {
				bar(n)
			}
		},
		Zone: a.zone(),
	})
	return res, a.noMedia(out, err)
}

// printExport prints what an export did; since is its --since ("" for
// none).
func (a *app) printExport(res *fetcher.ExportResult, since string) error {
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "export": res})
	}
	switch {
	case res.NothingNew && since != "":
		fmt.Fprintln(a.stdout, a.msg(msgNothingSince, since, res.Sequence))
		return nil
	case res.NothingNew && res.Sequence == 0:
		fmt.Fprintln(a.stdout, a.msg(msgNothingYet))
		return nil
	case res.NothingNew:
		fmt.Fprintln(a.stdout, a.msg(msgNothingNew, res.Sequence))
		return nil
	}
	kind := a.msg(msgFull)
	if res.Base != 0 {
		kind = a.msg(msgDelta, res.Base)
	}
	fmt.Fprintf(a.stdout, "%s: %s %d (%s), %s, %s\n", a.msg(msgWritten), a.msg(msgLabelSequence), res.Sequence, kind,
		a.fileCount(res.Artifacts), humanBytes(res.Bytes))
	for _, d := range res.Dirs {
		fmt.Fprintf(a.stdout, "  %s\n", d)
	}
	for _, n := range res.New {
		fmt.Fprintf(a.stdout, "  + %s\n", n)
	}
	fmt.Fprintf(a.stdout, "  %s %s\n", a.label(msgLabelStateCode), res.StateCode)
	return nil
}

func newAddCommand(a *app) *cobra.Command {
	var configPath, product, version, channel, platform, lang, released string
	cmd := &cobra.Command{
		Use:   a.msg(helpUseAdd),
		Short: a.msg(helpShortAdd),
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vendor, prod, ok := strings.Cut(product, "/")
			if !ok || vendor == "" || prod == "" || strings.Contains(prod, "/") {
				return userErr(msgErrProduct, product).usage()
			}
			rel, err := parseReleased(released)
			if err != nil {
				return err
			}
			for _, f := range args {
				if fi, err := os.Stat(f); err != nil || !fi.Mode().IsRegular() {
					return userErr(msgUsageNotFile, f).because(err).fix(hintUsageNotFile).usage()
				}
			}
			fs, err := a.openFetcher(configPath)
			if err != nil {
				return err
			}
			defer fs.state.Close()
			added, err := fetcher.AddManual(fs.state, fs.cache, media.Artifact{Vendor: vendor, Product: prod, Version: version,
				Channel: channel, Platform: platform, Language: lang, Released: rel}, args, a.now())
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(map[string]any{"ok": true, "added": added})
			}
			for _, x := range added {
				fmt.Fprintf(a.stdout, "+ %s/%s %s %s %s (%s)\n", x.Vendor, x.Product, x.Version, x.FileName, humanBytes(x.Size), x.SHA256[:16])
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&configPath, "config", "", a.msg(helpFlagConfig))
	f.StringVar(&product, "product", "", a.msg(helpFlagProduct))
	f.StringVar(&version, "version", "", a.msg(helpFlagVersion))
	f.StringVar(&channel, "channel", "", a.msg(helpFlagChannel))
	f.StringVar(&platform, "platform", "", a.msg(helpFlagPlatform))
	f.StringVar(&lang, "language", "", a.msg(helpFlagLanguage))
	f.StringVar(&released, "released", "", a.msg(helpFlagReleased))
	cmd.MarkFlagRequired("product")
	cmd.MarkFlagRequired("version")
	return cmd
}

// parseReleased reads --released: a date (UTC midnight) or an RFC 3339
// time; "" gives zero (AddManual then takes each file's modification time).
func parseReleased(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, userErr(msgUsageReleased, s).fix(hintUsageReleased).usage()
}
