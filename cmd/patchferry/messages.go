package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// msgID names a message that staff read; every one exists in English and
// Japanese.
type msgID int

const (
	msgError msgID = iota
	msgSeeHelp
	msgVerified
	msgWritten
	msgApproved
	msgKeyWritten
	msgHashing
	msgCopying
	msgPasswordPrompt
	msgPasswordAgain
	msgLabelBundle
	msgLabelSequence
	msgLabelCreated
	msgLabelExpires
	msgLabelPublisher
	msgLabelApprovers
	msgLabelFiles
	msgLabelSignatures
	msgLabelVolumes
	msgNever
	msgFull
	msgDelta
	hintPassword
	hintMismatch
	hintSignature
	hintThreshold
	hintExpired
	hintFuture
	hintLayout
	hintPath
	hintManifest
	hintLimit
	hintXZ
)

// text is one message in every language patchferry speaks. Adding a
// language is a field here, its case in in and in resolveLang, and its
// translation in every catalog: TestMessagesComplete names each one
// missing. Adding a message is a msgID in its area's const block and one
// entry in that area's catalog.
type text struct{ en, ja string }

// in returns the message in lang ("ja" or "en").
func (t text) in(lang string) string {
	if lang == "ja" {
		return t.ja
	}
	return t.en
}

// catalogs lists the message catalogs, one per area, each with its own
// range of msgIDs (a const block starting at iota + N·1000): general
// messages here (0), mirror commands in messages_mirror.go (1000), the
// weekly job in messages_weekly.go (2000), errors users cause and their
// fixes in messages_errors.go (3000), ledger and status in
// messages_ledger.go (4000), --help in messages_help.go (5000), usage
// errors of the commands' own checks in messages_usage.go (6000).
func catalogs() []map[msgID]text {
	return []map[msgID]text{generalMessages, mirrorMessages, weeklyMessages, errorMessages, ledgerMessages, helpMessages, usageMessages}
}

var generalMessages = map[msgID]text{ // {en, ja}
	msgError:           {"error", "エラー"},
	msgSeeHelp:         {"Run with --help to see the usage.", "使い方は --help で表示されます。"},
	msgVerified:        {"OK: bundle verified; nothing was imported.", "OK: バンドルを検証しました（取り込みはしていません）。"},
	msgWritten:         {"Bundle written", "バンドルを書き出しました"},
	msgApproved:        {"Approval written", "承認（副署名）を書き込みました"},
	msgKeyWritten:      {"Key pair written", "鍵ペアを書き出しました"},
	msgHashing:         {"checking files", "ファイル検査中"},
	msgCopying:         {"writing bundle", "バンドル書き出し中"},
	msgPasswordPrompt:  {"Password for %s: ", "%s のパスワード: "},
	msgPasswordAgain:   {"Repeat the password: ", "パスワードをもう一度入力: "},
	msgLabelBundle:     {"Bundle", "バンドル"},
	msgLabelSequence:   {"Sequence", "連番"},
	msgLabelCreated:    {"Created", "作成"},
	msgLabelExpires:    {"Expires", "有効期限"},
	msgLabelPublisher:  {"Publisher", "発行者"},
	msgLabelApprovers:  {"Approvers", "承認者"},
	msgLabelFiles:      {"Files", "ファイル"},
	msgLabelSignatures: {"Signatures", "署名"},
	msgLabelVolumes:    {"Volumes", "巻数"},
	msgNever:           {"never", "なし"},
	msgFull:            {"full", "フル"},
	msgDelta:           {"delta on %d", "差分（基準 %d）"},
	hintPassword: {"Check the password: PATCHFERRY_KEY_PASSWORD, --password-file, or what you typed.",
		"パスワードを確認してください（PATCHFERRY_KEY_PASSWORD、--password-file、または入力した値）。"},
	hintMismatch: {"The copy on this medium is damaged or was altered. Do not import it: copy the bundle folder again, or write the bundle again on the internet side.",
		"この媒体上のコピーが壊れているか、改ざんされています。取り込まずに、バンドルのフォルダーをもう一度コピーするか、インターネット側で作り直してください。"},
	hintSignature: {"bundle.json or its signature changed after signing, or it was signed by a key you did not --trust. Do not import it; check the publisher key and write the bundle again on the internet side.",
		"署名後に bundle.json か署名が変更されたか、--trust に指定していない鍵で署名されています。取り込まずに、発行者の鍵を確認し、インターネット側で作り直してください。"},
	hintThreshold: {"Not enough distinct approvers have countersigned. Each approver runs `patchferry bundle approve --key <own key> --name <name> <bundle folder>`.",
		"異なる承認者による副署名が足りません。承認者がそれぞれ `patchferry bundle approve --key <自分の鍵> --name <氏名> <バンドルのフォルダー>` を実行してください。"},
	hintExpired: {"The bundle is past its expiry date. Write a new bundle on the internet side (patchferry bundle create / export).",
		"有効期限を過ぎたバンドルです。インターネット側で新しいバンドルを作成してください。"},
	hintFuture: {"Check the clock of this computer and of the internet-side PC.",
		"このコンピューターとインターネット側 PC の時計を確認してください。"},
	hintLayout: {"Copy the whole bundle folder again (every volume), without adding or renaming anything.",
		"バンドルのフォルダー（全巻）を、何も追加・改名せずにもう一度コピーしてください。"},
	hintPath: {"The bundle holds a forbidden name or file type. Do not import it; write the bundle again on the internet side.",
		"禁止された名前または種類のファイルが含まれています。取り込まずに、インターネット側で作り直してください。"},
	hintManifest: {"bundle.json is not a valid patchferry manifest. Do not import it; write the bundle again with a matching patchferry version.",
		"bundle.json が正しいマニフェストではありません。取り込まずに、同じバージョンの patchferry で作り直してください。"},
	hintLimit: {"A file is larger than the bundle format allows. Do not import it.",
		"ファイルがバンドル形式の上限を超えています。取り込まないでください。"},
	hintXZ: {"A metadata file is malformed or asks for too much memory. Do not import it; write the bundle again on the internet side.",
		"メタデータファイルが不正か、過大なメモリを要求しています。取り込まずに、インターネット側で作り直してください。"},
}

