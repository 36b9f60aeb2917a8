package main

import (
	"strings"

	"github.com/patchferry/patchferry/mirror/ledger"
)

// Messages of the ledger's results and reasons, status (see messages.go).
// The ledger stores codes (mirror/ledger/reason.go) and English detail;
// these are their words. Counters come in two forms, one and many
// (a.count).
const (
	_ msgID = iota + 4000 // the area's first ID; add messages below

	msgResultImported
	msgResultAlreadyImported
	msgResultRefused
	msgResultFailed
	msgResultTrustChanged
	msgResultStarted
	msgResultRepaired
	msgVerdictClean
	msgVerdictDetected
	msgVerdictError
	msgVerdictNotScanned

	msgReasonReading
	msgReasonReadingAgain
	msgReasonRepairing
	msgReasonAlreadyImported
	msgReasonRestored
	msgReasonNothingToRepair
	msgReasonRepaired
	msgReasonSignature
	msgReasonApprovals
	msgReasonExpired
	msgReasonNotYetValid
	msgReasonDamaged
	msgReasonForbiddenPath
	msgReasonManifest
	msgReasonLayout
	msgReasonTooLarge
	msgReasonMetadata
	msgReasonUnreadable
	msgReasonFirstNotFull
	msgReasonSite
	msgReasonRollback
	msgReasonFork
	msgReasonWrongBase
	msgReasonMissingArtifact
	msgReasonCatalogAddress
	msgReasonUnknownMethod
	msgReasonVendorEvidence
	msgReasonMalware
	msgReasonScanError
	msgReasonNotRepairable
	msgReasonNotOnMedium
	msgReasonDiskFull
	msgReasonInterrupted
	msgReasonMirrorCreated
	msgTrustPublishersAdded
	msgTrustPublishersRemoved
	msgTrustApproversAdded
	msgTrustApproversRemoved
	msgTrustApprovals
	msgTrustVendorTrust
	msgNone
	msgBuiltIn
	msgListSep

	msgColNumber
	msgColTime
	msgColOperator
	msgColLabel
	msgColBundle
	msgColSequence
	msgColBase
	msgColSigners
	msgColApprovers
	msgColFiles
	msgColBytes
	msgColScanner
	msgColScannerVersion
	msgColVerdict
	msgColResult
	msgColReason
	msgColHash
	msgColLedgerCode

	msgFile
	msgFiles
	msgRow
	msgRows
	msgDayAgo
	msgDaysAgo
	msgUnderADay
	msgImportedSequence
	msgLedgerIntact
	msgRepaired
	msgStillMissing
	msgUnprovable
	msgUnprovables
	msgLabelSite
	msgParen
	msgLabelCatalog
	msgCatalogCounts
	msgCatalogMore
	msgLabelTrusted
	msgTrustCounts
)

