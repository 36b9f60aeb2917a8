package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

type bundleVerifyOptions struct {
	trust, approvers []string
	approvals        int
}

func newBundleVerifyCommand(a *app) *cobra.Command {
	var o bundleVerifyOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseBundleVerify),
		Short: a.msg(helpShortBundleVerify),
		Long:  a.msg(helpLongBundleVerify),
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBundleVerify(cmd.Context(), a, o, args)
		},
	}
	addTrustFlags(a, cmd, &o)
	return cmd
}

func addTrustFlags(a *app, cmd *cobra.Command, o *bundleVerifyOptions) {
	f := cmd.Flags()
	f.StringArrayVar(&o.trust, "trust", nil, a.msg(helpFlagTrust))
	f.StringArrayVar(&o.approvers, "approver", nil, a.msg(helpFlagApprover))
	f.IntVar(&o.approvals, "approvals", -1, a.msg(helpFlagApprovalsDefault))
}

// trust turns the flags into a media.Trust.
func (o bundleVerifyOptions) load() (media.Trust, error) {
	if len(o.trust) == 0 {
		return media.Trust{}, userErr(msgErrTrustRequired).fix(hintPublicKeyMissing).usage()
	}
	pubs, err := loadPublicKeys(o.trust)
	if err != nil {
		return media.Trust{}, err
	}
	apps, err := loadPublicKeys(o.approvers)
	if err != nil {
		return media.Trust{}, err
	}
	apps = distinctKeys(apps)
	threshold := o.approvals
	if threshold < 0 { // not given: approvers listed means at least one must approve
		threshold = min(len(apps), 1)
	}
	if threshold > len(apps) {
		return media.Trust{}, userErr(msgErrApprovalsCount, threshold, len(apps)).usage()
	}
	t := media.Trust{Publishers: distinctKeys(pubs), Approvers: apps, Threshold: threshold}
	if err := t.CheckRoles(); err != nil {
		return media.Trust{}, userErr(msgErrBothRoles, strings.Join(keyIDsIn(err.Error()), ", ")).because(err).usage()
	}
	return t, nil
}

// distinctKeys drops repeated keys: one key given twice counts once.
func distinctKeys(keys []*verify.PublicKey) []*verify.PublicKey {
	var out []*verify.PublicKey
	for _, k := range keys {
		if !slices.ContainsFunc(out, k.Equal) {
			out = append(out, k)
		}
	}
	return out
}

func runBundleVerify(ctx context.Context, a *app, o bundleVerifyOptions, dirs []string) error {
	trust, err := o.load()
	if err != nil {
		return err
	}
	b, err := openBundle(dirs)
	if err != nil {
		return err
	}
	verdict, err := b.Verify(trust, a.now())
	if err != nil {
		return err
	}
	progress, done := a.progress(b.Size(), a.msg(msgHashing))
	err = b.CheckFiles(ctx, progress)
	done()
	if err != nil {
		return err
	}
	m := b.Manifest
	if a.jsonOut {
		return a.printJSON(map[string]any{
			"ok": true, "bundle": b.Name.String(), "dirs": b.Dirs, "site": m.Site, "sequence": m.Sequence,
			"base": m.Base, "created": m.Created, "expires": jsonExpiry(m),
			"publisher_key_id": verdict.Publisher.ID(), "approver_key_ids": keyIDs(verdict.Approvers),
			"artifacts": len(m.Artifacts), "bytes": b.Size(),
		})
	}
	w := a.stdout
	fmt.Fprintln(w, a.msg(msgVerified))
	fmt.Fprintf(w, "  %s %s (%s)\n", a.label(msgLabelBundle), b.Name, a.describeKind(m))
	fmt.Fprintf(w, "  %s %s\n", a.label(msgLabelCreated), m.Created.Format(time.RFC3339))
	fmt.Fprintf(w, "  %s %s\n", a.label(msgLabelExpires), a.describeExpiry(m))
	fmt.Fprintf(w, "  %s %s\n", a.label(msgLabelPublisher), verdict.Publisher.ID())
	if len(verdict.Approvers) > 0 {
		fmt.Fprintf(w, "  %s %v\n", a.label(msgLabelApprovers), keyIDs(verdict.Approvers))
	}
	fmt.Fprintf(w, "  %s %d, %s\n", a.label(msgLabelFiles), len(m.Artifacts), humanBytes(b.Size()))
	if len(b.Dirs) > 1 {
		fmt.Fprintf(w, "  %s %d\n", a.label(msgLabelVolumes), len(b.Dirs))
	}
	return nil
}
