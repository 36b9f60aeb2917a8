package main

import (
	"errors"

	"github.com/patchferry/patchferry/fetcher"
)

// Messages of the weekly job: fetch, run, export (see messages.go).
const (
	_ msgID = iota + 2000 // the area's first ID; add messages below
	msgFilesOne
	msgFilesMany
	msgNothingYet
	msgNothingSince
	msgAllFailed
	hintAllFailed
	msgUnreachable
	msgUnreachableDNS
	msgUnreachableProxy
	hintUnreachable
	msgNoMedia
	hintNoMedia
	msgFetchingSource
)

var weeklyMessages = map[msgID]text{ // {en, ja}
	msgFilesOne:  {"%d file", "%d 個のファイル"},
	msgFilesMany: {"%d files", "%d 個のファイル"},
	msgNothingYet: {"nothing new: no bundle written (nothing has been fetched or added yet; no sequence number was used).",
		"新しい更新はありません（バンドルは作成していません。まだ何も取得・登録されていないため、連番も使っていません）。"},
	msgNothingSince: {"nothing new since %s: no bundle written (a mirror at that state has everything current; the last bundle is sequence %d).",
		"新しい更新はありません（%s の状態のミラーは最新の内容をすべて持っています。バンドルは作成していません。最新は連番 %d）。"},
	msgAllFailed: {"No source could be fetched: no bundle written, no sequence number used.",
		"どのソースからも取得できませんでした。バンドルは作成しておらず、連番も使っていません。"},
	hintAllFailed: {"Remove the cause named above, then run `patchferry run` again; the details are in the log.",
		"上記の原因を取り除いてから、もう一度 `patchferry run` を実行してください。詳細はログにあります。"},
	msgUnreachable: {"%s: could not reach %s (connection refused or no route).",
		"%s: %s に接続できませんでした（接続を拒否されたか、経路がありません）。"},
	msgUnreachableDNS: {"%s: could not reach %s (the name was not found in DNS).",
		"%s: %s に接続できませんでした（DNS で名前を解決できません）。"},
	msgUnreachableProxy: {"%s: could not reach %s through the proxy (the proxy did not answer or refused).",
		"%s: プロキシ経由で %s に接続できませんでした（プロキシが応答しないか、接続を拒否しました）。"},
	hintUnreachable: {"Check `proxy:` in the configuration (and the HTTPS_PROXY environment variable) and that this PC can reach the internet (network, firewall). The details (URL, attempts) are in the log.",
		"設定ファイルの `proxy:`（と環境変数 HTTPS_PROXY）、およびこの PC からインターネットに接続できるか（ネットワーク、ファイアウォール）を確認してください。詳細（URL、試行回数）はログにあります。"},
	msgNoMedia: {"the media folder %s does not exist (or is not a folder): nothing was written and no sequence number was used",
		"書き出し先のフォルダー %s がありません（またはフォルダーではありません）。何も書き出しておらず、連番も使っていません"},
	hintNoMedia: {`Is the USB stick (or disk) connected and mounted? It is usually under /media or /mnt on Linux, a drive such as E:\ on Windows. patchferry never creates the media folder: to write to a new folder on purpose, create it first (mkdir).`,
		`USB メモリ（またはディスク）が接続・マウントされているか確認してください（Linux では通常 /media や /mnt の下、Windows では E:\ などのドライブです）。patchferry は書き出し先のフォルダーを作成しません。新しいフォルダーに書き出すときは、先に作成してください（mkdir）。`},
	msgFetchingSource: {"%s: downloading", "%s: ダウンロード中"},
}

// noMedia turns a media folder that is not there (fetcher.ErrNoMedia)
// into a usage error saying so in the user's language, with the hint
// about mounting the medium; other errors stay as they are.
func (a *app) noMedia(out string, err error) error {
	if !errors.Is(err, fetcher.ErrNoMedia) {
		return err
	}
	return userErr(msgNoMedia, out).because(err).fix(hintNoMedia).usage()
}

// fileCount is "1 file", "2 files" (ja: "1 個のファイル").
func (a *app) fileCount(n int) string { return a.count(n, msgFilesOne, msgFilesMany) }

// unreachableLine is the one line that says a source could not reach its
// vendor, or "" when err is not about an unreachable host.
func (a *app) unreachableLine(source string, err error) string {
	var ue *fetcher.UnreachableError
	switch {
	case !errors.As(err, &ue):
		return ""
	case ue.Proxy:
		return a.msg(msgUnreachableProxy, source, ue.Host)
	case ue.DNS:
		return a.msg(msgUnreachableDNS, source, ue.Host)
	}
	return a.msg(msgUnreachable, source, ue.Host)
}
