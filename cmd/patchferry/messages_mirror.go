package main

import (
	"errors"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/store"
)

// Messages of the mirror commands (see messages.go).
const (
	msgImporting msgID = iota + 1000
	msgAlreadyImported
	msgMirrorCreated
	msgNothingImported
	msgLabelChecked
	msgLabelScan
	msgLabelStateCode
	msgLabelData
	msgLabelLastImport
	msgLabelLastAttempt
	msgLabelVendorTrust
	hintInUse
	msgSending
	msgVendorTrustFormat1
	msgServing
	msgScrubbed
	msgGC
	msgScrubbing
	msgDownloading
	msgFetchLine
	msgSourceFailed
	msgNoSources
	msgNothingNew
	msgRunLog
	msgDemoUpstream
	msgDemoKeys
	msgDemoFetch
	msgDemoExport
	msgDemoInit
	msgDemoImport
	msgDemoWeek2
	msgDemoRun
	msgDemoImport2
	msgDemoStatus
	msgDemoServe
	msgDemoDone
	hintNoStore
	hintLedger
	hintFirstNotFull
	hintSite
	hintRollback
	hintFork
	hintWrongBase
	hintMissingArtifact
	hintUnknownMethod
	hintVendorEvidence
	hintMalware
	hintServerStopped
	hintNoSpace
	msgNothingToRepair
	msgLabelRestored
	msgImportUnfinished
	msgImportRunning
	hintNotRepairable
	hintNotOnMedium
	msgLabelLedgerCode
	msgWriteLedgerCode
	msgLedgerCodeBad
	msgLedgerCodeMiswritten
	msgLedgerCodeMatches
	msgLedgerCodeMissing
	msgLedgerCodeDiffers
	hintLedgerCode
	hintBothRoles
)

