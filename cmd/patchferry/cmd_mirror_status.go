package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/mirror/service"
)

func newMirrorStatusCommand(a *app) *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   a.msg(helpUseMirrorStatus),
		Short: a.msg(helpShortMirrorStatus),
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runMirrorStatus(cmd.Context(), a, data) },
	}
	addDataFlag(a, cmd, &data)
	return cmd
}

func runMirrorStatus(ctx context.Context, a *app, data string) error {
	svc, err := a.mirror(data, true)
	if err != nil {
		return err
	}
	defer svc.Close()
	s, err := svc.Status(ctx)
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(s) // sequence, last_import and state_code are a contract for scripts
	}
	return a.printStatus(s)
}

func (a *app) printStatus(s *service.Status) error {
	w := a.stdout
	fmt.Fprintf(w, "%s %s\n", a.label(msgLabelData), s.Data)
	if s.LastImport == nil {
		fmt.Fprintf(w, "%s\n", a.msg(msgNothingImported))
	} else {
		fmt.Fprintf(w, "%s %d (%s)  %s %s\n", a.label(msgLabelSequence), s.Sequence, s.Site, a.msg(msgLabelStateCode), s.StateCode)
		fmt.Fprintf(w, "%s %s (%s)\n", a.label(msgLabelLastImport), s.LastImport.In(time.Local).Format("2006-01-02 15:04"), a.msg(msgDaysAgo, *s.DaysSince))
		if s.Expires != nil {
			fmt.Fprintf(w, "%s %s\n", a.label(msgLabelExpires), s.Expires.In(time.Local).Format("2006-01-02 15:04"))
		}
		fmt.Fprintf(w, "%s %d / %d\n", a.label(msgLabelProducts), s.Products, s.Artifacts)
		for i, c := range s.Catalog {
			if i == 12 {
				fmt.Fprintf(w, "  … (%d)\n", len(s.Catalog)-i)
				break
			}
			fmt.Fprintf(w, "  %-40s %s\n", c.Product, c.Version)
		}
	}
	fmt.Fprintf(w, "%s %d / %d (%d)\n", a.label(msgLabelTrust), s.Publishers, s.Approvers, s.Approvals)
	if s.LedgerCode != "" {
		fmt.Fprintf(w, "%s %s (%d)\n", a.label(msgLabelLedgerCode), s.LedgerCode, s.LedgerRows)
	}
	if r := s.LastAttempt; r != nil {
		fmt.Fprintf(w, "%s %s %s %s %s\n", a.label(msgLabelLastAttempt), r.Time.In(time.Local).Format("2006-01-02 15:04"), r.Bundle, r.Result, r.Reason)
	}
	for _, r := range s.Unfinished {
		fmt.Fprintf(w, "! %s\n", a.msg(msgImportUnfinished, r.Time.In(time.Local).Format("2006-01-02 15:04"), r.Label, r.Bundle, r.Operator))
	}
	if s.ImportRunning {
		fmt.Fprintf(w, "%s\n", a.msg(msgImportRunning))
	}
	if s.Unprovable > 0 {
		fmt.Fprintf(w, "! %s\n", a.msg(msgUnprovable, s.Unprovable))
	}
	return nil
}
