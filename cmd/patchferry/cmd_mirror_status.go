package main

import (
	"context"
	"fmt"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media/escape"
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

// statusLabel is a status label padded so that the values line up (the
// widest is "Last attempt:", "最終取り込み:").
func (a *app) statusLabel(id msgID) string {
	return runewidth.FillRight(a.msg(id)+":", 14)
}

func (a *app) printStatus(s *service.Status) error {
	w := a.stdout
	at := func(t time.Time) string { return t.In(time.Local).Format("2006-01-02 15:04") }
	fmt.Fprintf(w, "%s %s\n", a.statusLabel(msgLabelData), s.Data)
	if s.LastImport == nil {
		fmt.Fprintf(w, "%s\n", a.msg(msgNothingImported))
	} else {
		fmt.Fprintf(w, "%s %d%s\n", a.statusLabel(msgLabelSequence), s.Sequence, a.msg(msgLabelSite, escape.String(s.Site)))
		fmt.Fprintf(w, "%s %s\n", a.statusLabel(msgLabelStateCode), s.StateCode)
		fmt.Fprintf(w, "%s %s%s\n", a.statusLabel(msgLabelLastImport), at(*s.LastImport), a.msg(msgParen, a.daysAgo(*s.DaysSince)))
		if s.Expires != nil {
			fmt.Fprintf(w, "%s %s\n", a.statusLabel(msgLabelExpires), at(*s.Expires))
		}
		fmt.Fprintf(w, "%s %s\n", a.statusLabel(msgLabelCatalog), a.msg(msgCatalogCounts, s.Products, s.Artifacts))
		for i, c := range s.Catalog {
			if i == 12 {
				fmt.Fprintf(w, "  %s\n", a.msg(msgCatalogMore, len(s.Catalog)-i))
				break
			}
			fmt.Fprintf(w, "  %-40s %s%s\n", c.Product, c.Version, a.msg(msgParen, a.count(c.Files, msgFile, msgFiles)))
		}
	}
	fmt.Fprintf(w, "%s %s\n", a.statusLabel(msgLabelTrusted), a.msg(msgTrustCounts, s.Publishers, s.Approvers, s.Approvals))
	if s.LedgerCode != "" {
		fmt.Fprintf(w, "%s %s%s\n", a.statusLabel(msgLabelLedgerCode), s.LedgerCode, a.msg(msgParen, a.count(s.LedgerRows, msgRow, msgRows)))
	}
	if r := s.LastAttempt; r != nil {
		what := a.resultText(escape.String(r.Result))
		if reason := oneLine(a.reasonText(*r)); reason != "" {
			what += ": " + reason
		}
		fmt.Fprintf(w, "%s %s %s %s\n", a.statusLabel(msgLabelLastAttempt), at(r.Time), escape.String(r.Bundle), what)
	}
	for _, r := range s.Unfinished {
		fmt.Fprintf(w, "! %s\n", a.msg(msgImportUnfinished, at(r.Time), r.Label, r.Bundle, r.Operator))
	}
	if s.ImportRunning {
		fmt.Fprintf(w, "%s\n", a.msg(msgImportRunning))
	}
	if s.Unprovable > 0 {
		fmt.Fprintf(w, "! %s\n", a.count(s.Unprovable, msgUnprovable, msgUnprovables))
	}
	return nil
}
