//go:build !windows

package service_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/verify"
)

// TestForwardRows: with Options.Forward, the rows written by Create and by
// the operations of an opened Local reach a real syslog socket, each once;
// a read-only Local forwards nothing.
func TestForwardRows(t *testing.T) {
	dir, err := os.MkdirTemp("", "pf-log-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	next := func() string {
		t.Helper()
		buf := make([]byte, 64<<10)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no row in the system log: %v", err)
		}
		return string(buf[:n])
	}
	sink := ledger.SystemLog{Socket: sock}

	_, pub, err := verify.GenerateKeyPair([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	if _, err := service.Create(data, service.InitRequest{Publishers: []string{string(pub)}, Operator: "tester"}, service.Options{Forward: sink}); err != nil {
		t.Fatal(err)
	}
	if got := next(); !strings.Contains(got, "ledger row=1 ") || !strings.Contains(got, `operator="tester"`) {
		t.Errorf("init row: %q", got)
	}
	l, err := service.Open(data, service.Options{Forward: sink})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.RecordRefusal(t.Context(), service.Refusal{Label: "USB-\x1b[2K", Reason: "unreadable\nmedium"}); err != nil {
		t.Fatal(err)
	}
	rows, err := l.Ledger(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := next(); !strings.HasSuffix(got, ": "+ledger.Line(rows[1])+"\n") || !strings.HasPrefix(got, "<28>") {
		t.Errorf("refusal row: %q, want a warning with %q", got, ledger.Line(rows[1]))
	}
	l.Close()

	ro, err := service.Open(data, service.Options{ReadOnly: true, Forward: sink})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Status(t.Context()); err != nil {
		t.Fatal(err)
	}
	ro.Close()
	conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, err := conn.Read(make([]byte, 1024)); err == nil {
		t.Errorf("unexpected datagram of %d bytes", n)
	}
}
