package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
)

func newMirrorStatusCommand(a *app) *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "status --data DIR [--json]",
		Short: "Show what the mirror serves: sequence, state code, last import",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if handled, err := a.forward(cmd.Context(), data, []string{"mirror", "status"}, nil, 0); handled {
				return err
			}
			return runMirrorStatus(a, data)
		},
	}
	addDataFlag(cmd, &data)
	return cmd
}

// mirrorStatus is the status as JSON: sequence, last_import and state_code
// are a contract for scripts.
type mirrorStatus struct {
	Data        string           `json:"data"`
	Site        string           `json:"site,omitempty"`
	Sequence    uint64           `json:"sequence"`
	Base        uint64           `json:"base"`
	StateCode   string           `json:"state_code"`
	LastImport  *time.Time       `json:"last_import"`
	DaysSince   *int             `json:"days_since_import,omitempty"`
	Created     *time.Time       `json:"bundle_created,omitempty"`
	Expires     *time.Time       `json:"bundle_expires,omitempty"`
	Products    int              `json:"products"`
	Artifacts   int              `json:"artifacts"`
	Publishers  int              `json:"publisher_keys"`
	Approvers   int              `json:"approver_keys"`
	Approvals   int              `json:"approvals_required"`
	LedgerRows  int              `json:"ledger_rows"`
	LastAttempt *ledger.Row      `json:"last_attempt,omitempty"`
	Catalog     []catalogSummary `json:"catalog"`
}

type catalogSummary struct {
	Product string `json:"product"`
	Version string `json:"version"`
	Files   int    `json:"files"`
}

func runMirrorStatus(a *app, data string) error {
	st, release, err := a.openStore(data, true)
	if err != nil {
		return err
	}
	defer release()
	s := mirrorStatus{Data: st.Dir(), Catalog: []catalogSummary{}}
	err = st.View(func(tx *bolt.Tx) error {
		t, err := store.GetTrust(tx)
		if err != nil {
			return err
		}
		s.Publishers, s.Approvers, s.Approvals = len(t.Publishers), len(t.Approvers), t.Threshold
		cur, err := store.GetState(tx)
		if err != nil {
			return err
		}
		if cur != nil {
			days := int(a.now().Sub(cur.ImportedAt).Hours() / 24)
			s.Site, s.Sequence, s.Base, s.StateCode = cur.Site, cur.Sequence, cur.Base, cur.StateCode
			s.LastImport, s.DaysSince, s.Created = &cur.ImportedAt, &days, &cur.Created
			if !cur.Expires.IsZero() {
				s.Expires = &cur.Expires
			}
			s.Products = len(cur.Catalog)
			for _, c := range cur.Catalog {
				s.Catalog = append(s.Catalog, catalogSummary{Product: c.Vendor + "/" + c.Product, Version: c.Version, Files: len(c.Artifacts)})
			}
		}
		if err := store.ForEachArtifact(tx, func(*store.ArtifactRecord) error { s.Artifacts++; return nil }); err != nil {
			return err
		}
		rows, err := ledger.All(tx)
		if err != nil {
			return err
		}
		s.LedgerRows = len(rows)
		for i := len(rows) - 1; i >= 0; i-- {
			if rows[i].Result != ledger.ResultTrustChanged {
				s.LastAttempt = &rows[i]
				break
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(s)
	}
	return a.printStatus(&s)
}

func (a *app) printStatus(s *mirrorStatus) error {
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
	if r := s.LastAttempt; r != nil {
		fmt.Fprintf(w, "%s %s %s %s %s\n", a.label(msgLabelLastAttempt), r.Time.In(time.Local).Format("2006-01-02 15:04"), r.Bundle, r.Result, r.Reason)
	}
	return nil
}
