package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/mirror/store"
)

// `mirror serve --scrub-every` re-hashes the blobs in the background: a byte
// flipped on disk is found and quarantined with no request for it, and the
// server stops cleanly afterwards.
func TestServeBackgroundScrub(t *testing.T) {
	data := initMirror(t)
	mustRun(t, nil, "mirror", "import", "--data", data, "--operator", "tester", copyBundle(t))
	var victim string
	err := filepath.WalkDir(filepath.Join(data, store.BlobsDir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && victim == "" {
			victim = p
		}
		return err
	})
	if err != nil || victim == "" {
		t.Fatalf("no blob in the store: %v", err)
	}
	b, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.Chmod(victim, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(victim, b, 0o444); err != nil {
		t.Fatal(err)
	}

	s := startServe(t, data, "--scrub-every", "100ms", "--scrub-rate", "100MB/s")
	sha := filepath.Base(victim)
	log := s.logWhen(func(log string) bool { return strings.Contains(log, "background scrub pass finished") })
	wantContains(t, "server log", log, "background scrub: blob damaged, quarantined", sha)
	if code, _ := s.get(t, "/blobs/sha256/"+sha); code != 404 {
		t.Errorf("scrubbed blob: %d, want 404", code)
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("serve exited with %d", code)
	}
	if _, err := os.Stat(filepath.Join(data, store.QuarantineDir, "sha256", sha)); err != nil {
		t.Errorf("not moved to quarantine/: %v", err)
	}
}
