package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// Trust shows whom the mirror trusts.
func (l *Local) Trust(ctx context.Context) (*TrustInfo, error) {
	var t *store.Trust
	err := l.st.View(func(tx *bolt.Tx) (err error) {
		t, err = store.GetTrust(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return trustInfo(t, nil)
}

// ChangeTrust applies req in one transaction with its ledger row.
func (l *Local) ChangeTrust(ctx context.Context, req TrustChange) (*TrustInfo, error) {
	var t *store.Trust
	var changes []string
	var args map[string]string
	err := l.st.Update(func(tx *bolt.Tx) (err error) {
		if t, err = store.GetTrust(tx); err != nil {
			return err
		}
		if changes, args, err = applyTrustChange(t, req); err != nil {
			return err
		}
		if err := t.Validate(); err != nil {
			return invalid(err)
		}
		if err := checkRoles(t); err != nil {
			return err
		}
		if err := store.PutTrust(tx, t); err != nil {
			return err
		}
		_, err = ledger.Append(tx, ledger.Row{Time: l.now(), Operator: req.Operator, Result: ledger.ResultTrustChanged, Reason: strings.Join(changes, "; "),
			ReasonCode: ledger.ReasonTrustChanged, ReasonArgs: args})
		return err
	})
	if err != nil {
		return nil, err
	}
	return trustInfo(t, changes)
}

// applyTrustChange changes t as req asks and says what changed: in
// English, and as the args of the ledger row (ledger.ReasonTrustChanged).
func applyTrustChange(t *store.Trust, req TrustChange) ([]string, map[string]string, error) {
	var changes []string
	args := make(map[string]string)
	arg := func(name, id string) { args[name] = strings.TrimSpace(args[name] + " " + id) }
	add := func(list *[]string, pems []string, role, name string) error {
		for _, p := range pems {
			k, err := verify.ParsePublicKey([]byte(p))
			if err != nil {
				return invalidf("%s key: %w", role, err)
			}
			*list = append(*list, string(k.PEM()))
			changes = append(changes, fmt.Sprintf("added %s %s", role, k.ID()))
			arg(name, k.ID())
		}
		return nil
	}
	remove := func(list *[]string, ids []string, role, name string) error {
		for _, id := range ids {
			i := slices.IndexFunc(*list, func(p string) bool { k, err := verify.ParsePublicKey([]byte(p)); return err == nil && k.ID() == id })
			if i < 0 {
				return invalidf("no %s key with ID %s; `patchferry mirror trust` lists them", role, id)
			}
			*list = slices.Delete(*list, i, i+1)
			changes = append(changes, fmt.Sprintf("removed %s %s", role, id))
			arg(name, id)
		}
		return nil
	}
	for _, step := range []func() error{
		func() error { return add(&t.Publishers, req.AddPublishers, "publisher", ledger.ArgPublishersAdded) },
		func() error {
			return remove(&t.Publishers, req.RemovePublishers, "publisher", ledger.ArgPublishersRemoved)
		},
		func() error { return add(&t.Approvers, req.AddApprovers, "approver", ledger.ArgApproversAdded) },
		func() error { return remove(&t.Approvers, req.RemoveApprovers, "approver", ledger.ArgApproversRemoved) },
	} {
		if err := step(); err != nil {
			return nil, nil, err
		}
	}
	if req.Approvals != nil {
		t.Threshold = *req.Approvals
		changes = append(changes, fmt.Sprintf("approvals required: %d", *req.Approvals))
		args[ledger.ArgApprovals] = strconv.Itoa(*req.Approvals)
	}
	switch {
	case req.VendorTrust != nil && req.VendorTrustDefault:
		return nil, nil, invalidf("a vendor trust file and the built-in vendor trust: choose one")
	case req.VendorTrust != nil:
		if err := checkVendorTrust(req.VendorTrust); err != nil {
			return nil, nil, err
		}
		t.VendorTrust = req.VendorTrust.YAML
		changes = append(changes, "vendor trust from "+req.VendorTrust.Name)
		args[ledger.ArgVendorTrust] = req.VendorTrust.Name
	case req.VendorTrustDefault:
		t.VendorTrust = ""
		changes = append(changes, "vendor trust: built-in")
		args[ledger.ArgVendorTrust] = ""
	}
	return changes, args, nil
}

// checkRoles refuses a trust in which one key is both a publisher and an
// approver (media.ErrBothRoles): the publisher alone would meet the
// two-person rule.
func checkRoles(t *store.Trust) error {
	keys, err := t.Keys()
	if err != nil {
		return invalid(err)
	}
	return invalid(keys.CheckRoles())
}

// checkVendorTrust parses a vendor trust file as the caller read it.
func checkVendorTrust(f *VendorTrustFile) error {
	if len(f.YAML) > verify.MaxVendorTrust {
		return invalid(&verify.LimitError{What: "vendor trust file", Limit: verify.MaxVendorTrust})
	}
	if _, err := verify.ParseVendorTrust([]byte(f.YAML)); err != nil {
		return invalidf("%s: %w", f.Name, err)
	}
	return nil
}

func trustInfo(t *store.Trust, changes []string) (*TrustInfo, error) {
	keys, err := t.Keys()
	if err != nil {
		return nil, err
	}
	vt, err := t.Vendor()
	if err != nil {
		return nil, err
	}
	file, err := vt.Marshal()
	if err != nil {
		return nil, err
	}
	info := &TrustInfo{Changes: changes, PublisherKeyIDs: keyIDs(keys.Publishers), ApproverKeyIDs: keyIDs(keys.Approvers),
		Approvals: t.Threshold, VendorTrust: "built-in", VendorKeys: vt.Summary(), VendorTrustFile: string(file)}
	if t.VendorTrust != "" {
		info.VendorTrust = "custom"
	}
	return info, nil
}

func keyIDs(ks []*verify.PublicKey) []string {
	ids := make([]string, 0, len(ks))
	for _, k := range ks {
		ids = append(ids, k.ID())
	}
	return ids
}

// InitRequest creates a mirror: whom it trusts, as the caller read it.
type InitRequest struct {
	Publishers  []string         // PEM
	Approvers   []string         // PEM
	Threshold   int              // approvals required
	VendorTrust *VendorTrustFile // nil: built in
	Operator    string
}

// InitResult describes a new mirror.
type InitResult struct {
	Data            string
	PublisherKeyIDs []string
	ApproverKeyIDs  []string
	Approvals       int
	VendorTrust     string // the file's name, or "built-in"
	Reason          string // the ledger row's text
}

// Create makes a new mirror in dir (created if missing) and writes its
// first ledger row. The mirror is closed again.
func Create(dir string, req InitRequest, o Options) (*InitResult, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	t := store.Trust{Publishers: req.Publishers, Approvers: req.Approvers, Threshold: req.Threshold}
	res := &InitResult{Data: dir, Approvals: req.Threshold, VendorTrust: "built-in"}
	if req.VendorTrust != nil {
		if err := checkVendorTrust(req.VendorTrust); err != nil {
			return nil, err
		}
		t.VendorTrust, res.VendorTrust = req.VendorTrust.YAML, req.VendorTrust.Name
	}
	if err := t.Validate(); err != nil {
		return nil, invalid(err)
	}
	if err := checkRoles(&t); err != nil {
		return nil, err
	}
	keys, err := t.Keys()
	if err != nil {
		return nil, invalid(err)
	}
	res.PublisherKeyIDs, res.ApproverKeyIDs = keyIDs(keys.Publishers), keyIDs(keys.Approvers)
	res.Reason = fmt.Sprintf("mirror created: publishers %v, approvers %v, approvals %d, vendor trust %s",
		res.PublisherKeyIDs, res.ApproverKeyIDs, req.Threshold, res.VendorTrust)
	st, err := store.Create(dir, t)
	if err != nil {
		return nil, err
	}
	o.forward(st)
	err = st.Update(func(tx *bolt.Tx) error {
		_, err := ledger.Append(tx, ledger.Row{Time: o.Now(), Operator: req.Operator, Result: ledger.ResultTrustChanged, Reason: res.Reason,
			ReasonCode: ledger.ReasonMirrorCreated, ReasonArgs: map[string]string{
				ledger.ArgPublishers: strings.Join(res.PublisherKeyIDs, " "), ledger.ArgApprovers: strings.Join(res.ApproverKeyIDs, " "),
				ledger.ArgApprovals: strconv.Itoa(req.Threshold), ledger.ArgVendorTrust: vendorTrustArg(req.VendorTrust)}})
		return err
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// vendorTrustArg names a vendor trust file in a ledger row's args: "" for
// the built-in one (ledger.ArgVendorTrust).
func vendorTrustArg(f *VendorTrustFile) string {
	if f == nil {
		return ""
	}
	return f.Name
}
