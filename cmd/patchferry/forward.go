package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/patchferry/patchferry/mirror/admin"
)

// uploadPrefix marks an argument that names an uploaded file; the server
// replaces it with the path where it unpacked the upload.
const uploadPrefix = "@upload:"

// exitError carries the exit code of a command the server ran; its output
// has been printed already.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// forwardable mirror commands and whether they change the store.
var forwardable = map[string]bool{"import": true, "trust": true, "scrub": true, "gc": true, "status": false, "ledger": false}

// forward hands a mirror command to the running `mirror serve` of the data
// directory, if there is one. args is the command line without --data; the
// uploads are files it names (as uploadPrefix+name). handled is false when
// no server runs: the caller then opens the store itself.
func (a *app) forward(ctx context.Context, dataFlag string, args []string, uploads []admin.Upload, uploadBytes int64) (handled bool, err error) {
	if a.owned != nil {
		return false, nil
	}
	sock := filepath.Join(a.dataDir(dataFlag), admin.SocketName)
	var bar func(int64)
	done := func() {}
	if uploadBytes > 0 {
		bar, done = a.progress(uploadBytes, a.msg(msgSending))
	}
	resp, err := admin.Call(ctx, sock, &admin.Request{Args: args, Lang: a.lang, JSON: a.jsonOut}, uploads, bar)
	done()
	if errors.Is(err, admin.ErrNoServer) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	a.stdout.Write(resp.Stdout)
	a.stderr.Write(resp.Stderr)
	if resp.ExitCode != exitOK {
		return true, &exitError{resp.ExitCode}
	}
	return true, nil
}

// uploadDir adds every file under dir as name/<relative path>.
func uploadDir(dir, name string) ([]admin.Upload, int64, error) {
	var ups []admin.Upload
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		total += fi.Size()
		ups = append(ups, admin.Upload{Name: name + "/" + filepath.ToSlash(rel), Path: p})
		return nil
	})
	return ups, total, err
}

// runForwarded runs a command that arrived through the admin socket against
// the server's store, and returns what it printed and its exit code.
func runForwarded(ctx context.Context, a *app, req *admin.Request, dir string) *admin.Response {
	var stdout, stderr strings.Builder
	if len(req.Args) < 2 || req.Args[0] != "mirror" {
		return &admin.Response{ExitCode: exitUsage, Stderr: []byte("error: only mirror commands are handed over\n")}
	}
	args := make([]string, 0, len(req.Args)+4)
	for _, arg := range req.Args {
		if name, ok := strings.CutPrefix(arg, uploadPrefix); ok {
			arg = filepath.Join(dir, filepath.FromSlash(name))
		}
		args = append(args, arg)
	}
	if _, ok := forwardable[args[1]]; !ok || strings.HasPrefix(args[1], "-") {
		return &admin.Response{ExitCode: exitUsage, Stderr: []byte("error: mirror " + args[1] + " cannot be handed over\n")}
	}
	if req.Lang != "" {
		args = append([]string{"--lang", req.Lang}, args...)
	}
	if req.JSON {
		args = append([]string{"--json"}, args...)
	}
	sub := *a
	sub.stdout, sub.stderr = &stdout, &stderr
	sub.stdinTerminal, sub.stderrTerminal = false, false
	sub.getenv = func(string) string { return "" }
	code := run(ctx, &sub, args)
	return &admin.Response{ExitCode: code, Stdout: []byte(stdout.String()), Stderr: []byte(stderr.String())}
}

// forwardQuiet forwards a command whose output is not shown (the caller
// reports the outcome itself).
func (a *app) forwardQuiet(ctx context.Context, dataFlag string, args []string) (bool, error) {
	quiet := *a
	var discard strings.Builder
	quiet.stdout, quiet.stderr, quiet.jsonOut = &discard, &discard, false
	return quiet.forward(ctx, dataFlag, args, nil, 0)
}

func isExit(err error) bool {
	var fe *exitError
	return errors.As(err, &fe)
}
