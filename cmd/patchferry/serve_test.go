package main

// `mirror serve` runs in-process in a goroutine with a context the test
// cancels; the other mirror commands run from their own app instances, as
// separate processes would, and must hand their work to it over the admin
// socket with the same output and exit codes as without a server.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/mirror/wire"
)

// syncBuffer is a buffer that the serving goroutine writes while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serving is a `mirror serve` running in a goroutine.
type serving struct {
	data, url      string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int // the exit code
	code           int
	stopped        bool
}

var servingRE = regexp.MustCompile(`Serving (http://\S+/) `)

// logWhen returns the server's log once done(log) holds, or after 20 s (the
// access log is flushed every 200 ms; a loaded machine may take longer). The
// caller checks the log it gets.
func (s *serving) logWhen(done func(log string) bool) string {
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if log := s.stderr.String(); done(log) || time.Now().After(deadline) {
			return log
		}
	}
}

// startServe starts `mirror serve` on data (with extra flags) and waits
// until it serves.
func startServe(t *testing.T, data string, extra ...string) *serving {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the admin socket tests use POSIX sockets")
	}
	s := &serving{data: data, stdout: new(syncBuffer), stderr: new(syncBuffer), done: make(chan int, 1)}
	a, _, _ := newTestApp(nil)
	a.stdout, a.stderr = s.stdout, s.stderr
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	args := append([]string{"mirror", "serve", "--data", data, "--listen", "127.0.0.1:0"}, extra...)
	go func() { s.done <- run(ctx, a, args) }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := servingRE.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			return s
		}
		select {
		case code := <-s.done:
			s.stopped, s.code = true, code
			t.Fatalf("mirror serve exited with %d before serving:\n%s%s", code, s.stdout, s.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("mirror serve did not print Serving:\n%s%s", s.stdout, s.stderr)
		}
	}
}

// stop cancels serve's context and returns its exit code.
func (s *serving) stop(t *testing.T) int {
	t.Helper()
	if s.stopped {
		return s.code
	}
	s.cancel()
	select {
	case s.code = <-s.done:
	case <-time.After(60 * time.Second):
		t.Fatal("mirror serve did not stop within 60 s of its context ending")
	}
	s.stopped = true
	return s.code
}

