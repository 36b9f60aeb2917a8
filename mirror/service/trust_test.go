package service_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media"
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