var ledgerMessages = map[msgID]text{ // {en, ja}
	msgResultImported:        {"imported", "取り込み済み"},
	msgResultAlreadyImported: {"already imported", "取り込み済み（再持込）"},
	msgResultRefused:         {"refused", "拒否"},
	msgResultFailed:          {"failed", "失敗"},
	msgResultTrustChanged:    {"trust changed", "信頼設定の変更"},
	msgResultStarted:         {"started", "開始"},
	msgResultRepaired:        {"repaired", "修復"},
	msgVerdictClean:          {"clean", "問題なし"},
	msgVerdictDetected:       {"detected", "検出"},
	msgVerdictError:          {"scan error", "検査エラー"},
	msgVerdictNotScanned:     {"not scanned", "未検査"},

	msgReasonReading:      {"reading and checking every file on the medium", "媒体上の全ファイルを読み込んで検査"},
	msgReasonReadingAgain: {"the same bundle again: reading and checking every file on the medium", "同じバンドルの再持込: 媒体上の全ファイルを読み込んで検査"},
	msgReasonRepairing: {"repair started: files missing %[2]s, to be restored from this medium %[1]s",
		"修復を開始: 欠けているファイル %[2]s 個のうち %[1]s 個をこの媒体から復元"},
	msgReasonAlreadyImported: {"every file on the medium checked out; nothing changed", "媒体上の全ファイルを検査し、異常なし。変更なし"},
	msgReasonRestored: {"every file on the medium checked out; missing or quarantined files restored from it: %s",
		"媒体上の全ファイルを検査し、異常なし。欠落・隔離されていたファイル %s 個をこの媒体から復元"},
	msgReasonNothingToRepair: {"nothing to repair: every file of the current catalog (sequence %s) is in place",
		"修復不要: 現在のカタログ（連番 %s）のファイルはすべてそろっています"},
	msgReasonRepaired: {"repaired from this medium: files restored %s, still missing %s; the mirror stays at sequence %s",
		"この媒体から修復: 復元 %s 個、未復元 %s 個。ミラーは連番 %s のまま"},
	msgReasonSignature:   {"the publisher's signature does not verify with a trusted key", "発行者の署名を、信頼済みの鍵で検証できません"},
	msgReasonApprovals:   {"not enough approvals (countersignatures)", "承認（副署名）が足りません"},
	msgReasonExpired:     {"the bundle has expired", "バンドルの有効期限が切れています"},
	msgReasonNotYetValid: {"the bundle is dated in the future: check the clocks", "バンドルの日付が未来です（時計を確認してください）"},
	msgReasonDamaged:     {"a file on the medium is damaged or was altered", "媒体上のファイルが壊れているか、改ざんされています"},
	msgReasonForbiddenPath: {"the bundle holds a forbidden name or file type",
		"禁止された名前または種類のファイルが含まれています"},
	msgReasonManifest: {"bundle.json is not a valid manifest", "bundle.json が正しいマニフェストではありません"},
	msgReasonLayout: {"the bundle's files on the medium are incomplete or changed (missing, added or renamed)",
		"媒体上のバンドルのファイル構成が正しくありません（不足・追加・改名）"},
	msgReasonTooLarge:     {"a file exceeds the limits of the bundle format", "ファイルがバンドル形式の上限を超えています"},
	msgReasonMetadata:     {"a metadata file is malformed", "メタデータファイルが不正です"},
	msgReasonUnreadable:   {"the bundle on the medium could not be read", "媒体上のバンドルを読み取れませんでした"},
	msgReasonFirstNotFull: {"the mirror is empty, so the first bundle must be a full bundle (export --full)", "ミラーが空のため、最初は完全バンドル（export --full）が必要です"},
	msgReasonSite:         {"the bundle is for another site", "別の拠点（site）向けのバンドルです"},
	msgReasonRollback:     {"older than the sequence the mirror serves (rollback refused)", "ミラーが提供中の連番より古いバンドルです（巻き戻しを拒否）"},
	msgReasonFork:         {"another bundle with the same sequence was imported before (fork refused)", "同じ連番の別のバンドルが取り込み済みです（分岐を拒否）"},
	msgReasonWrongBase: {"the delta does not follow the mirror's state; on the internet side run: patchferry export --since %s",
		"差分バンドルがミラーの状態に続いていません。インターネット側で patchferry export --since %s を実行してください"},
	msgReasonMissingArtifact: {"the catalog needs files that are neither in the bundle nor on the mirror (export --full)",
		"カタログが、バンドルにもミラーにもないファイルを必要としています（export --full が必要）"},
	msgReasonCatalogAddress: {"two files of the catalog would share one address", "カタログの 2 つのファイルが同じアドレスになります"},
	msgReasonUnknownMethod: {"vendor evidence of a method this mirror does not know: update patchferry on the LGWAN side",
		"このミラーが知らない方式のベンダー検証です（LGWAN 側の patchferry を更新してください）"},
	msgReasonVendorEvidence: {"a vendor signature or checksum does not match its file", "ベンダーの署名またはチェックサムがファイルと一致しません"},
	msgReasonMalware:        {"the virus scanner found malware", "ウイルス対策ソフトがマルウェアを検出しました"},
	msgReasonScanError:      {"the virus scanner failed", "ウイルス検査を実行できませんでした"},
	msgReasonNotRepairable: {"--repair cannot use this bundle (the mirror is empty, or the bundle is newer than the mirror)",
		"--repair ではこのバンドルを使えません（ミラーが空か、ミラーより新しいバンドルです）"},
	msgReasonNotOnMedium: {"--repair: the medium holds none of the missing files", "--repair: 欠けているファイルはこの媒体にありません"},
	msgReasonDiskFull: {"not enough free disk space on the mirror; nothing was changed",
		"ミラーのディスクの空き容量が足りません（何も変更していません）"},
	msgReasonInterrupted: {"the import was interrupted before the end; nothing was changed", "取り込みが途中で中断されました（何も変更していません）"},
	msgReasonMirrorCreated: {"mirror created: publisher keys %s; approver keys %s; approvals required %s; vendor trust %s",
		"ミラーを作成: 発行者の鍵 %s、承認者の鍵 %s、必要な承認数 %s、ベンダー信頼 %s"},
	msgTrustPublishersAdded:   {"publisher keys added: %s", "発行者の鍵を追加: %s"},
	msgTrustPublishersRemoved: {"publisher keys removed: %s", "発行者の鍵を削除: %s"},
	msgTrustApproversAdded:    {"approver keys added: %s", "承認者の鍵を追加: %s"},
	msgTrustApproversRemoved:  {"approver keys removed: %s", "承認者の鍵を削除: %s"},
	msgTrustApprovals:         {"approvals required: %s", "必要な承認数: %s"},
	msgTrustVendorTrust:       {"vendor trust: %s", "ベンダー信頼: %s"},
	msgNone:                   {"none", "なし"},
	msgBuiltIn:                {"built-in", "組み込み"},
	msgListSep:                {"; ", "、"},

	msgColNumber:         {"No.", "番号"},
	msgColTime:           {"Time", "日時"},
	msgColOperator:       {"Operator", "作業者"},
	msgColLabel:          {"Media label", "媒体ラベル"},
	msgColBundle:         {"Bundle", "バンドル"},
	msgColSequence:       {"Sequence", "連番"},
	msgColBase:           {"Base", "基準連番"},
	msgColSigners:        {"Signers", "署名者"},
	msgColApprovers:      {"Approvers", "承認者"},
	msgColFiles:          {"Files", "ファイル数"},
	msgColBytes:          {"Bytes", "バイト数"},
	msgColScanner:        {"Scanner", "ウイルス対策ソフト"},
	msgColScannerVersion: {"Scanner version", "バージョン"},
	msgColVerdict:        {"Scan verdict", "検査結果"},
	msgColResult:         {"Result", "結果"},
	msgColReason:         {"Reason", "理由"},
	msgColHash:           {"Row hash", "行ハッシュ"},
	msgColLedgerCode:     {"Ledger code", "台帳コード"},

	msgFile:             {"%d file", "ファイル %d 個"},
	msgFiles:            {"%d files", "ファイル %d 個"},
	msgRow:              {"%d row", "%d 行"},
	msgRows:             {"%d rows", "%d 行"},
	msgDayAgo:           {"%d day ago", "%d 日前"},
	msgDaysAgo:          {"%d days ago", "%d 日前"},
	msgUnderADay:        {"less than a day ago", "1 日以内"},
	msgImportedSequence: {"Imported sequence %d.", "連番 %d を取り込みました。"},
	msgLedgerIntact:     {"Ledger intact: %s, no row edited or removed.", "台帳は改ざんされていません（%s）。"},
	msgRepaired: {"Repaired %s (%s) from bundle sequence %d. The mirror stays at sequence %d (state code %s); nothing else changed.",
		"バンドル連番 %[3]d から%[1]s（%[2]s）を修復しました。ミラーは連番 %[4]d（状態コード %[5]s）のままで、ほかは何も変更していません。"},
	msgStillMissing: {"Still missing: %s. Bring the media of the sequences named and run `patchferry mirror import --repair` with each, or run `patchferry export --full` on the internet side and import that bundle.",
		"まだ%sが欠けています: 記載の連番の媒体を持ち込んでそれぞれ `patchferry mirror import --repair` を実行するか、インターネット側で `patchferry export --full` を実行してそのバンドルを取り込んでください。"},
	msgUnprovable: {"%d current file came in a bundle whose signed manifest this mirror did not keep (imported before patchferry kept them): terminals cannot prove it. Run `patchferry export --full` on the internet side and import that bundle.",
		"現在のファイル %d 個は、このミラーが署名付きマニフェストを保存していないバンドル（保存を始める前の版で取り込んだもの）で届きました: 端末はこのファイルを検証できません。インターネット側で `patchferry export --full` を実行し、そのバンドルを取り込んでください。"},
	msgUnprovables: {"%d current files came in bundles whose signed manifest this mirror did not keep (imported before patchferry kept them): terminals cannot prove them. Run `patchferry export --full` on the internet side and import that bundle.",
		"現在のファイル %d 個は、このミラーが署名付きマニフェストを保存していないバンドル（保存を始める前の版で取り込んだもの）で届きました: 端末はこれらを検証できません。インターネット側で `patchferry export --full` を実行し、そのバンドルを取り込んでください。"},
	msgLabelSite:     {" (site %s)", "（拠点 %s）"}, // after a value: Japanese needs no space before "（"
	msgParen:         {" (%s)", "（%s）"},
	msgLabelCatalog:  {"Catalog", "カタログ"},
	msgCatalogCounts: {"products %d; files on the mirror %d (older versions included)", "製品 %d 件（ミラー上のファイル %d 個、旧版を含む）"},
	msgCatalogMore:   {"… and %d more", "… ほか %d 件"},
	msgLabelTrusted:  {"Trust", "信頼設定"},
	msgTrustCounts:   {"publisher keys %d, approver keys %d, approvals required %d", "発行者の鍵 %d、承認者の鍵 %d、必要な承認数 %d"},
}