// msg returns a message in the app's language, formatted with args.
func (a *app) msg(id msgID, args ...any) string {
	var m string
	for _, c := range catalogs() {
		if t, ok := c[id]; ok {
			m = t.in(a.lang)
			break
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// hint says what to do next about err, or "" when there is nothing to add.
func (a *app) hint(err error) string {
	var le *verify.LimitError
	var me *media.ManifestError
	if h := a.errorHint(err); h != "" {
		return h
	}
	if h := a.mirrorHint(err); h != "" {
		return h
	}
	switch {
	case errors.Is(err, verify.ErrWrongPassword):
		return a.msg(hintPassword)
	case errors.Is(err, media.ErrSignature):
		return a.msg(hintSignature)
	case errors.Is(err, verify.ErrThreshold):
		return a.msg(hintThreshold)
	case errors.Is(err, verify.ErrExpired):
		return a.msg(hintExpired)
	case errors.Is(err, verify.ErrNotYetValid):
		return a.msg(hintFuture)
	case errors.Is(err, media.ErrXZ):
		return a.msg(hintXZ)
	case errors.Is(err, verify.ErrMismatch):
		return a.msg(hintMismatch)
	case errors.Is(err, media.ErrPath) && !isUsage(err): // not a name given on the command line
		return a.msg(hintPath)
	case errors.As(err, &le):
		return a.msg(hintLimit)
	case errors.As(err, &me):
		return a.msg(hintManifest)
	case errors.Is(err, media.ErrLayout):
		return a.msg(hintLayout)
	}
	return ""
}

// failedFile returns the bundle file an error is about, if any.
func failedFile(err error) string {
	var fe *media.FileError
	if errors.As(err, &fe) {
		return fe.Path
	}
	return ""
}

// label returns a message followed by ':' and padded to a fixed display
// width (Japanese characters take two columns), for aligned summaries.
func (a *app) label(id msgID) string {
	s := a.msg(id) + ":"
	if pad := 12 - runewidth.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}
