package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/server"
)

// syncBuffer is a bytes.Buffer for a logger that handlers write from
// their own goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// rawRequest sends request line and header lines as given (no client
// checks them) on a connection of its own with "Connection: close", and
// returns the status code. It reads the response to its end, after which
// the server has logged the request.
func rawRequest(t testing.TB, addr, requestLine string, header ...string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	req := requestLine + "\r\nHost: mirror.test\r\nConnection: close\r\n"
	for _, h := range header {
		req += h + "\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%s: %v", requestLine, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	io.Copy(io.Discard, c) // to EOF: the handler, and its log line, are done
	return resp.StatusCode
}

// The access log records the client and its User-Agent, escaped: no byte
// of a hostile User-Agent reaches the log raw.
func TestAccessLogUserAgent(t *testing.T) {
	var logBuf syncBuffer
	log := slog.New(slog.NewJSONHandler(&logBuf, nil))
	m := newMirrorWith(t, newStore(t), server.Options{Log: log}, nil, writeBundle(t, 1, nil, basic...))
	addr := m.ts.Listener.Addr().String()

	cases := []struct {
		ua, want string // want: the user_agent logged
		status   int
	}{
		{ua: "ClamAV/1.4.6 (OS: linux-gnu, ARCH: x86_64, CPU: x86_64)", want: "ClamAV/1.4.6 (OS: linux-gnu, ARCH: x86_64, CPU: x86_64)", status: 200},
		// Bytes net/http lets through: 8-bit CSI, a tab, a bidi override,
		// a C1 control as UTF-8, a byte that is not UTF-8.
		{ua: "evil\x9b2J\tx\u202eexe.txt\u0085\xff", want: `evil\x9b2J\tx\u202eexe.txt\u0085\xff`, status: 200},
		{ua: strings.Repeat("a", 300), want: strings.Repeat("a", 256), status: 200},
		// ESC and CR: net/http refuses the request before any handler (the
		// log then has no line for it; see TestUserAgentEscaped for what
		// the log would show).
		{ua: "evil\x1b[2J\x1b[1;1Hok", status: 400},
		{ua: "evil\rok", status: 400},
	}
	for i, tc := range cases {
		path := fmt.Sprintf("/healthz?case=%d", i)
		if got := rawRequest(t, addr, "GET "+path+" HTTP/1.1", "User-Agent: "+tc.ua); got != tc.status {
			t.Fatalf("case %d: status %d, want %d", i, got, tc.status)
		}
	}
	logged := logBuf.Bytes()
	for _, bad := range []string{"\x1b", "\r", "\t", "\x9b", "\xff", "\u202e", "\u0085"} {
		if bytes.Contains(logged, []byte(bad)) {
			t.Errorf("the log holds %q raw:\n%s", bad, logged)
		}
	}
	lines := bytes.Split(bytes.TrimSpace(logged), []byte("\n"))
	var got []map[string]any
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal(l, &rec); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if rec["msg"] == "http" {
			got = append(got, rec)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d access log lines, want 3 (the requests net/http accepted):\n%s", len(got), logged)
	}
	for i, rec := range got {
		if rec["user_agent"] != cases[i].want || rec["client"] != "127.0.0.1" || rec["method"] != "GET" || rec["path"] != "/healthz" ||
			rec["status"] != float64(200) {
			t.Errorf("log line %d: %v, want user_agent %q from 127.0.0.1", i, rec, cases[i].want)
		}
	}
}
