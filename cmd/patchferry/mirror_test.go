package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/mirror/store/storetest"
)

// initMirror creates a mirror trusting the shared publisher.
func initMirror(t *testing.T, extra ...string) string {
	t.Helper()
	f := shared(t)
	data := filepath.Join(t.TempDir(), "data")
	args := append([]string{"mirror", "init", "--data", data, "--trust", f.publisher.pub, "--operator", "tester"}, extra...)
	mustRun(t, nil, args...)
	return data
}

func mirrorStatusJSON(t *testing.T, data string) map[string]any {
	t.Helper()
	var s map[string]any
	out := mustRun(t, nil, "mirror", "status", "--data", data, "--json")
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	return s
}

// The "done when": init, import a bundle made with bundle create,
// read the ledger in Excel, and see a bad bundle refused with the catalog as
// before.
func TestMirrorUserFlow(t *testing.T) {
	data := initMirror(t)
	if s := mirrorStatusJSON(t, data); s["sequence"].(float64) != 0 || s["last_import"] != nil {
		t.Fatalf("fresh mirror status: %v", s)
	}
	out := mustRun(t, nil, "mirror", "import", "--data", data, "--operator", "山田", "--label", "USB-07", copyBundle(t))
	if !strings.Contains(out, "Imported sequence 1") {
		t.Fatalf("import output: %s", out)
	}
	s := mirrorStatusJSON(t, data)
	code, _ := s["state_code"].(string)
	if s["sequence"].(float64) != 1 || s["last_import"] == nil || !strings.HasPrefix(code, "1-") || len(code) != 6 {
		t.Fatalf("status after import: %v", s)
	}

	// The same bundle again: a no-op success.
	out = mustRun(t, nil, "mirror", "import", "--data", data, copyBundle(t))
	if !strings.Contains(out, "Already imported") {
		t.Fatalf("second import: %s", out)
	}

	// A damaged copy of the next bundle is refused, names the file, and
	// changes nothing.
	f := shared(t)
	media2 := t.TempDir()
	mustRun(t, pwEnv, "bundle", "create", "--key", f.publisher.priv, "--out", media2, "--sequence", "2",
		"--product", "justsystems/ichitaro", "--version", "2026.2", "--created", baseCreated, f.payloads[0])
	bad := filepath.Join(media2, "patchferry-default-2")
	payloads, _ := filepath.Glob(filepath.Join(bad, "files", "sha256", "*", "*"))
	flipByte(t, payloads[0], 100)
	_, stderr, exit := runCLI(t, nil, "mirror", "import", "--data", data, "--label", "USB-08", bad)
	if exit != exitFailed || !strings.Contains(stderr, filepath.Base(payloads[0])) {
		t.Fatalf("damaged import: exit %d, stderr %s", exit, stderr)
	}
	if s2 := mirrorStatusJSON(t, data); s2["state_code"] != code {
		t.Fatalf("state changed after a refused import: %v → %v", code, s2["state_code"])
	}

	// The ledger: every attempt, hash-chained, as CSV for Excel.
	mustRun(t, nil, "mirror", "ledger", "--data", data, "--verify")
	csvOut := mustRun(t, nil, "--lang", "ja", "mirror", "ledger", "--data", data, "--csv")
	if !strings.HasPrefix(csvOut, "\uFEFF") {
		t.Fatal("CSV has no UTF-8 BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvOut, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// header, init, then each import that read the media: started and its end
	if len(rows) != 8 || rows[0][0] != "番号" {
		t.Fatalf("CSV rows: %q", rows)
	}
	for _, i := range []int{2, 4, 6} {
		if rows[i][14] != "開始" {
			t.Errorf("row %d: %q, want the start of an import", i, rows[i])
		}
	}
	if rows[3][2] != "山田" || rows[3][3] != "USB-07" || rows[3][14] != "取り込み済み" {
		t.Errorf("import row: %q", rows[3])
	}
	if rows[7][14] != "拒否" || !strings.Contains(rows[7][15], filepath.Base(payloads[0])) {
		t.Errorf("refused row does not say why: %q", rows[7])
	}
}

func TestMirrorTrust(t *testing.T) {
	f := shared(t)
	data := initMirror(t)
	out := mustRun(t, nil, "mirror", "trust", "--data", data, "--add-approver", f.approver1.pub, "--approvals", "1")
	if !strings.Contains(out, "added approver "+f.approver1.id) {
		t.Fatalf("trust change: %s", out)
	}
	// The shared bundle has no approval: refused now.
	_, stderr, code := runCLI(t, nil, "mirror", "import", "--data", data, copyBundle(t))
	if code != exitFailed || !strings.Contains(stderr, "approvals") {
		t.Fatalf("import without approval: exit %d: %s", code, stderr)
	}
	bundle := copyBundle(t)
	mustRun(t, pwEnv, "bundle", "approve", "--key", f.approver1.priv, "--name", "kacho", bundle)
	mustRun(t, nil, "mirror", "import", "--data", data, bundle)
	// Removing an unknown key is a usage error; the threshold cannot exceed the approvers.
	if _, _, code := runCLI(t, nil, "mirror", "trust", "--data", data, "--remove-publisher", "0000000000000000"); code != exitUsage {
		t.Errorf("remove unknown key: exit %d", code)
	}
	if _, _, code := runCLI(t, nil, "mirror", "trust", "--data", data, "--approvals", "2"); code != exitUsage {
		t.Errorf("approvals above the approver count: exit %d", code)
	}
	rows := mustRun(t, nil, "mirror", "ledger", "--data", data, "--json")
	if !strings.Contains(rows, "added approver "+f.approver1.id) {
		t.Errorf("trust change not in the ledger: %s", rows)
	}
}

func TestMirrorErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nothing")
	if _, stderr, code := runCLI(t, nil, "mirror", "status", "--data", missing); code != exitUsage || !strings.Contains(stderr, "mirror init") {
		t.Errorf("status without a mirror: exit %d: %s", code, stderr)
	}
	if _, _, code := runCLI(t, nil, "mirror", "stauts"); code != exitUsage {
		t.Errorf("mirror typo: exit %d", code)
	}
	data := initMirror(t)
	if _, _, code := runCLI(t, nil, "mirror", "init", "--data", data, "--trust", shared(t).publisher.pub); code == exitOK {
		t.Error("init over an existing mirror succeeded")
	}
	if _, _, code := runCLI(t, nil, "mirror", "import", "--data", data, "--scan-command", `clamscan "unclosed`, copyBundle(t)); code != exitUsage {
		t.Errorf("bad scan command: exit %d", code)
	}
	// A second process holding the store: a clear "in use" within seconds.
	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, nil, "mirror", "import", "--data", data, copyBundle(t))
	st.Close()
	if code != exitFailed || !strings.Contains(stderr, "in use") {
		t.Errorf("import while the store is held: exit %d: %s", code, stderr)
	}
}

