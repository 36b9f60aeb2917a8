package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/verify"
)

type mirrorInitOptions struct {
	data, vendorTrust, operator string
	trust                       bundleVerifyOptions
}

func newMirrorInitCommand(a *app) *cobra.Command {
	var o mirrorInitOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseMirrorInit),
		Short: a.msg(helpShortMirrorInit),
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runMirrorInit(a, o) },
	}
	addDataFlag(a, cmd, &o.data)
	addTrustFlags(a, cmd, &o.trust)
	cmd.Flags().StringVar(&o.vendorTrust, "vendor-trust", "", a.msg(helpFlagInitVendorTrust))
	cmd.Flags().StringVar(&o.operator, "operator", "", a.msg(helpFlagOperator))
	return cmd
}

// readVendorTrust reads and checks a vendor trust file. It returns the
// file's text in format 2: a format-1 file is upgraded, and what that did
// is said on stderr, so what the mirror stores is scoped per vendor.
func (a *app) readVendorTrust(path string) (string, *verify.VendorTrust, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, userErr(msgUsageVendorTrustOpen, cause{err: err}).because(err).fix(hintUsageVendorTrust).usage()
	}
	defer f.Close()
	b, err := verify.ReadLimited(f, verify.MaxVendorTrust, path)
	if err != nil {
		return "", nil, readLimitedError(err).fix(hintUsageVendorTrust).usage()
	}
	vt, err := verify.ParseVendorTrust(b)
	if err != nil {
		return "", nil, userErr(msgUsageVendorTrustParse, path, cause{err: err}).because(err).fix(hintUsageVendorTrust).usage()
	}
	if len(vt.Upgraded) == 0 {
		return string(b), vt, nil
	}
	fmt.Fprintf(a.stderr, "%s\n", a.msg(msgVendorTrustFormat1, path))
	for _, u := range vt.Upgraded {
		fmt.Fprintf(a.stderr, "  - %s\n", u)
	}
	b, err = vt.Marshal()
	return string(b), vt, err
}

// vendorTrustFile reads --vendor-trust for a request; nil when not given.
func (a *app) vendorTrustFile(path string) (*service.VendorTrustFile, error) {
	if path == "" {
		return nil, nil
	}
	raw, _, err := a.readVendorTrust(path)
	if err != nil {
		return nil, err
	}
	return &service.VendorTrustFile{Name: path, YAML: raw}, nil
}

// pems returns the keys as PEM.
func pems(keys []*verify.PublicKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = string(k.PEM())
	}
	return out
}

func runMirrorInit(a *app, o mirrorInitOptions) error {
	keys, err := o.trust.load()
	if err != nil {
		return err
	}
	req := service.InitRequest{Publishers: pems(keys.Publishers), Approvers: pems(keys.Approvers), Threshold: keys.Threshold, Operator: operator(o.operator)}
	if req.VendorTrust, err = a.vendorTrustFile(o.vendorTrust); err != nil {
		return err
	}
	dir := a.dataDir(o.data)
	res, err := service.Create(dir, req, service.Options{Now: a.now, Forward: a.ledgerSink()})
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "data": dir, "publisher_key_ids": res.PublisherKeyIDs,
			"approver_key_ids": res.ApproverKeyIDs, "approvals": res.Approvals, "vendor_trust": res.VendorTrust})
	}
	fmt.Fprintf(a.stdout, "%s: %s\n  %s\n", a.msg(msgMirrorCreated), dir, res.Reason)
	return nil
}