var mirrorMessages = map[msgID]text{ // {en, ja}
	msgImporting:        {"importing", "取り込み中"},
	msgAlreadyImported:  {"Already imported: sequence %d (state code %s); every file on the medium checked out, nothing changed.", "取り込み済みです: 連番 %d（状態コード %s）。媒体上の全ファイルを検査しました。何も変更していません。"},
	msgMirrorCreated:    {"Mirror created", "ミラーを作成しました"},
	msgNothingImported:  {"Nothing imported yet.", "まだ何も取り込まれていません。"},
	msgLabelChecked:     {"Checked/new", "検査/新規"},
	msgLabelScan:        {"Virus scan", "ウイルス検査"},
	msgLabelStateCode:   {"State code", "状態コード"},
	msgLabelData:        {"Data", "データ"},
	msgLabelLastImport:  {"Last import", "最終取り込み"},
	msgLabelLastAttempt: {"Last attempt", "直近の試行"},
	msgLabelVendorTrust: {"Vendor trust", "ベンダー信頼"},
	msgSending:          {"sending to the mirror", "ミラーへ送信中"},
	msgVendorTrustFormat1: {"note: %s is a vendor trust file of the old format 1 (no vendor scopes); it is read as format 1 meant it, and used in format 2. To convert the file: patchferry mirror trust --show-vendor-trust > vendor-trust.yaml",
		"注意: %s は旧形式 1（ベンダーごとの範囲指定なし）のベンダー信頼ファイルです。形式 1 の意味どおりに読み込み、形式 2 として使います。ファイルを変換するには: patchferry mirror trust --show-vendor-trust > vendor-trust.yaml"},
	msgServing:      {"Serving %s (data %s). Stop with Ctrl-C.", "%s で配信中です（データ %s）。Ctrl-C で停止します。"},
	msgScrubbed:     {"Scrub: files checked: %d (%s); quarantined: %d.", "検査: %d 個（%s）を再計算し、%d 個を隔離しました。"},
	msgGC:           {"GC: versions kept: %d; versions removed: %d; files removed: %d (%s freed).", "整理: %d 版を保持し、%d 版と %d 個のファイルを削除しました（%s 解放）。"},
	msgScrubbing:    {"scrubbing", "再計算中"},
	msgDownloading:  {"downloading", "ダウンロード中"},
	msgFetchLine:    {"new %d, unchanged %d, refused %d", "新規 %d、変更なし %d、拒否 %d"},
	msgSourceFailed: {"source failed", "取得に失敗"},
	msgNoSources:    {"No source is enabled in the configuration.", "設定で有効なソースがありません。"},
	msgNothingNew:   {"nothing new: no bundle written (the last bundle is sequence %d).", "新しい更新はありません（バンドルは作成していません。最新は連番 %d）。"},
	msgRunLog:       {"log: %s", "ログ: %s"},
	msgDemoUpstream: {"Fake vendor upstream at %s (Ctrl-C stops it).\nConfiguration: %s\nVendor trust:  %s\nTry the weekly cycle by hand:",
		"偽のベンダー配信元を %s で動かしています（Ctrl-C で停止）。\n設定: %s\nベンダー信頼: %s\n週次作業を手で試すには:"},
	msgDemoKeys:    {"internet side: make the publisher key", "インターネット側: 発行者の鍵を作成"},
	msgDemoFetch:   {"internet side: fetch from the vendors (fake %s, signed with test keys) and verify every signature", "インターネット側: ベンダー（テスト鍵で署名した偽の %s）から取得し、すべての署名を検証"},
	msgDemoExport:  {"internet side: write a signed full bundle onto the \"USB stick\"", "インターネット側: 署名付きフルバンドルを「USB メモリ」へ書き出し"},
	msgDemoInit:    {"LGWAN side: create the mirror, trusting the publisher key and the test vendors", "LGWAN 側: ミラーを作成（発行者の鍵とテスト用ベンダーを信頼）"},
	msgDemoImport:  {"LGWAN side: import the bundle (verified again, all or nothing)", "LGWAN 側: バンドルを取り込み（再検証、全部か無か）"},
	msgDemoWeek2:   {"a week later: the vendors publish updates", "1 週間後: ベンダーが更新を公開"},
	msgDemoRun:     {"internet side: the weekly job (fetch + delta bundle)", "インターネット側: 週次ジョブ（取得＋差分バンドル）"},
	msgDemoImport2: {"LGWAN side: import the delta bundle", "LGWAN 側: 差分バンドルを取り込み"},
	msgDemoStatus:  {"LGWAN side: mirror status", "LGWAN 側: ミラーの状態"},
	msgDemoServe:   {"LGWAN side: serve terminals (Ctrl-C stops)", "LGWAN 側: 端末へ配信（Ctrl-C で停止）"},
	msgDemoDone:    {"Demo finished in %[2]s. Everything is in %[1]s.", "デモが完了しました（%[2]s）。作業フォルダー: %[1]s"},
	hintInUse: {"Another patchferry process holds the mirror. Wait for it to finish and run the command again.",
		"別の patchferry プロセスがミラーを使用中です。終わるのを待ってから、もう一度実行してください。"},
	hintNoStore: {"Create the mirror first: patchferry mirror init --data DIR --trust publisher.pub (or give the right --data).",
		"先にミラーを作成してください: patchferry mirror init --data DIR --trust publisher.pub（または正しい --data を指定）。"},
	hintLedger: {"Someone changed the ledger file. Keep mirror.db as it is for the investigation and report it to the information security officer.",
		"台帳ファイルが変更されています。調査のため mirror.db をそのまま保全し、情報セキュリティ責任者に報告してください。"},
	hintFirstNotFull: {"This mirror is still empty, so it needs a full bundle first. On the internet side run: patchferry export --full",
		"このミラーはまだ空のため、最初は完全バンドルが必要です。インターネット側で次を実行してください: patchferry export --full"},
	hintSite: {"The bundle was written for another site. Check `site` in the fetcher's config and bring this site's bundle.",
		"別の拠点（site）向けのバンドルです。フェッチャー設定の site を確認し、この拠点用のバンドルを持ち込んでください。"},
	hintRollback: {"The medium holds an older bundle than the mirror already serves. Bring the newest bundle from the internet side.",
		"ミラーが提供中のものより古いバンドルです。インターネット側から最新のバンドルを持ち込んでください。"},
	hintFork: {"Two different bundles carry the same sequence number. Do not import until you know which one is genuine: keep both media and report it to the information security officer.",
		"同じ連番の異なるバンドルが存在します。どちらが正規か確認できるまで取り込まず、両方の媒体を保管して情報セキュリティ責任者に報告してください。"},
	hintWrongBase: {"This delta bundle does not follow the mirror's state. On the internet side run: patchferry export --since %s",
		"この差分バンドルはミラーの状態に続いていません。インターネット側で次を実行してください: patchferry export --since %s"},
	hintMissingArtifact: {"The bundle relies on files this mirror does not have. On the internet side run: patchferry export --full",
		"このバンドルは、ミラーにないファイルを前提にしています。インターネット側で次を実行してください: patchferry export --full"},
	hintUnknownMethod: {"The fetcher is newer than this mirror and used a check the mirror does not know. Update patchferry on the LGWAN side, then import again.",
		"フェッチャーの方が新しく、このミラーが知らない検証方式が使われています。LGWAN 側の patchferry を更新してから、もう一度取り込んでください。"},
	hintVendorEvidence: {"A vendor's signature or checksum does not match its file: the file was changed after the vendor published it. Do not use this medium; fetch again on the internet side and report it to the information security officer.",
		"ベンダーの署名またはチェックサムがファイルと一致しません（公開後に改変されています）。この媒体は使用せず、インターネット側で取得し直し、情報セキュリティ責任者に報告してください。"},
	hintServerStopped: {"The mirror server (patchferry mirror serve) stopped while it ran the command. Check its log (or `systemctl status patchferry-mirror`, or the Windows service) and start it again; then run `patchferry mirror status` to see whether the command took effect before you run it again.",
		"ミラーサーバー（patchferry mirror serve）がコマンドの実行中に停止しました。ログ（または `systemctl status patchferry-mirror`、Windows のサービス）を確認して起動し直し、`patchferry mirror status` でコマンドが反映されたかを確かめてから、必要ならもう一度実行してください。"},
	hintNoSpace: {"The mirror's disk is too full for this import (the sizes are above). Nothing was changed: the mirror serves what it served before. Free space — `patchferry mirror gc` removes versions no longer current — or move the data directory to a bigger disk, then import the same medium again.",
		"ミラーのディスクの空き容量が、この取り込みには足りません（必要な容量は上に表示しています）。何も変更していません。ミラーは以前と同じ内容を配信しています。空き容量を確保する（`patchferry mirror gc` で最新でない版を削除できます）か、データディレクトリを大きいディスクに移してから、同じ媒体をもう一度取り込んでください。"},
	hintMalware: {"The virus scanner found malware. Do not use this medium on the LGWAN side; report it to the information security officer.",
		"ウイルス対策ソフトがマルウェアを検出しました。この媒体を LGWAN 側で使用せず、情報セキュリティ責任者に報告してください。"},
	msgNothingToRepair: {"Nothing to repair: every file of the current catalog (sequence %d, state code %s) is in place. The files on the medium were not read.",
		"修復の必要はありません: 現在のカタログ（連番 %d、状態コード %s）のファイルはすべてそろっています。媒体上のファイルは読み込んでいません。"},
	msgLabelRestored: {"Restored", "修復"},
	msgImportUnfinished: {"An import started at %s did not finish (medium %q, bundle %q, operator %q): the process was stopped or the computer went down. The mirror kept serving what it served before; run the import again.",
		"%s に開始した取り込みが完了していません（媒体 %q、バンドル %q、作業者 %q）: プロセスが停止したか、コンピューターが停止しました。ミラーは以前の内容を提供し続けています。もう一度取り込んでください。"},
	msgImportRunning: {"An import is running now.", "取り込みを実行中です。"},
	hintNotRepairable: {"--repair only restores files of the mirror's current catalog from a bundle the mirror has already moved past. To bring a newer bundle in, import it without --repair.",
		"--repair は、ミラーが既に通過したバンドルから、現在のカタログのファイルを復元するだけです。新しいバンドルは --repair を付けずに取り込んでください。"},
	hintNotOnMedium: {"This medium does not hold the missing files. Bring the media of the sequences named (the ledger shows which medium brought each), or run `patchferry export --full` on the internet side and import that bundle.",
		"この媒体には欠けているファイルがありません。記載の連番の媒体（どの媒体で持ち込んだかは台帳で確認できます）を持ち込むか、インターネット側で `patchferry export --full` を実行してそのバンドルを取り込んでください。"},
	msgLabelLedgerCode: {"Ledger code", "台帳コード"},
	msgWriteLedgerCode: {"write it in the paper ledger, 媒体持込台帳", "紙の媒体持込台帳に記入してください"},
	msgLedgerCodeBad: {"--code %q is not a ledger code. A ledger code is the row number, a dash and 16 characters, e.g. " + exampleLedgerCode + ". Copy it again from the paper ledger (媒体持込台帳).",
		"--code %q は台帳コードではありません。台帳コードは行番号、「-」、16 文字です（例: " + exampleLedgerCode + "）。紙の媒体持込台帳から写し直してください。"},
	msgLedgerCodeMiswritten: {"--code %q: a character was written or read wrong (the code's last character does not check out). Compare it character by character with the paper ledger and type it again.",
		"--code %q: 文字の書き間違いか読み間違いがあります（最後の検査文字が合いません）。紙の台帳と 1 文字ずつ照合して入力し直してください。"},
	msgLedgerCodeMatches: {"Ledger code %s matches row %d: rows 1 to %[2]d are exactly as they were when the code was written down.",
		"台帳コード %s は %d 行目と一致します。1～%[2]d 行目は、コードを記録した時点のままです。"},
	msgLedgerCodeMissing: {"Ledger code %s does NOT match: the ledger has no row %d any more (it has %d rows). Rows were removed after the code was written down.",
		"台帳コード %s が一致しません: 台帳に %d 行目がありません（現在 %d 行）。コードを記録した後で行が削除されています。"},
	msgLedgerCodeDiffers: {"Ledger code %s does NOT match row %d: that row, or a row before it, was rewritten after the code was written down.",
		"台帳コード %s が %d 行目と一致しません: コードを記録した後で、この行またはそれ以前の行が書き換えられています。"},
	hintLedgerCode: {"First compare the code with the paper ledger once more (a code copied wrong does not match either). If it was copied right, the mirror's ledger was changed: keep mirror.db as it is, compare the rows with their copy in the system log (journalctl -t patchferry; on Windows the Application log in Event Viewer, source patchferry), and report it to the information security officer.",
		"まず、コードを紙の台帳ともう一度照合してください（写し間違えたコードも一致しません）。正しく写されている場合は、ミラーの台帳が変更されています。mirror.db をそのまま保全し、システムログの写し（journalctl -t patchferry、Windows ではイベント ビューアーの Application ログ、ソース patchferry）と各行を照合して、情報セキュリティ責任者に報告してください。"},
	hintBothRoles: {"One key may be a publisher or an approver, never both: otherwise the publisher alone could approve its own bundles. Each approver makes a key of their own (patchferry keys generate) and gives only the .pub; list the publisher's key only as publisher (drop it from --approver, or on a mirror: patchferry mirror trust --remove-approver KEYID).",
		"1 つの鍵は発行者か承認者のどちらか一方にしか使えません（同じ鍵では発行者が自分のバンドルを承認できてしまいます）。承認者はそれぞれ自分の鍵を作成し（patchferry keys generate）、.pub だけを渡してください。発行者の鍵は発行者としてだけ指定してください（--approver から外すか、ミラーでは patchferry mirror trust --remove-approver 鍵ID）。"},
}

