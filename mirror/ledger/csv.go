package ledger

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/patchferry/patchferry/media/escape"
)

var headers = map[string][]string{
	"en": {"No.", "Time", "Operator", "Media label", "Bundle", "Sequence", "Base", "Signers", "Approvers",
		"Files", "Bytes", "Scanner", "Scanner version", "Scan verdict", "Result", "Reason", "Row hash", "Ledger code"},
	"ja": {"番号", "日時", "作業者", "媒体ラベル", "バンドル", "連番", "基準連番", "署名者", "承認者",
		"ファイル数", "バイト数", "ウイルス対策ソフト", "バージョン", "検査結果", "結果", "理由", "行ハッシュ", "台帳コード"},
}

var resultJA = map[string]string{
	ResultImported: "取り込み済み", ResultAlreadyImported: "取り込み済み（重複）", ResultRefused: "拒否",
	ResultFailed: "失敗", ResultTrustChanged: "信頼設定の変更",
	ScanClean: "問題なし", ScanDetected: "検出", ScanError: "検査エラー", ScanNotScanned: "未検査",
	ResultStarted: "開始", ResultRepaired: "修復",
}

// WriteCSV writes rows as CSV for Excel: a UTF-8 byte order mark (so Excel
// reads Japanese text), one header row in lang ("ja" or "en"), CRLF line
// ends, times in loc. The last column is each row's ledger code: the code
// the ledger had right after the row was written, so the paper record of
// any import can be checked against it.
func WriteCSV(w io.Writer, rows []Row, lang string, loc *time.Location) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	h, ok := headers[lang]
	if !ok {
		h = headers["en"]
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(h); err != nil {
		return err
	}
	word := func(s string) string {
		if lang == "ja" && resultJA[s] != "" {
			return resultJA[s]
		}
		return s
	}
	for _, r := range rows {
		rec := []string{
			strconv.FormatUint(r.Number, 10), r.Time.In(loc).Format("2006-01-02 15:04:05"), r.Operator, r.Label,
			r.Bundle, strconv.FormatUint(r.Sequence, 10), strconv.FormatUint(r.Base, 10),
			strings.Join(r.Signers, " "), strings.Join(r.Approvers, " "), strconv.Itoa(r.Files),
			strconv.FormatInt(r.Bytes, 10), r.Scanner, r.ScannerVersion, word(r.ScanVerdict), word(r.Result),
			r.Reason, r.Hash, RowCode(r).String(),
		}
		for i, f := range rec {
			rec[i] = defuse(escape.Lines(f)) // rows written before Append escaped
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse keeps Excel from running a cell as a formula (CSV injection): a
// cell starting with = + - @ gets a leading apostrophe.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
