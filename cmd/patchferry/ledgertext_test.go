package main

import (
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
)

// oneSpace collapses every run of spaces, so a test does not depend on
// how labels are padded.
func oneSpace(s string) string {
	return regexp.MustCompile(` +`).ReplaceAllString(s, " ")
}

// TestLedgerWords: every reason code, result and scan verdict the ledger
// stores has words in both languages, and a reason's message takes as
// many values as its words name.
func TestLedgerWords(t *testing.T) {
	en, _, _ := newTestApp(nil)
	en.lang = "en"
	ja, _, _ := newTestApp(nil)
	ja.lang = "ja"
	text := func(id msgID) text {
		for _, c := range catalogs() {
			if m, ok := c[id]; ok {
				return m
			}
		}
		t.Fatalf("message %d has no text", id)
		return text{}
	}
	for _, code := range ledger.ReasonCodes() {
		if code == ledger.ReasonTrustChanged {
			continue // trustChanges; TestLedgerInUserLanguage
		}
		w, ok := reasonWordsOf(code)
		if !ok {
			t.Errorf("reason code %q has no words", code)
			continue
		}
		if n := len(strings.Fields(verbs(text(w.id).en))); n != len(w.args) {
			t.Errorf("reason code %q: its message takes %d values, its words name %d args", code, n, len(w.args))
		}
		r := ledger.Row{ReasonCode: code, Reason: "DETAIL"}
		if got := ja.reasonText(r); got == en.reasonText(r) || strings.Contains(got, "DETAIL") != w.detail {
			t.Errorf("reason code %q: ja %q, en %q (detail shown: want %v)", code, got, en.reasonText(r), w.detail)
		}
	}
	for _, r := range ledger.Results() {
		if ja.resultText(r) == r || en.resultText(r) != r {
			t.Errorf("result %q: ja %q, en %q", r, ja.resultText(r), en.resultText(r))
		}
	}
	for _, v := range ledger.Verdicts() {
		if ja.verdictText(v) == v || en.verdictText(v) == "" {
			t.Errorf("verdict %q: ja %q, en %q", v, ja.verdictText(v), en.verdictText(v))
		}
	}
	// What this release does not know is shown as stored.
	r := ledger.Row{Result: "quarantined", ScanVerdict: "suspicious", ReasonCode: "from-the-future", Reason: "as stored"}
	if ja.resultText(r.Result) != "quarantined" || ja.verdictText(r.ScanVerdict) != "suspicious" || ja.reasonText(r) != "as stored" {
		t.Errorf("unknown codes: %q %q %q", ja.resultText(r.Result), ja.verdictText(r.ScanVerdict), ja.reasonText(r))
	}
	if h := ja.ledgerHeader(); len(h) != len(ledger.Columns()) || slices.Contains(h, "") {
		t.Errorf("ja header %q for columns %q", h, ledger.Columns())
	}
}

// loadLedgerFixture replaces the ledger of the mirror in data with the
// committed fixture of mirror/ledger: v1 rows, continued by v2 rows,
// none with a reason code — a ledger written by older releases.
func loadLedgerFixture(t *testing.T, data string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "mirror", "ledger", "testdata", "ledger-v1-v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Entries []struct{ Key, Value string } `json:"entries"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(data, store.DBName), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(store.BucketLedger); err != nil {
			return err
		}
		b, err := tx.CreateBucket(store.BucketLedger)
		if err != nil {
			return err
		}
		for _, e := range f.Entries {
			k, err := hex.DecodeString(e.Key)
			if err != nil {
				return err
			}
			if err := b.Put(k, []byte(e.Value)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(f.Entries) - 1 // and the head
}

// ledgerCSV runs `mirror ledger --csv` in lang and returns its records.
func ledgerCSV(t *testing.T, lang, data string) [][]string {
	t.Helper()
	out := mustRun(t, nil, "--lang", lang, "mirror", "ledger", "--data", data, "--csv")
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Fatalf("CSV (%s) has no UTF-8 BOM", lang)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("CSV (%s): %v", lang, err)
	}
	return records
}

