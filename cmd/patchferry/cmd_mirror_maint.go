package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/mirror/service"
)

func newMirrorScrubCommand(a *app) *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   a.msg(helpUseMirrorScrub),
		Short: a.msg(helpShortMirrorScrub),
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runMirrorScrub(cmd.Context(), a, data) },
	}
	addDataFlag(a, cmd, &data)
	return cmd
}

func runMirrorScrub(ctx context.Context, a *app, data string) error {
	svc, err := a.mirror(data, false)
	if err != nil {
		return err
	}
	defer svc.Close()
	bar, done := a.progress(-1, a.msg(msgScrubbing))
	rep, err := svc.Scrub(ctx, service.ScrubRequest{Progress: bar})
	done()
	if err != nil {
		return err
	}
	if a.jsonOut {
		if err := a.printJSON(map[string]any{"ok": len(rep.Quarantined) == 0, "scrub": rep}); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(a.stdout, a.msg(msgScrubbed, rep.Checked, humanBytes(rep.Bytes), len(rep.Quarantined)))
		for _, q := range rep.Quarantined {
			fmt.Fprintf(a.stdout, "  %s\n", q)
		}
	}
	if len(rep.Quarantined) > 0 {
		return &exitError{exitFailed} // damage found: a scheduler must notice
	}
	return nil
}

func newMirrorGCCommand(a *app) *cobra.Command {
	var data string
	var keep int
	cmd := &cobra.Command{
		Use:   a.msg(helpUseMirrorGC),
		Short: a.msg(helpShortMirrorGC),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if keep < 1 {
				return userErr(msgUsageKeep, keep).fix(hintUsageKeep).usage()
			}
			return runMirrorGC(cmd.Context(), a, data, keep)
		},
	}
	addDataFlag(a, cmd, &data)
	cmd.Flags().IntVar(&keep, "keep", 0, a.msg(helpFlagKeep))
	cmd.MarkFlagRequired("keep")
	return cmd
}

func runMirrorGC(ctx context.Context, a *app, data string, keep int) error {
	svc, err := a.mirror(data, false)
	if err != nil {
		return err
	}
	defer svc.Close()
	rep, err := svc.GC(ctx, service.GCRequest{Keep: keep})
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "gc": rep})
	}
	fmt.Fprintln(a.stdout, a.msg(msgGC, rep.KeptVersions, rep.RemovedVersions, rep.RemovedBlobs, humanBytes(rep.FreedBytes)))
	return nil
}
