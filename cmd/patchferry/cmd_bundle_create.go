package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
)

type bundleCreateOptions struct {
	key, passwordFile          string
	out, site                  string
	sequence, base             uint64
	expires, created           string
	volumeSize, maxFileSize    string
	product, version           string
	channel, platform, langTag string
	released                   string
}

func newBundleCreateCommand(a *app) *cobra.Command {
	var o bundleCreateOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseBundleCreate),
		Short: a.msg(helpShortBundleCreate),
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBundleCreate(cmd.Context(), a, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", a.msg(helpFlagPublisherKey))
	f.StringVar(&o.passwordFile, "password-file", "", a.msg(helpFlagPasswordFile))
	f.StringVar(&o.out, "out", "", a.msg(helpFlagCreateOut))
	f.Uint64Var(&o.sequence, "sequence", 0, a.msg(helpFlagSequence))
	f.Uint64Var(&o.base, "base", 0, a.msg(helpFlagBase))
	f.StringVar(&o.expires, "expires", "30d", a.msg(helpFlagExpires))
	f.StringVar(&o.site, "site", media.DefaultSite, a.msg(helpFlagSite))
	f.StringVar(&o.created, "created", "", a.msg(helpFlagCreatedFixes))
	f.StringVar(&o.volumeSize, "volume-size", "", a.msg(helpFlagVolumeSize))
	f.StringVar(&o.maxFileSize, "max-file-size", "", a.msg(helpFlagMaxFileSize))
	f.StringVar(&o.product, "product", "", a.msg(helpFlagProductOfFiles))
	f.StringVar(&o.version, "version", "", a.msg(helpFlagVersion))
	f.StringVar(&o.channel, "channel", "", a.msg(helpFlagChannel))
	f.StringVar(&o.platform, "platform", "", a.msg(helpFlagPlatform))
	f.StringVar(&o.langTag, "language", "", a.msg(helpFlagLanguageOfFiles))
	f.StringVar(&o.released, "released", "", a.msg(helpFlagReleased))
	for _, n := range []string{"key", "out", "sequence", "product", "version"} {
		cmd.MarkFlagRequired(n)
	}
	return cmd
}

func runBundleCreate(ctx context.Context, a *app, o bundleCreateOptions, files []string) error {
	vendor, product, ok := strings.Cut(o.product, "/")
	if !ok || vendor == "" || product == "" || strings.Contains(product, "/") {
		return userErr(msgErrProduct, o.product).usage()
	}
	if err := o.checkNames(vendor, product); err != nil {
		return err
	}
	// The medium must be there: a folder that does not exist is never
	// created (an unmounted stick must not send the bundle elsewhere).
	if err := a.noMedia(o.out, fetcher.CheckOut(o.out)); err != nil {
		return err
	}
	created, err := a.parseCreated(o.created)
	if err != nil {
		return err
	}
	validity, err := parseExpiry(o.expires)
	if err != nil {
		return err
	}
	volumeSize, err := parseSizeFlag("volume-size", o.volumeSize, 0)
	if err != nil {
		return err
	}
	maxFileSize, err := parseSizeFlag("max-file-size", o.maxFileSize, media.DefaultMaxFileSize)
	if err != nil {
		return err
	}
	released, err := parseReleased(o.released)
	if err != nil {
		return err
	}
	if err := media.ValidSite(o.site); err != nil {
		return userErr(msgErrSite, o.site).because(err).usage()
	}
	if o.sequence == 0 || o.base >= o.sequence {
		return userErr(msgErrSequence, o.sequence, o.base).usage()
	}
	key, err := a.loadPrivateKey(o.key, o.passwordFile)
	if err != nil {
		return err
	}
	wo := media.WriteOptions{
		Out: o.out, Site: o.site, Sequence: o.sequence, Base: o.base, Created: created,
		MaxFileSize: maxFileSize, VolumeSize: volumeSize, Key: key, Zone: a.zone(),
	}
	if validity > 0 {
		wo.Expires = created.Add(validity)
	}
	var c media.Contents
	var total int64
	for _, f := range files {
		rel := released
		if rel.IsZero() {
			if fi, err := os.Stat(f); err == nil {
				rel = fi.ModTime().UTC().Truncate(time.Second)
			}
		}
		c.Inputs = append(c.Inputs, media.Input{Path: f, Artifact: media.Artifact{
			Vendor: vendor, Product: product, Version: o.version, Channel: o.channel,
			Platform: o.platform, Language: o.langTag, Kind: "manual", Released: rel,
			Verification: media.Verification{Method: evidence.MethodManual},
		}})
		total += fileSize(f)
	}
	var done func()
	wo.Progress, done = a.progress(total, a.msg(msgCopying))
	w, err := media.Write(ctx, wo, c)
	done()
	if err != nil {
		return err
	}
	return a.printWritten(w, key.Public().ID())
}

// checkNames refuses a --product, --version, --channel, --platform or
// --language that would become an unsafe path segment on the mirror
// (media.ValidSegment), before the key password is asked for.
func (o bundleCreateOptions) checkNames(vendor, product string) error {
	err := media.CheckSegments(
		media.Segment{Name: "--product (VENDOR)", Value: vendor}, media.Segment{Name: "--product (PRODUCT)", Value: product},
		media.Segment{Name: "--version", Value: o.version}, media.Segment{Name: "--channel", Value: o.channel, Optional: true},
		media.Segment{Name: "--platform", Value: o.platform, Optional: true}, media.Segment{Name: "--language", Value: o.langTag, Optional: true})
	if err != nil {
		return userErr(msgErrSegment, err.Error()).because(err).usage()
	}
	return nil
}

func (a *app) printWritten(w *media.Written, keyID string) error {
	m := w.Manifest
	var bytes int64
	for _, art := range m.Artifacts {
		bytes += art.Size
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{
			"ok": true, "dirs": w.Dirs, "site": m.Site, "sequence": m.Sequence, "base": m.Base,
			"created": m.Created, "expires": jsonExpiry(m), "artifacts": len(m.Artifacts), "bytes": bytes,
			"publisher_key_id": keyID,
		})
	}
	fmt.Fprintf(a.stdout, "%s: %s %d (%s), %s, %s\n", a.msg(msgWritten), a.msg(msgLabelSequence),
		m.Sequence, a.describeKind(m), a.fileCount(len(m.Artifacts)), humanBytes(bytes))
	for _, d := range w.Dirs {
		fmt.Fprintf(a.stdout, "  %s\n", d)
	}
	return nil
}