// count is the message for n things: one when n is 1, else many; n is
// the first argument.
func (a *app) count(n int, one, many msgID, args ...any) string {
	id := many
	if n == 1 {
		id = one
	}
	return a.msg(id, append([]any{n}, args...)...)
}

// resultText is a ledger row's result in the user's language; a result
// this release does not know is shown as stored.
func (a *app) resultText(result string) string {
	id, ok := map[string]msgID{
		ledger.ResultImported:        msgResultImported,
		ledger.ResultAlreadyImported: msgResultAlreadyImported,
		ledger.ResultRefused:         msgResultRefused,
		ledger.ResultFailed:          msgResultFailed,
		ledger.ResultTrustChanged:    msgResultTrustChanged,
		ledger.ResultStarted:         msgResultStarted,
		ledger.ResultRepaired:        msgResultRepaired,
	}[result]
	if !ok {
		return result
	}
	return a.msg(id)
}

// verdictText is a scan verdict (of a ledger row or an import) in the
// user's language; one this release does not know is shown as stored.
func (a *app) verdictText(verdict string) string {
	id, ok := map[string]msgID{
		ledger.ScanClean:      msgVerdictClean,
		ledger.ScanDetected:   msgVerdictDetected,
		ledger.ScanError:      msgVerdictError,
		ledger.ScanNotScanned: msgVerdictNotScanned,
	}[verdict]
	if !ok {
		return verdict
	}
	return a.msg(id)
}

