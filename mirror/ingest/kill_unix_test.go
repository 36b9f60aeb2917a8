//go:build unix

package ingest_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
)

// TestImportSurvivesSIGKILL kills an import process at several points. Each
// time the store must open at once (the lock dies with the process), be
// consistent, keep an intact ledger that shows the attempt as started and
// never finished once it had begun to read the media, and take the next
// import, which copies only the blobs still missing and ends normally.
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
			var sawTotal atomic.Bool // the child printed "total": its started row is written
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					if strings.HasPrefix(sc.Text(), "total ") {
						sawTotal.Store(true)
					}
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

			// The ledger shows the killed attempt: started, never ended.
			rows := ledgerRows(t, st)
			open := unfinished(rows)
			switch {
			case killed && sawTotal.Load() && len(open) != 1:
				t.Fatalf("killed while reading the media, the ledger holds %d unfinished attempts, want 1: %+v", len(open), rows)
			case !killed && len(open) != 0:
				t.Fatalf("a finished import left unfinished attempts: %+v", rows)
			case len(open) > 1:
				t.Fatalf("one killed import left %d unfinished attempts: %+v", len(open), rows)
			}
			for _, r := range open {
				if r.Label != "USB-KILL" || r.Operator != "child" || r.Bundle != filepath.Base(dir) || r.Sequence != 1 {
					t.Errorf("the started row does not describe the killed attempt: %+v", r)
				}
			}

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
			// The next import started and ended normally; the killed one
			// stays in the ledger as it was.
			after := ledgerRows(t, st)
			if started, end := attempt(t, after, len(rows)); started == nil || end.Number != res.Ledger || end.Result != res.Status {
				t.Errorf("the next import's ledger rows: %+v, %+v", started, end)
			}
			if again := unfinished(after); len(again) != len(open) || (len(open) == 1 && again[0].Hash != open[0].Hash) {
				t.Errorf("after the next import the unfinished attempts are %+v, want %+v", again, open)
			}
			if cur := state(t, st); cur == nil || cur.ManifestSHA256 != sha(raw) {
				t.Error("after the next import the bundle is not current")
			}
		})
	}
}

// unfinished returns the "started" rows that no row ends.
func unfinished(rows []ledger.Row) []ledger.Row {
	ended := make(map[uint64]bool)
	for _, r := range rows {
		ended[r.Started] = true
	}
	var out []ledger.Row
	for _, r := range rows {
		if r.Result == ledger.ResultStarted && !ended[r.Number] {
			out = append(out, r)
		}
	}
	return out
}
