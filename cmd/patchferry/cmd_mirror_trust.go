package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/mirror/service"
)

type mirrorTrustOptions struct {
	data, operator                     string
	addPublishers, addApprovers        []string
	removePublishers, removeApprovers  []string
	approvals                          int
	setApprovals                       bool // --approvals was given
	vendorTrust                        string
	vendorTrustDefault, showVendorKeys bool
}

func newMirrorTrustCommand(a *app) *cobra.Command {
	var o mirrorTrustOptions
	cmd := &cobra.Command{
		Use:   "trust --data DIR [--add-publisher PUB] [--remove-publisher KEYID] [--add-approver PUB] [--remove-approver KEYID] [--approvals K] [--vendor-trust FILE]",
		Short: "Show or change whom the mirror trusts (every change is a ledger row)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.setApprovals = cmd.Flags().Changed("approvals")
			return runMirrorTrust(cmd.Context(), a, o)
		},
	}
	addDataFlag(cmd, &o.data)
	f := cmd.Flags()
	f.StringArrayVar(&o.addPublishers, "add-publisher", nil, "trust another publisher key (.pub)")
	f.StringArrayVar(&o.removePublishers, "remove-publisher", nil, "stop trusting the publisher key with this key ID")
	f.StringArrayVar(&o.addApprovers, "add-approver", nil, "add an approver key (.pub)")
	f.StringArrayVar(&o.removeApprovers, "remove-approver", nil, "remove the approver key with this key ID")
	f.IntVar(&o.approvals, "approvals", 0, "distinct approvals required")
	f.StringVar(&o.vendorTrust, "vendor-trust", "", "replace the vendor roots and keys with this file")
	f.BoolVar(&o.vendorTrustDefault, "vendor-trust-default", false, "go back to the built-in vendor roots and keys")
	f.BoolVar(&o.showVendorKeys, "show-vendor-trust", false, "print the vendor trust in its file form")
	f.StringVar(&o.operator, "operator", "", "who does this, for the ledger (default: the OS user)")
	return cmd
}

// change turns the flags into a trust change, reading the key and vendor
// trust files here; nil when nothing is to change.
func (o mirrorTrustOptions) change(a *app) (*service.TrustChange, error) {
	if len(o.addPublishers)+len(o.removePublishers)+len(o.addApprovers)+len(o.removeApprovers) == 0 &&
		!o.setApprovals && o.vendorTrust == "" && !o.vendorTrustDefault {
		return nil, nil
	}
	req := &service.TrustChange{Operator: operator(o.operator), RemovePublishers: o.removePublishers,
		RemoveApprovers: o.removeApprovers, VendorTrustDefault: o.vendorTrustDefault && o.vendorTrust == ""} // a file wins, as it always did
	for _, add := range []struct {
		paths []string
		to    *[]string
	}{{o.addPublishers, &req.AddPublishers}, {o.addApprovers, &req.AddApprovers}} {
		keys, err := loadPublicKeys(add.paths)
		if err != nil {
			return nil, err
		}
		*add.to = pems(keys)
	}
	if o.setApprovals {
		req.Approvals = &o.approvals
	}
	var err error
	req.VendorTrust, err = a.vendorTrustFile(o.vendorTrust)
	return req, err
}

func runMirrorTrust(ctx context.Context, a *app, o mirrorTrustOptions) error {
	req, err := o.change(a)
	if err != nil {
		return err
	}
	svc, err := a.mirror(o.data, req == nil)
	if err != nil {
		return err
	}
	defer svc.Close()
	var t *service.TrustInfo
	if req == nil {
		t, err = svc.Trust(ctx)
	} else {
		t, err = svc.ChangeTrust(ctx, *req)
	}
	if err != nil {
		return err
	}
	return a.printTrust(t, o.showVendorKeys)
}

func (a *app) printTrust(t *service.TrustInfo, showVendor bool) error {
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "changes": t.Changes, "publisher_key_ids": t.PublisherKeyIDs,
			"approver_key_ids": t.ApproverKeyIDs, "approvals": t.Approvals, "vendor_trust": t.VendorTrust, "vendor_keys": t.VendorKeys})
	}
	if showVendor {
		_, err := fmt.Fprint(a.stdout, t.VendorTrustFile)
		return err
	}
	for _, c := range t.Changes {
		fmt.Fprintf(a.stdout, "* %s\n", c)
	}
	fmt.Fprintf(a.stdout, "%s %v\n", a.label(msgLabelPublisher), t.PublisherKeyIDs)
	fmt.Fprintf(a.stdout, "%s %v (%d)\n", a.label(msgLabelApprovers), t.ApproverKeyIDs, t.Approvals)
	fmt.Fprintf(a.stdout, "%s %s\n", a.label(msgLabelVendorTrust), t.VendorTrust)
	for _, s := range t.VendorKeys {
		fmt.Fprintf(a.stdout, "  %s\n", s)
	}
	return nil
}
