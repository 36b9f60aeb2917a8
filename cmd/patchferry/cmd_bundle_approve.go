package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media"
)

type bundleApproveOptions struct {
	key, passwordFile, name string
}

func newBundleApproveCommand(a *app) *cobra.Command {
	var o bundleApproveOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseBundleApprove),
		Short: a.msg(helpShortBundleApprove),
		Long:  a.msg(helpLongBundleApprove),
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBundleApprove(cmd.Context(), a, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", a.msg(helpFlagApproverKey))
	f.StringVar(&o.passwordFile, "password-file", "", a.msg(helpFlagPasswordFile))
	f.StringVar(&o.name, "name", "", a.msg(helpFlagApproverName))
	cmd.MarkFlagRequired("key")
	cmd.MarkFlagRequired("name")
	return cmd
}

func runBundleApprove(ctx context.Context, a *app, o bundleApproveOptions, dirs []string) error {
	if err := media.ValidName(o.name); err != nil {
		return userErr(msgErrApproverName, o.name).because(err).usage()
	}
	b, err := openBundle(dirs)
	if err != nil {
		return err
	}
	for _, s := range b.Approvals {
		if s.Name == media.ApprovalsDir+"/"+o.name+".sig" {
			return userErr(msgErrApprovalExists, s.Name, b.Name).usage()
		}
	}
	// Ask for the password before the (long) file check, not after it.
	key, err := a.loadPrivateKey(o.key, o.passwordFile)
	if err != nil {
		return err
	}
	if err := media.CanApprove(b, key.Public()); err != nil {
		return userErr(msgErrPublisherApproves, o.key).because(err).usage()
	}
	progress, done := a.progress(b.Size(), a.msg(msgHashing))
	err = b.CheckFiles(ctx, progress)
	done()
	if err != nil {
		return err
	}
	rel, err := media.Approve(b, key, o.name)
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "bundle": b.Name.String(), "approval": rel, "key_id": key.Public().ID(), "dirs": b.Dirs})
	}
	fmt.Fprintf(a.stdout, "%s: %s %s (key ID %s)\n", a.msg(msgApproved), b.Name, rel, key.Public().ID())
	return nil
}
