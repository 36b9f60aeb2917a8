//go:build !windows

package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// syslogListener is a real syslog socket (unixgram, as /dev/log) in a
// temporary directory, read all the time as journald does (the kernel
// queues only a few datagrams: a writer blocks when nobody reads).
type syslogListener struct {
	path string
	got  chan string
}

func listenSyslog(t *testing.T) *syslogListener {
	t.Helper()
	dir, err := os.MkdirTemp("", "pf-log-") // short: a socket path has ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := filepath.Join(dir, "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	l := &syslogListener{path: p, got: make(chan string, 1000)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			l.got <- string(buf[:n])
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return l
}

var syslogRE = regexp.MustCompile(`^<(\d+)>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d ([^\[]+)\[(\d+)\]: (.*)\n$`)

// next returns the next datagram's priority, tag and message, failing
// after 5 s.
func (l *syslogListener) next(t *testing.T) (prio, tag, msg string) {
	t.Helper()
	var d string
	select {
	case d = <-l.got:
	case <-time.After(5 * time.Second):
		t.Fatal("no syslog datagram within 5 s")
	}
	m := syslogRE.FindStringSubmatch(d)
	if m == nil {
		t.Fatalf("syslog datagram %q is not <PRI>TIMESTAMP TAG[PID]: MSG", d)
	}
	if m[3] != fmt.Sprint(os.Getpid()) {
		t.Errorf("pid %s, want %d", m[3], os.Getpid())
	}
	return m[1], m[2], m[4]
}

// none checks that no more datagrams come (every send has returned
// before it is called; the reader gets 100 ms to pick up a stray one).
func (l *syslogListener) none(t *testing.T) {
	t.Helper()
	select {
	case d := <-l.got:
		t.Errorf("unexpected syslog datagram %q", d)
	case <-time.After(100 * time.Millisecond):
	}
}

func appendRows(t *testing.T, st *store.Store, rs ...Row) []Row {
	t.Helper()
	var out []Row
	err := st.Update(func(tx *bolt.Tx) error {
		for _, r := range rs {
			got, err := Append(tx, r)
			if err != nil {
				return err
			}
			out = append(out, got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestForwardToSyslog: every row appended after the forwarder started
// arrives at the syslog socket once, in order, after its commit, as
// Line; refused and failed attempts as warnings; rolled-back rows never.
func TestForwardToSyslog(t *testing.T) {
	l := listenSyslog(t)
	st := ledgerStore(t, 2) // rows from before: not sent again
	var logBuf bytes.Buffer
	if _, err := Forward(st, SystemLog{Socket: l.path, Tag: "pf-test"}, slog.New(slog.NewTextHandler(&logBuf, nil))); err != nil {
		t.Fatal(err)
	}
	injected := "bad\n<29>Jan  1 00:00:00 patchferry[1]: ledger row=99 result=\"imported\"\x1b[2K\r"
	want := appendRows(t, st, Row{Time: t0, Operator: "山田", Label: "USB-07", Bundle: "patchferry-city-3", Sequence: 3, Result: ResultImported})
	want = append(want, appendRows(t, st,
		Row{Time: t0, Label: "USB-08", Result: ResultRefused, Reason: injected},
		Row{Time: t0, Operator: "kacho", Result: ResultTrustChanged, Reason: "added approver 0011"})...)
	errRollback := errors.New("roll back")
	if err := st.Update(func(tx *bolt.Tx) error {
		if _, err := Append(tx, Row{Operator: "rolled back", Result: ResultImported}); err != nil {
			return err
		}
		return errRollback
	}); !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	want = append(want, appendRows(t, st, Row{Time: t0, Result: ResultFailed, Reason: "disk full"})...)
	for _, r := range want {
		prio, tag, msg := l.next(t)
		wantPrio := "29" // daemon.notice
		if r.Result == ResultRefused || r.Result == ResultFailed {
			wantPrio = "28" // daemon.warning
		}
		if prio != wantPrio || tag != "pf-test" || msg != Line(r) {
			t.Errorf("row %d arrived as <%s> %s: %q\nwant <%s> pf-test: %q", r.Number, prio, tag, msg, wantPrio, Line(r))
		}
		if !strings.Contains(msg, fmt.Sprintf("row=%d hash=%s code=%s ", r.Number, r.Hash, RowCode(r))) {
			t.Errorf("row %d: %q lacks its number, hash and code", r.Number, msg)
		}
		if strings.ContainsAny(msg, "\n\r\x1b") {
			t.Errorf("row %d: control characters reached the log: %q", r.Number, msg)
		}
	}
	if want[len(want)-1].Number != 6 {
		t.Errorf("rows %+v: the rolled-back row took a number", want)
	}
	l.none(t)
	if logBuf.Len() != 0 {
		t.Errorf("log: %s", logBuf.String())
	}
}

// TestLine pins the line format.
func TestLine(t *testing.T) {
	r := Row{Number: 7, Hash: strings.Repeat("ab", 32), Time: t0, Result: ResultRefused, Sequence: 3, Operator: "山田",
		Label: "USB-07", Bundle: "patchferry-city-3", Reason: "bad \"x\"\nline"}
	want := `ledger row=7 hash=` + r.Hash + ` code=` + CodeOf(7, r.Hash).String() +
		` time=2026-11-25T00:30:00Z result="refused" sequence=3 operator="山田" label="USB-07" bundle="patchferry-city-3" reason="bad \"x\"\nline"`
	if got := Line(r); got != want {
		t.Errorf("Line =\n%s\nwant\n%s", got, want)
	}
	r.Reason = strings.Repeat("あ", maxReason)
	if got := Line(r); len(got) > maxReason+400 || !strings.HasSuffix(got, `…"`) {
		t.Errorf("a long reason: %d bytes, ends %q", len(got), got[len(got)-10:])
	}
}

// TestForwardFailureDoesNotFail: with no system log to write to, the row is
// still written and the failure is logged loudly.
func TestForwardFailureDoesNotFail(t *testing.T) {
	st := ledgerStore(t, 1)
	var logBuf bytes.Buffer
	gone := filepath.Join(t.TempDir(), "no-such-socket")
	if _, err := Forward(st, SystemLog{Socket: gone}, slog.New(slog.NewTextHandler(&logBuf, nil))); err != nil {
		t.Fatal(err)
	}
	r := appendRows(t, st, Row{Time: t0, Result: ResultImported})[0]
	if got := rows(t, st); len(got) != 2 {
		t.Fatalf("%d rows, want 2", len(got))
	}
	for _, w := range []string{"level=ERROR", "NOT forwarded", "row=2", "code=" + RowCode(r).String(), gone} {
		if !strings.Contains(logBuf.String(), w) {
			t.Errorf("log %q lacks %q", logBuf.String(), w)
		}
	}
}

// TestForwardConcurrent: rows appended from several goroutines arrive
// each once, in order.
func TestForwardConcurrent(t *testing.T) {
	l := listenSyslog(t)
	st := ledgerStore(t, 0)
	if _, err := Forward(st, SystemLog{Socket: l.path}, slog.New(slog.NewTextHandler(t.Output(), nil))); err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 5
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				appendRows(t, st, Row{Time: t0, Operator: fmt.Sprintf("w%d-%d", w, i), Result: ResultImported})
			}
		})
	}
	wg.Wait()
	for n := 1; n <= writers*each; n++ {
		_, _, msg := l.next(t)
		if !strings.HasPrefix(msg, fmt.Sprintf("ledger row=%d ", n)) {
			t.Fatalf("datagram %d: %q", n, msg)

		}
	}
	l.none(t)
}
