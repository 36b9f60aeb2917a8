package service_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/ledger"
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

// Status tells an import that never ended (its process died after the
// started row) from the import running now, and forgets the dead one once
// an import ends well.
func TestStatusUnfinishedImports(t *testing.T) {
	keys := mediatest.TestKeys(t)
	data := filepath.Join(t.TempDir(), "data")
	now := func() time.Time { return mediatest.Created.Add(time.Hour) }
	if _, err := service.Create(data, service.InitRequest{Publishers: []string{string(keys.Publisher.Public().PEM())}}, service.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	w := mediatest.Write(t, media.WriteOptions{Site: media.DefaultSite}, mediatest.Contents{Files: []mediatest.File{{Data: mediatest.RandomBytes(1, 100_000),
		Artifact: media.Artifact{Vendor: "v", Product: "p", Version: "1", FileName: "p.exe", Verification: media.Verification{Method: media.MethodManual}}}}})
	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := service.New(st, service.Options{Now: now})

	var during *service.Status
	res, err := l.Import(t.Context(), service.ImportRequest{Paths: w.Dirs, Label: "USB-1", Progress: func(int64) {
		if during == nil {
			during, _ = l.Status(t.Context())
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if during == nil || !during.ImportRunning || len(during.Unfinished) != 0 {
		t.Errorf("status while the import runs: %+v", during)
	}

	// What a killed import leaves: a started row that no row ends.
	err = st.Update(func(tx *bolt.Tx) error {
		_, err := ledger.Append(tx, ledger.Row{Time: now(), Operator: "tanaka", Label: "USB-2", Bundle: "patchferry-default-2", Sequence: 2, Result: ledger.ResultStarted})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.Status(t.Context())
	if err != nil || s.ImportRunning || len(s.Unfinished) != 1 || s.Unfinished[0].Label != "USB-2" || s.LastAttempt == nil || s.LastAttempt.Number != res.Ledger {
		t.Fatalf("status after a killed import: %+v, %v", s, err)
	}
	// An import that ends well afterwards: the dead attempt stays in the
	// ledger, but status no longer warns about it.
	if _, err := l.Import(t.Context(), service.ImportRequest{Paths: w.Dirs, Label: "USB-3"}); err != nil {
		t.Fatal(err)
	}
	if s, err := l.Status(t.Context()); err != nil || len(s.Unfinished) != 0 || s.LastAttempt.Label != "USB-3" {
		t.Errorf("status after the next import: %+v, %v", s, err)
	}
}

// A store upgraded from format 2 kept only the current bundle's manifest:
// status counts the current files terminals cannot prove (four of five
// came in bundle 1; see mirror/store/upgrade_test.go).
func TestStatusUnprovable(t *testing.T) {
	data := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "store", "testdata", "mirror-format2.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, store.DBName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := service.Open(data, service.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s, err := l.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if s.Unprovable != 4 || s.Sequence != 2 {
		t.Errorf("status: sequence %d, %d unprovable, want 2 and 4", s.Sequence, s.Unprovable)
	}
}