func TestMirrorVendorTrustFile(t *testing.T) {
	f := shared(t)
	out := mustRun(t, nil, "mirror", "trust", "--data", initMirror(t), "--show-vendor-trust")
	vt := filepath.Join(t.TempDir(), "vendor-trust.yaml")
	if err := os.WriteFile(vt, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, nil, "mirror", "init", "--data", data, "--trust", f.publisher.pub, "--vendor-trust", vt)
	if show := mustRun(t, nil, "mirror", "trust", "--data", data); !strings.Contains(show, "custom") || !strings.Contains(show, "14F26682D0916CDD81E37B6D61B7B526D98F0353") {
		t.Errorf("trust show: %s", show)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("authenticode_roots: []\nsurprise: true\n"), 0o644)
	_, stderr, code := runCLI(t, nil, "mirror", "init", "--data", filepath.Join(t.TempDir(), "d"), "--trust", f.publisher.pub, "--vendor-trust", bad)
	if code != exitUsage || !strings.Contains(stderr, "line 2") {
		t.Errorf("bad vendor trust: exit %d: %s", code, stderr)
	}
}

// A vendor trust file of format 1 (written by an earlier release; the
// fixture is verify's) still initializes a mirror: staff are told what the
// upgrade did, in their language, and the mirror keeps it in format 2.
func TestMirrorVendorTrustFormat1(t *testing.T) {
	f := shared(t)
	old := filepath.Join("..", "..", "verify", "testdata", "vendor-trust", "format1-default.yaml")
	data := filepath.Join(t.TempDir(), "data")
	_, stderr, code := runCLI(t, nil, "--lang", "ja", "mirror", "init", "--data", data, "--trust", f.publisher.pub, "--vendor-trust", old)
	if code != exitOK || !strings.Contains(stderr, "旧形式 1") || !strings.Contains(stderr, `"USERTrust RSA Certification Authority" left out`) {
		t.Fatalf("init with a format-1 file: exit %d\n%s", code, stderr)
	}
	show := mustRun(t, nil, "mirror", "trust", "--data", data, "--show-vendor-trust")
	for _, want := range []string{"format: 2", "vendor: clamav", "vendor: microsoft", "vendor: mozilla", "authenticode_signers:"} {
		if !strings.Contains(show, want) {
			t.Errorf("stored vendor trust lacks %q:\n%.600s", want, show)
		}
	}
	if summary := mustRun(t, nil, "mirror", "trust", "--data", data); !strings.Contains(summary, "mozilla: openpgp key: Mozilla Software Releases") {
		t.Errorf("trust summary without scopes:\n%s", summary)
	}
}

