package main

import (
	"errors"
	"io/fs"
	"runtime"
	"strings"
	"syscall"

	"github.com/patchferry/patchferry/verify"
)

// Messages of the usage errors of the commands' own checks (see
// messages.go): flags that exclude or need each other, values out of
// range, a port in use, a file that cannot be opened. Each is a userError
// whose English text is what the command always said, and whose "→" line
// says what to do where there is something to say. An error beneath one
// is a cause argument: its own text in English, in other languages what
// describe says of it.
const (
	_ msgID = iota + 6000 // the area's first ID; add messages below
	msgUsageUpstreamOnly
	hintUsageUpstreamOnly
	msgUsageListen
	msgUsageAddrInUse
	hintUsageListenBusy
	hintUsageListen
	msgUsageSinceFull
	hintUsageSinceFull
	msgUsageOutRequired
	hintUsageOutRequired
	msgUsageNotFile
	hintUsageNotFile
	msgUsageReleased
	hintUsageReleased
	msgUsageConfigCreate
	hintUsageConfigCreate
	msgUsageScanCommand
	msgUsageScanQuote
	msgUsageScanEmpty
	hintUsageScanCommand
	msgUsageVendorTrustOpen
	msgUsageVendorTrustParse
	hintUsageVendorTrust
	msgUsageTooLarge
	msgUsageLimit
	msgUsageRead
	msgUsageKeyTooLarge
	msgUsageTooManyCodes
	hintUsageTooManyCodes
	msgUsageKeep
	hintUsageKeep
	msgUsageTLSPair
	hintUsageTLSPair
	msgUsageServeLimits
	hintUsageServeLimits
	msgUsageScrubRate
	msgUsageRateWant
	msgUsageLogFile
	hintUsageLogFile
	msgUsageNoMirror
	hintUsageNoMirror
	msgUsagePasswordFile
	msgUsageServiceExists
	hintUsageServiceExists
)

