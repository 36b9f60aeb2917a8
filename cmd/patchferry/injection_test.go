package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/patchferry/patchferry/media/escape"
)

// injection is what an attacker without any key writes into a manifest:
// terminal codes that erase the operator's line, a forged success, a
// forged line, a right-to-left override and a C1 control.
const injection = "\x1b[2K\rImported sequence 99. State code: 99-AAAA\nFORGED line\u202e\u009b"

// injectedManifests returns one manifest per string field of the shared
// bundle's manifest (with every optional field set), that field holding
// injection: an unsigned bundle, refused, whose names must still reach no
// output raw.
func injectedManifests(t *testing.T) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(shared(t).bundle, "bundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	a := m["artifacts"].([]any)[0].(map[string]any)
	for _, k := range []string{"channel", "platform", "language", "build_id", "url", "released"} {
		a[k] = "x"
	}
	a["released"] = "2026-11-19T00:00:00Z"
	a["verification"] = map[string]any{"method": "manual", "signer": "s", "key_id": "k", "time": "2026-11-19T00:00:00Z", "evidence": []any{"e"}, "entry": "n"}
	m["catalog"].([]any)[0].(map[string]any)["channel"] = "x"
	m["retired"] = []any{map[string]any{"vendor": "v", "product": "p", "version": "1", "sha256": strings.Repeat("0", 64)}}
	m["meta"] = []any{map[string]any{"name": "n", "size": 1, "sha256": strings.Repeat("0", 64), "expanded": 1}}

	out := make(map[string][]byte)
	var walk func(path string, v any, set func(any))
	walk = func(path string, v any, set func(any)) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(path+"."+k, e, func(x any) { v[k] = x })
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), e, func(x any) { v[i] = x })
			}
		case string:
			set(injection + v)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			out[path] = b
			set(v)
		}
	}
	walk("", m, nil)
	return out
}

// Issue 11, hole 1: every field of an unsigned manifest holds terminal
// codes and a forged line; stdout, stderr, the log, the ledger table and
// its CSV show them escaped, never raw.
func TestManifestInjectionReachesNoOutputRaw(t *testing.T) {
	data := initMirror(t)
	manifests := injectedManifests(t)
	paths := make([]string, 0, len(manifests))
	for p := range manifests {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if len(paths) < 25 {
		t.Fatalf("only %d string fields in the manifest: %v", len(paths), paths)
	}
	for _, p := range paths {
		dir := copyBundle(t)
		if err := os.WriteFile(filepath.Join(dir, "bundle.json"), manifests[p], 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"mirror", "import", "--data", data, dir},
			{"--json", "mirror", "import", "--data", data, dir},
			{"--lang", "ja", "bundle", "verify", "--trust", shared(t).publisher.pub, dir},
			{"bundle", "inspect", dir},
		} {
			stdout, stderr, code := runCLI(t, nil, args...)
			if code == exitOK && args[0] != "bundle" {
				t.Errorf("%s: %s: exit 0 for an unsigned bundle", p, args)
			}
			wantEscaped(t, fmt.Sprintf("%s: %s: stdout", p, args), stdout, "\n\t")
			wantEscaped(t, fmt.Sprintf("%s: %s: stderr", p, args), stderr, "\n\t")
		}
	}
	table := mustRun(t, nil, "mirror", "ledger", "--data", data)
	wantEscaped(t, "ledger table", table, "\n")
	if n := strings.Count(table, "\n"); n != 3+2*len(paths) {
		t.Errorf("ledger table: %d lines, want the header, one per row and the ledger code (%d)", n, 3+2*len(paths))
	}
	out := mustRun(t, nil, "mirror", "ledger", "--data", data, "--csv")
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("ledger CSV: %v", err)
	}
	if len(records) != 2+2*len(paths) {
		t.Errorf("ledger CSV: %d records, want %d", len(records), 2+2*len(paths))
	}
	for _, r := range records {
		for _, field := range r {
			wantEscaped(t, "ledger CSV field", field, "\n")
		}
	}
}

// wantEscaped fails t when s holds a control or invisible character other
// than those in keep, or a line that starts with the injected forgery.
func wantEscaped(t *testing.T, what, s, keep string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s is not UTF-8: %q", what, s)
	}
	for _, r := range s {
		if escape.Unsafe(r) && !strings.ContainsRune(keep, r) {
			t.Errorf("%s holds %U raw:\n%s", what, r, s)
			return
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "FORGED") || strings.HasPrefix(strings.TrimSpace(line), "Imported sequence 99") {
			t.Errorf("%s holds a forged line %q:\n%s", what, line, s)
			return
		}
	}
}

// The same through a running `mirror serve`: the import is refused in the
// server, whose log and the client's output show the names escaped.
func TestManifestInjectionThroughServe(t *testing.T) {
	data := initMirror(t)
	s := startServe(t, data)
	manifests := injectedManifests(t)
	for _, p := range []string{".artifacts[0].file_name", ".artifacts[0].vendor", ".site", ".catalog[0].product"} {
		dir := copyBundle(t)
		if err := os.WriteFile(filepath.Join(dir, "bundle.json"), manifests[p], 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := runCLI(t, nil, "mirror", "import", "--data", data, dir)
		if code != exitFailed {
			t.Errorf("%s: exit %d, want %d", p, code, exitFailed)
		}
		wantEscaped(t, p+": stdout", stdout, "\n\t")
		wantEscaped(t, p+": stderr", stderr, "\n\t")
	}
	log := s.logWhen(func(log string) bool { return strings.Count(log, "import refused") >= 4 })
	if strings.Count(log, "import refused") < 4 {
		t.Fatalf("the server logged fewer than 4 refusals:\n%s", log)
	}
	wantEscaped(t, "server log", log, "\n")
}
