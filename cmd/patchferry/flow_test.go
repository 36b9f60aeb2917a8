package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestUserFlow walks the flow the README shows: make a key, pack files by
// hand, have a manager countersign, verify, inspect.
func TestUserFlow(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir := t.TempDir()
	pub := filepath.Join(dir, "pub")

	out := mustRun(t, pwEnv, "keys", "generate", "--out", pub)
	wantContains(t, "keys generate output", out, "Key pair written", pub+".key", pub+".pub")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(pub + ".key")
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("private key mode %v, want 0600", fi.Mode().Perm())
		}
	}

	media := filepath.Join(dir, "media")
	if err := os.Mkdir(media, 0o755); err != nil { // the "USB stick"
		t.Fatal(err)
	}
	args := []string{"bundle", "create", "--key", pub + ".key", "--out", media, "--sequence", "1",
		"--product", "justsystems/ichitaro", "--version", "2026.1"}
	out = mustRun(t, pwEnv, append(args, f.payloads...)...)
	bundle := filepath.Join(media, "patchferry-default-1")
	wantContains(t, "bundle create output", out, "Bundle written", bundle)

	out = mustRun(t, pwEnv, "bundle", "approve", "--key", f.approver1.priv, "--name", "kacho", bundle)
	wantContains(t, "bundle approve output", out, "approvals/kacho.sig", f.approver1.id)
	if _, err := os.Stat(filepath.Join(bundle, "approvals", "kacho.sig")); err != nil {
		t.Errorf("approval file: %v", err)
	}

	for _, target := range []string{bundle, media} {
		out = mustRun(t, nil, "bundle", "verify", "--trust", pub+".pub",
			"--approver", f.approver1.pub, "--approvals", "1", target)
		wantContains(t, "bundle verify "+target, out, "OK: bundle verified", f.approver1.id)
	}

	out = mustRun(t, nil, "bundle", "inspect", bundle, "--json")
	var fields map[string]json.RawMessage
	decodeJSON(t, out, &fields)
	for _, k := range []string{"sequence", "base", "expires", "signatures", "artifacts"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("inspect --json has no %q:\n%s", k, out)
		}
	}
	var got struct {
		Sequence   uint64    `json:"sequence"`
		Base       uint64    `json:"base"`
		Created    time.Time `json:"created"`
		Expires    time.Time `json:"expires"`
		Signatures []string  `json:"signatures"`
		Artifacts  []struct {
			FileName     string `json:"file_name"`
			Size         int64  `json:"size"`
			SHA256       string `json:"sha256"`
			Verification struct {
				Method string `json:"method"`
			} `json:"verification"`
		} `json:"artifacts"`
	}
	decodeJSON(t, out, &got)
	if got.Sequence != 1 || got.Base != 0 {
		t.Errorf("sequence %d base %d, want 1 and 0", got.Sequence, got.Base)
	}
	// No --created: the creation time is the clock, and the default
	// validity is 30 days.
	if !got.Created.Equal(testNow) || !got.Expires.Equal(testNow.AddDate(0, 0, 30)) {
		t.Errorf("created %s expires %s, want %s and 30 days later", got.Created, got.Expires, testNow)
	}
	if want := []string{"bundle.json.sig", "approvals/kacho.sig"}; !slices.Equal(got.Signatures, want) {
		t.Errorf("signatures %q, want %q", got.Signatures, want)
	}
	if len(got.Artifacts) != len(f.payloads) {
		t.Fatalf("%d artifacts, want %d", len(got.Artifacts), len(f.payloads))
	}
	for i, art := range got.Artifacts {
		p := f.payloads[i]
		if art.FileName != filepath.Base(p) || art.SHA256 != sha256File(t, p) || art.Verification.Method != "manual" {
			t.Errorf("artifact %d: file_name %q sha256 %s method %q; want %q %s manual",
				i, art.FileName, art.SHA256, art.Verification.Method, filepath.Base(p), sha256File(t, p))
		}
	}
}

// TestInspectNeverExpires checks that --json shows a bundle without expiry
// as null, not as the year 1.
func TestInspectNeverExpires(t *testing.T) {
	t.Parallel()
	f := shared(t)
	out := t.TempDir()
	mustRun(t, pwEnv, createArgs(f, out, "--expires", "0")...)
	stdout := mustRun(t, nil, "--json", "bundle", "inspect", out)
	var got map[string]any
	decodeJSON(t, stdout, &got)
	if v, ok := got["expires"]; !ok || v != nil {
		t.Errorf("expires = %v (present %v), want null", v, ok)
	}
	stdout = mustRun(t, nil, "bundle", "inspect", out)
	wantContains(t, "bundle inspect", stdout, "Expires:", "never")
}
