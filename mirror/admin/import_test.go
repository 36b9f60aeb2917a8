package admin_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

var created = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func now() time.Time { return created.Add(time.Hour) }

// signingKey is made once per test binary (scrypt costs about 0.4 s).
var signingKey = sync.OnceValues(func() (*verify.PrivateKey, error) {
	pw := []byte("pw")
	priv, _, err := verify.GenerateKeyPair(pw)
	if err != nil {
		return nil, err
	}
	return verify.ParsePrivateKey(priv, pw)
})

func key(t *testing.T) *verify.PrivateKey {
	t.Helper()
	k, err := signingKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// mirrorTrusting creates a mirror that trusts k.
func mirrorTrusting(t *testing.T, k *verify.PrivateKey) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	if _, err := service.Create(data, service.InitRequest{Publishers: []string{string(k.Public().PEM())}}, service.Options{}); err != nil {
		t.Fatal(err)
	}
	return data
}

// bigBundle writes a bundle of n payloads of size bytes each, far more than
// the socket and the server buffer, and returns its folder.
func bigBundle(t *testing.T, n, size int) string {
	t.Helper()
	src := t.TempDir()
	var c media.Contents
	r := rand.New(rand.NewPCG(7, 8))
	for i := range n {
		b := make([]byte, size)
		for j := 0; j < size; j += 8 {
			v := r.Uint64()
			for k := 0; k < 8 && j+k < size; k++ {
				b[j+k] = byte(v >> (8 * k))
			}
		}
		p := filepath.Join(src, fmt.Sprintf("p%d.bin", i))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		c.Inputs = append(c.Inputs, media.Input{Path: p, Artifact: media.Artifact{Vendor: "v", Product: fmt.Sprint("p", i), Version: "1",
			Verification: media.Verification{Method: media.MethodManual}}})
	}
	w, err := media.Write(context.Background(), media.WriteOptions{Out: filepath.Join(t.TempDir(), "media"), Sequence: 1, Created: created, Key: key(t)}, c)
	if err != nil {
		t.Fatal(err)
	}
	return w.Dirs[0]
}

// A refusal part-way through an upload reaches the caller as the typed
// refusal — not as a broken pipe — and the caller stops sending: before
// any payload (the signature) and after the first of three (a digest).
func TestImportAnsweredEarly(t *testing.T) {
	const n, size = 3, 24 << 20
	dir := bigBundle(t, n, size)
	b, err := media.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	first := media.PayloadPath(b.Manifest.Payloads()[0].SHA256)
	damaged := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.CopyFS(damaged, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(damaged, filepath.FromSlash(first))
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("X"), 1000)
	f.Close()

	for _, tc := range []struct {
		name, data, dir string
		class           error
		file            string
		maxSent         int64
	}{
		{"unknown signer", newMirror(t), dir, media.ErrSignature, media.SignatureName, size},
		{"damaged first payload", mirrorTrusting(t, key(t)), damaged, verify.ErrMismatch, first, 2 * size},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, tc.data, now, nil)
			var sent int64
			_, err := s.dial(t).Import(t.Context(), service.ImportRequest{Paths: []string{tc.dir}, Label: "USB-1",
				Progress: func(k int64) { sent += k }})
			var re *ingest.RefusedError
			var fe *media.FileError
			if !errors.As(err, &re) || !errors.Is(err, tc.class) || !errors.As(err, &fe) || fe.Path != tc.file || fe.Dir != tc.dir {
				t.Fatalf("import: %v (%T), want a refusal of %s in %s (%v)", err, err, tc.file, tc.dir, tc.class)
			}
			t.Logf("sent %d bytes before the answer", sent)
			if sent >= tc.maxSent {
				t.Errorf("the upload went on to %d bytes after the refusal (at most %d expected)", sent, tc.maxSent)
			}
			rows, err := s.local.Ledger(t.Context())
			if err != nil || rows[len(rows)-1].Result != "refused" || rows[len(rows)-1].Label != "USB-1" {
				t.Errorf("ledger: %v", err)
			}
			s.wantTmpEmpty(t)
			// The server goes on answering.
			if _, err := s.dial(t).Status(t.Context()); err != nil {
				t.Errorf("status after the refusal: %v", err)
			}
		})
	}
}