var usageMessages = map[msgID]text{ // {en, ja}
	msgUsageUpstreamOnly: {"--upstream-only needs --write-config FILE", "--upstream-only には --write-config FILE が必要です"},
	hintUsageUpstreamOnly: {"Add --write-config FILE: the fetcher configuration that points at the fake upstream, e.g. --write-config demo/fetcher.yaml.",
		"--write-config FILE を付けてください（偽の配信元を指す、インターネット側の設定ファイル。例: --write-config demo/fetcher.yaml）。"},
	msgUsageListen:    {"--listen %s: %s", "--listen %s で待ち受けできません（%s）"},
	msgUsageAddrInUse: {"the port is in use by another program", "ほかのプログラムがこのポートを使用中です"},
	hintUsageListenBusy: {"Give another port with --listen (port 0 picks a free one), or stop the program that uses this port.",
		"--listen で別のポートを指定する（0 なら空いているポートを使います）か、このポートを使っているプログラムを止めてください。"},
	hintUsageListen: {"--listen takes HOST:PORT or :PORT, e.g. :8080 or 192.0.2.10:80, with an address of this computer; a port below 1024 needs administrator rights.",
		"--listen は ホスト:ポート か :ポート の形で、このコンピューターのアドレスを指定します（例: :8080、192.0.2.10:80）。1024 未満のポートには管理者権限が必要です。"},
	msgUsageSinceFull: {"--since and --full exclude each other", "--since と --full は同時に指定できません"},
	hintUsageSinceFull: {"Use one: --since SEQUENCE (or the mirror's state code) for a delta on that bundle, or --full for everything current.",
		"どちらか一方を指定してください: 差分なら --since 連番（またはミラーの状態コード）、現在のすべてなら --full。"},
	msgUsageOutRequired: {"--out is required (or set out in the configuration): the media root to write to",
		"--out が必要です: 書き出し先の媒体のルートを指定してください（設定ファイルの out: でも指定できます）"},
	hintUsageOutRequired: {"Give --out with the media root (e.g. --out E:\\ or --out /media/usb), or set `out:` in the configuration for the weekly job.",
		"--out で媒体のルートを指定する（例: --out E:\\、--out /media/usb）か、定期実行のために設定ファイルに `out:` を書いてください。"},
	msgUsageNotFile:  {"%s: not a readable file", "%s は読み取れるファイルではありません（存在しないか、フォルダーなどです）"},
	hintUsageNotFile: {"Give the downloaded files themselves as arguments, not their folder.", "ダウンロードしたファイルそのものを引数に指定してください（フォルダーではなく）。"},
	msgUsageReleased: {"--released %q: want a date YYYY-MM-DD (e.g. 2026-11-20) or an RFC 3339 time (e.g. 2026-11-20T09:00:00+09:00)",
		"--released %q が正しくありません。日付 YYYY-MM-DD（例: 2026-11-20）か RFC 3339 の日時（例: 2026-11-20T09:00:00+09:00）で指定してください"},
	hintUsageReleased: {"Give the vendor's release date, e.g. --released 2026-11-20, or leave --released out to take each file's modification time.",
		"ベンダーの公開日を指定する（例: --released 2026-11-20）か、--released を外して各ファイルの更新日時を使ってください。"},
	msgUsageConfigCreate: {"%s (a configuration is never overwritten)", "設定ファイルを作成できません: %s（設定ファイルは上書きしません）"},
	hintUsageConfigCreate: {"Check that the folder of --out exists and that you may write to it, or give --out - to print the configuration.",
		"--out のフォルダーが存在し、書き込めることを確認するか、--out - で画面に表示してください。"},
	msgUsageScanCommand: {"--scan-command: %s", "--scan-command: %s"},
	msgUsageScanQuote:   {"%q: a quote is not closed", "%q の引用符が閉じていません"},
	msgUsageScanEmpty:   {"it is empty", "コマンドが空です"},
	hintUsageScanCommand: {"Give the scanner's command line, e.g. --scan-command \"clamscan --no-summary\"; put a path with spaces in quotes, and close every quote.",
		"スキャナーのコマンドラインを指定してください（例: --scan-command \"clamscan --no-summary\"）。空白を含むパスは引用符で囲み、引用符はすべて閉じてください。"},
	msgUsageVendorTrustOpen:  {"vendor trust: %s", "ベンダー信頼ファイルを開けません: %s"},
	msgUsageVendorTrustParse: {"%s: %s", "%s はベンダー信頼ファイルとして読めません（%s）"},
	hintUsageVendorTrust: {"Check --vendor-trust: give a vendor trust file (`patchferry mirror trust --show-vendor-trust` prints the one in use), or leave it out to use the built-in one.",
		"--vendor-trust を確認してください。ベンダー信頼ファイル（使用中のものは `patchferry mirror trust --show-vendor-trust` で表示できます）を指定するか、外して組み込みのものを使ってください。"},
	msgUsageTooLarge:    {"%s is larger than the limit of %d bytes", "%s が上限の %d バイトを超えています"},
	msgUsageLimit:       {"larger than the limit of %d bytes", "上限の %d バイトを超えています"},
	msgUsageRead:        {"%s", "読み取れません（%s）"},
	msgUsageKeyTooLarge: {"key file %s is larger than the limit of %d bytes", "鍵ファイル %s が上限の %d バイトを超えています（鍵ファイルではありません）"},
	msgUsageTooManyCodes: {"--code: %d codes, at most %d at a time",
		"--code が %d 個あります。一度に照合できるのは %d 個までです"},
	hintUsageTooManyCodes: {"Check the codes in groups of at most %d: run `patchferry mirror ledger --code …` once for each group.",
		"%d 個以下ずつに分けて、`patchferry mirror ledger --code …` をグループごとに実行してください。"},
	msgUsageKeep: {"--keep %d: keep at least 1 version per product", "--keep %d は指定できません。製品ごとに 1 つ以上の版を残してください"},
	hintUsageKeep: {"Give --keep 1 or more: --keep 2 keeps the current version of each product and the one before it.",
		"--keep には 1 以上を指定してください（--keep 2 なら、製品ごとに現在の版と 1 つ前の版を残します）。"},
	msgUsageTLSPair: {"--tls-cert and --tls-key go together", "--tls-cert と --tls-key は両方とも指定してください"},
	hintUsageTLSPair: {"Give both, the certificate (PEM) and its private key (PEM), for HTTPS; or neither, for HTTP.",
		"HTTPS で配信するなら証明書（PEM）とその秘密鍵（PEM）の両方を、HTTP で配信するならどちらも指定しないでください。"},
	msgUsageServeLimits: {"--max-connections and the timeouts must be positive, --scrub-every 0 or more",
		"--max-connections とタイムアウトには正の値を、--scrub-every には 0 以上を指定してください"},
	hintUsageServeLimits: {"Leave a flag out to take its default; `patchferry mirror serve --help` shows each.",
		"既定値を使うにはそのフラグを外してください。各既定値は `patchferry mirror serve --help` で表示されます。"},
	msgUsageScrubRate: {"--scrub-rate: %s", "--scrub-rate: %s"},
	msgUsageRateWant: {"%q: want a size per second such as 20MB/s, or 0 for no cap",
		"%q は読めません。20MB/s のように 1 秒あたりの大きさか、上限なしなら 0 を指定してください"},
	msgUsageLogFile: {"--log-file: %s", "--log-file を開けません: %s"},
	hintUsageLogFile: {"Check that the folder of --log-file exists and that the user the mirror runs as may write to it.",
		"--log-file のフォルダーが存在し、ミラーを実行するユーザーが書き込めることを確認してください。"},
	msgUsageNoMirror: {"no mirror in %s: run `patchferry mirror init --data %s --trust publisher.pub` first",
		"%s にミラーがありません。先に `patchferry mirror init --data %s --trust publisher.pub` を実行してください"},
	hintUsageNoMirror: {"Check --data: it is the folder given to `patchferry mirror init` (mirror status shows it).",
		"--data が `patchferry mirror init` で指定したフォルダーかを確認してください（mirror status で表示されます）。"},
	msgUsagePasswordFile: {"password file %s: %s", "パスワードファイル %s を読めません（%s）"},
	msgUsageServiceExists: {"service %s already exists; run `patchferry mirror service uninstall` first",
		"サービス %s は既に存在します。先に `patchferry mirror service uninstall` を実行してください"},
	hintUsageServiceExists: {"To change the service's options, uninstall it and install it again; to keep it, leave it as it is (it starts with Windows).",
		"サービスの設定を変えるには、アンインストールしてからインストールし直してください。今のままでよければ何もする必要はありません（Windows の起動時に開始します）。"},
}

