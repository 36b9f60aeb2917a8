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
		Use:   a.msg(helpUseMirrorTrust),
		Short: a.msg(helpShortMirrorTrust),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.setApprovals = cmd.Flags().Changed("approvals")
			return runMirrorTrust(cmd.Context(), a, o)
		},
	}
	addDataFlag(a, cmd, &o.data)
	f := cmd.Flags()
	f.StringArrayVar(&o.addPublishers, "add-publisher", nil, a.msg(helpFlagAddPublisher))
	f.StringArrayVar(&o.removePublishers, "remove-publisher", nil, a.msg(helpFlagRemovePublisher))
	f.StringArrayVar(&o.addApprovers, "add-approver", nil, a.msg(helpFlagAddApprover))
	f.StringArrayVar(&o.removeApprovers, "remove-approver", nil, a.msg(helpFlagRemoveApprover))
	f.IntVar(&o.approvals, "approvals", 0, a.msg(helpFlagApprovals))
	f.StringVar(&o.vendorTrust, "vendor-trust", "", a.msg(helpFlagVendorTrust))
	f.BoolVar(&o.vendorTrustDefault, "vendor-trust-default", false, a.msg(helpFlagVendorTrustDefault))
	f.BoolVar(&o.showVendorKeys, "show-vendor-trust", false, a.msg(helpFlagShowVendorTrust))
	f.StringVar(&o.operator, "operator", "", a.msg(helpFlagOperator))
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
