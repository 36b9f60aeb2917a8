package service_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/mirror/service/servicetest"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

func TestLocal(t *testing.T) {
	servicetest.Run(t, func(t *testing.T, data string, now func() time.Time) service.Service {
		l, err := service.Open(data, service.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}

func TestCreate(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	var ie *service.InvalidError
	if _, err := service.Create(data, service.InitRequest{}, service.Options{}); !errors.As(err, &ie) {
		t.Errorf("a mirror without publisher: %v, want an invalid request", err)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a refused init left %s behind: %v", data, err)
	}
	_, pub, err := verify.GenerateKeyPair([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	bad := &service.VendorTrustFile{Name: "vt.yaml", YAML: "authenticode_roots: []\nsurprise: true\n"}
	if _, err := service.Create(data, service.InitRequest{Publishers: []string{string(pub)}, VendorTrust: bad}, service.Options{}); !errors.As(err, &ie) || !strings.Contains(err.Error(), "vt.yaml") {
		t.Errorf("a bad vendor trust file: %v, want an invalid request naming it", err)
	}
	res, err := service.Create(data, service.InitRequest{Publishers: []string{string(pub)}, Operator: "tester"}, service.Options{})
	if err != nil || len(res.PublisherKeyIDs) != 1 || res.VendorTrust != "built-in" || !strings.HasPrefix(res.Reason, "mirror created: publishers [") {
		t.Fatalf("Create: %+v, %v", res, err)
	}
	if _, err := service.Create(data, service.InitRequest{Publishers: []string{string(pub)}}, service.Options{}); !errors.Is(err, store.ErrExists) {
		t.Errorf("Create over a mirror: %v", err)
	}
	l, err := service.Open(data, service.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rows, err := l.Ledger(t.Context())
	if err != nil || len(rows) != 1 || rows[0].Operator != "tester" || rows[0].Reason != res.Reason {
		t.Errorf("the ledger of a new mirror: %+v, %v", rows, err)
	}
	if _, err := service.Open(filepath.Join(t.TempDir(), "none"), service.Options{}); !errors.Is(err, store.ErrNoStore) {
		t.Errorf("Open without a mirror: %v", err)
	}
}