// exampleLedgerCode is a well-formed ledger code for messages.
const exampleLedgerCode = "12-7K3M-Q9TX-AB12-CD39"

// refusalHint is what to do about a refused import; false when the
// refusal's own error has a hint (a signature, a digest, a path, …).
func refusalHint(r ingest.Reason) (msgID, bool) {
	id, ok := map[ingest.Reason]msgID{
		ingest.ReasonFirstNotFull:    hintFirstNotFull,
		ingest.ReasonSite:            hintSite,
		ingest.ReasonRollback:        hintRollback,
		ingest.ReasonFork:            hintFork,
		ingest.ReasonWrongBase:       hintWrongBase,
		ingest.ReasonMissingArtifact: hintMissingArtifact,
		ingest.ReasonUnknownMethod:   hintUnknownMethod,
		ingest.ReasonVendorEvidence:  hintVendorEvidence,
		ingest.ReasonMalware:         hintMalware,
		ingest.ReasonNotRepairable:   hintNotRepairable,
		ingest.ReasonNotOnMedium:     hintNotOnMedium,
	}[r]
	return id, ok
}

// mirrorHint says what to do about a mirror error, or "".
func (a *app) mirrorHint(err error) string {
	var re *ingest.RefusedError
	if errors.As(err, &re) {
		if id, ok := refusalHint(re.Reason); ok {
			if re.Reason == ingest.ReasonWrongBase {
				return a.msg(id, re.Since)
			}
			return a.msg(id)
		}
	}
	switch {
	case errors.Is(err, store.ErrInUse):
		return a.msg(hintInUse)
	case errors.Is(err, store.ErrNoStore):
		return a.msg(hintNoStore)
	case errors.Is(err, errLedgerBroken):
		return a.msg(hintLedger)
	case errors.Is(err, errLedgerCode):
		return a.msg(hintLedgerCode)
	case errors.Is(err, admin.ErrServerStopped):
		return a.msg(hintServerStopped)
	case errors.Is(err, store.ErrNoSpace):
		return a.msg(hintNoSpace)
	case errors.Is(err, media.ErrBothRoles):
		return a.msg(hintBothRoles)
	}
	return ""
}
