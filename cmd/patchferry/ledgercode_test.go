package main

import (
	"encoding/csv"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
)

var ledgerCodeRE = regexp.MustCompile(`Ledger code:\s+(\d+-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})`)

// ledgerMirror makes a mirror of five ledger rows — init, an import and the
// same bundle again, each import a started row and its end row — and
// returns the code of each row as the
// CSV has it (codes[n] for row n), checked against what the imports
// printed.
func ledgerMirror(t *testing.T) (string, map[int]string) {
	t.Helper()
	data := initMirror(t)
	var printed []string
	for range 2 {
		out := mustRun(t, nil, "mirror", "import", "--data", data, copyBundle(t))
		m := ledgerCodeRE.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("import printed no ledger code:\n%s", out)
		}
		printed = append(printed, m[1])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(mustRun(t, nil, "--lang", "en", "mirror", "ledger", "--data", data, "--csv"), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[0][len(rows[0])-1] != "Ledger code" {
		t.Fatalf("CSV: %q", rows)
	}
	codes := map[int]string{}
	for i, r := range rows[1:] {
		codes[i+1] = r[len(r)-1]
	}
	for i, c := range printed {
		if row := 2*i + 3; codes[row] != c { // the end row of the import
			t.Errorf("import %d printed ledger code %s; the CSV has %s for row %d", i+1, c, codes[row], row)
		}
	}
	return data, codes
}

// rewriteLedger writes the rows that edit returns as the ledger of the
// mirror in data, by the ledger's own rule (ledger.Append renumbers,
// relinks and rehashes them and moves the head): what someone with the
// database file and patchferry's code can do. No server may be running.
func rewriteLedger(t *testing.T, data string, edit func([]ledger.Row) []ledger.Row) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(data, store.DBName), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		rows, err := ledger.All(tx)
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(store.BucketLedger); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(store.BucketLedger); err != nil {
			return err
		}
		for _, r := range edit(rows) {
			if _, err := ledger.Append(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLedgerCodes: the code printed after an import is shown by status and
// the ledger, and `ledger --verify --code` proves the ledger still holds
// that row — or says that rows were removed or rewritten, which the chain
// alone cannot tell; with and without a running `mirror serve`.
func TestLedgerCodes(t *testing.T) {
	data, codes := ledgerMirror(t)
	s := mirrorStatusJSON(t, data)
	if s["ledger_code"] != codes[5] {
		t.Errorf("status --json: ledger_code %v, want %s", s["ledger_code"], codes[5])
	}
	wantContains(t, "status", oneSpace(mustRun(t, nil, "mirror", "status", "--data", data)), "Ledger code: "+codes[5]+" (5 rows)")
	wantContains(t, "ledger", mustRun(t, nil, "mirror", "ledger", "--data", data), " "+codes[2]+" ", "Ledger code: "+codes[5])
	wantContains(t, "import --json", mustRun(t, nil, "--json", "mirror", "import", "--data", data, copyBundle(t)), `"ledger_code": "7-`)
	rewriteLedger(t, data, func(rows []ledger.Row) []ledger.Row { return rows[:5] }) // back to the five rows

	for _, served := range []bool{false, true} {
		name := "local"
		if served {
			name = "served"
		}
		mirror := func(t *testing.T, edit func([]ledger.Row) []ledger.Row) string {
			t.Helper()
			d := filepath.Join(t.TempDir(), "data")
			copyTree(t, data, d)
			if edit != nil {
				rewriteLedger(t, d, edit)
			}
			if served {
				startServe(t, d)
				wantHeld(t, d)
			}
			return d
		}
		verify := func(t *testing.T, d string, args ...string) (string, string, int) {
			t.Helper()
			return runCLI(t, nil, append([]string{"mirror", "ledger", "--data", d, "--verify"}, args...)...)
		}
		t.Run(name+"/untouched", func(t *testing.T) {
			d := mirror(t, nil)
			out, stderr, code := verify(t, d, "--code", codes[2]+","+strings.ToLower(codes[5]), "--code", codes[1])
			if code != exitOK {
				t.Fatalf("exit %d\n%s%s", code, out, stderr)
			}
			wantContains(t, "stdout", out, "Ledger intact: 5 rows", "Ledger code "+codes[2]+" matches row 2", "matches row 5", "matches row 1")
		})
		t.Run(name+"/last rows removed, head moved", func(t *testing.T) {
			d := mirror(t, func(rows []ledger.Row) []ledger.Row { return rows[:3] })
			wantContains(t, "--verify alone", mustRun(t, nil, "mirror", "ledger", "--data", d, "--verify"), "Ledger intact: 3 rows")
			out, stderr, code := verify(t, d, "--code", codes[5])
			if code != exitFailed {
				t.Fatalf("exit %d, want 1\n%s%s", code, out, stderr)
			}
			wantContains(t, "stderr", stderr, "Ledger code "+codes[5]+" does NOT match: the ledger has no row 5 any more (it has 3 rows). Rows were removed",
				"compare the code with the paper ledger", "journalctl -t patchferry")
			_, stderr, _ = runCLI(t, nil, "--lang", "ja", "mirror", "ledger", "--data", d, "--verify", "--code", codes[4])
			wantContains(t, "stderr (ja)", stderr, "台帳に 4 行目がありません", "行が削除されています", "紙の台帳ともう一度照合")
			wantContains(t, "the code of row 3", mustRun(t, nil, "mirror", "ledger", "--data", d, "--verify", "--code", codes[3]), "matches row 3")
		})
		t.Run(name+"/middle row edited, later rows rehashed", func(t *testing.T) {
			d := mirror(t, func(rows []ledger.Row) []ledger.Row { rows[1].Operator = "someone else"; return rows })
			wantContains(t, "--verify alone", mustRun(t, nil, "mirror", "ledger", "--data", d, "--verify"), "Ledger intact: 5 rows")
			out, stderr, code := verify(t, d, "--code", codes[1], "--code", codes[4])
			if code != exitFailed {
				t.Fatalf("exit %d, want 1\n%s%s", code, out, stderr)
			}
			wantContains(t, "stdout", out, "matches row 1")
			wantContains(t, "stderr", stderr, "Ledger code "+codes[4]+" does NOT match row 4: that row, or a row before it, was rewritten")
			out, _, code = runCLI(t, nil, "--json", "mirror", "ledger", "--data", d, "--verify", "--code", codes[2])
			wantContains(t, "--json", out, `"ok": false`, `"status": "differs"`, `"code": "`+codes[2]+`"`)
			if code != exitFailed {
				t.Errorf("--json: exit %d", code)
			}
		})
		t.Run(name+"/garbled code", func(t *testing.T) {
			d := mirror(t, nil)
			miswritten := []byte(codes[5])
			// Another character of the alphabet in one place (the codes
			// differ from run to run: the test keys are new each time).
			if i := len(miswritten) - 3; miswritten[i] == '2' {
				miswritten[i] = '3'
			} else {
				miswritten[i] = '2'
			}
			for _, tc := range []struct{ code, want, lang string }{
				{"5-XXXX", `--code "5-XXXX" is not a ledger code`, "en"},
				{"five", "は台帳コードではありません", "ja"},
				{string(miswritten), "a character was written or read wrong", "en"},
				{string(miswritten), "書き間違いか読み間違い", "ja"},
			} {
				out, stderr, code := runCLI(t, nil, "--lang", tc.lang, "mirror", "ledger", "--data", d, "--verify", "--code", tc.code)
				if code != exitUsage || !strings.Contains(stderr, tc.want) {
					t.Errorf("--code %s: exit %d, want 2 saying %q\n%s%s", tc.code, code, tc.want, out, stderr)
				}
			}
		})
	}
}

// TestExampleLedgerCode: the example in the messages is a code.
func TestExampleLedgerCode(t *testing.T) {
	if _, err := ledger.ParseCode(exampleLedgerCode); err != nil {
		t.Error(err)
	}
}

// TestImportForwardsToSystemLog: an import copies its ledger row, with
// the code it prints, to the system log; --syslog=false does not.
func TestImportForwardsToSystemLog(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the test's syslog socket is a Unix datagram socket")
	}
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
	data := initMirror(t)
	for _, syslog := range []bool{true, false} {
		a, stdout, stderr := newTestApp(nil)
		a.systemLog = ledger.SystemLog{Socket: sock}
		if code := run(t.Context(), a, []string{"mirror", "import", "--syslog=" + fmt.Sprint(syslog), "--data", data, "--label", "USB-\x1b[2K07", copyBundle(t)}); code != exitOK {
			t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
		}
		m := ledgerCodeRE.FindStringSubmatch(stdout.String())
		if m == nil {
			t.Fatalf("no ledger code printed: %s", stdout)
		}
		// The import's rows: the started row, then the end row with the
		// code the import printed.
		conn.SetReadDeadline(time.Now().Add(map[bool]time.Duration{true: 5 * time.Second, false: 100 * time.Millisecond}[syslog]))
		var lines []string
		for len(lines) < 2 {
			buf := make([]byte, 64<<10)
			n, err := conn.Read(buf)
			if err != nil {
				break
			}
			lines = append(lines, string(buf[:n]))
		}
		switch {
		case !syslog && len(lines) > 0:
			t.Errorf("--syslog=false: %q reached the system log", lines)
		case syslog && len(lines) != 2:
			t.Errorf("the system log got %d rows, want the started row and the end row: %q", len(lines), lines)
		case syslog:
			wantContains(t, "syslog line", lines[0], "patchferry[", "ledger row=", `result="started"`)
			// The label's terminal codes were escaped when the row was
			// written (media/escape), and the line quotes it again.
			wantContains(t, "syslog line", lines[1], "patchferry[", "ledger row=", "code="+m[1], `result="imported"`, `label="USB-\\u001b[2K07"`)
		}
	}
}
