package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// cosignFixtures holds a key pair made by the real cosign CLI (see its
// README.md).
const cosignFixtures = "../../verify/testdata/cosign"

// TestCosignKey signs a bundle with a private key made by `cosign
// generate-key-pair` and verifies it with cosign's public key.
func TestCosignKey(t *testing.T) {
	t.Parallel()
	f := shared(t)
	out := t.TempDir()
	key := filepath.Join(cosignFixtures, "cosign.key")
	pub := filepath.Join(cosignFixtures, "cosign.pub")
	pwFile := filepath.Join(cosignFixtures, "password.txt")
	// A later --key wins over the one createArgs gives.
	mustRun(t, nil, createArgs(f, out, "--key", key, "--password-file", pwFile)...)

	stdout := mustRun(t, nil, "bundle", "verify", "--trust", pub, out)
	wantContains(t, "verify with cosign.pub", stdout, "OK: bundle verified")

	_, stderr, code := runCLI(t, nil, "bundle", "verify", "--trust", f.publisher.pub, out)
	if code != exitFailed {
		t.Errorf("verify with another publisher key: exit %d, want %d", code, exitFailed)
	}
	// The error names the trusted key and the key that signed: the
	// cosign key is among the keys recovered from the signature.
	b, err := os.ReadFile(pub)
	if err != nil {
		t.Fatal(err)
	}
	k, err := verify.ParsePublicKey(b)
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, "stderr with another publisher key", stderr, "bundle.json.sig", "(trusted: "+f.publisher.id+")",
		"it was made by key ", k.ID(), "→ "+errorMessages[hintUntrusted].en)
}

// findCosign locates the cosign CLI: $PATCHFERRY_COSIGN, else cosign in
// PATH, else /tmp/cosign-bin/cosign (where verify/testdata/cosign/README.md
// builds it). It returns "" when there is none.
func findCosign() string {
	if p := os.Getenv("PATCHFERRY_COSIGN"); p != "" {
		return p
	}
	if p, err := exec.LookPath("cosign"); err == nil {
		return p
	}
	if _, err := os.Stat("/tmp/cosign-bin/cosign"); err == nil {
		return "/tmp/cosign-bin/cosign"
	}
	return ""
}

// TestCosignVerifyBlob checks that upstream cosign accepts the publisher
// signature of a bundle made by the CLI, as DESIGN.md promises. cosign is
// not installed in CI and is not a module dependency, so the test is
// skipped when cosign is missing, always, CI or not; set PATCHFERRY_COSIGN
// to run it against a particular binary.
func TestCosignVerifyBlob(t *testing.T) {
	t.Parallel()
	cosign := findCosign()
	if cosign == "" {
		t.Skip("cosign not found (set PATCHFERRY_COSIGN, put cosign in PATH, or build it into /tmp/cosign-bin)")
	}
	f := shared(t)
	home := t.TempDir() // cosign keeps a TUF cache under $HOME/.sigstore
	verifyBlob := func(t *testing.T, manifest string) (string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, cosign, "verify-blob", "--key", f.publisher.pub,
			"--signature", filepath.Join(f.bundle, "bundle.json.sig"), "--insecure-ignore-tlog=true", manifest)
		cmd.Env = append(os.Environ(), "HOME="+home, "TUF_ROOT="+filepath.Join(home, "tuf"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		return stderr.String(), err
	}

	stderr, err := verifyBlob(t, filepath.Join(f.bundle, "bundle.json"))
	if err != nil {
		t.Fatalf("cosign verify-blob: %v\n%s", err, stderr)
	}
	wantContains(t, "cosign stderr", stderr, "Verified OK")

	// The same signature over a changed manifest must be refused, so the
	// check above is not vacuous.
	raw, err := os.ReadFile(filepath.Join(f.bundle, "bundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(changed, append(raw, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr, err = verifyBlob(t, changed)
	if err == nil || strings.Contains(stderr, "Verified OK") {
		t.Errorf("cosign verify-blob accepted a changed manifest: %v\n%s", err, stderr)
	}
}
