package escape_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/patchferry/patchferry/media/escape"
)

// attack is the file name of the attack review: it erases the operator's
// line and prints a forged success.
const attack = "\x1b[2K\rImported sequence 99. State code: 99-AAAA\nfake"

func TestString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Firefox Setup 128.5.0esr.exe", "Firefox Setup 128.5.0esr.exe"},
		{"一太郎 2026", "一太郎 2026"},
		{`C:\Users\admin`, `C:\Users\admin`},
		{attack, `\u001b[2K\rImported sequence 99. State code: 99-AAAA\nfake`},
		{"a\tb\bc\fd\x00e\x7ff", `a\tb\bc\fd\u0000e\u007ff`},
		{"\u009b31m", `\u009b31m`},                           // C1 CSI
		{"evil\u202egnp.exe", `evil\u202egnp.exe`},           // right-to-left override
		{"a\u200bb\u2066c\ufeffd", `a\u200bb\u2066c\ufeffd`}, // zero width, isolate, BOM
		{"line\u2028sep", `line\u2028sep`},
		{"bad\xffutf8\xe2\x82", `bad\xffutf8\xe2\x82`},
		{"ok \ufffd", "ok \ufffd"},
	} {
		if got := escape.String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got, want := escape.Lines("one\ntwo\x1b\t"), "one\ntwo\\u001b\t"; got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}

// The escapes are JSON string escapes: a JSON document stays valid and
// decodes to the same value after escaping.
func TestEscapesAreJSON(t *testing.T) {
	in := map[string]string{"name": "x\u009b\u202e\u007f\u2066\ufeffy"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := escape.NewWriter(&out)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("escaped JSON %q: %v", out.String(), err)
	}
	if got["name"] != in["name"] {
		t.Errorf("decoded %q, want %q", got["name"], in["name"])
	}
	if bytes.Equal(out.Bytes(), b) {
		t.Errorf("nothing was escaped in %q", b)
	}
}

func TestWriterKeepsLinesAndCRLF(t *testing.T) {
	var out bytes.Buffer
	w := escape.NewWriter(&out)
	for _, s := range []string{"\xef\xbb", "\xbfa,b\r", "\nc\td\n", "x\ry\ufeff", "\r"} {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "\ufeffa,b\r\nc\td\nx\\ry\\ufeff\\r"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// writeChunks writes s through a Writer in pieces of n bytes.
func writeChunks(t testing.TB, s string, n int) string {
	var out bytes.Buffer
	w := escape.NewWriter(&out)
	for len(s) > 0 {
		k := min(n, len(s))
		if m, err := w.Write([]byte(s[:k])); err != nil || m != k {
			t.Fatalf("Write = %d, %v", m, err)
		}
		s = s[k:]
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// safe reports whether s is what an escaper may print: UTF-8 without an
// unsafe rune but newline, tab and the CR of a CRLF.
func safe(s string, keep string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		if !escape.Unsafe(r) || strings.ContainsRune(keep, r) {
			if r == '\r' && !strings.HasPrefix(s[i:], "\r\n") {
				return false
			}
			continue
		}
		return false
	}
	return true
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", attack, "a\r\nb", "\xe2\x80\xae", "\xe2\x80", "x\r", "\u009b", "\xff\xfe"} {
		f.Add(s, uint8(1))
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, n uint8) {
		str, lines := escape.String(s), escape.Lines(s)
		if !safe(str, "") || strings.Contains(str, "\n") {
			t.Fatalf("String(%q) = %q is not one safe line", s, str)
		}
		if !safe(lines, "\n\t") || strings.Contains(lines, "\r") {
			t.Fatalf("Lines(%q) = %q is not safe", s, lines)
		}
		if strings.Count(lines, "\n") != strings.Count(s, "\n") {
			t.Fatalf("Lines(%q) = %q changed the lines", s, lines)
		}
		if safe(s, "") && !strings.Contains(s, "\r") && str != s {
			t.Fatalf("String(%q) = %q changed safe text", s, str)
		}
		// A stream escapes the same whatever the pieces it comes in.
		whole := writeChunks(t, s, len(s)+1)
		if got := writeChunks(t, s, int(n%7)+1); got != whole {
			t.Fatalf("in pieces of %d: %q, at once: %q", n%7+1, got, whole)
		}
		if !safe(strings.TrimPrefix(whole, "\ufeff"), "\n\t\r") {
			t.Fatalf("Writer(%q) = %q is not safe", s, whole)
		}
	})
}
