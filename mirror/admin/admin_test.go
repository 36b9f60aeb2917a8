package admin_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/admin"
)

// served is an admin socket served by h until the test ends.
type served struct {
	sock, tmp string
	stop      context.CancelFunc
	done      chan error // Serve's result
}

func serve(t *testing.T, h admin.Handler) *served {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the tests use POSIX socket permissions")
	}
	dir := t.TempDir()
	s := &served{sock: filepath.Join(dir, admin.SocketName), tmp: filepath.Join(dir, "tmp"), done: make(chan error, 1)}
	if err := os.Mkdir(s.tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := admin.Listen(s.sock)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go func() { s.done <- admin.Serve(ctx, ln, s.tmp, h, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
	})
	return s
}

// wantTmpEmpty fails t unless the server left nothing in its tmp dir.
func (s *served) wantTmpEmpty(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(s.tmp)
	if err != nil || len(entries) != 0 {
		t.Errorf("tmp/ after the request: %v, %v", entries, err)
	}
}

func TestListen(t *testing.T) {
	s := serve(t, func(context.Context, *admin.Request, string) *admin.Response { return &admin.Response{} })
	fi, err := os.Stat(s.sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("admin socket mode %v, want a socket with 0600", fi.Mode())
	}
	// A second server on the same data directory is refused.
	if ln, err := admin.Listen(s.sock); err == nil || !strings.Contains(err.Error(), "already running") {
		if ln != nil {
			ln.Close()
		}
		t.Errorf("second Listen: %v", err)
	}
	// The first one still answers.
	if _, err := admin.Call(t.Context(), s.sock, &admin.Request{Args: []string{"mirror", "status"}}, nil, nil); err != nil {
		t.Errorf("Call after the refused Listen: %v", err)
	}
}

// staleSocket leaves a socket file behind that nobody listens on, as a
// killed server does.
func staleSocket(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX sockets")
	}
	p := filepath.Join(t.TempDir(), admin.SocketName)
	ln, err := net.Listen("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	return p
}

func TestListenReplacesStaleSocket(t *testing.T) {
	p := staleSocket(t)
	ln, err := admin.Listen(p)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	defer ln.Close()
	c, err := net.Dial("unix", p)
	if err != nil {
		t.Fatalf("dial the new socket: %v", err)
	}
	c.Close()
}

func TestCallNoServer(t *testing.T) {
	regular := filepath.Join(t.TempDir(), admin.SocketName)
	if err := os.WriteFile(regular, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]string{
		"no socket":    filepath.Join(t.TempDir(), admin.SocketName),
		"stale socket": staleSocket(t),
		"regular file": regular,
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := admin.Call(t.Context(), p, &admin.Request{Args: []string{"mirror", "status"}}, nil, nil)
			if !errors.Is(err, admin.ErrNoServer) || resp != nil {
				t.Errorf("Call: %v, %v; want ErrNoServer", resp, err)
			}
		})
	}
}

func TestCallRoundTrip(t *testing.T) {
	uploads := map[string][]byte{
		"in/1/patchferry-city-7/bundle.json":             []byte(`{"format":1}`),
		"in/1/patchferry-city-7/files/sha256/ab/abcdef":  bytes.Repeat([]byte{0xab}, 3<<20), // bigger than any buffer
		"in/1/patchferry-city-7/approvals/課長.sig":        []byte("sig\n"),
		"arg/1/publisher.pub":                            []byte("-----BEGIN PUBLIC KEY-----\n"),
		"in/1/patchferry-city-7/files/sha256/00/empty-0": {},
	}
	src := t.TempDir()
	var ups []admin.Upload
	var total int64
	for name, data := range uploads {
		p := filepath.Join(src, strings.ReplaceAll(name, "/", "_"))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		ups = append(ups, admin.Upload{Name: name, Path: p})
		total += int64(len(data))
	}
	var got *admin.Request
	var seen map[string][]byte
	var calls atomic.Int32
	s := serve(t, func(_ context.Context, req *admin.Request, dir string) *admin.Response {
		calls.Add(1)
		got = req
		seen = make(map[string][]byte)
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				seen[filepath.ToSlash(rel)], _ = os.ReadFile(p)
			}
			return err
		})
		return &admin.Response{ExitCode: 3, Stdout: []byte("out\x00\xff"), Stderr: []byte("エラー\n")}
	})
	req := &admin.Request{Args: []string{"mirror", "import", "--label", "USB 07", "@upload:in/1/patchferry-city-7"}, Lang: "ja", JSON: true}
	var sent int64
	resp, err := admin.Call(t.Context(), s.sock, req, ups, func(n int64) { sent += n })
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if resp.ExitCode != 3 || string(resp.Stdout) != "out\x00\xff" || string(resp.Stderr) != "エラー\n" {
		t.Errorf("response %+v", resp)
	}
	if calls.Load() != 1 || !slices.Equal(got.Args, req.Args) || got.Lang != "ja" || !got.JSON {
		t.Errorf("the handler got %+v (%d calls)", got, calls.Load())
	}
	if len(seen) != len(uploads) {
		t.Errorf("the handler saw %d files, want %d", len(seen), len(uploads))
	}
	for name, data := range uploads {
		if !bytes.Equal(seen[name], data) {
			t.Errorf("upload %s: %d bytes arrived, want %d", name, len(seen[name]), len(data))
		}
	}
	if sent != total {
		t.Errorf("progress reported %d bytes, want %d", sent, total)
	}
	s.wantTmpEmpty(t)

	// An upload that is not a regular file fails on the calling side.
	_, err = admin.Call(t.Context(), s.sock, req, []admin.Upload{{Name: "in/x", Path: src}}, nil)
	if err == nil {
		t.Error("Call with a directory as upload succeeded")
	}
	if calls.Load() != 1 {
		t.Error("the handler ran for a broken upload")
	}
}