// An import that arrives whole stores every payload with nothing left in
// tmp/, and a bundle that cannot be opened is refused by the caller and
// recorded in the server's ledger.
func TestImportThroughServer(t *testing.T) {
	dir := bigBundle(t, 2, 3<<20)
	s := serve(t, mirrorTrusting(t, key(t)), now, nil)
	c := s.dial(t)
	res, err := c.Import(t.Context(), service.ImportRequest{Paths: []string{dir}, Operator: "tanaka"})
	if err != nil || res.Status != ingest.StatusImported || res.Copied != 6<<20 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	s.wantTmpEmpty(t)
	os.WriteFile(filepath.Join(dir, "autorun.inf"), nil, 0o644)
	_, err = c.Import(t.Context(), service.ImportRequest{Paths: []string{dir}, Operator: "tanaka", Label: "USB-9"})
	var re *ingest.RefusedError
	if !errors.As(err, &re) || !errors.Is(err, media.ErrLayout) || !strings.Contains(err.Error(), "autorun.inf") {
		t.Fatalf("unopenable: %v", err)
	}
	rows, _ := s.local.Ledger(t.Context())
	last := rows[len(rows)-1]
	if last.Result != "refused" || last.Label != "USB-9" || last.Operator != "tanaka" || last.Reason != err.Error() {
		t.Errorf("the refusal's ledger row: %+v", last)
	}
}

// dyingServer accepts admin requests and dies in the middle of each: it
// reads a little of the request and drops the connection.
func dyingServer(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), admin.SocketName)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.CopyN(io.Discard, r.Body, 1<<20)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sock
}

// When the server dies mid-command the caller says so in plain words.
func TestServerStoppedMidCommand(t *testing.T) {
	c, err := admin.Dial(dyingServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, statusErr := c.Status(t.Context())
	_, importErr := c.Import(t.Context(), service.ImportRequest{Paths: []string{bigBundle(t, 1, 4<<20)}})
	for name, err := range map[string]error{"status": statusErr, "import": importErr} {
		if !errors.Is(err, admin.ErrServerStopped) {
			t.Errorf("%s: %v, want ErrServerStopped", name, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "http://") || strings.Contains(msg, "Post") || !strings.HasPrefix(msg, "mirror "+name+": the mirror server") {
			t.Errorf("%s: %q is not plain words", name, msg)
		}
	}
}

// blockingScrub is the Local of a test server whose scrub runs until the
// server stops, then takes a moment to finish (as an import writing its
// ledger row would).
type blockingScrub struct {
	service.Service
	started  chan struct{}
	finished chan struct{}
}

func (b *blockingScrub) Scrub(ctx context.Context, _ service.ScrubRequest) (*store.ScrubReport, error) {
	close(b.started)
	<-ctx.Done()
	time.Sleep(200 * time.Millisecond)
	close(b.finished)
	return nil, fmt.Errorf("scrub: %w", ctx.Err())
}

// When the server stops, a running operation sees its context end, and
// Serve returns only after it has finished and answered: the owner closes
// the store only then.
func TestServeWaitsForRunningOperation(t *testing.T) {
	b := &blockingScrub{started: make(chan struct{}), finished: make(chan struct{})}
	s := serve(t, "", nil, func(svc service.Service) service.Service { b.Service = svc; return b })
	c := s.dial(t)
	errc := make(chan error, 1)
	go func() { _, err := c.Scrub(context.Background(), service.ScrubRequest{}); errc <- err }()
	<-b.started
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
		select {
		case <-b.finished:
		default:
			t.Error("Serve returned while an operation was still running")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	s.done <- nil // for the cleanup
	if err := <-errc; !errors.Is(err, context.Canceled) || errors.Is(err, admin.ErrServerStopped) {
		t.Errorf("the caller got %v; want the operation's own answer", err)
	}
	if _, err := c.Status(t.Context()); err == nil {
		t.Error("the stopped server still answers")
	}
}
