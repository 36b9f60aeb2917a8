package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

type mirrorTrustOptions struct {
	data, operator                     string
	addPublishers, addApprovers        []string
	removePublishers, removeApprovers  []string
	approvals                          int
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
			setApprovals := cmd.Flags().Changed("approvals")
			if handled, err := a.forwardTrust(cmd.Context(), o, setApprovals); handled {
				return err
			}
			return runMirrorTrust(a, o, setApprovals)
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

func runMirrorTrust(a *app, o mirrorTrustOptions, setApprovals bool) error {
	changing := len(o.addPublishers)+len(o.removePublishers)+len(o.addApprovers)+len(o.removeApprovers) > 0 ||
		setApprovals || o.vendorTrust != "" || o.vendorTrustDefault
	st, release, err := a.openStore(o.data, !changing)
	if err != nil {
		return err
	}
	defer release()
	var t *store.Trust
	var changes []string
	if !changing {
		err = st.View(func(tx *bolt.Tx) error { t, err = store.GetTrust(tx); return err })
		if err != nil {
			return err
		}
		return a.printTrust(t, nil, o.showVendorKeys)
	}
	err = st.Update(func(tx *bolt.Tx) error {
		if t, err = store.GetTrust(tx); err != nil {
			return err
		}
		if changes, err = applyTrustChanges(t, o, setApprovals); err != nil {
			return err
		}
		if err := t.Validate(); err != nil {
			return usagef("%w", err)
		}
		if err := store.PutTrust(tx, t); err != nil {
			return err
		}
		_, err = ledger.Append(tx, ledger.Row{Time: a.now(), Operator: operator(o.operator), Result: ledger.ResultTrustChanged, Reason: strings.Join(changes, "; ")})
		return err
	})
	if err != nil {
		return err
	}
	return a.printTrust(t, changes, o.showVendorKeys)
}

func applyTrustChanges(t *store.Trust, o mirrorTrustOptions, setApprovals bool) ([]string, error) {
	var changes []string
	add := func(list *[]string, paths []string, role string) error {
		keys, err := loadPublicKeys(paths)
		if err != nil {
			return err
		}
		for _, k := range keys {
			*list = append(*list, string(k.PEM()))
			changes = append(changes, fmt.Sprintf("added %s %s", role, k.ID()))
		}
		return nil
	}
	remove := func(list *[]string, ids []string, role string) error {
		for _, id := range ids {
			i := slices.IndexFunc(*list, func(p string) bool { k, err := verify.ParsePublicKey([]byte(p)); return err == nil && k.ID() == id })
			if i < 0 {
				return usagef("no %s key with ID %s; `patchferry mirror trust` lists them", role, id)
			}
			*list = slices.Delete(*list, i, i+1)
			changes = append(changes, fmt.Sprintf("removed %s %s", role, id))
		}
		return nil
	}
	for _, step := range []error{
		add(&t.Publishers, o.addPublishers, "publisher"), remove(&t.Publishers, o.removePublishers, "publisher"),
		add(&t.Approvers, o.addApprovers, "approver"), remove(&t.Approvers, o.removeApprovers, "approver"),
	} {
		if step != nil {
			return nil, step
		}
	}
	if setApprovals {
		t.Threshold = o.approvals
		changes = append(changes, fmt.Sprintf("approvals required: %d", o.approvals))
	}
	switch {
	case o.vendorTrust != "":
		raw, _, err := readVendorTrust(o.vendorTrust)
		if err != nil {
			return nil, err
		}
		t.VendorTrust = raw
		changes = append(changes, "vendor trust from "+o.vendorTrust)
	case o.vendorTrustDefault:
		t.VendorTrust = ""
		changes = append(changes, "vendor trust: built-in")
	}
	return changes, nil
}

func (a *app) printTrust(t *store.Trust, changes []string, showVendor bool) error {
	keys, err := t.Keys()
	if err != nil {
		return err
	}
	vt, err := t.Vendor()
	if err != nil {
		return err
	}
	vendor := "built-in"
	if t.VendorTrust != "" {
		vendor = "custom"
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "changes": changes, "publisher_key_ids": keyIDs(keys.Publishers),
			"approver_key_ids": keyIDs(keys.Approvers), "approvals": t.Threshold, "vendor_trust": vendor, "vendor_keys": vt.Summary()})
	}
	if showVendor {
		b, err := vt.Marshal()
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(b)
		return err
	}
	for _, c := range changes {
		fmt.Fprintf(a.stdout, "* %s\n", c)
	}
	fmt.Fprintf(a.stdout, "%s %v\n", a.label(msgLabelPublisher), keyIDs(keys.Publishers))
	fmt.Fprintf(a.stdout, "%s %v (%d)\n", a.label(msgLabelApprovers), keyIDs(keys.Approvers), t.Threshold)
	fmt.Fprintf(a.stdout, "%s %s\n", a.label(msgLabelVendorTrust), vendor)
	for _, s := range vt.Summary() {
		fmt.Fprintf(a.stdout, "  %s\n", s)
	}
	return nil
}

// forwardTrust hands a trust command to a running `mirror serve`, sending
// the key and vendor trust files it names.
func (a *app) forwardTrust(ctx context.Context, o mirrorTrustOptions, setApprovals bool) (bool, error) {
	args := []string{"mirror", "trust", "--operator", operator(o.operator)}
	var uploads []admin.Upload
	file := func(flag, path string) {
		name := fmt.Sprintf("arg/%d/%s", len(uploads)+1, filepath.Base(path))
		uploads = append(uploads, admin.Upload{Name: name, Path: path})
		args = append(args, flag, uploadPrefix+name)
	}
	for _, p := range o.addPublishers {
		file("--add-publisher", p)
	}
	for _, p := range o.addApprovers {
		file("--add-approver", p)
	}
	if o.vendorTrust != "" {
		file("--vendor-trust", o.vendorTrust)
	}
	for _, id := range o.removePublishers {
		args = append(args, "--remove-publisher", id)
	}
	for _, id := range o.removeApprovers {
		args = append(args, "--remove-approver", id)
	}
	if setApprovals {
		args = append(args, "--approvals", strconv.Itoa(o.approvals))
	}
	if o.vendorTrustDefault {
		args = append(args, "--vendor-trust-default")
	}
	if o.showVendorKeys {
		args = append(args, "--show-vendor-trust")
	}
	for _, u := range uploads {
		if _, err := os.Stat(u.Path); err != nil {
			return true, usagef("%w", err)
		}
	}
	return a.forward(ctx, o.data, args, uploads, 0)
}
