package store_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/mirror/store/storetest"
)

// holdEnv makes the test binary a child that opens the store named by the
// variable, prints "open", and holds it until its standard input closes.
const holdEnv = "PATCHFERRY_TEST_STORE_HOLD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdEnv); dir != "" {
		os.Exit(hold(dir))
	}
	os.Exit(m.Run())
}

func hold(dir string) int {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	fmt.Println("open")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// newStore creates an empty store with no trust in a fresh directory and
// closes it when the test ends.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	return storetest.New(t, store.Trust{})
}

func TestOpenInUse(t *testing.T) {
	st := newStore(t)
	dir := st.Dir()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Another process holds the store.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "open\n" {
		t.Fatalf("holder: %q, %v; stderr: %s", line, err, stderr.String())
	}

	start := time.Now()
	_, err = store.Open(dir, store.Options{Timeout: 500 * time.Millisecond})
	if !errors.Is(err, store.ErrInUse) {
		t.Fatalf("Open while another process holds the store = %v, want ErrInUse", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("ErrInUse came after %v, want within the 500 ms timeout", d)
	}
	if !strings.Contains(err.Error(), "mirror serve") {
		t.Errorf("error %q does not tell the operator what to do", err)
	}

	// The lock goes with the holder.
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("holder: %v; stderr: %s", err, stderr.String())
	}
	st2, err := store.Open(dir, store.Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("Open after the holder exited: %v", err)
	}
	defer st2.Close()

	// The lock is per open file, so a second Open in the same process is
	// refused as well.
	if _, err := store.Open(dir, store.Options{Timeout: 200 * time.Millisecond}); !errors.Is(err, store.ErrInUse) {
		t.Fatalf("second Open in the same process = %v, want ErrInUse", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) string // returns the data dir
		want  error
		text  string
	}{
		{
			name:  "no store",
			setup: func(t *testing.T) string { return t.TempDir() },
			want:  store.ErrNoStore,
			text:  "patchferry mirror init",
		},
		{
			name: "newer store format",
			setup: func(t *testing.T) string {
				st := newStore(t)
				st.Close()
				setRaw(t, filepath.Join(st.Dir(), store.DBName), "config", "format", []byte{store.FormatVersion + 1})
				return st.Dir()
			},
			text: "update patchferry",
		},
		{
			name: "no config bucket",
			setup: func(t *testing.T) string {
				dir := t.TempDir()
				db, err := bolt.Open(filepath.Join(dir, store.DBName), 0o600, nil)
				if err != nil {
					t.Fatal(err)
				}
				db.Close()
				return dir
			},
			text: "no config bucket",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.setup(t)
			st, err := store.Open(dir, store.Options{})
			if err == nil {
				st.Close()
				t.Fatal("Open succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not contain %q", err, tc.text)
			}
		})
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	st := newStore(t)
	st.Close()
	if _, err := store.Create(st.Dir(), store.Trust{}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("Create over a store = %v, want ErrExists", err)
	}
	// The existing store is untouched and opens.
	st2, err := store.Open(st.Dir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st2.Close()
}

func TestOpenClearsTmp(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("readonly=%v", readOnly), func(t *testing.T) {
			st := newStore(t)
			st.Close()
			leftover := filepath.Join(st.Dir(), store.TmpDir, ".abc.tmp-123")
			if err := os.WriteFile(leftover, []byte("half a blob"), 0o600); err != nil {
				t.Fatal(err)
			}
			st2, err := store.Open(st.Dir(), store.Options{ReadOnly: readOnly})
			if err != nil {
				t.Fatal(err)
			}
			defer st2.Close()
			_, err = os.Stat(leftover)
			if readOnly && err != nil {
				t.Errorf("a read-only Open removed %s: %v", leftover, err)
			}
			if !readOnly && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Open left %s behind (stat: %v)", leftover, err)
			}
		})
	}
}

// setRaw writes key=value into a bucket of a closed mirror.db.
func setRaw(t *testing.T, dbPath, bucket, key string, value []byte) {
	t.Helper()
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucket)).Put([]byte(key), value)
	}); err != nil {
		t.Fatal(err)
	}
}

// A format-1 store (artifact records keyed by SHA-256 alone) is read as it
// is when opened read-only, and upgraded to the current format, in one
// transaction, when opened for writing.
func TestUpgradeFormat1(t *testing.T) {
	st := newStore(t)
	dir := st.Dir()
	st.Close()
	sum := strings.Repeat("ab", 32)
	rec := []byte(`{"vendor":"justsystems","product":"ichitaro","version":"2026.1","kind":"installer","file_name":"setup.exe",` +
		`"size":5,"sha256":"` + sum + `","verification":{"method":"manual"},"first_sequence":4}`)
	db := filepath.Join(dir, store.DBName)
	setRaw(t, db, "artifacts", sum, rec)
	setRaw(t, db, "config", "format", []byte{1})

	ro, err := store.Open(dir, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a format-1 store: %v", err)
	}
	n := 0
	if err := ro.View(func(tx *bolt.Tx) error {
		return store.ForEachArtifact(tx, func(*store.ArtifactRecord) error { n++; return nil })
	}); err != nil || n != 1 {
		t.Errorf("read-only: %d records, %v", n, err)
	}
	ro.Close()

	rw, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatalf("open for writing: %v", err)
	}
	defer rw.Close()
	err = rw.View(func(tx *bolt.Tx) error {
		if f := tx.Bucket([]byte("config")).Get([]byte("format")); len(f) != 1 || f[0] != store.FormatVersion {
			t.Errorf("format after the upgrade: %v", f)
		}
		if v := tx.Bucket([]byte("artifacts")).Get([]byte(sum)); v != nil {
			t.Error("the format-1 key is still there")
		}
		recs, err := store.ArtifactsOf(tx, sum)
		if err != nil || len(recs) != 1 || recs[0].FileName != "setup.exe" || recs[0].Version != "2026.1" || recs[0].FirstSequence != 4 {
			t.Errorf("ArtifactsOf after the upgrade: %+v, %v", recs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
