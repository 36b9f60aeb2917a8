package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

type mirrorInitOptions struct {
	data, vendorTrust, operator string
	trust                       bundleVerifyOptions
}

func newMirrorInitCommand(a *app) *cobra.Command {
	var o mirrorInitOptions
	cmd := &cobra.Command{
		Use:   "init --data DIR --trust PUB [--trust PUB…] [--approver PUB… --approvals K] [--vendor-trust FILE]",
		Short: "Create a mirror and record whom it trusts",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runMirrorInit(a, o) },
	}
	addDataFlag(cmd, &o.data)
	addTrustFlags(cmd, &o.trust)
	cmd.Flags().StringVar(&o.vendorTrust, "vendor-trust", "", "vendor roots and keys to re-verify vendor signatures with (default: built in)")
	cmd.Flags().StringVar(&o.operator, "operator", "", "who does this, for the ledger (default: the OS user)")
	return cmd
}

// readVendorTrust reads and checks a vendor trust file.
func readVendorTrust(path string) (string, *verify.VendorTrust, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, usagef("vendor trust: %w", err)
	}
	defer f.Close()
	b, err := verify.ReadLimited(f, verify.MaxVendorTrust, path)
	if err != nil {
		return "", nil, usagef("%w", err)
	}
	vt, err := verify.ParseVendorTrust(b)
	if err != nil {
		return "", nil, usagef("%s: %w", path, err)
	}
	return string(b), vt, nil
}

func runMirrorInit(a *app, o mirrorInitOptions) error {
	keys, err := o.trust.load()
	if err != nil {
		return err
	}
	t := store.Trust{Threshold: keys.Threshold}
	for _, k := range keys.Publishers {
		t.Publishers = append(t.Publishers, string(k.PEM()))
	}
	for _, k := range keys.Approvers {
		t.Approvers = append(t.Approvers, string(k.PEM()))
	}
	vtName := "built-in"
	if o.vendorTrust != "" {
		if t.VendorTrust, _, err = readVendorTrust(o.vendorTrust); err != nil {
			return err
		}
		vtName = o.vendorTrust
	}
	if err := t.Validate(); err != nil {
		return usagef("%w", err)
	}
	dir := a.dataDir(o.data)
	st, err := store.Create(dir, t)
	if err != nil {
		return err
	}
	defer st.Close()
	reason := fmt.Sprintf("mirror created: publishers %v, approvers %v, approvals %d, vendor trust %s",
		keyIDs(keys.Publishers), keyIDs(keys.Approvers), keys.Threshold, vtName)
	if err := st.Update(func(tx *bolt.Tx) error {
		_, err := ledger.Append(tx, ledger.Row{Time: a.now(), Operator: operator(o.operator), Result: ledger.ResultTrustChanged, Reason: reason})
		return err
	}); err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "data": dir, "publisher_key_ids": keyIDs(keys.Publishers),
			"approver_key_ids": keyIDs(keys.Approvers), "approvals": keys.Threshold, "vendor_trust": vtName})
	}
	fmt.Fprintf(a.stdout, "%s: %s\n  %s\n", a.msg(msgMirrorCreated), dir, reason)
	return nil
}