// rawCall posts body to the admin socket and decodes the answer.
func rawCall(t *testing.T, sock string, body []byte) *admin.Response {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	resp, err := client.Post("http://admin/v1/run", "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r admin.Response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// requestBody is a request as Call writes it: a length-prefixed JSON
// header and a tar stream of the entries.
func requestBody(t *testing.T, header []byte, entries ...*tar.Header) []byte {
	t.Helper()
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(header)))
	b.Write(header)
	tw := tar.NewWriter(&b)
	for _, h := range entries {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
		}
	}
	tw.Close()
	return b.Bytes()
}

func TestServeRefusesBadRequests(t *testing.T) {
	var calls atomic.Int32
	s := serve(t, func(context.Context, *admin.Request, string) *admin.Response {
		calls.Add(1)
		return &admin.Response{}
	})
	outside := filepath.Join(filepath.Dir(s.tmp), "escaped")
	hdr := []byte(`{"args":["mirror","status"]}`)
	reg := func(name string) *tar.Header {
		return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o600, Size: 4}
	}
	big := make([]byte, 4)
	binary.BigEndian.PutUint32(big, 1<<30)
	cases := []struct {
		name string
		body []byte
	}{
		{"empty body", nil},
		{"short header", []byte{0, 0, 0, 9, '{'}},
		{"header too large", append(big, '{')},
		{"header not JSON", requestBody(t, []byte("not json"))},
		{"parent directory", requestBody(t, hdr, reg("../escaped"))},
		{"deep parent directory", requestBody(t, hdr, reg("in/../../escaped"))},
		{"absolute", requestBody(t, hdr, reg(outside))},
		{"backslash", requestBody(t, hdr, reg(`in\..\..\escaped`))},
		{"empty element", requestBody(t, hdr, reg("in//x"))},
		{"symbolic link", requestBody(t, hdr, &tar.Header{Name: "in/link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"})},
		{"hard link", requestBody(t, hdr, &tar.Header{Name: "in/link", Typeflag: tar.TypeLink, Linkname: "/etc/passwd"})},
		{"directory", requestBody(t, hdr, &tar.Header{Name: "in/", Typeflag: tar.TypeDir, Mode: 0o700})},
		{"device", requestBody(t, hdr, &tar.Header{Name: "in/dev", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3})},
		{"fifo", requestBody(t, hdr, &tar.Header{Name: "in/fifo", Typeflag: tar.TypeFifo})},
		{"same name twice", requestBody(t, hdr, reg("in/a"), reg("in/a"))},
		{"file then folder of the same name", requestBody(t, hdr, reg("in/a"), reg("in/a/b"))},
		{"not tar", append(requestBody(t, hdr)[:4+len(hdr)], bytes.Repeat([]byte("garbage!"), 200)...)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := rawCall(t, s.sock, tc.body)
			if resp.ExitCode != 1 || !strings.Contains(string(resp.Stderr), "admin request") {
				t.Errorf("answer %+v, want exit 1 and an admin request error", resp)
			}
			if _, err := os.Lstat(outside); err == nil {
				t.Fatal("an upload was written outside the request's directory")
			}
			s.wantTmpEmpty(t)
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the handler ran %d times for refused requests", n)
	}
	// A good request still works.
	if resp := rawCall(t, s.sock, requestBody(t, hdr, reg("in/a"))); resp.ExitCode != 0 || calls.Load() != 1 {
		t.Errorf("good request: %+v, %d calls", resp, calls.Load())
	}
}

// When the server stops, a command that is running sees its context end,
// and Serve returns only after the command finished and its answer was
// sent: the owner closes the store only then.
func TestServeWaitsForRunningCommand(t *testing.T) {
	started := make(chan struct{})
	var finished atomic.Bool
	s := serve(t, func(ctx context.Context, req *admin.Request, dir string) *admin.Response {
		close(started)
		<-ctx.Done()
		time.Sleep(200 * time.Millisecond) // e.g. writing the ledger row of the cancelled import
		finished.Store(true)
		return &admin.Response{ExitCode: 1, Stderr: []byte("error: " + ctx.Err().Error() + "\n")}
	})
	var wg sync.WaitGroup
	var resp *admin.Response
	var callErr error
	wg.Go(func() {
		resp, callErr = admin.Call(context.Background(), s.sock, &admin.Request{Args: []string{"mirror", "import"}}, nil, nil)
	})
	<-started
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
		if !finished.Load() {
			t.Error("Serve returned while a command was still running")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	s.done <- nil // for the cleanup
	wg.Wait()
	if callErr != nil || resp == nil || resp.ExitCode != 1 || !strings.Contains(string(resp.Stderr), "context canceled") {
		t.Errorf("the caller got %+v, %v; want the command's answer", resp, callErr)
	}
}

func TestServeStops(t *testing.T) {
	s := serve(t, func(context.Context, *admin.Request, string) *admin.Response { return &admin.Response{} })
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("Serve after its context ended: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	s.done <- nil
	if _, err := admin.Call(t.Context(), s.sock, &admin.Request{}, nil, nil); !errors.Is(err, admin.ErrNoServer) {
		t.Errorf("Call after the server stopped: %v, want ErrNoServer", err)
	}
}
