//go:build unix

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// An import process killed while it runs (here by its virus scanner, after
// it read the media) leaves a started row in the ledger and nothing else;
// `mirror status` says an import did not finish, until an import ends well.
func TestMirrorStatusShowsKilledImport(t *testing.T) {
	data := initMirror(t)
	killer := filepath.Join(t.TempDir(), "killer.sh")
	if err := os.WriteFile(killer, []byte("#!/bin/sh\n[ \"$1\" = --version ] && { echo 'Killer 1.0'; exit 0; }\nkill -9 $PPID\nsleep 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal([]string{"mirror", "import", "--data", data, "--operator", "tanaka", "--label", "USB-KILL", "--scan-command", killer, copyBundle(t)})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), cliChild+"="+string(args))
	out, err := cmd.CombinedOutput()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the import was not killed: %v\n%s", err, out)
	}

	s := mirrorStatusJSON(t, data)
	unfinished, _ := s["unfinished_imports"].([]any)
	if s["sequence"].(float64) != 0 || len(unfinished) != 1 || unfinished[0].(map[string]any)["label"] != "USB-KILL" ||
		unfinished[0].(map[string]any)["result"] != "started" {
		t.Fatalf("status --json after the kill: %v", s)
	}
	wantContains(t, "status", mustRun(t, nil, "mirror", "status", "--data", data), `did not finish (medium "USB-KILL", bundle "patchferry-default-1", operator "tanaka")`)
	wantContains(t, "status (ja)", mustRun(t, nil, "--lang", "ja", "mirror", "status", "--data", data), "取り込みが完了していません")
	mustRun(t, nil, "mirror", "ledger", "--data", data, "--verify")

	// The next import works and ends normally; status is quiet again.
	mustRun(t, nil, "mirror", "import", "--data", data, copyBundle(t))
	if out := mustRun(t, nil, "mirror", "status", "--data", data); strings.Contains(out, "did not finish") {
		t.Errorf("status after the next import:\n%s", out)
	}
	rows := ledgerRows(t, data)
	if n := len(rows); n != 4 || rows[1].Result != "started" || rows[2].Result != "started" || rows[3].Result != "imported" || rows[3].Started != rows[2].Number {
		t.Errorf("ledger: %+v", rows)
	}
}
