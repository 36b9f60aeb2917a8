//go:build unix

package ingest_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/store"
)

// TestImportSurvivesSIGKILL kills an import process at several points. Each
// time the store must open at once (the lock dies with the process), be
// consistent, keep an intact ledger, and take the next import, which copies
// only the blobs still missing.
func TestImportSurvivesSIGKILL(t *testing.T) {
	var files []file
	var total int64
	for i := range 24 {
		f := payload(fmt.Sprintf("update-%02d.msu", i), uint64(200+i), (1+i%3)<<20+i) // 1–3 MiB
		files = append(files, f)
		total += int64(len(f.data))
	}
	dir, m := writeBundle(t, spec{seq: 1, files: files})
	raw, err := os.ReadFile(filepath.Join(dir, media.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	killer := script(t, "[ \"$1\" = --version ] && { echo 'Killer 1.0'; exit 0; }\nkill -9 $PPID\nsleep 1\n")

	points := []struct {
		name     string
		after    time.Duration // kill this long after the start …
		share    float64       // … or once this share of the payload bytes was read
		scan     string        // --scan-command of the child
		mustKill bool          // the import cannot have finished before the kill
	}{
		{name: "at once", mustKill: true},
		{name: "after 20 ms", after: 20 * time.Millisecond},
		{name: "after 60 ms", after: 60 * time.Millisecond},
		{name: "after 150 ms", after: 150 * time.Millisecond},
		{name: "a quarter read", share: 0.25, mustKill: true},
		{name: "everything read", share: 1},
		{name: "in the virus scan", scan: killer, mustKill: true},
	}
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "mirror")
			st, err := store.Create(data, store.Trust{Publishers: []string{string(keys(t).Publisher.Public().PEM())}})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childStore+"="+data, childMedia+"="+dir, childScan+"="+p.scan)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string, 1024)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()
			switch {
			case p.share > 0:
				for l := range lines {
					var n int64
					if _, err := fmt.Sscanf(l, "read %d", &n); err == nil && float64(n) >= p.share*float64(total) {
						break
					}
				}
				cmd.Process.Kill()
			case p.scan == "":
				time.Sleep(p.after)
				cmd.Process.Kill()
			}
			var last string
			for l := range lines {
				last = l
			}
			cmd.Wait()
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			killed := ws.Signaled() && ws.Signal() == syscall.SIGKILL
			switch {
			case p.mustKill && !killed:
				t.Fatalf("the import was not killed: %v, last output %q, stderr %s", cmd.ProcessState, last, stderr.String())
			case !killed && !cmd.ProcessState.Success():
				t.Fatalf("the import failed: %v; stderr %s", cmd.ProcessState, stderr.String())
			case !killed:
				t.Logf("the import finished before the kill (%q)", last)
			}

			start := time.Now()
			st, err = store.Open(data, store.Options{Timeout: 2 * time.Second})
			if err != nil {
				t.Fatalf("Open after the kill: %v", err)
			}
			defer st.Close()
			if d := time.Since(start); d > time.Second {
				t.Errorf("Open took %v: the dead process's lock lingered", d)
			}
			checkConsistent(t, st)

			cur := state(t, st)
			if cur != nil && (cur.Sequence != 1 || cur.ManifestSHA256 != sha(raw)) {
				t.Fatalf("after the kill the state is sequence %d, manifest %s: neither before nor after the import", cur.Sequence, cur.ManifestSHA256)
			}
			if cur != nil && killed && p.mustKill {
				t.Fatal("an import killed before it could commit switched the catalog")
			}
			var missing int64
			for _, a := range m.Artifacts {
				if !st.HasBlob(a.SHA256) {
					missing += a.Size
				}
			}
			res, err := ingest.Import(t.Context(), st, []string{dir}, options())
			if err != nil {
				t.Fatalf("Import after the kill: %v", err)
			}
			switch {
			case cur == nil && (res.Status != ingest.StatusImported || res.Copied != missing):
				t.Errorf("import after the kill: %s, copied %d bytes; want imported, copying only the %d bytes missing", res.Status, res.Copied, missing)
			case cur != nil && res.Status != ingest.StatusAlreadyImported:
				t.Errorf("import after a finished import: %s, want already imported", res.Status)
			}
			t.Logf("killed=%v, %d of %d bytes were stored before the next import", killed, total-missing, total)
			checkConsistent(t, st)
			if cur := state(t, st); cur == nil || cur.ManifestSHA256 != sha(raw) {
				t.Error("after the next import the bundle is not current")
			}
		})
	}
}
