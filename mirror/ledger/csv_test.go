package ledger

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWriteCSV(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	in := []Row{
		{Number: 1, Time: time.Date(2026, 11, 25, 0, 30, 0, 0, time.UTC), Operator: "=HYPERLINK(\"http://x\")", Label: "+USB-07",
			Bundle: "patchferry-city-1", Sequence: 1, Signers: []string{"aaaa", "bbbb"}, Files: 2, Bytes: 1234,
			Scanner: "clamscan --no-summary", ScannerVersion: "ClamAV 1.4.6", ScanVerdict: ScanClean,
			Result: ResultImported, Reason: "", Hash: "h1"},
		{Number: 2, Time: time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC), Operator: "@SUM(A1)", Label: "-1+1",
			Bundle: "patchferry-city-2", Sequence: 2, Base: 1, ScanVerdict: ScanDetected, Result: ResultRefused,
			Reason: "found malware, in \"x.exe\"\nsecond line", Hash: "h2"},
		{Number: 3, Time: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Operator: "\tTAB", Label: "山田",
			ScanVerdict: ScanNotScanned, Result: ResultFailed, Reason: "disk full"},
	}
	// Words as a command gives them: its own header, and texts made from
	// the row's codes.
	upper := Words{
		Header:  []string{"N", "T", "O", "L", "B", "S", "BA", "SI", "AP", "F", "BY", "SC", "SV", "V", "R", "RE", "H", "LC"},
		Result:  func(r Row) string { return strings.ToUpper(r.Result) },
		Verdict: func(r Row) string { return "verdict " + r.ScanVerdict },
		Reason:  func(r Row) string { return r.ReasonCode + ": " + r.Reason },
	}
	in[1].ReasonCode = ReasonMalware
	cases := []struct {
		name       string
		words      Words
		header0    string
		lastHeader string
		imported   string
		refused    string
		clean      string
		reason     string
	}{
		{name: "stored", header0: "number", lastHeader: "ledger_code", imported: "imported", refused: "refused", clean: "clean",
			reason: "found malware, in \"x.exe\"\nsecond line"},
		{name: "words", words: upper, header0: "N", lastHeader: "LC", imported: "IMPORTED", refused: "REFUSED", clean: "verdict clean",
			reason: "malware: found malware, in \"x.exe\"\nsecond line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, in, jst, tc.words); err != nil {
				t.Fatal(err)
			}
			out := buf.Bytes()
			if !bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
				t.Fatalf("output starts with % x, want the UTF-8 BOM", out[:min(3, len(out))])
			}
			if bytes.Contains(out[3:], []byte("\xEF\xBB\xBF")) {
				t.Error("a second BOM")
			}
			if n, crlf := bytes.Count(out, []byte("\n")), bytes.Count(out, []byte("\r\n")); n != crlf || !bytes.HasSuffix(out, []byte("\r\n")) {
				t.Errorf("%d LF but %d CRLF; want CRLF line ends only (Excel)", n, crlf)
			}
			records, err := csv.NewReader(bytes.NewReader(out[3:])).ReadAll()
			if err != nil {
				t.Fatalf("the output is not CSV: %v", err)
			}
			if len(records) != 1+len(in) {
				t.Fatalf("%d records, want one header and %d rows", len(records), len(in))
			}
			h := records[0]
			if h[0] != tc.header0 || h[len(h)-1] != tc.lastHeader {
				t.Errorf("header %q, want it to run from %q to %q", h, tc.header0, tc.lastHeader)
			}
			for i, r := range records[1:] {
				if len(r) != len(h) {
					t.Errorf("row %d has %d cells, the header %d", i+1, len(r), len(h))
				}
				if slices.Equal(r, h) {
					t.Errorf("row %d repeats the header", i+1)
				}
			}
			cell := func(row int, name string) string {
				return records[row][slices.Index(Columns(), name)]
			}
			for _, c := range []struct {
				row       int
				col, want string
			}{
				{1, "operator", "'=HYPERLINK(\"http://x\")"}, // a formula is defused
				{1, "label", "'+USB-07"},
				{2, "operator", "'@SUM(A1)"},
				{2, "label", "'-1+1"},
				{3, "operator", "'\tTAB"},
				{3, "label", "山田"},
				{1, "time", "2026-11-25 09:30:00"}, // in the given zone
				{2, "time", "2026-11-27 00:00:00"},
				{1, "signers", "aaaa bbbb"},
				{2, "reason", tc.reason},
				{1, "result", tc.imported},
				{2, "result", tc.refused},
				{1, "scan_verdict", tc.clean},
				{2, "base", "1"},
				{1, "hash", "h1"},
				{1, "ledger_code", CodeOf(1, "h1").String()}, // the code right after the row
				{2, "ledger_code", CodeOf(2, "h2").String()},
			} {
				if got := cell(c.row, c.col); got != c.want {
					t.Errorf("row %d %s = %q, want %q", c.row, c.col, got, c.want)
				}
			}
		})
	}
}

func TestWriteCSVNoRows(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, nil, time.UTC, Words{}); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF" + strings.Join(Columns(), ",") + "\r\n"
	if buf.String() != want {
		t.Errorf("WriteCSV of no rows = %q, want %q", buf.String(), want)
	}
}

// TestWriteCSVHeaderLength: a header that does not name every column is
// refused before anything is written.
func TestWriteCSVHeaderLength(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, nil, time.UTC, Words{Header: []string{"番号"}}); err == nil || buf.Len() != 0 {
		t.Errorf("WriteCSV with a header of 1 name: %v, %d bytes written; want an error and nothing", err, buf.Len())
	}
}

func TestDefuse(t *testing.T) {
	for in, want := range map[string]string{
		"":       "",
		"=1+1":   "'=1+1",
		"+1":     "'+1",
		"-1":     "'-1",
		"@x":     "'@x",
		"\tx":    "'\tx",
		"\rx":    "'\rx",
		"a=1":    "a=1",
		"'=1":    "'=1",
		"取り込み済み": "取り込み済み",
	} {
		if got := defuse(in); got != want {
			t.Errorf("defuse(%q) = %q, want %q", in, got, want)
		}
	}
}