// get fetches a path from the running server.
func (s *serving) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(s.url + strings.TrimPrefix(path, "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// wantHeld fails t unless the store is held by another opener.
func wantHeld(t *testing.T, data string) {
	t.Helper()
	st, err := store.Open(data, store.Options{Timeout: 100 * time.Millisecond, ReadOnly: true})
	if err == nil {
		st.Close()
		t.Fatal("the store could be opened while mirror serve runs")
	}
	if !errors.Is(err, store.ErrInUse) {
		t.Fatalf("open while serving: %v, want ErrInUse", err)
	}
}

// damagedBundle makes bundle sequence 2 with one payload byte flipped and
// returns its folder and the damaged file's base name.
func damagedBundle(t *testing.T) (string, string) {
	t.Helper()
	f := shared(t)
	out := t.TempDir()
	mustRun(t, pwEnv, "bundle", "create", "--key", f.publisher.priv, "--out", out, "--sequence", "2",
		"--product", "justsystems/ichitaro", "--version", "2026.2", "--created", baseCreated, f.payloads[0])
	dir := filepath.Join(out, "patchferry-default-2")
	payloads, _ := filepath.Glob(filepath.Join(dir, "files", "sha256", "*", "*"))
	flipByte(t, payloads[0], 100)
	return dir, filepath.Base(payloads[0])
}

// volumeBundle makes bundle sequence 3 over several volumes, one payload
// split into parts, and returns the volume folders in reverse order.
func volumeBundle(t *testing.T) []string {
	t.Helper()
	f := shared(t)
	out := t.TempDir()
	args := []string{"bundle", "create", "--key", f.publisher.priv, "--out", out, "--sequence", "3", "--volume-size", "40k",
		"--max-file-size", "12k", "--product", "justsystems/ichitaro", "--version", "2026.3", "--created", baseCreated}
	mustRun(t, pwEnv, append(args, f.payloads...)...)
	vols, _ := filepath.Glob(filepath.Join(out, "patchferry-default-3-vol*"))
	if len(vols) < 2 {
		t.Fatalf("bundle create made %d volumes, the test needs at least 2", len(vols))
	}
	slices.Reverse(vols)
	return vols
}

// unopenableBundle is a copy of the shared bundle with a file added after
// signing: it cannot even be opened.
func unopenableBundle(t *testing.T) string {
	t.Helper()
	dir := copyBundle(t)
	if err := os.WriteFile(filepath.Join(dir, "autorun.inf"), []byte("[autorun]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ledgerRows reads the ledger with `mirror ledger --json`.
func ledgerRows(t *testing.T, data string) []ledger.Row {
	t.Helper()
	var rows []ledger.Row
	decodeJSON(t, mustRun(t, nil, "--json", "mirror", "ledger", "--data", data), &rows)
	return rows
}

// flipBlob flips one byte of a stored blob (0444).
func flipBlob(t *testing.T, data, sha string) {
	t.Helper()
	p := filepath.Join(data, store.BlobsDir, "sha256", sha[:2], sha)
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	flipByte(t, p, 10)
}

// Every mirror command that `mirror serve` takes over, run once against a
// served mirror and once against a mirror with no server: the same exit
// codes, stdout and stderr (the data directory aside), and the served one
// never opened by the commands themselves.
func TestServeHandsOverCommands(t *testing.T) {
	f := shared(t)
	served, local := initMirror(t), initMirror(t)
	s := startServe(t, served)
	wantHeld(t, served)
	status, body := s.get(t, "/v1/catalog")
	if status != http.StatusOK || decodeCatalog(t, body).Sequence != 0 {
		t.Fatalf("catalog before any import: %d %s", status, body)
	}

	bundle := copyBundle(t)
	damaged, damagedFile := damagedBundle(t)
	unopenable := unopenableBundle(t)
	// The imported bundle again, with a payload damaged on this copy: the
	// media are still checked, so it is refused, not "already imported".
	damagedAgain := copyBundle(t)
	againFiles, _ := filepath.Glob(filepath.Join(damagedAgain, "files", "sha256", "*", "*"))
	flipByte(t, againFiles[0], 10)
	againFile := strings.TrimPrefix(filepath.ToSlash(againFiles[0]), filepath.ToSlash(damagedAgain)+"/")
	volumes := volumeBundle(t)
	readmeSHA := sha256File(t, f.payloads[1])
	steps := []struct {
		name string
		args []string // "DATA" is replaced by the data directory
		code int
		want []string // in stdout or stderr
		then func(t *testing.T)
	}{
		{name: "status before import", args: []string{"--json", "mirror", "status", "--data", "DATA"}},
		{name: "import", args: []string{"mirror", "import", "--data", "DATA", "--operator", "山田", "--label", "USB-07", bundle},
			want: []string{"Imported sequence 1"},
			then: func(t *testing.T) {
				// The server switched to the new catalog.
				if status, body := s.get(t, "/v1/catalog"); status != 200 || decodeCatalog(t, body).Sequence != 1 {
					t.Errorf("catalog after the import: %d %.200s", status, body)
				}
				if status, body := s.get(t, "/blobs/sha256/"+readmeSHA); status != 200 || len(body) != 700 {
					t.Errorf("blob after the import: %d, %d bytes", status, len(body))
				}
			}},
		{name: "import again", args: []string{"--json", "mirror", "import", "--data", "DATA", bundle}, want: []string{`"already imported"`}},
		{name: "import again, damaged", args: []string{"--json", "mirror", "import", "--data", "DATA", damagedAgain}, code: exitFailed,
			want: []string{`"file": "` + againFile + `"`, "SHA-256 is"}},
		{name: "status --json", args: []string{"--json", "mirror", "status", "--data", "DATA"}, want: []string{`"sequence": 1`}},
		{name: "status", args: []string{"mirror", "status", "--data", "DATA"}, want: []string{"DATA"}},
		{name: "refused import", args: []string{"mirror", "import", "--data", "DATA", "--label", "USB-08", damaged}, code: exitFailed,
			want: []string{damagedFile, "Ledger code: "}},
		{name: "refused import --json", args: []string{"--json", "mirror", "import", "--data", "DATA", "--label", "USB-08", damaged}, code: exitFailed,
			want: []string{`"ok": false`, `"file": "files/sha256/`, damagedFile, `"hint": "The copy on this medium is damaged`}},
		{name: "refused import, ja", args: []string{"--lang", "ja", "mirror", "import", "--data", "DATA", "--label", "USB-08", damaged}, code: exitFailed,
			want: []string{"エラー: files/sha256/", "→ この媒体上のコピーが壊れているか"}},
		{name: "unopenable import", args: []string{"mirror", "import", "--data", "DATA", "--label", "USB-09", unopenable}, code: exitFailed,
			want: []string{"autorun.inf"}},
		{name: "trust", args: []string{"mirror", "trust", "--data", "DATA", "--operator", "kacho", "--add-approver", f.approver1.pub},
			want: []string{"added approver " + f.approver1.id}},
		{name: "trust show", args: []string{"mirror", "trust", "--data", "DATA"}, want: []string{f.approver1.id}},
		{name: "trust --json", args: []string{"--json", "mirror", "trust", "--data", "DATA"}, want: []string{`"approver_key_ids": [`, `"changes": null`}},
		{name: "trust --show-vendor-trust", args: []string{"mirror", "trust", "--data", "DATA", "--show-vendor-trust"}},
		{name: "trust unknown key", args: []string{"mirror", "trust", "--data", "DATA", "--remove-publisher", "0000000000000000"}, code: exitUsage},
		{name: "trust missing file", args: []string{"mirror", "trust", "--data", "DATA", "--add-approver", filepath.Join(t.TempDir(), "none.pub")}, code: exitUsage},
		{name: "ledger", args: []string{"mirror", "ledger", "--data", "DATA"}, want: []string{"山田", "USB-09", "refused"}},
		{name: "ledger --csv", args: []string{"--lang", "ja", "mirror", "ledger", "--data", "DATA", "--csv"}, want: []string{"\uFEFF番号", "拒否"}},
		{name: "ledger --json", args: []string{"--json", "mirror", "ledger", "--data", "DATA"}},
		{name: "ledger --verify", args: []string{"mirror", "ledger", "--data", "DATA", "--verify"}},
		{name: "ledger --verify --json", args: []string{"--json", "mirror", "ledger", "--data", "DATA", "--verify"}, want: []string{`"problems": null`}},
		{name: "scrub", args: []string{"mirror", "scrub", "--data", "DATA"}},
		{name: "scrub finds damage", args: []string{"mirror", "scrub", "--data", "DATA"}, code: exitFailed, want: []string{readmeSHA},
			then: func(t *testing.T) {
				if status, _ := s.get(t, "/blobs/sha256/"+readmeSHA); status != http.StatusNotFound {
					t.Errorf("quarantined blob: status %d, want 404", status)
				}
			}},
		{name: "gc", args: []string{"mirror", "gc", "--data", "DATA", "--keep", "1"}},
		{name: "gc --json", args: []string{"--json", "mirror", "gc", "--data", "DATA", "--keep", "1"}, want: []string{`"removed_blobs": 0`}},
		{name: "gc --keep 0", args: []string{"mirror", "gc", "--data", "DATA", "--keep", "0"}, code: exitUsage},
		{name: "import volumes", args: append([]string{"--json", "mirror", "import", "--data", "DATA"}, volumes...),
			want: []string{`"status": "imported"`, `"sequence": 3`},
			then: func(t *testing.T) {
				if status, body := s.get(t, "/v1/catalog"); status != 200 || decodeCatalog(t, body).Sequence != 3 {
					t.Errorf("catalog after the volumes: %d %.200s", status, body)
				}
			}},
		{name: "status at the end", args: []string{"--json", "mirror", "status", "--data", "DATA"}},
	}
	forwarded := 0
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			if step.name == "scrub finds damage" {
				flipBlob(t, served, readmeSHA)
				flipBlob(t, local, readmeSHA)
			}
			var outs [2][2]string
			for i, data := range []string{served, local} {
				args := make([]string, len(step.args))
				for j, a := range step.args {
					args[j] = strings.ReplaceAll(a, "DATA", data)
				}
				stdout, stderr, code := runCLI(t, nil, args...)
				if code != step.code {
					t.Fatalf("%s (%s): exit %d, want %d\nstdout: %s\nstderr: %s", step.name, []string{"served", "local"}[i], code, step.code, stdout, stderr)
				}
				outs[i] = [2]string{strings.ReplaceAll(stdout, data, "DATA"), withoutLog(strings.ReplaceAll(stderr, data, "DATA"))}
			}
			if outs[0][0] != outs[1][0] {
				t.Errorf("stdout differs\nserved: %s\nlocal:  %s", outs[0][0], outs[1][0])
			}
			if outs[0][1] != outs[1][1] {
				t.Errorf("stderr differs\nserved: %s\nlocal:  %s", outs[0][1], outs[1][1])
			}
			wantContains(t, step.name+" output", outs[0][0]+outs[0][1], step.want...)
			if step.then != nil {
				step.then(t)
			}
		})
		if step.code != exitUsage || step.name == "trust unknown key" {
			forwarded++ // usage errors found by the caller never reach the server
		}
		if step.code == exitFailed && slices.Contains(step.args, "import") && !slices.Contains(step.args, "--json") {
			forwarded++ // status: the ledger code printed after a refusal
		}
	}

	// The server ran them: its log has one admin line per handed-over
	// command, and the store was held all along.
	wantHeld(t, served)
	log := s.logWhen(func(log string) bool { return strings.Count(log, "msg=admin ") >= forwarded })
	if n := strings.Count(log, "msg=admin "); n != forwarded {
		t.Errorf("%d admin lines in the server log, want %d:\n%s", n, forwarded, log)
	}
	wantContains(t, "server log", log, "msg=admin op=import ok=true", "msg=admin op=status ok=true", "msg=admin op=gc ok=true",
		"msg=admin op=import ok=false err=\"files/sha256/", "msg=admin op=refusal ok=true", "msg=admin op=trust-change ok=false err=\"no publisher key")
	if strings.Contains(log, "record-refusal") || strings.Contains(log, "@upload") {
		t.Error("the server log shows a command line: the server ran the CLI")
	}

	// The refusals are in the ledger, the one of the bundle that could not
	// be opened written by the server for the caller.
	rows := ledgerRows(t, served)
	var refused []ledger.Row
	for _, r := range rows {
		if r.Result == ledger.ResultRefused {
			refused = append(refused, r)
		}
	}
	// The damaged copy of the imported bundle, the damaged bundle three
	// times, the bundle that could not be opened.
	if len(refused) != 5 || !strings.Contains(refused[0].Reason, againFile) || refused[0].Bundle != "patchferry-default-1" ||
		!strings.Contains(refused[1].Reason, damagedFile) || refused[1].Label != "USB-08" ||
		!strings.Contains(refused[4].Reason, "autorun.inf") || refused[4].Label != "USB-09" || refused[4].Bundle != "" {
		t.Errorf("refused rows: %+v", refused)
	}

	// Stopping: exit 0, the socket is gone, the store opens again, and the
	// commands open it themselves.
	if code := s.stop(t); code != exitOK {
		t.Errorf("mirror serve exited with %d:\n%s", code, s.stderr)
	}
	if _, err := os.Stat(filepath.Join(served, admin.SocketName)); !os.IsNotExist(err) {
		t.Errorf("admin.sock after shutdown: %v", err)
	}
	if _, err := http.Get(s.url + "healthz"); err == nil {
		t.Error("the HTTP server still answers after shutdown")
	}
	st, err := store.Open(served, store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("open after shutdown: %v", err)
	}
	st.Close()
	wantContains(t, "ledger --verify after shutdown", mustRun(t, nil, "mirror", "ledger", "--data", served, "--verify"), "Ledger intact")
	if n := strings.Count(s.stderr.String(), "msg=admin "); n != forwarded+1 { // + ledgerRows
		t.Errorf("a command after shutdown went to the server: %d admin lines", n)
	}
}

// withoutLog drops the log lines (slog, with the wall-clock time) from a
// command's stderr. A refusal found by the calling process (a bundle that
// cannot be opened) has no "import refused" log line, as the server ran
// only the ledger part.
func withoutLog(stderr string) string {
	var keep []string
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if !strings.HasPrefix(l, "time=") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

func decodeCatalog(t *testing.T, b []byte) *wire.Catalog {
	t.Helper()
	var c wire.Catalog
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("catalog: %v\n%s", err, b)
	}
	return &c
}

// staleSocket leaves an admin.sock behind in data that nobody listens on,
// as a killed server does.
func staleSocket(t *testing.T, data string) {
	t.Helper()
	ln, err := net.Listen("unix", filepath.Join(data, admin.SocketName))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
}

// A socket left behind by a killed server: the commands open the store
// themselves, and a new server replaces the socket.
func TestServeStaleSocket(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX sockets")
	}
	data := initMirror(t)
	staleSocket(t, data)
	start := time.Now()
	mustRun(t, nil, "mirror", "import", "--data", data, copyBundle(t))
	if s := mirrorStatusJSON(t, data); s["sequence"].(float64) != 1 {
		t.Errorf("status after an import with a stale socket: %v", s)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the fallback took %s", d)
	}
	if _, err := os.Stat(filepath.Join(data, admin.SocketName)); err != nil {
		t.Errorf("the commands removed the stale socket: %v", err) // only a server replaces it
	}

	s := startServe(t, data)
	wantHeld(t, data)
	if st := mirrorStatusJSON(t, data); st["sequence"].(float64) != 1 {
		t.Errorf("status through the new server: %v", st)
	}
	const line = `msg=admin op=status ok=true`
	wantContains(t, "server log", s.logWhen(func(log string) bool { return strings.Contains(log, line) }), line)
}

// Stopping the server while a handed-over import runs: the import is
// cancelled, its ledger row is still written (the store is closed only
// after the command finished), and the caller gets the command's answer.
func TestServeStopDuringImport(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the slow scanner is a shell script")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	data := initMirror(t)
	s := startServe(t, data)
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	scanner := filepath.Join(dir, "slowscan")
	script := "#!/bin/sh\ncase \"$1\" in --version) echo slowscan 1.0; exit 0;; esac\n: > '" + started + "'\nexec sleep 60\n"
	if err := os.WriteFile(scanner, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	type result struct {
		stdout, stderr string
		code           int
	}
	bundle := copyBundle(t)
	done := make(chan result, 1)
	go func() {
		a, stdout, stderr := newTestApp(nil)
		code := run(context.Background(), a, []string{"mirror", "import", "--data", data, "--label", "USB-STOP", "--scan-command", scanner, bundle})
		done <- result{stdout.String(), stderr.String(), code}
	}()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(started); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scanner never started:\n%s", s.stderr)
		}
	}
	if code := s.stop(t); code != exitOK {
		t.Errorf("mirror serve exited with %d", code)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the import did not return after the server stopped")
	}
	if r.code != exitFailed || !strings.Contains(r.stderr, "error: ") || strings.Contains(r.stderr, "admin socket") {
		t.Errorf("import cut off by the shutdown: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	l, err := service.Open(data, service.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rows, err := l.Ledger(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	last := rows[len(rows)-1]
	if last.Label != "USB-STOP" || last.Result == ledger.ResultImported || last.Reason == "" {
		t.Errorf("last ledger row: %+v, want the cancelled import", last)
	}
	if st, err := l.Status(t.Context()); err != nil || st.LastImport != nil {
		t.Errorf("a cancelled import switched the catalog to sequence %d (%v)", st.Sequence, err)
	}
}

// The Windows service code (service_windows.go, lang_windows.go) must
// compile and pass vet; it runs only on Windows, so cross-build it.
func TestWindowsCrossBuild(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: the go command is not on PATH: %v", err)
		}
		t.Skipf("the go command is not on PATH: %v", err)
	}
	exe := filepath.Join(t.TempDir(), "patchferry.exe")
	for _, args := range [][]string{{"build", "-o", exe, "."}, {"vet", "."}} {
		cmd := exec.CommandContext(t.Context(), goBin, args...)
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("GOOS=windows go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	b, err := os.ReadFile(exe)
	if err != nil || !bytes.HasPrefix(b, []byte("MZ")) {
		t.Fatalf("%s is not a Windows executable: %v", exe, err)
	}
}

// --log-file takes the log that a Windows service could not write to stderr.
func TestServeLogFile(t *testing.T) {
	data := initMirror(t)
	logFile := filepath.Join(t.TempDir(), "serve.log")
	s := startServe(t, data, "--log-file", logFile)
	resp, err := http.Get(s.url + "healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := s.stop(t); code != exitOK {
		t.Fatalf("serve exited with %d", code)
	}
	b, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(b), "msg=http method=GET path=/healthz status=200") {
		t.Fatalf("log file: %q, %v", b, err)
	}
	if strings.Contains(s.stderr.String(), "path=/healthz") {
		t.Error("the access log still went to stderr")
	}
}

// dyingServer listens on data's admin socket like a `mirror serve` that
// dies in the middle of every command: it reads a little of the request
// and drops the connection.
func dyingServer(t *testing.T, data string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX sockets")
	}
	ln, err := net.Listen("unix", filepath.Join(data, admin.SocketName))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.CopyN(io.Discard, r.Body, 64<<10)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// When the server dies mid-command, the command says so in plain words and
// what to do, in the user's language — not a raw HTTP error.
func TestServerStoppedMidCommand(t *testing.T) {
	data := initMirror(t)
	dyingServer(t, data)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"mirror", "status", "--data", data}, []string{"error: mirror status: the mirror server (patchferry mirror serve) stopped before it answered",
			"→ The mirror server (patchferry mirror serve) stopped while it ran the command.", "patchferry mirror status"}},
		{[]string{"--lang", "ja", "mirror", "import", "--data", data, copyBundle(t)}, []string{"エラー: ミラーサーバー（patchferry mirror serve）が応答する前に停止しました",
			"→ ミラーサーバー（patchferry mirror serve）がコマンドの実行中に停止しました。"}},
	} {
		stdout, stderr, code := runCLI(t, nil, tc.args...)
		if code != exitFailed || strings.Contains(stderr, "http://") || strings.Contains(stderr, "Post") {
			t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", tc.args, code, stdout, stderr)
		}
		wantContains(t, "stderr", stderr, tc.want...)
	}
}
