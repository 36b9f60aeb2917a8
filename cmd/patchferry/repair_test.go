package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
)

// A file of the current catalog (sequence 2) that came with sequence 1 is
// damaged and quarantined by scrub; `mirror import --repair` with the
// media of sequence 1 restores it — with the store opened by the command,
// and through a running `mirror serve`, which then serves the file again.
// The catalog and the sequence stay; a file the current catalog does not
// use is not restored; the ledger has the repair.
func TestMirrorRepair(t *testing.T) {
	for _, served := range []bool{false, true} {
		name := "local"
		if served {
			name = "served"
		}
		t.Run(name, func(t *testing.T) { testMirrorRepair(t, served) })
	}
}

func testMirrorRepair(t *testing.T, served bool) {
	f := shared(t)
	data := initMirror(t)
	seq1 := copyBundle(t) // the update file and the readme, version 2026.1
	mustRun(t, nil, "mirror", "import", "--data", data, seq1)
	// Sequence 2 keeps the update file (as version 2026.2) and drops the
	// readme.
	out := t.TempDir()
	mustRun(t, pwEnv, "bundle", "create", "--key", f.publisher.priv, "--out", out, "--sequence", "2",
		"--product", "justsystems/ichitaro", "--version", "2026.2", "--created", baseCreated, f.payloads[0])
	mustRun(t, nil, "mirror", "import", "--data", data, filepath.Join(out, "patchferry-default-2"))
	before := mirrorStatusJSON(t, data)

	var s *serving
	if served {
		s = startServe(t, data)
	}
	update, readme := sha256File(t, f.payloads[0]), sha256File(t, f.payloads[1])
	fileURL := "/files/justsystems/ichitaro/2026.2/" + filepath.Base(f.payloads[0])
	want, err := os.ReadFile(f.payloads[0])
	if err != nil {
		t.Fatal(err)
	}
	flipBlob(t, data, update)
	flipBlob(t, data, readme)
	if _, _, code := runCLI(t, nil, "mirror", "scrub", "--data", data); code != exitFailed {
		t.Fatalf("scrub of damaged blobs: exit %d", code)
	}
	if served {
		for _, p := range []string{fileURL, "/blobs/sha256/" + update} {
			if code, _ := s.get(t, p); code != http.StatusNotFound {
				t.Errorf("GET %s after scrub: %d, want 404", p, code)
			}
		}
	}

	// Without --repair the old media are a rollback.
	if _, stderr, code := runCLI(t, nil, "mirror", "import", "--data", data, seq1); code != exitFailed || !strings.Contains(stderr, "rollback") {
		t.Errorf("import of the old media: exit %d: %s", code, stderr)
	}
	// A damaged copy of the old media is refused, naming the file.
	tampered := copyBundle(t)
	payloads, _ := filepath.Glob(filepath.Join(tampered, "files", "sha256", update[:2], update))
	if len(payloads) != 1 {
		t.Fatalf("the update file on the media: %v", payloads)
	}
	flipByte(t, payloads[0], 100)
	if _, stderr, code := runCLI(t, nil, "mirror", "import", "--repair", "--data", data, tampered); code != exitFailed || !strings.Contains(stderr, "files/sha256/"+update[:2]+"/"+update) {
		t.Errorf("repair from a damaged medium: exit %d: %s", code, stderr)
	}

	stdout := mustRun(t, nil, "mirror", "import", "--repair", "--data", data, "--operator", "山田", "--label", "USB-01", seq1)
	wantContains(t, "repair", stdout, "Repaired 1 file (30.0 kB) from bundle sequence 1", "stays at sequence 2", filepath.Base(f.payloads[0]))
	if strings.Contains(stdout, filepath.Base(f.payloads[1])) {
		t.Errorf("the repair mentions the readme, which the current catalog does not use:\n%s", stdout)
	}
	after := mirrorStatusJSON(t, data)
	if after["sequence"] != before["sequence"] || after["state_code"] != before["state_code"] || after["last_import"] != before["last_import"] {
		t.Errorf("status after the repair: %v\nbefore: %v", after, before)
	}
	if _, err := os.Stat(filepath.Join(data, store.BlobsDir, "sha256", readme[:2], readme)); !os.IsNotExist(err) {
		t.Errorf("the readme's blob, not used by the current catalog, is stored again: %v", err)
	}
	if served {
		for _, p := range []string{fileURL, "/blobs/sha256/" + update} {
			if code, body := s.get(t, p); code != http.StatusOK || !bytes.Equal(body, want) {
				t.Errorf("GET %s after the repair: %d, %d bytes", p, code, len(body))
			}
		}
	}
	rows := ledgerRows(t, data)
	start, end := rows[len(rows)-2], rows[len(rows)-1]
	if start.Result != ledger.ResultStarted || end.Result != ledger.ResultRepaired || end.Started != start.Number || end.Sequence != 1 ||
		end.Files != 1 || end.Label != "USB-01" || end.Operator != "山田" {
		t.Errorf("the repair's ledger rows:\n%+v\n%+v", start, end)
	}

	// Again: nothing to repair, exit 0, in both languages and as JSON.
	wantContains(t, "second repair", mustRun(t, nil, "mirror", "import", "--repair", "--data", data, seq1), "Nothing to repair")
	wantContains(t, "second repair (ja)", mustRun(t, nil, "--lang", "ja", "mirror", "import", "--repair", "--data", data, seq1), "修復の必要はありません")
	var res struct {
		OK     bool `json:"ok"`
		Result struct {
			Status         string `json:"status"`
			MirrorSequence uint64 `json:"mirror_sequence"`
		} `json:"result"`
	}
	decodeJSON(t, mustRun(t, nil, "--json", "mirror", "import", "--repair", "--data", data, seq1), &res)
	if !res.OK || res.Result.Status != "nothing to repair" || res.Result.MirrorSequence != 2 {
		t.Errorf("repair --json: %+v", res)
	}
}