// TestLedgerInUserLanguage: the ledger's result, scan verdict and reason
// columns and the headers follow --lang in the CSV and on screen, JSON
// keeps the stored codes, rows written by older releases (the committed
// fixture, without reason codes) still verify and are shown as stored, and
// the chain verifies before and after rows with codes are added.
func TestLedgerInUserLanguage(t *testing.T) {
	f := shared(t)
	data := initMirror(t)
	old := loadLedgerFixture(t, data)
	wantContains(t, "verify of the old ledger", mustRun(t, nil, "mirror", "ledger", "--data", data, "--verify"), "Ledger intact: 14 rows")
	if old != 14 {
		t.Fatalf("the fixture has %d rows", old)
	}

	mustRun(t, nil, "mirror", "import", "--data", data, "--label", "USB-07", copyBundle(t)) // rows 15, 16
	media2 := t.TempDir()
	mustRun(t, pwEnv, "bundle", "create", "--key", f.publisher.priv, "--out", media2, "--sequence", "2",
		"--product", "justsystems/ichitaro", "--version", "2026.2", "--created", baseCreated, f.payloads[0])
	bad := filepath.Join(media2, "patchferry-default-2")
	payloads, _ := filepath.Glob(filepath.Join(bad, "files", "sha256", "*", "*"))
	flipByte(t, payloads[0], 100)
	if _, _, code := runCLI(t, nil, "mirror", "import", "--data", data, "--label", "USB-08", bad); code != exitFailed { // rows 17, 18
		t.Fatalf("damaged import: exit %d", code)
	}
	mustRun(t, nil, "mirror", "trust", "--data", data, "--add-approver", f.approver1.pub) // row 19

	wantContains(t, "verify (en)", mustRun(t, nil, "mirror", "ledger", "--data", data, "--verify"), "Ledger intact: 19 rows")
	wantContains(t, "verify (ja)", mustRun(t, nil, "--lang", "ja", "mirror", "ledger", "--data", data, "--verify"), "台帳は改ざんされていません（19 行）")

	type want struct{ result, verdict, reason string }
	damaged := filepath.ToSlash(strings.TrimPrefix(payloads[0], bad+string(filepath.Separator)))
	cases := []struct {
		lang   string
		header []string
		rows   map[int]want // by row number; reason: the cell starts with it
	}{
		{lang: "en", header: []string{"No.", "Time", "Operator", "Media label", "Bundle", "Sequence", "Base", "Signers", "Approvers",
			"Files", "Bytes", "Scanner", "Scanner version", "Scan verdict", "Result", "Reason", "Row hash", "Ledger code"},
			rows: map[int]want{
				3:  {"refused", "not scanned", `署名を確認できません: "bundle.json.sig"`}, // old rows: as stored
				4:  {"already imported", "not scanned", "the same bundle is already imported; nothing changed"},
				15: {"started", "not scanned", "reading and checking every file on the medium"},
				16: {"imported", "not scanned", ""},
				18: {"refused", "not scanned", "a file on the medium is damaged or was altered — " + damaged + ": SHA-256 is "},
				19: {"trust changed", "", "approver keys added: " + f.approver1.id},
			}},
		{lang: "ja", header: []string{"番号", "日時", "作業者", "媒体ラベル", "バンドル", "連番", "基準連番", "署名者", "承認者",
			"ファイル数", "バイト数", "ウイルス対策ソフト", "バージョン", "検査結果", "結果", "理由", "行ハッシュ", "台帳コード"},
			rows: map[int]want{
				3:  {"拒否", "未検査", `署名を確認できません: "bundle.json.sig"`},
				4:  {"取り込み済み（再持込）", "未検査", "the same bundle is already imported; nothing changed"},
				15: {"開始", "未検査", "媒体上の全ファイルを読み込んで検査"},
				16: {"取り込み済み", "未検査", ""},
				18: {"拒否", "未検査", "媒体上のファイルが壊れているか、改ざんされています — " + damaged + ": SHA-256 is "},
				19: {"信頼設定の変更", "", "承認者の鍵を追加: " + f.approver1.id},
			}},
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			records := ledgerCSV(t, tc.lang, data)
			if len(records) != 20 || !slices.Equal(records[0], tc.header) {
				t.Fatalf("CSV: %d records, header %q; want 19 rows under %q", len(records), records[0], tc.header)
			}
			col := func(name string) int { return slices.Index(ledger.Columns(), name) }
			for n, w := range tc.rows {
				r := records[n]
				if r[col("result")] != w.result || r[col("scan_verdict")] != w.verdict || !strings.HasPrefix(r[col("reason")], w.reason) ||
					(w.reason == "" && r[col("reason")] != "") {
					t.Errorf("CSV row %d: result %q, verdict %q, reason %q; want %q, %q, %q…", n, r[col("result")], r[col("scan_verdict")], r[col("reason")], w.result, w.verdict, w.reason)
				}
			}

			table := mustRun(t, nil, "--lang", tc.lang, "mirror", "ledger", "--data", data)
			lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
			if len(lines) != 21 { // header, 19 rows, ledger code
				t.Fatalf("table: %d lines, want 21:\n%s", len(lines), table)
			}
			wantContains(t, "table header", oneSpace(lines[0]), strings.Join([]string{tc.header[0], tc.header[1], tc.header[17], tc.header[2],
				tc.header[3], tc.header[4], tc.header[14], tc.header[13], tc.header[15]}, " "))
			for n, w := range tc.rows {
				line := oneSpace(lines[n])
				wantContains(t, "table row", line, " "+w.result+" ", w.verdict, w.reason)
				if !strings.HasPrefix(strings.TrimSpace(line), fmt.Sprintf("%d ", n)) {
					t.Errorf("table line %d is not row %d: %s", n, n, line)
				}
			}
		})
	}

	// JSON keeps the stored codes for scripts, with the texts beside them.
	var rows []struct {
		ledger.Row
		Text struct{ Lang, Result, Reason string } `json:"text"`
	}
	decodeJSON(t, mustRun(t, nil, "--lang", "ja", "--json", "mirror", "ledger", "--data", data), &rows)
	if len(rows) != 19 {
		t.Fatalf("JSON: %d rows", len(rows))
	}
	if r := rows[17]; r.Result != ledger.ResultRefused || r.ReasonCode != ledger.ReasonDamaged || !strings.Contains(r.Reason, "SHA-256 is") ||
		r.ScanVerdict != ledger.ScanNotScanned || r.Text.Lang != "ja" || r.Text.Result != "拒否" || !strings.HasPrefix(r.Text.Reason, "媒体上のファイルが壊れて") {
		t.Errorf("JSON row 18: %+v", r)
	}
	if r := rows[2]; r.ReasonCode != "" || r.Text.Reason != r.Reason {
		t.Errorf("JSON row 3 (old): %+v", r)
	}
}

