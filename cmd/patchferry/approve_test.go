package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/patchferry/patchferry/mirror/store"
)

// TestApprovalThreshold: one approver signing twice (under two names)
// counts once; two different approvers meet a threshold of two.
func TestApprovalThreshold(t *testing.T) {
	t.Parallel()
	f := shared(t)
	bundle := copyBundle(t)
	verify := []string{"bundle", "verify", "--trust", f.publisher.pub,
		"--approver", f.approver1.pub, "--approver", f.approver2.pub, "--approvals", "2"}

	_, stderr, code := runCLI(t, nil, append(verify, bundle)...)
	if code != exitFailed {
		t.Errorf("no approvals: exit %d, want %d", code, exitFailed)
	}
	wantContains(t, "stderr without approvals", stderr, "0 of 2 required approvals")

	for _, name := range []string{"a", "b"} {
		mustRun(t, pwEnv, "bundle", "approve", "--key", f.approver1.priv, "--name", name, bundle)
	}
	stdout, stderr, code := runCLI(t, nil, append(verify, bundle)...)
	if code != exitFailed {
		t.Errorf("same approver twice: exit %d, want %d", code, exitFailed)
	}
	wantContains(t, "stderr with one approver twice", stderr,
		"1 of 2 required approvals", "approvals/b.sig", "repeat", "→ "+generalMessages[hintThreshold].en)
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}

	mustRun(t, pwEnv, "bundle", "approve", "--key", f.approver2.priv, "--name", "c", bundle)
	stdout = mustRun(t, nil, append(verify, "--json", bundle)...)
	var got struct {
		OK        bool     `json:"ok"`
		Publisher string   `json:"publisher_key_id"`
		Approvers []string `json:"approver_key_ids"`
	}
	decodeJSON(t, stdout, &got)
	want := []string{f.approver1.id, f.approver2.id}
	if !got.OK || got.Publisher != f.publisher.id || !slices.Equal(got.Approvers, want) {
		t.Errorf("verify --json: %s\nwant ok, publisher %s, approvers %v", stdout, f.publisher.id, want)
	}
}

// TestPublisherCannotApprove: the publisher alone cannot meet the
// two-person rule. bundle.json.sig copied to approvals/ never counts as an
// approval (refused by bundle verify and by mirror import, even on a mirror
// that lists the publisher's key as an approver); init, trust and bundle
// verify refuse a key in both roles; bundle approve refuses the
// publisher's key; a genuine approval still passes.
func TestPublisherCannotApprove(t *testing.T) {
	t.Parallel()
	f := shared(t)
	bundle := copyBundle(t)
	sig, err := os.ReadFile(filepath.Join(bundle, "bundle.json.sig"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(bundle, "approvals"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "approvals", "x.sig"), sig, 0o644); err != nil {
		t.Fatal(err)
	}

	// bundle verify: a key in both roles is refused as it stands.
	_, stderr, code := runCLI(t, nil, "bundle", "verify", "--trust", f.publisher.pub, "--approver", f.publisher.pub, bundle)
	if code != exitUsage {
		t.Errorf("bundle verify with the publisher as approver: exit %d, want %d\n%s", code, exitUsage, stderr)
	}
	wantContains(t, "bundle verify, both roles", stderr, "both a publisher and an approver", f.publisher.id, "→ "+mirrorMessages[hintBothRoles].en)
	// … and the copied signature is no approval by anyone else.
	_, stderr, code = runCLI(t, nil, "bundle", "verify", "--trust", f.publisher.pub, "--approver", f.approver1.pub, bundle)
	if code != exitFailed {
		t.Errorf("bundle verify, copied publisher signature: exit %d, want %d", code, exitFailed)
	}
	wantContains(t, "bundle verify, copied publisher signature", stderr, "0 of 1", "approvals/x.sig", "old format", "re-approve")

	// mirror init and mirror trust refuse a key in both roles.
	data := filepath.Join(t.TempDir(), "data")
	_, stderr, code = runCLI(t, nil, "--lang", "ja", "mirror", "init", "--data", data, "--trust", f.publisher.pub,
		"--approver", f.publisher.pub, "--approver", f.approver1.pub, "--approvals", "1")
	if code != exitUsage {
		t.Errorf("mirror init with the publisher as approver: exit %d, want %d", code, exitUsage)
	}
	wantContains(t, "mirror init, both roles", stderr, f.publisher.id, mirrorMessages[hintBothRoles].ja)
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a refused init left %s behind", data)
	}
	data = initMirror(t, "--approver", f.approver1.pub, "--approvals", "1")
	_, stderr, code = runCLI(t, nil, "mirror", "trust", "--data", data, "--add-approver", f.publisher.pub)
	if code != exitUsage {
		t.Errorf("mirror trust --add-approver <publisher>: exit %d, want %d", code, exitUsage)
	}
	wantContains(t, "mirror trust, both roles", stderr, f.publisher.id, "one key holds one role")

	// A mirror configured before this rule, with the publisher's key also an
	// approver: the copied signature still does not count.
	old := filepath.Join(t.TempDir(), "old")
	readPEM := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	st, err := store.Create(old, store.Trust{Publishers: []string{readPEM(f.publisher.pub)},
		Approvers: []string{readPEM(f.publisher.pub), readPEM(f.approver1.pub)}, Threshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, nil, "mirror", "import", "--data", old, bundle)
	if code != exitFailed {
		t.Errorf("mirror import, copied publisher signature: exit %d, want %d", code, exitFailed)
	}
	wantContains(t, "mirror import, copied publisher signature", stderr, "0 of 1", "approvals/x.sig", "old format")
	if s := mirrorStatusJSON(t, old); s["sequence"].(float64) != 0 {
		t.Fatalf("the refused bundle was imported: %v", s)
	}

	// bundle approve refuses the publisher's own key.
	_, stderr, code = runCLI(t, pwEnv, "bundle", "approve", "--key", f.publisher.priv, "--name", "self", bundle)
	if code == exitOK {
		t.Error("bundle approve with the publisher's key succeeded")
	}
	wantContains(t, "bundle approve with the publisher's key", stderr, "signed the bundle as publisher")

	// A genuine approval passes everywhere.
	mustRun(t, pwEnv, "bundle", "approve", "--key", f.approver1.priv, "--name", "kacho", bundle)
	mustRun(t, nil, "bundle", "verify", "--trust", f.publisher.pub, "--approver", f.approver1.pub, bundle)
	mustRun(t, nil, "mirror", "import", "--data", old, bundle)
	mustRun(t, nil, "mirror", "import", "--data", data, bundle)
}
