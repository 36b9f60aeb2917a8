package main

import (
	"errors"

	"github.com/patchferry/patchferry/mirror/store"
)

// Messages of the mirror commands (see messages.go).
const (
	msgImporting msgID = iota + 1000
	msgImported
	msgAlreadyImported
	msgMirrorCreated
	msgLedgerIntact
	msgNothingImported
	msgDaysAgo
	msgLabelChecked
	msgLabelScan
	msgLabelStateCode
	msgLabelData
	msgLabelLastImport
	msgLabelProducts
	msgLabelTrust
	msgLabelLastAttempt
	msgLabelVendorTrust
	hintInUse
	msgSending
	msgServing
	msgScrubbed
	msgGC
	msgScrubbing
	msgDownloading
	msgFetchLine
	msgSourceFailed
	msgNoSources
	hintNoStore
	hintLedger
)

var mirrorCatalog = map[msgID][2]string{ // {en, ja}
	msgImporting:        {"importing", "取り込み中"},
	msgImported:         {"Imported sequence %d. State code: %s", "連番 %d を取り込みました。状態コード: %s"},
	msgAlreadyImported:  {"Already imported: sequence %d (state code %s); nothing changed.", "取り込み済みです: 連番 %d（状態コード %s）。何も変更していません。"},
	msgMirrorCreated:    {"Mirror created", "ミラーを作成しました"},
	msgLedgerIntact:     {"Ledger intact: %d rows, no row edited or removed.", "台帳は改ざんされていません（%d 行）。"},
	msgNothingImported:  {"Nothing imported yet.", "まだ何も取り込まれていません。"},
	msgDaysAgo:          {"%d days ago", "%d 日前"},
	msgLabelChecked:     {"Checked/new", "検査/新規"},
	msgLabelScan:        {"Virus scan", "ウイルス検査"},
	msgLabelStateCode:   {"State code", "状態コード"},
	msgLabelData:        {"Data", "データ"},
	msgLabelLastImport:  {"Last import", "最終取り込み"},
	msgLabelProducts:    {"Products", "製品数"},
	msgLabelTrust:       {"Keys", "鍵"},
	msgLabelLastAttempt: {"Last attempt", "直近の試行"},
	msgLabelVendorTrust: {"Vendor trust", "ベンダー信頼"},
	msgSending:          {"sending to the mirror", "ミラーへ送信中"},
	msgServing:          {"Serving %s (data %s). Stop with Ctrl-C.", "%s で配信中です（データ %s）。Ctrl-C で停止します。"},
	msgScrubbed:         {"Scrub: %d blobs (%s) checked, %d quarantined.", "検査: %d 個（%s）を再計算し、%d 個を隔離しました。"},
	msgGC:               {"GC: kept %d versions, removed %d versions and %d blobs (%s freed).", "整理: %d 版を保持し、%d 版と %d 個のファイルを削除しました（%s 解放）。"},
	msgScrubbing:        {"scrubbing", "再計算中"},
	msgDownloading:      {"downloading", "ダウンロード中"},
	msgFetchLine:        {"new %d, unchanged %d, refused %d", "新規 %d、変更なし %d、拒否 %d"},
	msgSourceFailed:     {"source failed", "取得に失敗"},
	msgNoSources:        {"No source is enabled in the configuration.", "設定で有効なソースがありません。"},
	hintInUse: {"Another patchferry process holds the mirror. Wait for it to finish and run the command again.",
		"別の patchferry プロセスがミラーを使用中です。終わるのを待ってから、もう一度実行してください。"},
	hintNoStore: {"Create the mirror first: patchferry mirror init --data DIR --trust publisher.pub (or give the right --data).",
		"先にミラーを作成してください: patchferry mirror init --data DIR --trust publisher.pub（または正しい --data を指定）。"},
	hintLedger: {"Someone changed the ledger file. Keep mirror.db as it is for the investigation and report it to the information security officer.",
		"台帳ファイルが変更されています。調査のため mirror.db をそのまま保全し、情報セキュリティ責任者に報告してください。"},
}

// mirrorHint says what to do about a mirror error, or "".
func (a *app) mirrorHint(err error) string {
	switch {
	case errors.Is(err, store.ErrInUse):
		return a.msg(hintInUse)
	case errors.Is(err, store.ErrNoStore):
		return a.msg(hintNoStore)
	case errors.Is(err, errLedgerBroken):
		return a.msg(hintLedger)
	}
	return ""
}
