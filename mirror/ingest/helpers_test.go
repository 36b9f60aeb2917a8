package ingest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/mirror/store/storetest"
	"github.com/patchferry/patchferry/verify"
)

// Fixed times: bundles are created at created and imported at now.
var (
	created = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	now     = created.Add(time.Hour)
)

// testKeys are the shared test keys: Approver is mediatest's first.
type testKeys struct {
	Publisher, Other, Approver *verify.PrivateKey
}

func keys(t testing.TB) testKeys {
	t.Helper()
	k := mediatest.TestKeys(t)
	return testKeys{Publisher: k.Publisher, Other: k.Other, Approver: k.Approver1}
}

func randomBytes(seed uint64, n int) []byte { return mediatest.RandomBytes(seed, n) }

func sha(b []byte) string { return mediatest.SHA256(b) }

// file is one payload of a test bundle.
type file struct {
	name string
	data []byte
}

func payload(name string, seed uint64, n int) file { return file{name, randomBytes(seed, n)} }

// spec describes a test bundle.
type spec struct {
	site        string // default "city"
	seq, base   uint64 // seq default 1
	files       []file
	meta        []file
	catalog     media.Catalog // nil: one entry per product of files
	expires     time.Time
	maxFileSize int64
	key         *verify.PrivateKey // default: the publisher
	method      string             // verification method of every artifact
	approvers   []*verify.PrivateKey
}

// writeBundle writes the bundle into a new media root and returns the
// bundle directory and the manifest.
func writeBundle(t testing.TB, s spec) (string, *media.Manifest) {
	t.Helper()
	c := mediatest.Contents{Catalog: s.catalog, Meta: map[string][]byte{}}
	for _, f := range s.files {
		c.Files = append(c.Files, mediatest.File{Data: f.data, Artifact: media.Artifact{
			Vendor: "mozilla", Product: "firefox", Version: "145.0", Platform: "win64", Kind: "installer", FileName: f.name,
			Verification: media.Verification{Method: s.method},
		}})
	}
	for _, f := range s.meta {
		c.Meta[f.name] = f.data
	}
	w := mediatest.Write(t, media.WriteOptions{Site: s.site, Sequence: s.seq, Base: s.base,
		Created: created, Expires: s.expires, MaxFileSize: s.maxFileSize, Key: s.key}, c)
	if len(s.approvers) > 0 {
		b, err := media.Open(w.Dirs[0])
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range s.approvers {
			if _, err := media.Approve(b, k, "approver"+string(rune('1'+i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	return w.Dirs[0], w.Manifest
}

// newStore creates a store that trusts the test publisher.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	return storetest.New(t, storetest.Trust(t))
}

func options() ingest.Options {
	return ingest.Options{Operator: "tanaka", Label: "USB-07", Now: func() time.Time { return now }}
}

// mustImport imports dir and fails the test on an error.
func mustImport(t testing.TB, st *store.Store, dir string) *ingest.Result {
	t.Helper()
	res, err := ingest.Import(t.Context(), st, []string{dir}, options())
	if err != nil {
		t.Fatalf("Import %s: %v", filepath.Base(dir), err)
	}
	return res
}

// snapshot is what must not change when an import is refused: the current
// state (catalog included), every sequence and artifact record.
func snapshot(t testing.TB, st *store.Store) string {
	t.Helper()
	var out strings.Builder
	err := st.View(func(tx *bolt.Tx) error {
		s, err := store.GetState(tx)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(s)
		out.Write(b)
		for _, bucket := range []string{"sequences", "artifacts"} {
			err := tx.Bucket([]byte(bucket)).ForEach(func(k, v []byte) error {
				out.WriteString("\n" + bucket + " " + hex.EncodeToString(k) + " " + string(v))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func state(t testing.TB, st *store.Store) *store.State {
	t.Helper()
	var s *store.State
	if err := st.View(func(tx *bolt.Tx) (err error) { s, err = store.GetState(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return s
}

func ledgerRows(t testing.TB, st *store.Store) []ledger.Row {
	t.Helper()
	var rows []ledger.Row
	if err := st.View(func(tx *bolt.Tx) (err error) { rows, err = ledger.All(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return rows
}

func lastRow(t testing.TB, st *store.Store) ledger.Row {
	t.Helper()
	rows := ledgerRows(t, st)
	if len(rows) == 0 {
		t.Fatal("the ledger is empty")
	}
	return rows[len(rows)-1]
}

// attempt returns what one attempt added to the ledger after its first
// before rows: its "started" row (nil when it ended before reading any
// payload) and the row that ended it, which must name the started row and
// describe the same attempt.
func attempt(t testing.TB, rows []ledger.Row, before int) (started *ledger.Row, end ledger.Row) {
	t.Helper()
	added := rows[before:]
	switch {
	case len(added) == 1 && added[0].Result != ledger.ResultStarted && added[0].Started == 0:
		return nil, added[0]
	case len(added) == 2 && added[0].Result == ledger.ResultStarted && added[1].Result != ledger.ResultStarted &&
		added[1].Started == added[0].Number:
		s, e := added[0], added[1]
		if s.Bundle != e.Bundle || s.Sequence != e.Sequence || s.Operator != e.Operator || s.Label != e.Label || s.Started != 0 {
			t.Fatalf("the started row %+v and the end %+v describe different attempts", s, e)
		}
		return &s, e
	}
	t.Fatalf("the attempt added %d ledger rows, want its end, with its start before it if it read payloads: %+v", len(added), added)
	return nil, ledger.Row{}
}

// checkConsistent fails the test unless the store passes Check, the ledger
// chain is intact, tmp/ is empty and every blob on disk (orphans included)
// hashes to its name.
func checkConsistent(t testing.TB, st *store.Store) {
	t.Helper()
	problems, err := st.Check(t.Context())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	for _, p := range problems {
		t.Errorf("Check: %s", p)
	}
	if err := st.View(func(tx *bolt.Tx) error {
		p, err := ledger.Verify(tx)
		for _, p := range p {
			t.Errorf("ledger.Verify: %s", p)
		}
		return err
	}); err != nil {
		t.Fatalf("ledger.Verify: %v", err)
	}
	if left := listFiles(t, filepath.Join(st.Dir(), store.TmpDir)); len(left) != 0 {
		t.Errorf("tmp/ holds %v", left)
	}
	for _, rel := range listFiles(t, filepath.Join(st.Dir(), store.BlobsDir)) {
		name := filepath.Base(rel)
		if got := fileSHA(t, filepath.Join(st.Dir(), store.BlobsDir, rel)); got != name {
			t.Errorf("blob %s hashes to %s", rel, got)
		}
	}
}

// listFiles lists every non-directory under dir, relative to it.
func listFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fileSHA(t testing.TB, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// editFile rewrites a file of a bundle with fn applied to its bytes.
func editFile(t testing.TB, p string, fn func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, fn(bytes.Clone(b)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func flip(at int) func([]byte) []byte {
	return func(b []byte) []byte { b[at] ^= 0x01; return b }
}

// inCI reports whether the test runs in CI, where a missing tool or
// privilege is a failure rather than a reason to skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// skipOrFail skips the test outside CI and fails it in CI.
func skipOrFail(t *testing.T, format string, a ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf("CI=true: "+format, a...)
	}
	t.Skipf(format, a...)
}