// cause is an error beneath a user error, as a message argument: in
// English its own text (what the error always said), in other languages
// say when set, else what describe says of it, with the reasons the system
// gives for a file or a port in the language.
type cause struct {
	err error
	say *localized
}

func (c cause) in(lang string) string {
	if lang == "en" {
		return c.err.Error()
	}
	a := &app{lang: lang}
	var (
		le *verify.LimitError
		pe *fs.PathError
	)
	switch {
	case c.say != nil:
		return format(textOf(c.say.id).in(lang), resolve(lang, c.say.args))
	case addrInUse(c.err):
		return a.msg(msgUsageAddrInUse)
	case errors.As(c.err, &le):
		return a.msg(msgUsageLimit, le.Limit)
	case errors.As(c.err, &pe):
		return pe.Path + ": " + a.osReason(pe)
	case errors.Is(c.err, fs.ErrPermission):
		return a.msg(msgErrPermission)
	}
	return a.describe(c.err)
}

// addrInUse reports whether err says a port is taken.
func addrInUse(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	const wsaeaddrinuse = 10048 // Windows Sockets
	return errno == syscall.EADDRINUSE || runtime.GOOS == "windows" && errno == wsaeaddrinuse
}

// listenError is the usage error of a --listen address that cannot be
// listened on.
func listenError(addr string, err error) error {
	hint := hintUsageListen
	if addrInUse(err) {
		hint = hintUsageListenBusy
	}
	return userErr(msgUsageListen, addr, cause{err: err}).because(err).fix(hint).usage()
}

// scanCommandError is the usage error of a --scan-command that
// ingest.ParseScanCommand refused: an unclosed quote, or nothing to run.
func scanCommandError(s string, err error) error {
	say := &localized{id: msgUsageScanEmpty}
	if strings.HasSuffix(err.Error(), "unclosed quote") {
		say = &localized{id: msgUsageScanQuote, args: []any{s}}
	}
	return userErr(msgUsageScanCommand, cause{err: err, say: say}).because(err).fix(hintUsageScanCommand).usage()
}

// readLimitedError is the usage error of verify.ReadLimited on a file the
// user named: too large (what is the file's name as ReadLimited was
// given it), or not readable.
func readLimitedError(err error) *userError {
	var le *verify.LimitError
	if errors.As(err, &le) {
		return userErr(msgUsageTooLarge, le.What, le.Limit).because(err)
	}
	return userErr(msgUsageRead, cause{err: err}).because(err)
}