// reasonWords is how a reason code is put in words: its message, the
// ReasonArgs the message takes (in order), and whether the row's English
// detail (Row.Reason) follows because it names what the text does not
// (files, sequences, the scanner's report).
type reasonWords struct {
	id     msgID
	args   []string
	detail bool
}

// reasonWordsOf lists the words of every reason code (ledger.ReasonCodes;
// TestLedgerWords checks that none is missing). ReasonTrustChanged is
// put in words by trustChanges.
func reasonWordsOf(code string) (reasonWords, bool) {
	w, ok := map[string]reasonWords{
		ledger.ReasonReading:         {id: msgReasonReading},
		ledger.ReasonReadingAgain:    {id: msgReasonReadingAgain},
		ledger.ReasonRepairing:       {id: msgReasonRepairing, args: []string{ledger.ArgRestoring, ledger.ArgMissing}},
		ledger.ReasonAlreadyImported: {id: msgReasonAlreadyImported},
		ledger.ReasonRestored:        {id: msgReasonRestored, args: []string{ledger.ArgRestored}},
		ledger.ReasonNothingToRepair: {id: msgReasonNothingToRepair, args: []string{ledger.ArgMirrorSequence}},
		ledger.ReasonRepaired:        {id: msgReasonRepaired, args: []string{ledger.ArgRestored, ledger.ArgMissing, ledger.ArgMirrorSequence}, detail: true},
		ledger.ReasonSignature:       {id: msgReasonSignature, detail: true},
		ledger.ReasonApprovals:       {id: msgReasonApprovals, detail: true},
		ledger.ReasonExpired:         {id: msgReasonExpired, detail: true},
		ledger.ReasonNotYetValid:     {id: msgReasonNotYetValid, detail: true},
		ledger.ReasonDamaged:         {id: msgReasonDamaged, detail: true},
		ledger.ReasonForbiddenPath:   {id: msgReasonForbiddenPath, detail: true},
		ledger.ReasonManifest:        {id: msgReasonManifest, detail: true},
		ledger.ReasonLayout:          {id: msgReasonLayout, detail: true},
		ledger.ReasonTooLarge:        {id: msgReasonTooLarge, detail: true},
		ledger.ReasonMetadata:        {id: msgReasonMetadata, detail: true},
		ledger.ReasonUnreadable:      {id: msgReasonUnreadable, detail: true},
		ledger.ReasonFirstNotFull:    {id: msgReasonFirstNotFull},
		ledger.ReasonSite:            {id: msgReasonSite, detail: true},
		ledger.ReasonRollback:        {id: msgReasonRollback, detail: true},
		ledger.ReasonFork:            {id: msgReasonFork},
		ledger.ReasonWrongBase:       {id: msgReasonWrongBase, args: []string{ledger.ArgSince}, detail: true},
		ledger.ReasonMissingArtifact: {id: msgReasonMissingArtifact, detail: true},
		ledger.ReasonCatalogAddress:  {id: msgReasonCatalogAddress, detail: true},
		ledger.ReasonUnknownMethod:   {id: msgReasonUnknownMethod, detail: true},
		ledger.ReasonVendorEvidence:  {id: msgReasonVendorEvidence, detail: true},
		ledger.ReasonMalware:         {id: msgReasonMalware, detail: true},
		ledger.ReasonScanError:       {id: msgReasonScanError, detail: true},
		ledger.ReasonNotRepairable:   {id: msgReasonNotRepairable, detail: true},
		ledger.ReasonNotOnMedium:     {id: msgReasonNotOnMedium, detail: true},
		ledger.ReasonDiskFull:        {id: msgReasonDiskFull, detail: true},
		ledger.ReasonInterrupted:     {id: msgReasonInterrupted},
		ledger.ReasonMirrorCreated: {id: msgReasonMirrorCreated,
			args: []string{ledger.ArgPublishers, ledger.ArgApprovers, ledger.ArgApprovals, ledger.ArgVendorTrust}},
	}[code]
	return w, ok
}