// TestStatusAndImportInUserLanguage: status labels every number (no bare
// "1 / 0 (0)"), import prints the state code once, and counts read
// naturally — in English and Japanese.
func TestStatusAndImportInUserLanguage(t *testing.T) {
	f := shared(t)
	media2 := t.TempDir() // a full bundle of one file
	mustRun(t, pwEnv, "bundle", "create", "--key", f.publisher.priv, "--out", media2, "--sequence", "2",
		"--product", "justsystems/ichitaro", "--version", "2026.2", "--created", baseCreated, f.payloads[0])
	one := filepath.Join(media2, "patchferry-default-2")
	bare := regexp.MustCompile(`\d+ / \d+|Keys:|Products:`)
	cases := []struct {
		lang                              string
		fresh, imported, one, again, done []string
	}{
		{lang: "en",
			fresh:    []string{"Nothing imported yet.", "Trust: publisher keys 1, approver keys 0, approvals required 0", "(1 row)"},
			imported: []string{"Imported sequence 1.\n", "Bundle: patchferry-default-1 (2 files)", "Virus scan: not scanned", "Ledger code: 3-"},
			one:      []string{"Imported sequence 2.\n", "Bundle: patchferry-default-2 (1 file)"},
			again:    []string{"Already imported: sequence 2 (state code "},
			done: []string{"Sequence: 2 (site default)\n", "State code: 2-", "Last import: 2026-", "(less than a day ago)",
				"Catalog: products 1; files on the mirror 3 (older versions included)", "justsystems/ichitaro 2026.2 (1 file)\n", "Trust: publisher keys 1, approver keys 0, approvals required 0", "(7 rows)",
				"Last attempt: 2026-", " patchferry-default-2 already imported: every file on the medium checked out; nothing changed"}},
		{lang: "ja",
			fresh:    []string{"まだ何も取り込まれていません。", "信頼設定: 発行者の鍵 1、承認者の鍵 0、必要な承認数 0", "（1 行）"},
			imported: []string{"連番 1 を取り込みました。\n", "バンドル: patchferry-default-1（ファイル 2 個）", "ウイルス検査: 未検査", "台帳コード: 3-"},
			one:      []string{"連番 2 を取り込みました。\n", "バンドル: patchferry-default-2（ファイル 1 個）"},
			again:    []string{"取り込み済みです: 連番 2（状態コード "},
			done: []string{"連番: 2（拠点 default）\n", "状態コード: 2-", "最終取り込み: 2026-", "（1 日以内）",
				"カタログ: 製品 1 件（ミラー上のファイル 3 個、旧版を含む）", "justsystems/ichitaro 2026.2（ファイル 1 個）\n", "信頼設定: 発行者の鍵 1、承認者の鍵 0、必要な承認数 0", "（7 行）",
				"直近の試行: 2026-", " patchferry-default-2 取り込み済み（再持込）: 媒体上の全ファイルを検査し、異常なし。変更なし"}},
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			data := initMirror(t)
			run := func(args ...string) string {
				return oneSpace(mustRun(t, nil, append([]string{"--lang", tc.lang}, args...)...))
			}
			status := run("mirror", "status", "--data", data)
			wantContains(t, "status of a new mirror", status, tc.fresh...)
			for _, step := range []struct {
				what, path string
				want       []string
			}{
				{"import", copyBundle(t), tc.imported},
				{"import of one file", one, tc.one},
				{"import of the same bundle again", one, tc.again},
			} {
				out := run("mirror", "import", "--data", data, step.path)
				wantContains(t, step.what, out, step.want...)
				code, _ := mirrorStatusJSON(t, data)["state_code"].(string)
				if n := strings.Count(out, code); code == "" || n != 1 {
					t.Errorf("%s: the state code %q appears %d times, want once:\n%s", step.what, code, n, out)
				}
			}
			status = run("mirror", "status", "--data", data)
			wantContains(t, "status", status, tc.done...)
			if code, _ := mirrorStatusJSON(t, data)["state_code"].(string); strings.Count(status, code) != 1 {
				t.Errorf("status shows the state code %q %d times, want once:\n%s", code, strings.Count(status, code), status)
			}
			if m := bare.FindString(status); m != "" {
				t.Errorf("status has an unlabelled number or an old label %q:\n%s", m, status)
			}
		})
	}
}

