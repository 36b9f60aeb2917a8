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
		Use:   "approve --key K --name NAME DIR...",
		Short: "Countersign a bundle as an approver (上司の承認)",
		Long: "Checks every file of the bundle, then writes approvals/NAME.sig: a signature by the approver's key\n" +
			"over the approval message of the exact bundle.json (\"patchferry approval v1\", its SHA-256), never over\n" +
			"bundle.json itself. The manifest does not change. The publisher's key cannot approve.\n" +
			"DIR is the bundle folder or all its volumes.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBundleApprove(cmd.Context(), a, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "the approver's encrypted private key (required)")
	f.StringVar(&o.passwordFile, "password-file", "", "read the key password from this file (else $PATCHFERRY_KEY_PASSWORD, else a prompt)")
	f.StringVar(&o.name, "name", "", "approver name, becomes approvals/NAME.sig (required)")
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
