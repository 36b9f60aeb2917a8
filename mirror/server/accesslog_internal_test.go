package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// What the access log shows of a User-Agent that net/http would refuse on
// the wire (ESC, CR, LF, DEL): escaped, one line, cut at maxUserAgent
// bytes.
func TestUserAgentEscaped(t *testing.T) {
	var buf bytes.Buffer
	s := &Server{log: slog.New(slog.NewJSONHandler(&buf, nil))}
	s.metrics = newMetrics(s)
	h := s.logged(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	cases := []struct{ ua, want string }{
		{"evil\x1b[2J\rforged line\nnext\x7f", `evil\u001b[2J\rforged line\nnext\u007f`},
		{strings.Repeat("é", 200), strings.Repeat("é", 128)},
		{strings.Repeat("a", 255) + "é", strings.Repeat("a", 255) + `\xc3`}, // cut inside a rune
		{"", ""},
	}
	for _, tc := range cases {
		buf.Reset()
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.RemoteAddr = "192.0.2.7:51234"
		req.Header["User-Agent"] = []string{tc.ua}
		h.ServeHTTP(httptest.NewRecorder(), req)
		for _, c := range buf.Bytes()[:buf.Len()-1] {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("the log line holds the control byte %#x: %q", c, buf.Bytes())
			}
		}
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatalf("log line %q: %v", buf.Bytes(), err)
		}
		if rec["user_agent"] != tc.want || rec["client"] != "192.0.2.7" || rec["status"] != float64(http.StatusTeapot) {
			t.Errorf("User-Agent %q: logged %v, want user_agent %q", tc.ua, rec, tc.want)
		}
	}
}
