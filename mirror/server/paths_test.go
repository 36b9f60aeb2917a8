package server

import (
	"slices"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media"
)

func TestParseFilesPath(t *testing.T) {
	cases := []struct {
		in   string
		segs []string // nil with ok: the root
		dir  bool
		ok   bool
	}{
		{in: "/files", dir: true, ok: true},
		{in: "/files/", dir: true, ok: true},
		{in: "/files/mozilla", segs: []string{"mozilla"}, ok: true},
		{in: "/files/mozilla/", segs: []string{"mozilla"}, dir: true, ok: true},
		{in: "/files/mozilla/firefox/145.0/", segs: []string{"mozilla", "firefox", "145.0"}, dir: true, ok: true},
		{in: "/files/mozilla/firefox/145.0/Firefox%20Setup%20145.0.exe", segs: []string{"mozilla", "firefox", "145.0", "Firefox Setup 145.0.exe"}, ok: true},
		{in: "/files/j/i/1/%E4%B8%80%E5%A4%AA%E9%83%8E.exe", segs: []string{"j", "i", "1", "一太郎.exe"}, ok: true},
		{in: "/files/j/i/1/一太郎.exe", segs: []string{"j", "i", "1", "一太郎.exe"}, ok: true},
		{in: "/files/a+b/c", segs: []string{"a+b", "c"}, ok: true},
		{in: "/files/%252e%252e/", segs: []string{"%2e%2e"}, dir: true, ok: true},
		{in: "/filesx"},
		{in: "/file/"},
		{in: "files/"},
		{in: ""},
		{in: "/files//"},
		{in: "/files//a"},
		{in: "/files/a//b"},
		{in: "/files/a/b/c/d/", segs: []string{"a", "b", "c", "d"}, dir: true, ok: true},
		{in: "/files/a/b/c/d/e", segs: []string{"a", "b", "c", "d", "e"}, ok: true},
		{in: "/files/a/b/c/d/e/", segs: []string{"a", "b", "c", "d", "e"}, dir: true, ok: true},
		{in: "/files/mozilla/firefox-esr/128.5.0esr/win64/ja/Firefox%20Setup%20128.5.0esr.exe",
			segs: []string{"mozilla", "firefox-esr", "128.5.0esr", "win64", "ja", "Firefox Setup 128.5.0esr.exe"}, ok: true},
		{in: "/files/a/b/c/d/e/f/"}, // the sixth level is a file name
		{in: "/files/a/b/c/d/e/f/g"},
		{in: "/files/a/b/c/d/e/f/g/"},
		{in: "/files/a/b/c/d/e//f"},
		{in: "/files/a/b/c/d/e/%2e%2e"},
		{in: "/files/.."},
		{in: "/files/../"},
		{in: "/files/."},
		{in: "/files/a/../b"},
		{in: "/files/%2e%2e/"},
		{in: "/files/%2E%2E/"},
		{in: "/files/.%2e/"},
		{in: "/files/%2e/"},
		{in: "/files/a%2fb"},
		{in: "/files/a%2Fb"},
		{in: "/files/a%5cb"},
		{in: `/files/a\b`},
		{in: "/files/a%00"},
		{in: "/files/a%0a"},
		{in: "/files/a%7f"},
		{in: "/files/%c0%ae%c0%ae/"},
		{in: "/files/%ff/"},
		{in: "/files/a%zz"},
		{in: "/files/a%2"},
		{in: "/files/c%3A/"},
		{in: "/files/CON/"},
		{in: "/files/nul.txt"},
		{in: "/files/a./"},
		{in: "/files/a%20/"},
		{in: "/files/a%3Fb"},
		{in: "/files/" + strings.Repeat("a", 256)},
		{in: "/files/" + strings.Repeat("a/", 2048)},
	}
	for _, tc := range cases {
		segs, dir, err := ParseFilesPath(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseFilesPath(%.60q): error %v, want ok %v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && (!slices.Equal(segs, tc.segs) || dir != tc.dir) {
			t.Errorf("ParseFilesPath(%q) = %q, %v; want %q, %v", tc.in, segs, dir, tc.segs, tc.dir)
		}
		if !tc.ok && (segs != nil || dir) {
			t.Errorf("ParseFilesPath(%q) refused but returned %q, %v", tc.in, segs, dir)
		}
	}
}

// FuzzParseFilesPath: whatever is accepted is at most six clean names (the
// sixth a file name, never a folder), and
// escaping them again with filesURL gives a path that parses to the same
// names.
func FuzzParseFilesPath(f *testing.F) {
	for _, s := range []string{
		"/files/", "/files", "/files/mozilla/firefox/145.0/Firefox%20Setup%20145.0.exe",
		"/files/mozilla/firefox/145.0/", "/files/j/i/1/%E4%B8%80%E5%A4%AA%E9%83%8E.exe", "/files/a+b/c",
		"/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd", "/files/a%2fb/c/d/e", "/files/a%5cb/c",
		"/files/..%2f..%2fmirror.db", "/files/x/y/z/%00", "/files/%c0%ae/", "/files/%252e%252e/", "/files//a",
		"/files/a/b/c/d/", "/files/CON/", "/files/a%zz", "//etc/passwd", "/files/a/b/c/d/e",
		"/files/mozilla/firefox-esr/128.5.0esr/win64/ja/Firefox%20Setup%20128.5.0esr.exe", "/files/a/b/c/d/e/f/",
		"/files/a/b/c/d/e/f/g", "/files/v/p/1/win64/%E6%97%A5%E6%9C%AC/", "/files/a/b/c/d/e/..%2f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		segs, dir, err := ParseFilesPath(in)
		if err != nil {
			if segs != nil || dir {
				t.Fatalf("refused %q but returned %q, %v", in, segs, dir)
			}
			return
		}
		if len(segs) > 6 || (len(segs) == 6 && dir) {
			t.Fatalf("%q: %d segments (dir %v)", in, len(segs), dir)
		}
		for _, s := range segs {
			if err := media.ValidName(s); err != nil || s == ".." || s == "." {
				t.Fatalf("%q: accepted segment %q: %v", in, s, err)
			}
		}
		lower := strings.ToLower(in) + "/"
		for _, bad := range []string{"%2f", "%5c", "%00", "/../", "/./", "\\"} {
			if strings.Contains(lower, bad) {
				t.Fatalf("%q accepted, but it holds %q", in, bad)
			}
		}
		if strings.Contains(in, "//") {
			t.Fatalf("%q accepted, but it holds an empty segment", in)
		}
		again := filesURL(segs...)
		if dir && len(segs) > 0 {
			again += "/"
		}
		segs2, dir2, err := ParseFilesPath(again)
		if err != nil || !slices.Equal(segs, segs2) || dir2 != (dir || len(segs) == 0) {
			t.Fatalf("%q → %q, %v → %q → %q, %v, %v", in, segs, dir, again, segs2, dir2, err)
		}
	})
}