// reasonText is a ledger row's reason in the user's language: the text of
// its code, then " — " and the English detail where that adds something.
// A row without a code (written before codes existed, or a failure no
// code describes) or with a code this release does not know shows its
// Reason as stored.
func (a *app) reasonText(r ledger.Row) string {
	if r.ReasonCode == ledger.ReasonTrustChanged {
		return a.trustChanges(r.ReasonArgs)
	}
	w, ok := reasonWordsOf(r.ReasonCode)
	if !ok {
		return r.Reason
	}
	args := make([]any, len(w.args))
	for i, name := range w.args {
		args[i] = a.argText(name, r.ReasonArgs)
	}
	s := a.msg(w.id, args...)
	if w.detail && r.Reason != "" {
		s += " — " + r.Reason
	}
	return s
}

// argText is the value of a reason's arg for a message: "none" for an
// empty list, "built-in" for the built-in vendor trust.
func (a *app) argText(name string, args map[string]string) string {
	v := args[name]
	switch {
	case v != "":
		return v
	case name == ledger.ArgVendorTrust:
		return a.msg(msgBuiltIn)
	}
	return a.msg(msgNone)
}

// trustChanges says what a trust change changed (ledger.ReasonTrustChanged).
func (a *app) trustChanges(args map[string]string) string {
	var parts []string
	for _, c := range []struct {
		arg string
		id  msgID
	}{
		{ledger.ArgPublishersAdded, msgTrustPublishersAdded},
		{ledger.ArgPublishersRemoved, msgTrustPublishersRemoved},
		{ledger.ArgApproversAdded, msgTrustApproversAdded},
		{ledger.ArgApproversRemoved, msgTrustApproversRemoved},
		{ledger.ArgApprovals, msgTrustApprovals},
		{ledger.ArgVendorTrust, msgTrustVendorTrust},
	} {
		if _, ok := args[c.arg]; ok {
			parts = append(parts, a.msg(c.id, a.argText(c.arg, args)))
		}
	}
	return strings.Join(parts, a.msg(msgListSep))
}

// ledgerHeader is the header of the ledger CSV (ledger.Columns) in the
// user's language.
func (a *app) ledgerHeader() []string {
	ids := map[string]msgID{
		"number": msgColNumber, "time": msgColTime, "operator": msgColOperator, "label": msgColLabel,
		"bundle": msgColBundle, "sequence": msgColSequence, "base": msgColBase, "signers": msgColSigners,
		"approvers": msgColApprovers, "files": msgColFiles, "bytes": msgColBytes, "scanner": msgColScanner,
		"scanner_version": msgColScannerVersion, "scan_verdict": msgColVerdict, "result": msgColResult,
		"reason": msgColReason, "hash": msgColHash, "ledger_code": msgColLedgerCode,
	}
	var h []string
	for _, c := range ledger.Columns() {
		id, ok := ids[c]
		if !ok {
			h = append(h, c) // a column added to the ledger before its words
			continue
		}
		h = append(h, a.msg(id))
	}
	return h
}

// ledgerWords are the words of the ledger CSV in the user's language.
func (a *app) ledgerWords() ledger.Words {
	return ledger.Words{
		Header:  a.ledgerHeader(),
		Result:  func(r ledger.Row) string { return a.resultText(r.Result) },
		Verdict: func(r ledger.Row) string { return a.verdictText(r.ScanVerdict) },
		Reason:  a.reasonText,
	}
}

// daysAgo says how long ago an import was, in whole days.
func (a *app) daysAgo(days int) string {
	if days < 1 {
		return a.msg(msgUnderADay)
	}
	return a.count(days, msgDayAgo, msgDaysAgo)
}
