package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// englishSentence matches words of an English sentence, which a Japanese
// message must not hold (commands, flags, file names and values may stay).
var englishSentence = regexp.MustCompile(`\b(?i:the|is|are|not|want|unknown|invalid|required|give|use|must|got|received|accepts|does)\b`)

// TestUsageErrors: every usage or configuration error exits 2 before any
// key is decrypted, says what is wrong and points to --help.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "media")
	verify := []string{"bundle", "verify", "--trust", f.publisher.pub}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", createArgs(f, out, "--bogus"), "unknown flag: --bogus"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown bundle subcommand", []string{"bundle", "verfy", f.bundle}, `unknown command "verfy"`},
		{"unknown keys subcommand", []string{"keys", "generat"}, `unknown command "generat"`},
		{"missing required flag", []string{"bundle", "create", "--key", f.publisher.priv, "--out", out, f.payloads[0]}, `required flag(s) "product", "sequence", "version" not set`},
		{"no files", []string{"bundle", "create", "--key", f.publisher.priv, "--out", out, "--sequence", "1", "--product", "a/b", "--version", "1"}, "arg(s)"},
		{"bad --volume-size", createArgs(f, out, "--volume-size", "12Q"), "--volume-size"},
		{"zero --volume-size", createArgs(f, out, "--volume-size", "0"), "--volume-size"},
		{"bad --max-file-size", createArgs(f, out, "--max-file-size", "-1"), "--max-file-size"},
		{"bad --expires", createArgs(f, out, "--expires", "3x"), `--expires "3x"`},
		{"zero days --expires", createArgs(f, out, "--expires", "0d"), `--expires "0d"`},
		{"bad --created", createArgs(f, out, "--created", "yesterday"), `--created "yesterday"`},
		{"bad SOURCE_DATE_EPOCH", nil, "@soon"},
		{"bad --sequence", createArgs(f, out, "--sequence", "two"), `invalid argument "two"`},
		{"base not below sequence", createArgs(f, out, "--base", "1"), "--base below it"},
		{"bad --product", createArgs(f, out, "--product", "ichitaro"), `--product "ichitaro"`},
		{"bad --site", createArgs(f, out, "--site", "Tokyo Office"), "--site"},
		{"verify without --trust", []string{"bundle", "verify", f.bundle}, "--trust is required"},
		{"verify without a bundle", verify, "arg(s)"},
		{"more approvals than approvers", append(verify, "--approver", f.approver1.pub, "--approvals", "2", f.bundle), "--approvals 2"},
		{"trust key missing", []string{"bundle", "verify", "--trust", filepath.Join(dir, "none.pub"), f.bundle}, "none.pub"},
		{"trust key is a private key", []string{"bundle", "verify", "--trust", f.publisher.priv, f.bundle}, "public key"},
		{"bad approver name", []string{"bundle", "approve", "--key", f.approver1.priv, "--name", "../boss", f.bundle}, "--name"},
		{"key exists", []string{"keys", "generate", "--out", strings.TrimSuffix(f.publisher.priv, ".key")}, "already exists"},
		{"bad --lang", []string{"--lang", "xx", "bundle", "inspect", f.bundle}, `language "xx"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := pwEnv
			args := tc.args
			if tc.args == nil { // bad SOURCE_DATE_EPOCH
				env = map[string]string{envPassword: testPassword, "SOURCE_DATE_EPOCH": "soon"}
				args = createArgs(f, out)
			}
			stdout, stderr, code := runCLI(t, env, args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
			}
			wantContains(t, "stderr", stderr, "error: ", tc.want)
			// What to do: a "→" line, else the pointer to --help.
			if strings.Contains(stderr, "  → ") == strings.Contains(stderr, "Run with --help") {
				t.Errorf("stderr has both or neither of a → line and \"Run with --help\":\n%s", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}

			// In Japanese: the same exit code, and no English sentence.
			_, stderr, code = runCLI(t, env, append([]string{"--lang", "ja"}, args...)...)
			if tc.name == "bad --lang" {
				return // the language asked for is wrong: English
			}
			if code != exitUsage || !strings.HasPrefix(stderr, "エラー: ") || englishSentence.MatchString(stderr) {
				t.Errorf("--lang ja: exit %d\n%s", code, stderr)
			}
		})
	}
	if files := filesUnder(t, out); len(files) != 0 {
		t.Errorf("a failed command wrote %v", files)
	}

	t.Run("json", func(t *testing.T) {
		stdout, stderr, code := runCLI(t, pwEnv, append([]string{"--json"}, createArgs(f, out, "--expires", "3x")...)...)
		var got struct {
			OK       *bool  `json:"ok"`
			Error    string `json:"error"`
			ExitCode int    `json:"exit_code"`
		}
		decodeJSON(t, stdout, &got)
		if code != exitUsage || got.OK == nil || *got.OK || got.ExitCode != exitUsage || !strings.Contains(got.Error, "--expires") {
			t.Errorf("exit %d, JSON %s; want exit 2, ok false, exit_code 2, the --expires error", code, stdout)
		}
		if stderr != "" {
			t.Errorf("stderr %q with --json, want nothing", stderr)
		}
	})
}

// flipByte changes one byte of a file in place.
func flipByte(t *testing.T, path string, at int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[at] ^= 0x01
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDamaged: a damaged or altered bundle exits 1, names the file and
// says what to do next; with --json the same goes to stdout as JSON.
func TestVerifyDamaged(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		damage func(t *testing.T, bundle string) (file string)
		hint   msgID
		errSub string
	}{
		{
			name: "payload byte flipped",
			damage: func(t *testing.T, bundle string) string {
				files := payloadFiles(t, bundle)
				if len(files) == 0 {
					t.Fatal("no payload files")
				}
				flipByte(t, filepath.Join(bundle, filepath.FromSlash(files[0])), 100)
				return files[0]
			},
			hint: hintMismatch, errSub: "SHA-256",
		},
		{
			name: "manifest changed after signing",
			damage: func(t *testing.T, bundle string) string {
				p := filepath.Join(bundle, "bundle.json")
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				b2 := bytes.Replace(b, []byte(`"2026.1"`), []byte(`"2026.9"`), 1)
				if bytes.Equal(b, b2) {
					t.Fatal("version not found in bundle.json")
				}
				if err := os.WriteFile(p, b2, 0o644); err != nil {
					t.Fatal(err)
				}
				return "bundle.json.sig"
			},
			hint: hintUntrusted, errSub: "signature",
		},
		{
			name: "file added after signing",
			damage: func(t *testing.T, bundle string) string {
				if err := os.WriteFile(filepath.Join(bundle, "autorun.inf"), []byte("[autorun]\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return "autorun.inf"
			},
			hint: hintLayout, errSub: "does not list",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := shared(t)
			bundle := copyBundle(t)
			file := tc.damage(t, bundle)
			hint := textOf(tc.hint).en

			stdout, stderr, code := runCLI(t, nil, "bundle", "verify", "--trust", f.publisher.pub, bundle)
			if code != exitFailed {
				t.Errorf("exit %d, want %d", code, exitFailed)
			}
			wantContains(t, "stderr", stderr, "error: "+file, tc.errSub, "→ "+hint)
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}

			stdout, stderr, code = runCLI(t, nil, "bundle", "verify", "--json", "--trust", f.publisher.pub, bundle)
			var got struct {
				OK       *bool  `json:"ok"`
				Error    string `json:"error"`
				File     string `json:"file"`
				Hint     string `json:"hint"`
				ExitCode int    `json:"exit_code"`
			}
			decodeJSON(t, stdout, &got)
			if code != exitFailed || got.OK == nil || *got.OK || got.ExitCode != exitFailed ||
				got.File != file || got.Hint != hint || !strings.Contains(got.Error, tc.errSub) {
				t.Errorf("exit %d, JSON %s\nwant exit 1, ok false, exit_code 1, file %s, error with %q, hint %q",
					code, stdout, file, tc.errSub, hint)
			}
			if stderr != "" {
				t.Errorf("stderr %q with --json, want nothing", stderr)
			}
		})
	}
}

func TestVerifyExpired(t *testing.T) {
	t.Parallel()
	f := shared(t)
	out := t.TempDir()
	mustRun(t, pwEnv, createArgs(f, out, "--created", "2026-01-01T00:00:00Z", "--expires", "30d")...)
	stdout, stderr, code := runCLI(t, nil, "bundle", "verify", "--trust", f.publisher.pub, out)
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	wantContains(t, "stderr", stderr, "expired", "2026-01-31T00:00:00Z", "→ "+generalMessages[hintExpired].en)
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
}
