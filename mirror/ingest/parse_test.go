package ingest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/mirror/ingest"
)

var scanCommands = []struct {
	in   string
	want []string // nil: an error
}{
	{"clamscan", []string{"clamscan"}},
	{"clamscan --no-summary", []string{"clamscan", "--no-summary"}},
	{"  clamscan\t--no-summary \n -d  /var/lib/clamav  ", []string{"clamscan", "--no-summary", "-d", "/var/lib/clamav"}},
	{`"C:\Program Files\ClamAV\clamscan.exe" --no-summary`, []string{`C:\Program Files\ClamAV\clamscan.exe`, "--no-summary"}},
	{`'C:\Program Files\Windows Defender\MpCmdRun.exe' -Scan -ScanType 3 -File`, []string{`C:\Program Files\Windows Defender\MpCmdRun.exe`, "-Scan", "-ScanType", "3", "-File"}},
	{`a"b c"d`, []string{"ab cd"}},
	{`say "it's" 'a "quote"'`, []string{"say", "it's", `a "quote"`}},
	{`x "" y`, []string{"x", "", "y"}},
	{`''`, []string{""}},
	{`C:\a\b\`, []string{`C:\a\b\`}},
	{"clamscan -d /tmp/\xff\xfe.hdb", []string{"clamscan", "-d", "/tmp/\xff\xfe.hdb"}}, // not UTF-8: bytes kept
	{"検査 --ファイル", []string{"検査", "--ファイル"}},
	{"", nil},
	{"   \t\n", nil},
	{`clamscan "unclosed`, nil},
	{`'`, nil},
}

func TestParseScanCommand(t *testing.T) {
	for _, tc := range scanCommands {
		got, err := ingest.ParseScanCommand(tc.in)
		switch {
		case tc.want == nil && err == nil:
			t.Errorf("ParseScanCommand(%q) = %q, want an error", tc.in, got)
		case tc.want != nil && err != nil:
			t.Errorf("ParseScanCommand(%q): %v", tc.in, err)
		case !slices.Equal(got, tc.want):
			t.Errorf("ParseScanCommand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzParseScanCommand(f *testing.F) {
	for _, tc := range scanCommands {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := ingest.ParseScanCommand(s)
		if err != nil {
			return
		}
		if len(words) == 0 {
			t.Fatalf("ParseScanCommand(%q) returned no words and no error", s)
		}
		// Without quotes the command is split at blanks, byte for byte.
		if !strings.ContainsAny(s, `"'`) {
			fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' })
			if !slices.Equal(words, fields) {
				t.Fatalf("ParseScanCommand(%q) = %q, want the blank-separated fields %q", s, words, fields)
			}
		}
		// Quoting every word and joining them gives the same words back.
		quoted := make([]string, len(words))
		for i, w := range words {
			switch {
			case !strings.Contains(w, `"`):
				quoted[i] = `"` + w + `"`
			case !strings.Contains(w, `'`):
				quoted[i] = `'` + w + `'`
			default: // both kinds of quote: quote the pieces
				quoted[i] = `"` + strings.ReplaceAll(w, `"`, `"'"'"`) + `"`
			}
		}
		again, err := ingest.ParseScanCommand(strings.Join(quoted, " "))
		if err != nil || !slices.Equal(again, words) {
			t.Fatalf("ParseScanCommand(%q) = %q, but its words re-quoted parse as %q, %v", s, words, again, err)
		}
	})
}
