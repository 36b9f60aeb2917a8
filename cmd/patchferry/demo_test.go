package main

// `patchferry demo`: the whole flow offline, and the fake upstream alone
// for trying the weekly job by hand.

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientcatalog "github.com/patchferry/patchferry/clients/catalog"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/wire"
	"github.com/patchferry/patchferry/verify"
)

// The demo runs every step and exits; its bundles are real: a fresh mirror
// that trusts only the demo's publisher key and test vendors imports them.
func TestDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := time.Now()
	stdout, stderr, code := runCLI(t, nil, "demo", "--no-serve", "--dir", dir)
	if took := time.Since(start); code != exitOK || took > time.Minute {
		t.Fatalf("demo --no-serve: exit %d after %s, want 0 well within a minute\nstdout: %s\nstderr: %s", code, took, stdout, stderr)
	}
	wantContains(t, "demo output", stdout, "== 9/10", "Imported sequence 2", "Demo finished", dir)
	demoState := readMirrorState(t, filepath.Join(dir, "mirror"))

	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, nil, "mirror", "init", "--data", data, "--trust", filepath.Join(dir, "publisher.pub"),
		"--vendor-trust", filepath.Join(dir, "vendor-trust.yaml"))
	out := mustRun(t, nil, "mirror", "import", "--data", data, filepath.Join(dir, "media", "patchferry-demo-1"))
	wantContains(t, "import of bundle 1", out, "Imported sequence 1")
	out = mustRun(t, nil, "mirror", "import", "--data", data, filepath.Join(dir, "media", "patchferry-demo-2"))
	wantContains(t, "import of the delta", out, "Imported sequence 2")
	st := readMirrorState(t, data)
	if st.Sequence != 2 || st.StateCode != demoState.StateCode || len(st.Catalog) != 5 {
		t.Errorf("fresh mirror: sequence %d, code %s, %d products; the demo's mirror: %d, %s",
			st.Sequence, st.StateCode, len(st.Catalog), demoState.Sequence, demoState.StateCode)
	}
	checkDemoCatalog(t, startServe(t, data), filepath.Join(dir, "publisher.pub"))
}

// checkDemoCatalog: every current file of the demo is reachable under
// /files/ with its own bytes and its own address — the Japanese and
// English installers of one version included — listed with its own
// version, and the catalog proves with the publisher key alone.
func checkDemoCatalog(t *testing.T, s *serving, publisherPub string) {
	t.Helper()
	code, body := s.get(t, "/v1/catalog")
	if code != http.StatusOK {
		t.Fatalf("/v1/catalog: %d", code)
	}
	cat, err := wire.DecodeCatalog(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	urls := make(map[string]string)
	languages := make(map[string]bool)
	cdiffVersions := 0
	for _, a := range cat.Artifacts {
		if prev, ok := urls[a.FilesURL]; ok {
			t.Errorf("%s and %s share %s", prev, a.SHA256, a.FilesURL)
		}
		urls[a.FilesURL] = a.SHA256
		if a.Released.IsZero() {
			t.Errorf("%s: no release date", a.FilesURL)
		}
		code, got := s.get(t, a.FilesURL)
		if code != http.StatusOK || mediatest.SHA256(got) != a.SHA256 {
			t.Errorf("%s: status %d, SHA-256 %s, want %s", a.FilesURL, code, mediatest.SHA256(got), a.SHA256)
		}
		if a.Vendor == "mozilla" && a.Kind == "installer-exe" {
			languages[a.Language] = true
			if !strings.Contains(a.FilesURL, "/"+a.Platform+"/"+a.Language+"/") {
				t.Errorf("%s: no platform and language levels", a.FilesURL)
			}
		}
		if a.Kind == "cdiff" {
			// daily-N.cdiff is version N, whatever its product's version.
			if want := strings.TrimSuffix(strings.TrimPrefix(a.FileName, a.Product+"-"), ".cdiff"); a.Version != want {
				t.Errorf("%s: version %q, want %q", a.FileName, a.Version, want)
			}
			cdiffVersions++
		}
	}
	if !languages["ja"] || !languages["en-US"] {
		t.Errorf("installers in languages %v, want ja and en-US", languages)
	}
	if cdiffVersions == 0 {
		t.Error("no cdiff in the demo's catalog")
	}
	if len(cat.Products) == 0 || len(cat.History) < len(cat.Products) {
		t.Errorf("%d products, %d history versions", len(cat.Products), len(cat.History))
	}
	pemKey, err := os.ReadFile(publisherPub)
	if err != nil {
		t.Fatal(err)
	}
	key, err := verify.ParsePublicKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	c := &clientcatalog.Client{Base: s.url}
	if _, err := clientcatalog.Verify(cat, media.Trust{Publishers: []*verify.PublicKey{key}}, c.Earlier(t.Context()), time.Now()); err != nil {
		t.Errorf("the demo's catalog does not prove: %v", err)
	}
}

// --upstream-only serves the fake vendors until cancelled and writes a
// configuration that the weekly job runs against as it is.
func TestDemoUpstreamOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "cfg.yaml")
	ctx, cancel := context.WithCancel(t.Context())
	a, stdout, stderr := newTestApp(nil)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, a, []string{"demo", "--upstream-only", "--listen", "127.0.0.1:0", "--write-config", config})
	}()
	stopped := false
	stop := func() int {
		t.Helper()
		cancel()
		select {
		case code := <-done:
			stopped = true
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("demo --upstream-only did not stop when cancelled")
			return -1
		}
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for !exists(config) || !exists(filepath.Join(dir, "vendor-trust.yaml")) {
		select {
		case code := <-done:
			stopped = true
			t.Fatalf("demo --upstream-only exited %d before writing %s\nstdout: %s\nstderr: %s", code, config, stdout, stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 30 s", config)
		}
	}
	mustRun(t, pwEnv, "keys", "generate", "--out", filepath.Join(dir, "publisher"))
	out := mustRun(t, pwEnv, "run", "--config", config)
	wantContains(t, "run against the fake upstream", out, "Bundle written", "refused 0", filepath.Join(dir, "media", "patchferry-demo-1"))
	b := inspectBundle(t, filepath.Join(dir, "media", "patchferry-demo-1"))
	if len(b.Catalog) != 5 || len(b.Artifacts) == 0 {
		t.Errorf("bundle: %d products, %d files", len(b.Catalog), len(b.Artifacts))
	}

	if code := stop(); code != exitOK {
		t.Errorf("demo --upstream-only: exit %d after cancel, want 0\nstderr: %s", code, stderr)
	}
	wantContains(t, "upstream-only output", stdout.String(), "http://127.0.0.1:", config, "patchferry run --config "+config)
	if strings.Contains(stdout.String(), "127.0.0.1:0") {
		t.Errorf("the output names port 0, not the port it listens on:\n%s", stdout)
	}
}