// TestCounts: counts take the singular for one and the plural otherwise in
// English; Japanese counts with 個 and 行 and has no plural.
func TestCounts(t *testing.T) {
	for _, tc := range []struct {
		lang                  string
		days                  [4]string // 0, 1, 2, 30 days ago
		files0, file1, files2 string
		row1, rows3           string
	}{
		{"en", [4]string{"less than a day ago", "1 day ago", "2 days ago", "30 days ago"}, "0 files", "1 file", "2 files", "1 row", "3 rows"},
		{"ja", [4]string{"1 日以内", "1 日前", "2 日前", "30 日前"}, "ファイル 0 個", "ファイル 1 個", "ファイル 2 個", "1 行", "3 行"},
	} {
		a, _, _ := newTestApp(nil)
		a.lang = tc.lang
		for i, d := range []int{0, 1, 2, 30} {
			if got := a.daysAgo(d); got != tc.days[i] {
				t.Errorf("%s: daysAgo(%d) = %q, want %q", tc.lang, d, got, tc.days[i])
			}
		}
		for _, c := range [][2]string{
			{a.count(0, msgFile, msgFiles), tc.files0}, {a.count(1, msgFile, msgFiles), tc.file1}, {a.count(2, msgFile, msgFiles), tc.files2},
			{a.count(1, msgRow, msgRows), tc.row1}, {a.count(3, msgRow, msgRows), tc.rows3},
		} {
			if c[0] != c[1] {
				t.Errorf("%s: %q, want %q", tc.lang, c[0], c[1])
			}
		}
	}
}
