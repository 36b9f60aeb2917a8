package ingest_test

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
)

// script writes an executable shell script and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell scripts as scanners need a Unix shell")
	}
	p := filepath.Join(t.TempDir(), "scanner.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportClamscan runs the real Debian clamscan with a hash signature
// database written here: a bundle carrying the listed file is refused, the
// blobs that import wrote are removed again, and a clean bundle passes.
func TestImportClamscan(t *testing.T) {
	clamscan, err := exec.LookPath("clamscan")
	if err != nil {
		skipOrFail(t, "clamscan not installed (apt-get install clamav): %v", err)
	}
	clean := payload("clean.exe", 101, 40_000)
	other := payload("other.exe", 102, 30_000)
	evil := payload("evil.exe", 103, 20_000)
	sum := md5.Sum(evil.data)
	hdb := filepath.Join(t.TempDir(), "patchferry-test.hdb")
	if err := os.WriteFile(hdb, fmt.Appendf(nil, "%s:%d:Patchferry.Test.Sig\n", hex.EncodeToString(sum[:]), len(evil.data)), 0o644); err != nil {
		t.Fatal(err)
	}
	o := options()
	o.Scanner = &ingest.Scanner{Argv: []string{clamscan, "--no-summary", "-d", hdb}}

	st := newStore(t)
	dir, _ := writeBundle(t, spec{seq: 1, files: []file{clean}})
	res, err := ingest.Import(t.Context(), st, []string{dir}, o)
	if err != nil {
		t.Fatalf("Import of a clean bundle with clamscan: %v", err)
	}
	row := lastRow(t, st)
	if res.Scan != ledger.ScanClean || row.ScanVerdict != ledger.ScanClean || row.Result != ledger.ResultImported {
		t.Errorf("clean bundle: result scan %q, ledger %q %q", res.Scan, row.ScanVerdict, row.Result)
	}
	if row.Scanner != o.Scanner.Name() || !strings.HasPrefix(row.ScannerVersion, "ClamAV ") {
		t.Errorf("ledger scanner %q version %q", row.Scanner, row.ScannerVersion)
	}

	before := snapshot(t, st)
	dir, _ = writeBundle(t, spec{seq: 2, files: []file{clean, other, evil}})
	_, err = ingest.Import(t.Context(), st, []string{dir}, o)
	var re *ingest.RefusedError
	if !errors.As(err, &re) || re.Reason != ingest.ReasonMalware || !strings.Contains(err.Error(), "Patchferry.Test.Sig") {
		t.Fatalf("Import of a bundle carrying the signed file = %v, want refused naming the signature", err)
	}
	row = lastRow(t, st)
	if row.Result != ledger.ResultRefused || row.ScanVerdict != ledger.ScanDetected || !strings.Contains(row.Reason, "malware") ||
		row.ReasonCode != ledger.ReasonMalware {
		t.Errorf("ledger row %q, verdict %q, reason %q", row.Result, row.ScanVerdict, row.Reason)
	}
	if snapshot(t, st) != before {
		t.Error("the refused import changed the store")
	}
	if st.HasBlob(sha(evil.data)) || st.HasBlob(sha(other.data)) {
		t.Error("blobs written by the refused import are still in the store")
	}
	if !st.HasBlob(sha(clean.data)) {
		t.Error("the blob of sequence 1, also in the refused bundle, was removed")
	}
	checkConsistent(t, st)
}

func TestImportScannerFails(t *testing.T) {
	cases := []struct {
		name    string
		argv    func(t *testing.T) []string
		version string // prefix of the ledger's scanner version
	}{
		{
			name: "exit 2",
			argv: func(t *testing.T) []string {
				return []string{script(t, "[ \"$1\" = --version ] && { echo 'Broken 0.1'; exit 0; }\necho 'cannot read database' >&2\nexit 2\n")}
			},
			version: "Broken 0.1",
		},
		{
			name:    "no such program",
			argv:    func(t *testing.T) []string { return []string{filepath.Join(t.TempDir(), "no-such-scanner")} },
			version: "unknown",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			a := payload("a.exe", 111, 1000)
			dir, _ := writeBundle(t, spec{seq: 1, files: []file{a}})
			o := options()
			o.Scanner = &ingest.Scanner{Argv: tc.argv(t)}
			_, err := ingest.Import(t.Context(), st, []string{dir}, o)
			var re *ingest.RefusedError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), "virus scanner") {
				t.Fatalf("Import with a failing scanner = %v, want refused", err)
			}
			row := lastRow(t, st)
			if row.Result != ledger.ResultRefused || row.ScanVerdict != ledger.ScanError || !strings.HasPrefix(row.ScannerVersion, tc.version) ||
				row.ReasonCode != ledger.ReasonScanError {
				t.Errorf("ledger row %q verdict %q version %q reason code %q", row.Result, row.ScanVerdict, row.ScannerVersion, row.ReasonCode)
			}
			if state(t, st) != nil {
				t.Error("an import whose scan failed switched the catalog")
			}
			checkConsistent(t, st)
		})
	}
}

// TestScannerBatches: many paths are split over several runs, and every
// path is scanned exactly once.
func TestScannerBatches(t *testing.T) {
	log := filepath.Join(t.TempDir(), "scanned")
	sc := &ingest.Scanner{Argv: []string{script(t, "for p in \"$@\"; do echo \"$p\" >> '"+log+"'; done\necho run >> '"+log+".runs'\n"), "--flag"}}
	var paths []string
	for i := range 600 {
		paths = append(paths, filepath.Join("/nonexistent", strings.Repeat("x", 60), fmt.Sprintf("%064d", i)))
	}
	verdict, _, err := sc.Scan(t.Context(), paths)
	if err != nil || verdict != ledger.ScanClean {
		t.Fatalf("Scan = %q, %v", verdict, err)
	}
	got, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	want := append([]string{}, paths...)
	if len(lines) != len(want)+countRuns(t, log+".runs") {
		t.Fatalf("scanner saw %d arguments, want %d paths plus one --flag per run", len(lines), len(want))
	}
	var scanned []string
	for _, l := range lines {
		if l != "--flag" {
			scanned = append(scanned, l)
		}
	}
	if strings.Join(scanned, "\n") != strings.Join(want, "\n") {
		t.Error("the scanner did not see every path once, in order")
	}
	if runs := countRuns(t, log+".runs"); runs < 2 {
		t.Errorf("%d run(s) for %d long paths, want them batched", runs, len(paths))
	}
}

func countRuns(t *testing.T, p string) int {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "run\n")
}
