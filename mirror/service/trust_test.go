package service_test

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/verify"
)

// One key holds one role: Create and ChangeTrust refuse a key that would be
// both a publisher and an approver (the publisher alone could then meet
// the two-person rule), as an invalid request that names the key and keeps
// its class across the admin socket.
func TestTrustOneKeyOneRole(t *testing.T) {
	pems := make([]string, 2)
	ids := make([]string, 2)
	for i := range pems {
		_, pub, err := verify.GenerateKeyPair([]byte("pw"))
		if err != nil {
			t.Fatal(err)
		}
		k, err := verify.ParsePublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		pems[i], ids[i] = string(pub), k.ID()
	}
	publisher, approver := pems[0], pems[1]
	refused := func(what, id string, err error) {
		t.Helper()
		var ie *service.InvalidError
		if !errors.Is(err, media.ErrBothRoles) || !errors.As(err, &ie) {
			t.Fatalf("%s: %v, want an invalid request wrapping media.ErrBothRoles", what, err)
		}
		if !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "one key holds one role") {
			t.Errorf("%s: %q does not name the key %s and the rule", what, err, id)
		}
		raw, jerr := json.Marshal(service.EncodeError(err))
		if jerr != nil {
			t.Fatal(jerr)
		}
		var w service.WireError
		if jerr := json.Unmarshal(raw, &w); jerr != nil {
			t.Fatal(jerr)
		}
		if got := service.DecodeError(&w); !errors.Is(got, media.ErrBothRoles) || !errors.As(got, &ie) {
			t.Errorf("%s: across the socket %v lost its class", what, got)
		}
	}

	data := filepath.Join(t.TempDir(), "data")
	_, err := service.Create(data, service.InitRequest{Publishers: []string{publisher}, Approvers: []string{publisher, approver}, Threshold: 1}, service.Options{})
	refused("Create", ids[0], err)
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a refused init left %s behind: %v", data, err)
	}

	if _, err := service.Create(data, service.InitRequest{Publishers: []string{publisher}, Approvers: []string{approver}, Threshold: 1}, service.Options{}); err != nil {
		t.Fatalf("Create with distinct keys: %v", err)
	}
	l, err := service.Open(data, service.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = l.ChangeTrust(t.Context(), service.TrustChange{AddApprovers: []string{publisher}})
	refused("ChangeTrust add the publisher as approver", ids[0], err)
	_, err = l.ChangeTrust(t.Context(), service.TrustChange{AddPublishers: []string{approver}})
	refused("ChangeTrust add an approver as publisher", ids[1], err)
	info, err := l.Trust(t.Context())
	if err != nil || len(info.PublisherKeyIDs) != 1 || len(info.ApproverKeyIDs) != 1 {
		t.Fatalf("trust after refused changes: %+v, %v; want unchanged", info, err)
	}
	rows, err := l.Ledger(t.Context())
	if err != nil || len(rows) != 1 {
		t.Errorf("refused changes wrote ledger rows: %d rows, %v", len(rows), err)
	}
}

// The ledger rows of trust changes carry a reason code and what changed as
// args, so the ledger reads in the user's language; the English reason
// stays.
func TestTrustLedgerReason(t *testing.T) {
	pems := make([]string, 3)
	ids := make([]string, 3)
	for i := range pems {
		_, pub, err := verify.GenerateKeyPair([]byte("pw"))
		if err != nil {
			t.Fatal(err)
		}
		k, err := verify.ParsePublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		pems[i], ids[i] = string(pub), k.ID()
	}
	data := filepath.Join(t.TempDir(), "data")
	if _, err := service.Create(data, service.InitRequest{Publishers: []string{pems[0]}, Approvers: []string{pems[1]}, Threshold: 1}, service.Options{}); err != nil {
		t.Fatal(err)
	}
	l, err := service.Open(data, service.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.ChangeTrust(t.Context(), service.TrustChange{AddApprovers: []string{pems[2]}, Approvals: new(2), VendorTrustDefault: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ChangeTrust(t.Context(), service.TrustChange{RemoveApprovers: []string{ids[1]}, Approvals: new(1)}); err != nil {
		t.Fatal(err)
	}
	rows, err := l.Ledger(t.Context())
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for i, want := range []struct {
		code string
		args map[string]string
	}{
		{ledger.ReasonMirrorCreated, map[string]string{ledger.ArgPublishers: ids[0], ledger.ArgApprovers: ids[1], ledger.ArgApprovals: "1", ledger.ArgVendorTrust: ""}},
		{ledger.ReasonTrustChanged, map[string]string{ledger.ArgApproversAdded: ids[2], ledger.ArgApprovals: "2", ledger.ArgVendorTrust: ""}},
		{ledger.ReasonTrustChanged, map[string]string{ledger.ArgApproversRemoved: ids[1], ledger.ArgApprovals: "1"}},
	} {
		if r := rows[i]; r.Result != ledger.ResultTrustChanged || r.ReasonCode != want.code || !maps.Equal(r.ReasonArgs, want.args) || r.Reason == "" {
			t.Errorf("row %d: %q %q %q (%q); want %q %q", i+1, r.Result, r.ReasonCode, r.ReasonArgs, r.Reason, want.code, want.args)
		}
	}
}
