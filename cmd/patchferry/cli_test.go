package main

// Tests run the command in-process through run() with their own streams,
// environment and clock (see app.go). Decrypting or generating a key costs
// about 0.4 s of scrypt (about 2 s under -race), so the keys and one bundle
// are made once per test binary (sharedFixtures) and every test that
// changes a bundle copies it first.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const testPassword = "correct horse battery staple"

// testNow is the clock of every command run by the tests.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// baseCreated is the --created of the shared bundle: five days before
// testNow, so its default 30-day validity covers testNow.
const baseCreated = "2026-11-20T09:00:00+09:00"

// pwEnv is an environment holding the password of every test key.
var pwEnv = map[string]string{envPassword: testPassword}

// newTestApp builds an app like main does, but with buffers, the
// environment env, the clock testNow and no terminal.
func newTestApp(env map[string]string) (a *app, stdout, stderr *bytes.Buffer) {
	stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
	a = &app{
		stdin:  strings.NewReader(""),
		stdout: stdout,
		stderr: stderr,
		getenv: func(k string) string { return env[k] },
		now:    func() time.Time { return testNow },
		readPassword: func() ([]byte, error) {
			return nil, errors.New("test: unexpected password prompt")
		},
		// The real POSIX locale logic, fed from env. It is consulted only
		// when env sets a locale variable: on Windows systemLanguage would
		// otherwise ask the OS, and the tests must not depend on the machine.
		systemLang: func(getenv func(string) string) string {
			for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
				if getenv(k) != "" {
					return systemLanguage(getenv)
				}
			}
			return ""
		},
	}
	return a, stdout, stderr
}

// runCLI runs one command line in-process and returns its output and exit
// code.
func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	a, out, errOut := newTestApp(env)
	code = run(t.Context(), a, args)
	return out.String(), errOut.String(), code
}

// mustRun runs a command line that must succeed and returns its stdout.
func mustRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	stdout, stderr, code := runCLI(t, env, args...)
	if code != exitOK {
		t.Fatalf("patchferry %s: exit %d, want 0\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

// key is a key pair made by `keys generate`.
type key struct {
	priv, pub, id string
}

// fixtures are made once per test binary and never changed by a test.
type fixtures struct {
	publisher, approver1, approver2 key
	payloads                        []string // input files of the shared bundle
	bundle                          string   // the shared bundle folder
}

var (
	sharedRoot     string // created and removed by TestMain
	sharedFixtures = sync.OnceValues(func() (*fixtures, error) { return makeFixtures(sharedRoot) })
)

func TestMain(m *testing.M) {
	if args := os.Getenv(cliChild); args != "" {
		os.Exit(runChild(args))
	}
	dir, err := os.MkdirTemp("", "patchferry-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// shared returns the fixtures, making them on first use.
func shared(t *testing.T) *fixtures {
	t.Helper()
	f, err := sharedFixtures()
	if err != nil {
		t.Fatalf("make shared fixtures: %v", err)
	}
	return f
}

func makeFixtures(dir string) (*fixtures, error) {
	f := &fixtures{}
	keys := []*key{&f.publisher, &f.approver1, &f.approver2}
	names := []string{"publisher", "approver1", "approver2"}
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { *keys[i], errs[i] = generateKey(filepath.Join(dir, names[i])) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	in := filepath.Join(dir, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		name string
		size int
	}{{"ichitaro-2026.1-update.exe", 30000}, {"ichitaro-readme.txt", 700}} {
		path := filepath.Join(in, p.name)
		if err := os.WriteFile(path, payload(p.size), 0o644); err != nil {
			return nil, err
		}
		f.payloads = append(f.payloads, path)
	}
	out := filepath.Join(dir, "media")
	a, stdout, stderr := newTestApp(pwEnv)
	if code := run(context.Background(), a, createArgs(f, out, "--created", baseCreated)); code != exitOK {
		return nil, fmt.Errorf("bundle create: exit %d: %s%s", code, stdout, stderr)
	}
	f.bundle = filepath.Join(out, "patchferry-default-1")
	return f, nil
}

// generateKey runs `keys generate --json` and returns the key it made.
func generateKey(prefix string) (key, error) {
	a, stdout, stderr := newTestApp(pwEnv)
	if code := run(context.Background(), a, []string{"--json", "keys", "generate", "--out", prefix}); code != exitOK {
		return key{}, fmt.Errorf("keys generate: exit %d: %s%s", code, stdout, stderr)
	}
	var out struct {
		KeyID string `json:"key_id"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || len(out.KeyID) != 16 {
		return key{}, fmt.Errorf("keys generate --json: %q: key_id %q, %v", stdout, out.KeyID, err)
	}
	return key{priv: prefix + ".key", pub: prefix + ".pub", id: out.KeyID}, nil
}

// payload returns n bytes of fixed, incompressible-looking content.
func payload(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// filesUnder lists the files (not folders) under dir; none when dir does
// not exist. A refused command must leave none in the media folder.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// createArgs is the `bundle create` command line of the shared bundle,
// writing to out, with extra flags.
// The media folder out is created: bundle create writes only into an
// existing one.
func createArgs(f *fixtures, out string, extra ...string) []string {
	_ = os.MkdirAll(out, 0o755)
	args := []string{"bundle", "create", "--key", f.publisher.priv, "--out", out, "--sequence", "1",
		"--product", "justsystems/ichitaro", "--version", "2026.1"}
	args = append(args, extra...)
	return append(args, f.payloads...)
}

// copyBundle copies the shared bundle into a new directory and returns the
// copy's bundle folder.
func copyBundle(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(shared(t).bundle))
	copyTree(t, shared(t).bundle, dst)
	return dst
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// treeEntry is one entry of a directory tree, for comparisons.
type treeEntry struct {
	dir     bool
	data    []byte
	modTime time.Time
}

func readTree(t *testing.T, root string) map[string]treeEntry {
	t.Helper()
	tree := make(map[string]treeEntry)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		e := treeEntry{dir: d.IsDir(), modTime: fi.ModTime()}
		if !e.dir {
			if e.data, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		tree[filepath.ToSlash(rel)] = e
		return nil
	})
	if err != nil {
		t.Fatalf("read tree %s: %v", root, err)
	}
	return tree
}

// compareTrees fails t unless the trees under want and got hold the same
// names and the same file bytes and modification times. It returns the
// number of files compared.
func compareTrees(t *testing.T, want, got string) int {
	t.Helper()
	w, g := readTree(t, want), readTree(t, got)
	files := 0
	for name, we := range w {
		ge, ok := g[name]
		switch {
		case !ok:
			t.Errorf("%s: missing from %s", name, got)
		case we.dir != ge.dir:
			t.Errorf("%s: directory in one tree, file in the other", name)
		case !we.dir && !bytes.Equal(we.data, ge.data):
			t.Errorf("%s: contents differ (%d and %d bytes)", name, len(we.data), len(ge.data))
		case !we.dir && !we.modTime.Equal(ge.modTime):
			t.Errorf("%s: modification time %s, want %s", name, ge.modTime, we.modTime)
		case !we.dir:
			files++
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("%s: in %s only", name, got)
		}
	}
	return files
}

// payloadFiles lists the files under files/ of a bundle folder, relative
// and slash-separated.
func payloadFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(dir, "files"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatalf("list payloads of %s: %v", dir, err)
	}
	return out
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// decodeJSON parses s, which must be exactly one JSON value, into v.
func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value:\n%s", s)
	}
}

// wantContains fails t for each of subs that s lacks.
func wantContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}
