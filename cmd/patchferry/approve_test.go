package main

import (
	"slices"
	"testing"
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
		"1 of 2 required approvals", "approvals/b.sig", "repeat", "→ "+catalog[hintThreshold][0])
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