// A refused import tells staff what to do next in their language: the
// delta on the wrong base names the exact command for the internet side,
// in --json too.
func TestImportRefusalHints(t *testing.T) {
	f := shared(t)
	data := initMirror(t)
	mustRun(t, nil, "mirror", "import", "--data", data, copyBundle(t))
	code, _ := mirrorStatusJSON(t, data)["state_code"].(string)
	bundle := func(seq, base string) string {
		out := t.TempDir()
		mustRun(t, pwEnv, "bundle", "create", "--key", f.publisher.priv, "--out", out, "--sequence", seq, "--base", base,
			"--product", "justsystems/ichitaro", "--version", "2026.2", "--created", baseCreated, f.payloads[0])
		return filepath.Join(out, "patchferry-default-"+seq)
	}
	wrongBase := bundle("3", "2")
	for _, tc := range []struct {
		lang, want string
	}{
		{"ja", "  → この差分バンドルはミラーの状態に続いていません。インターネット側で次を実行してください: patchferry export --since " + code + "\n"},
		{"en", "  → This delta bundle does not follow the mirror's state. On the internet side run: patchferry export --since " + code + "\n"},
	} {
		_, stderr, exit := runCLI(t, nil, "--lang", tc.lang, "mirror", "import", "--data", data, wrongBase)
		if exit != exitFailed || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant the hint %q", tc.lang, exit, stderr, tc.want)
		}
	}
	stdout, _, exit := runCLI(t, nil, "--lang", "ja", "mirror", "import", "--data", data, "--json", wrongBase)
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || exit != exitFailed {
		t.Fatalf("--json: exit %d, %v: %s", exit, err, stdout)
	}
	if hint, _ := res["hint"].(string); !strings.HasSuffix(hint, "patchferry export --since "+code) {
		t.Errorf("--json hint %q", res["hint"])
	}
	// An older bundle than the mirror's: bring the newest one.
	mustRun(t, nil, "mirror", "import", "--data", data, bundle("4", "0"))
	_, stderr, exit := runCLI(t, nil, "--lang", "ja", "mirror", "import", "--data", data, copyBundle(t))
	if exit != exitFailed || !strings.Contains(stderr, "→ ミラーが提供中のものより古いバンドルです。") {
		t.Errorf("rollback: exit %d, stderr:\n%s", exit, stderr)
	}
}

// Issue 11, hole 8: on a disk too small for the bundle, the import says
// how much it needs and how much is free, with what to do; the mirror is
// unchanged and the attempt is in the ledger.
func TestImportOnAFullDisk(t *testing.T) {
	dir := storetest.SmallDisk(t, 4<<20)
	if dir == "" {
		return // the test ran in a child process
	}
	data := filepath.Join(dir, "data")
	mustRun(t, nil, "mirror", "init", "--data", data, "--trust", shared(t).publisher.pub, "--operator", "tester")
	for _, lang := range []string{"en", "ja"} {
		_, stderr, code := runCLI(t, nil, "--lang", lang, "mirror", "import", "--data", data, shared(t).bundle)
		if code != exitFailed {
			t.Fatalf("import on a full disk: exit %d, want %d\n%s", code, exitFailed, stderr)
		}
		wantContains(t, "stderr", stderr, "not enough free space in "+data, "needed for new files", "free", "mirror gc")
	}
	if s := mirrorStatusJSON(t, data); s["sequence"].(float64) != 0 {
		t.Errorf("sequence %v after a failed import, want 0", s["sequence"])
	}
	rows := ledgerRows(t, data)
	if last := rows[len(rows)-1]; last.Result != "failed" || !strings.Contains(last.Reason, "not enough free space") {
		t.Errorf("last ledger row: %s %q, want the failed import", last.Result, last.Reason)
	}
}

// A refused import says why in the user's language: the words the ledger
// uses for the reason, and the → line.
func TestImportRefusalInUserLanguage(t *testing.T) {
	t.Parallel()
	f := shared(t)
	out := t.TempDir()
	mustRun(t, pwEnv, createArgs(f, out, "--sequence", "2", "--base", "1", "--created", baseCreated)...)
	delta := filepath.Join(out, "patchferry-default-2")
	data := initMirror(t)
	for lang, want := range map[string]string{
		"en": "error: this mirror has imported nothing yet, so the first bundle must be a full bundle",
		"ja": "取り込みを拒否しました: " + ledgerMessages[msgReasonFirstNotFull].ja,
	} {
		_, stderr, code := runCLI(t, nil, "--lang", lang, "mirror", "import", "--data", data, delta)
		if code != exitFailed || !strings.Contains(stderr, want) || !strings.Contains(stderr, "→ ") {
			t.Errorf("%s: exit %d, want %q:\n%s", lang, code, want, stderr)
		}
		if strings.Contains(stderr, "level=WARN") || lang == "ja" && strings.Contains(stderr, "has imported nothing") {
			t.Errorf("%s: a log line or the English reason is shown:\n%s", lang, stderr)
		}
	}
}