// A repair whose medium lacks the missing file is refused (exit 1), saying
// which file and sequence are needed and what to bring, in English and
// Japanese.
func TestMirrorRepairWrongMedium(t *testing.T) {
	f := shared(t)
	data := initMirror(t)
	mustRun(t, nil, "mirror", "import", "--data", data, copyBundle(t))
	// Sequence 2 (full) holds only a new file.
	newFile := filepath.Join(t.TempDir(), "other-1.msi")
	if err := os.WriteFile(newFile, payload(5000)[1000:], 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	mustRun(t, pwEnv, "bundle", "create", "--key", f.publisher.priv, "--out", out, "--sequence", "2",
		"--product", "justsystems/other", "--version", "1", "--created", baseCreated, newFile)
	mustRun(t, nil, "mirror", "import", "--data", data, filepath.Join(out, "patchferry-default-2"))
	flipBlob(t, data, sha256File(t, newFile))
	runCLI(t, nil, "mirror", "scrub", "--data", data)

	_, stderr, code := runCLI(t, nil, "mirror", "import", "--repair", "--data", data, f.bundle)
	if code != exitFailed {
		t.Fatalf("repair from media without the file: exit %d: %s", code, stderr)
	}
	wantContains(t, "refusal", stderr, "holds none of the 1 file(s) the mirror is missing", `"other-1.msi"`, "sequence 2", "→ This medium does not hold the missing files")
	_, stderr, _ = runCLI(t, nil, "--lang", "ja", "mirror", "import", "--repair", "--data", data, f.bundle)
	wantContains(t, "refusal (ja)", stderr, "→ この媒体には欠けているファイルがありません")
	// The media of sequence 2 (already imported) restore it.
	wantContains(t, "repair (ja)", mustRun(t, nil, "--lang", "ja", "mirror", "import", "--repair", "--data", data, filepath.Join(out, "patchferry-default-2")),
		"バンドル連番 2 からファイル 1 個（4.0 kB）を修復しました。ミラーは連番 2（状態コード 2-", `修復:`, `"other-1.msi" (4.0 kB)`)
}
