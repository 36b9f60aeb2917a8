package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPasswordFile reads the first line of --password-file (CRLF too), and
// the file wins over a stale $PATCHFERRY_KEY_PASSWORD.
func TestPasswordFile(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "password.txt")
	if err := os.WriteFile(pwFile, []byte(testPassword+"\r\nsecond line is ignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{envPassword: "stale password from the environment"}
	out := mustRun(t, env, createArgs(f, filepath.Join(dir, "media"), "--password-file", pwFile)...)
	wantContains(t, "bundle create output", out, "Bundle written")
}

func TestWrongPassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		lang string
		want []string
	}{
		{"en", "en", []string{"error: ", "wrong password", "→ Check the password"}},
		{"ja", "ja", []string{"エラー: ", "を開けません: パスワードが違います", "→ パスワードを確認してください"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := shared(t)
			out := filepath.Join(t.TempDir(), "media")
			env := map[string]string{envPassword: "not the password"}
			stdout, stderr, code := runCLI(t, env, append([]string{"--lang", tc.lang}, createArgs(f, out)...)...)
			if code != exitFailed {
				t.Errorf("exit %d, want %d", code, exitFailed)
			}
			wantContains(t, "stderr", stderr, append(tc.want, f.publisher.priv)...)
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if files := filesUnder(t, out); len(files) != 0 {
				t.Errorf("files written after a refused key: %v", files)
			}
		})
	}
}

// TestNoPassword: with no password and no terminal, commands fail at once
// with a usage error instead of waiting for input.
func TestNoPassword(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"keys generate", []string{"keys", "generate", "--out", filepath.Join(dir, "k")}, envPassword},
		{"bundle create", createArgs(f, filepath.Join(dir, "media")), "--password-file"},
		{"bundle approve", []string{"bundle", "approve", "--key", f.approver1.priv, "--name", "kacho", f.bundle}, envPassword},
		{"missing password file", createArgs(f, filepath.Join(dir, "media"), "--password-file", filepath.Join(dir, "nonexistent")), "password file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, nil, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr: %s", code, exitUsage, stderr)
			}
			wantContains(t, "stderr", stderr, tc.want, "\n  → ")
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
	if files := filesUnder(t, dir); len(files) != 0 {
		t.Errorf("files written without a password: %v", files)
	}
	if _, err := os.Stat(filepath.Join(f.bundle, "approvals")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("approvals folder in the shared bundle: %v", err)
	}
}

// passwordQueue returns a readPassword that answers with pws in turn, and
// a function that tells how many answers are left.
func passwordQueue(pws ...string) (read func() ([]byte, error), left func() int) {
	read = func() ([]byte, error) {
		if len(pws) == 0 {
			return nil, errors.New("test: no more passwords queued")
		}
		pw := pws[0]
		pws = pws[1:]
		return []byte(pw), nil
	}
	return read, func() int { return len(pws) }
}

// TestPasswordPrompt asks on the terminal when there is no other password.
func TestPasswordPrompt(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir := t.TempDir()
	cases := []struct {
		name     string
		answers  []string
		args     []string
		wantCode int
		wantErr  []string // in stderr
		wantLeft int      // answers not asked for
	}{
		{
			name:    "keys generate: the two entries differ",
			answers: []string{"first", "second"},
			args:    []string{"keys", "generate", "--out", filepath.Join(dir, "k")}, wantCode: exitUsage,
			wantErr: []string{"Password for " + filepath.Join(dir, "k.key") + ": ", "Repeat the password: ", "differ"},
		},
		{
			name:    "bundle create asks once",
			answers: []string{testPassword, "not asked"},
			args:    createArgs(f, filepath.Join(dir, "media")), wantCode: exitOK,
			wantErr: []string{"Password for " + f.publisher.priv + ": "}, wantLeft: 1,
		},
		{
			name:    "terminal closed",
			answers: nil,
			args:    []string{"keys", "generate", "--out", filepath.Join(dir, "k2")}, wantCode: exitFailed,
			wantErr: []string{"read password", "no more passwords"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, stdout, stderr := newTestApp(nil)
			var left func() int
			a.readPassword, left = passwordQueue(tc.answers...)
			a.stdinTerminal = true
			a.stderrTerminal = true // the interactive case draws progress bars too
			code := run(t.Context(), a, tc.args)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, stdout, stderr)
			}
			wantContains(t, "stderr", stderr.String(), tc.wantErr...)
			if n := left(); n != tc.wantLeft {
				t.Errorf("%d answers left, want %d", n, tc.wantLeft)
			}
			if code != exitOK && stdout.Len() > 0 {
				t.Errorf("stdout %q after a failure, want nothing", stdout)
			}
		})
	}
	for _, k := range []string{"k", "k2"} {
		for _, ext := range []string{".key", ".pub"} {
			if _, err := os.Stat(filepath.Join(dir, k+ext)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s%s after a failed keys generate: %v, want none", k, ext, err)
			}
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "media")); len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "patchferry-default-1") {
		t.Errorf("media after the prompted bundle create: %v, want the bundle folder", entries)
	}
}
