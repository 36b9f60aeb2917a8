package admin_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/mirror/service/servicetest"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// served is an admin socket in front of a real store, served until the
// test ends.
type served struct {
	data, sock string
	local      *service.Local
	changed    atomic.Int32 // Config.Changed calls
	stop       context.CancelFunc
	done       chan error // Serve's result
}

// serve serves the mirror in data (created with a test publisher when
// empty) through svc, or through its own Local when wrap is nil.
func serve(t *testing.T, data string, now func() time.Time, wrap func(service.Service) service.Service) *served {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the tests use POSIX socket permissions")
	}
	if data == "" {
		data = newMirror(t)
	}
	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &served{data: data, sock: filepath.Join(data, admin.SocketName), local: service.New(st, service.Options{Now: now}), done: make(chan error, 1)}
	var svc service.Service = s.local
	if wrap != nil {
		svc = wrap(svc)
	}
	ln, err := admin.Listen(s.sock)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	cfg := admin.Config{Service: svc, TmpDir: filepath.Join(data, store.TmpDir), Changed: func() { s.changed.Add(1) }, Log: slog.New(slog.DiscardHandler)}
	go func() { s.done <- admin.Serve(ctx, ln, cfg) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
		st.Close()
	})
	return s
}

// newMirror creates a mirror trusting a throwaway publisher key.
func newMirror(t *testing.T) string {
	t.Helper()
	_, pub, err := verify.GenerateKeyPair([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	if _, err := service.Create(data, service.InitRequest{Publishers: []string{string(pub)}}, service.Options{}); err != nil {
		t.Fatal(err)
	}
	return data
}

func (s *served) dial(t *testing.T) *admin.Client {
	t.Helper()
	c, err := admin.Dial(s.sock)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// wantTmpEmpty fails t unless the server left nothing in the store's tmp/.
func (s *served) wantTmpEmpty(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(s.data, store.TmpDir))
	if err != nil || len(entries) != 0 {
		t.Errorf("tmp/ after the request: %v, %v", entries, err)
	}
}

// The client passes the service conformance suite through a real socket
// and a real server: every result and every error class arrives.
func TestClientConformance(t *testing.T) {
	var s *served
	servicetest.Run(t, func(t *testing.T, data string, now func() time.Time) service.Service {
		s = serve(t, data, now, nil)
		return s.dial(t)
	})
	if n := s.changed.Load(); n < 10 {
		t.Errorf("Changed ran %d times; want once per write operation", n)
	}
	s.wantTmpEmpty(t)
}

func TestListen(t *testing.T) {
	s := serve(t, "", nil, nil)
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
	if _, err := s.dial(t).Status(t.Context()); err != nil {
		t.Errorf("Status after the refused Listen: %v", err)
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

func TestDialNoServer(t *testing.T) {
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
			c, err := admin.Dial(p)
			if !errors.Is(err, admin.ErrNoServer) || c != nil {
				t.Errorf("Dial: %v, %v; want ErrNoServer", c, err)
			}
		})
	}
}

// rawPost posts body to /v1/op on the socket and decodes the answer.
func rawPost(t *testing.T, sock, op string, body []byte) (result json.RawMessage, werr *service.WireError) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	resp, err := client.Post("http://admin/v1/"+op, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		Result json.RawMessage    `json:"result"`
		Error  *service.WireError `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("%s: answer: %v (status %s)", op, err, resp.Status)
	}
	return a.Result, a.Error
}

// header is an import header as the client writes it.
func header(h string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(h)))
	return append(b, h...)
}

// Requests the server cannot read are answered as invalid requests, and
// never reach the store.
func TestServeRefusesBadRequests(t *testing.T) {
	s := serve(t, "", nil, nil)
	rowsBefore, err := s.local.Ledger(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	huge := binary.BigEndian.AppendUint32(nil, 1<<30)
	cases := []struct {
		name, op string
		body     []byte
	}{
		{"not JSON", "status", []byte("status please")},
		{"unknown field", "gc", []byte(`{"keep": 1, "force": true}`)},
		{"two objects", "gc", []byte(`{"keep": 1}{"keep": 1}`)},
		{"wrong type", "gc", []byte(`{"keep": "all"}`)},
		{"too large", "trust-change", append([]byte(`{"operator": "`), bytes.Repeat([]byte("a"), 9<<20)...)},
		{"refusal without reason", "refusal", []byte(`{"label": "USB"}`)},
		{"empty import", "import", nil},
		{"import header too large", "import", append(huge, '{')},
		{"import header not JSON", "import", header("not json")},
		{"import header without dirs", "import", header(`{"operator": "x", "label": "y", "dirs": []}`)},
		{"import header with NUL", "import", header(`{"operator": "x", "label": "y", "dirs": ["/media/\u0000usb"]}`)},
		{"import header unknown field", "import", header(`{"dirs": ["/m"], "args": ["mirror", "import"]}`)},
		{"import without a stream", "import", header(`{"operator": "x", "label": "y", "dirs": ["/media/usb"]}`)},
		{"import of garbage", "import", append(header(`{"dirs": ["/media/usb"]}`), bytes.Repeat([]byte("garbage!"), 100)...)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, werr := rawPost(t, s.sock, tc.op, tc.body)
			if werr == nil {
				t.Fatal("accepted")
			}
			err := service.DecodeError(werr)
			var ie *service.InvalidError
			if !errors.As(err, &ie) && !strings.Contains(err.Error(), "import stream") {
				t.Errorf("answer %v, want an invalid request or a refused stream", err)
			}
			s.wantTmpEmpty(t)
		})
	}
	rows, err := s.local.Ledger(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Only the imports that got as far as a stream write a ledger row.
	if n := len(rows) - len(rowsBefore); n != 2 {
		t.Errorf("%d ledger rows for refused requests, want 2 (the streams)", n)
	}
	// A good request still works.
	if res, werr := rawPost(t, s.sock, "status", []byte("{}")); werr != nil || !bytes.Contains(res, []byte(`"sequence":0`)) {
		t.Errorf("good request: %s, %+v", res, werr)
	}
}

// An unknown operation is not found; the client says what happened
// without any raw HTTP detail.
func TestUnknownOperation(t *testing.T) {
	s := serve(t, "", nil, nil)
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return net.Dial("unix", s.sock)
	}}}
	resp, err := client.Post("http://admin/v1/run", "application/json", strings.NewReader(`{"args": ["mirror", "status"]}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the old argv endpoint: %s, want 404", resp.Status)
	}
}
