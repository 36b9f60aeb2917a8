package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// Messages of errors users cause, in their language with the fix (see
// messages.go). An error reaches the operator through describe, which
// renders the typed errors of verify, media and fetcher, pflag's and
// cobra's, and userError — an error this package raises with a message of
// a catalog — and falls back to the error's English text for any other.
const (
	_ msgID = iota + 3000 // the area's first ID; add messages below
	msgErrUnknownFlag
	msgErrUnknownShorthand
	msgErrFlagNeedsValue
	msgErrFlagValue
	msgErrFlagSyntax
	msgErrUnknownCommand
	msgErrUnknownCommandSuggest
	msgErrDidYouMean
	msgErrRequiredFlags
	msgErrArgCount
	msgErrArgsAtLeast
	msgErrArgsAtMost
	msgErrArgsNone
	hintCommandList
	hintFlagList
	hintUsageLine
	msgErrWantNumber
	msgErrWantBool
	msgErrWantDuration
	msgErrKeyFileMissing
	msgErrKeyFileUnreadable
	hintKeyGenerate
	hintPublicKeyMissing
	msgErrKeyRequired
	msgErrWrongPassword
	hintEmptyPassword
	msgErrNotPrivateKey
	msgErrPubAsKey
	msgErrNotP256
	hintPubAsKey
	msgErrNotPublicKey
	msgErrKeyAsPub
	hintKeyAsPub
	msgErrKeyExists
	hintKeyExists
	msgErrPasswordFileMissing
	msgErrPasswordFileUnreadable
	hintPasswordFile
	msgErrNoPasswordSource
	hintNoPasswordSource
	msgErrEmptyPassword
	hintEmptyPasswordRefused
	msgErrPasswordsDiffer
	msgErrNoPasswordConflict
	hintNoPasswordConflict
	msgNoPasswordKey
	msgErrMediaMissing
	msgErrMediaNotDir
	msgErrMediaNoBundle
	hintMediaMissing
	hintMediaNoBundle
	msgErrUntrusted
	msgErrUntrustedPublisher
	msgErrUntrustedSigner
	msgOr
	msgErrUntrustedNoSigner
	hintUntrusted
	msgErrSignatureDetail
	msgErrWrongPasswordDetail
	msgErrThreshold
	msgErrThresholdRepeated
	msgErrThresholdByPublisher
	msgErrThresholdOldFormat
	msgErrThresholdInvalid
	msgErrExpired
	msgErrNotYetValid
	msgErrDigest
	msgErrSizeLong
	msgErrSizeShort
	msgErrMismatch
	msgErrLayout
	msgErrPath
	msgErrManifest
	msgErrLimit
	msgErrXZ
	msgErrConfig
	msgErrConfigMissing
	hintConfigMissing
	msgErrConfigUnknownKey
	msgErrConfigUnknownSource
	msgErrConfigKnown
	msgErrConfigIndent
	msgErrConfigDuplicate
	msgErrConfigKind
	msgKindMapping
	msgKindList
	msgKindValue
	msgErrConfigSyntax
	msgErrValueSite
	msgErrValueConcurrency
	msgErrValueCount
	msgErrValueSize
	msgErrValueURL
	msgErrValueProxy
	msgErrValueHostPort
	msgErrValueWord
	msgErrValueOneOf
	msgYAMLKey
	msgYAMLMapping
	msgYAMLChar
	msgYAMLDash
	msgYAMLTab
	hintConfigEdit
	hintConfigSyntax
	msgErrConfigExists
	hintConfigExists
	msgOriginDefault
	msgOriginLine
	msgOriginUnlisted
	msgErrNotFound
	msgErrPermission
	msgErrLang
	msgErrEpoch
	msgErrCreated
	msgErrExpiresDays
	msgErrExpiresPeriod
	msgErrSizeFlag
	msgErrApproverName
	msgErrApprovalExists
	msgErrPublisherApproves
	msgErrProduct
	msgErrSite
	msgErrSequence
	msgErrSegment
	msgErrTrustRequired
	msgErrApprovalsCount
	msgErrBothRoles
	msgErrNoStore
	msgErrInUse
	msgErrNoSpace
	msgErrServerStopped
	msgErrRefused
	msgErrRefusedBecause
	msgErrGaveUp
	msgErrHTTP
)

var errorMessages = map[msgID]text{ // {en, ja}
	msgErrUnknownFlag:      {"unknown flag: --%s", "不明なフラグです: --%s"},
	msgErrUnknownShorthand: {"unknown shorthand flag: %q in -%s", "不明な短縮フラグです: -%[2]s の %[1]q"},
	msgErrFlagNeedsValue:   {"flag needs an argument: --%s", "フラグ --%s には値が必要です"},
	msgErrFlagValue:        {"invalid argument %q for \"--%s\" flag: %s", "フラグ --%[2]s の値 %[1]q は使えません: %[3]s"},
	msgErrFlagSyntax:       {"bad flag syntax: %s", "フラグの書き方が正しくありません: %s"},
	msgErrUnknownCommand:   {"unknown command %q for %q", "%[2]q に %[1]q というコマンドはありません"},
	msgErrUnknownCommandSuggest: {"unknown command %q for %q; did you mean %s?",
		"%[2]q に %[1]q というコマンドはありません。%[3]s の誤りではありませんか？"},
	msgErrDidYouMean:    {"; did you mean %s?", "。%s の誤りではありませんか？"},
	msgErrRequiredFlags: {"required flag(s) %s not set", "必須のフラグが指定されていません: %s"},
	msgErrArgCount:      {"%[2]s accepts %[3]d arg(s), received %[1]d", "引数の数が違います: %[2]s には %[3]d 個必要ですが、%[1]d 個指定されました"},
	msgErrArgsAtLeast:   {"%[2]s requires at least %[3]d arg(s), only received %[1]d", "引数が足りません: %[2]s には %[3]d 個以上必要ですが、%[1]d 個指定されました"},
	msgErrArgsAtMost:    {"%[2]s accepts at most %[3]d arg(s), received %[1]d", "引数が多すぎます: %[2]s に指定できるのは %[3]d 個までですが、%[1]d 個指定されました"},
	msgErrArgsNone:      {"%s takes no arguments, got %q", "%s には引数を指定できません（%q が指定されました）"},
	hintCommandList:     {"`%s --help` lists its commands.", "コマンドの一覧は `%s --help` で表示されます。"},
	hintFlagList:        {"`%s --help` lists its flags.", "指定できるフラグは `%s --help` で表示されます。"},
	hintUsageLine:       {"Usage: %s (more with --help)", "使い方: %s（詳しくは --help）"},
	msgErrWantNumber:    {"want a whole number", "整数を指定してください"},
	msgErrWantBool:      {"want true or false", "true か false を指定してください"},
	msgErrWantDuration:  {"want a duration such as 30s, 5m or 2h", "30s、5m、2h のような時間を指定してください"},

	msgErrKeyFileMissing:    {"key file %s does not exist", "鍵ファイル %s がありません"},
	msgErrKeyFileUnreadable: {"cannot read key file %s: %s", "鍵ファイル %s を読めません: %s"},
	hintKeyGenerate: {"Give the path of your key with --key, or make a key pair first: patchferry keys generate --out <name> (writes <name>.key and <name>.pub).",
		"--key で鍵のパスを指定するか、先に鍵ペアを作成してください: patchferry keys generate --out <名前>（<名前>.key と <名前>.pub を作成します）。"},
	hintPublicKeyMissing: {"Give the path of the publisher's public key (the .pub file made with `patchferry keys generate --out <name>` on the internet side; copy it here).",
		"発行者の公開鍵（インターネット側で `patchferry keys generate --out <名前>` により作成した .pub ファイル。ここへコピーしてください）のパスを指定してください。"},
	msgErrKeyRequired:   {"--key is required: the encrypted private key (from `patchferry keys generate`)", "--key が必要です: 暗号化された秘密鍵（`patchferry keys generate` で作成）を指定してください"},
	msgErrWrongPassword: {"key %s: wrong password for the private key (or the key file is damaged)", "鍵 %s を開けません: パスワードが違います（または鍵ファイルが壊れています）"},
	hintEmptyPassword: {"The password given was empty (an empty first line in the password file, or Enter at the prompt). Give the key's password: PATCHFERRY_KEY_PASSWORD, --password-file, or type it when asked.",
		"指定されたパスワードが空です（パスワードファイルの 1 行目が空、またはプロンプトで Enter のみ）。鍵のパスワードを PATCHFERRY_KEY_PASSWORD、--password-file、または入力で指定してください。"},
	msgErrNotPrivateKey: {"%s is not an encrypted private key of patchferry or cosign (.key)", "%s は patchferry または cosign の暗号化された秘密鍵（.key）ではありません"},
	msgErrPubAsKey:      {"%s is a public key, not a private key (.key)", "%s は公開鍵です。秘密鍵（.key）ではありません"},
	msgErrNotP256:       {"%s is not an ECDSA P-256 key: make keys with `patchferry keys generate` or `cosign generate-key-pair`", "%s は ECDSA P-256 の鍵ではありません。鍵は `patchferry keys generate` か `cosign generate-key-pair` で作成してください"},
	hintPubAsKey: {"--key takes the private key (<name>.key), never the public key (<name>.pub).",
		"--key には秘密鍵（<名前>.key）を指定します。公開鍵（<名前>.pub）ではありません。"},
	msgErrNotPublicKey: {"%s is not a PEM public key (.pub)", "%s は PEM 形式の公開鍵（.pub）ではありません"},
	msgErrKeyAsPub:     {"%s is a private key, not a public key (.pub)", "%s は秘密鍵です。公開鍵（.pub）ではありません"},
	hintKeyAsPub: {"This is a private key. Give the public key (<name>.pub) instead, and keep the .key on the internet-side PC only.",
		"これは秘密鍵です。代わりに公開鍵（<名前>.pub）を指定し、.key はインターネット側 PC の外へ出さないでください。"},
	msgErrKeyExists: {"%s already exists; choose another --out or remove it (a key is never overwritten)", "%s は既に存在します。別の --out を指定するか、そのファイルを削除してください（鍵は上書きしません）"},
	hintKeyExists: {"A key that is in use must not be replaced by mistake: the mirror trusts its ID. Give a new name, e.g. --out publisher-2027.",
		"使用中の鍵を誤って置き換えないためです（ミラーはその鍵 ID を信頼しています）。新しい名前を指定してください（例: --out publisher-2027）。"},
	msgErrPasswordFileMissing:    {"password file %s does not exist", "パスワードファイル %s がありません"},
	msgErrPasswordFileUnreadable: {"cannot read password file %s: %s", "パスワードファイル %s を読めません: %s"},
	hintPasswordFile: {"Check the path given to --password-file, or leave it out and set PATCHFERRY_KEY_PASSWORD (scheduled jobs) or type the password when asked.",
		"--password-file に指定したパスを確認してください。または --password-file を外し、PATCHFERRY_KEY_PASSWORD を設定する（定期実行）か、プロンプトで入力してください。"},
	msgErrNoPasswordSource: {"no password for %s: set %s or give --password-file (no terminal to ask on)", "%s のパスワードがありません。%s を設定するか --password-file を指定してください（入力を求める端末がありません）"},
	hintNoPasswordSource: {"Set PATCHFERRY_KEY_PASSWORD, or give --password-file with a file whose first line is the password (readable only by this user).",
		"PATCHFERRY_KEY_PASSWORD を設定するか、1 行目にパスワードを書いたファイル（このユーザーだけが読めるもの）を --password-file で指定してください。"},
	msgErrEmptyPassword: {"empty password for %s: refused", "%s のパスワードが空です。空のパスワードは使えません"},
	hintEmptyPasswordRefused: {"Give a password. Only for a throw-away key on a test machine, --no-password makes a key without one — never for the real publisher or approver key.",
		"パスワードを指定してください。テスト用マシンの使い捨ての鍵に限り、--no-password でパスワードなしの鍵を作れます（本番の発行者・承認者の鍵には決して使わないでください）。"},
	msgErrPasswordsDiffer:    {"the two passwords differ", "2 回入力したパスワードが一致しません"},
	msgErrNoPasswordConflict: {"--no-password and a password (--password-file or PATCHFERRY_KEY_PASSWORD) were both given: choose one", "--no-password とパスワード（--password-file または PATCHFERRY_KEY_PASSWORD）が両方指定されています。どちらか一方にしてください"},
	hintNoPasswordConflict: {"Leave out --no-password to make a key with that password; for a test key without one, unset PATCHFERRY_KEY_PASSWORD and drop --password-file.",
		"パスワード付きの鍵を作るには --no-password を外してください。パスワードなしのテスト用の鍵を作るには、PATCHFERRY_KEY_PASSWORD を解除し、--password-file を外してください。"},
	msgNoPasswordKey: {"note: %s has no password: anyone who copies the file can sign with it. Use such a key only on a test machine.",
		"注意: %s にはパスワードがありません。ファイルをコピーした人は誰でも署名できます。このような鍵はテスト用マシンでだけ使ってください。"},

	msgErrMediaMissing:  {"%s does not exist", "%s が見つかりません"},
	msgErrMediaNotDir:   {"%s is not a folder: give the bundle folder (patchferry-<site>-<seq>) or the medium's root", "%s はフォルダーではありません。バンドルのフォルダー（patchferry-<拠点>-<連番>）か媒体のルートを指定してください"},
	msgErrMediaNoBundle: {"%s holds no bundle (no bundle.json and no patchferry-<site>-<seq> folder)", "%s にバンドルがありません（bundle.json も patchferry-<拠点>-<連番> フォルダーもありません）"},
	hintMediaMissing: {"Is the USB drive or disc connected? On Windows check its drive letter in Explorer (e.g. E:\\); on Linux check that it is mounted (lsblk; e.g. /media/usb). Then give the medium's root or the bundle folder.",
		"USB メモリやディスクは接続されていますか？ Windows ではエクスプローラーでドライブ文字（例: E:\\）を、Linux ではマウントされているか（lsblk。例: /media/usb）を確認し、媒体のルートかバンドルのフォルダーを指定してください。"},
	hintMediaNoBundle: {"Is the medium mounted at this path (an empty folder is what an unmounted mount point looks like) and is it the right one? Give the medium's root or the bundle folder.",
		"媒体がこのパスにマウントされていますか（マウントされていないマウントポイントは空のフォルダーに見えます）？ 正しい媒体かを確認し、媒体のルートかバンドルのフォルダーを指定してください。"},
	msgErrUntrusted:          {"the signature is by no trusted key (trusted: %s)", "信頼している鍵のどれによる署名でもありません（信頼している鍵: %s）"},
	msgErrUntrustedPublisher: {"the publisher signature is by no trusted key (trusted: %s)", "発行者の署名が、信頼している鍵のどれによるものでもありません（信頼している鍵: %s）"},
	msgErrUntrustedSigner:    {"; it was made by key %s", "。署名した鍵: %s"},
	msgOr:                    {" or ", " または "},
	msgErrUntrustedNoSigner:  {"; its key cannot be told (the signature is malformed)", "。署名が壊れているため、署名した鍵はわかりません"},
	hintUntrusted: {"Compare the key IDs. If the signer's is the ID of a publisher key you know (patchferry keys generate printed it; patchferry mirror trust shows the mirror's), give that key's .pub with --trust. If it is none you know, bundle.json was changed after signing or signed by a stranger: do not import it; write the bundle again on the internet side.",
		"鍵 ID を照合してください。署名した鍵の ID が既知の発行者の鍵（patchferry keys generate で表示。ミラーの鍵は patchferry mirror trust で確認できます）のものなら、その .pub を --trust に指定してください。どれとも一致しない場合は、署名後に bundle.json が変更されたか、不明な鍵で署名されています。取り込まずに、インターネット側でバンドルを作り直してください。"},
	msgErrThreshold: {"%d of %d required approvals from distinct trusted approver keys", "異なる信頼済み承認者の鍵による承認が %[2]d 件必要ですが、%[1]d 件しかありません"},
	msgErrThresholdRepeated: {"; %q repeat a key that already counted (one key counts once)",
		"。%q は既に数えた鍵による重複です（1 つの鍵は 1 回だけ数えます）"},
	msgErrThresholdByPublisher: {"; %q are made with the key that signed the bundle as publisher, which never counts as an approver",
		"。%q はバンドルに発行者として署名した鍵によるもので、承認には数えません"},
	msgErrThresholdOldFormat: {"; %q are approvals in the old format: they sign the publisher's bytes (bundle.json), which no longer counts as an approval; re-approve with this version of patchferry (bundle approve)",
		"。%q は旧形式の承認です（発行者が署名する bundle.json そのものへの署名で、承認には数えません）。この版の patchferry で承認し直してください（bundle approve）"},
	msgErrThresholdInvalid:    {"; %q are not valid signatures by a trusted approver", "。%q は信頼済み承認者による正しい署名ではありません"},
	msgErrExpired:             {"bundle has expired: it expired at %s, it is now %s", "バンドルの有効期限が切れています（期限 %s、現在 %s）"},
	msgErrNotYetValid:         {"bundle is dated in the future: created %s, it is now %s; check this computer's clock", "バンドルの作成日時 %s が未来です（現在 %s）。このコンピューターの時計を確認してください"},
	msgErrDigest:              {"SHA-256 is %s, expected %s", "SHA-256 が %s です（署名された記録では %s）"},
	msgErrSizeLong:            {"longer than the expected %d bytes (extra bytes appended)", "想定の %d バイトより長くなっています（後ろにデータが追加されています）"},
	msgErrSizeShort:           {"%d bytes, expected %d (truncated)", "%d バイトしかありません（想定は %d バイト。途中で切れています）"},
	msgErrWrongPasswordDetail: {"wrong password for the private key (%s)", "秘密鍵のパスワードが違います（%s）"},
	msgErrSignatureDetail:     {"the publisher signature is not valid (%s)", "発行者の署名が正しくありません（%s）"},
	msgErrMismatch:            {"content does not match the signed record (%s)", "内容が署名された記録と一致しません（%s）"},
	msgErrLayout:              {"the bundle's folder does not hold what bundle.json lists (%s)", "バンドルのフォルダーの内容が bundle.json の記載と合いません（%s）"},
	msgErrPath:                {"a name breaks the bundle path rules (%s)", "バンドルのパス規則に反する名前があります（%s）"},
	msgErrManifest:            {"bundle.json is not a valid manifest (%s)", "bundle.json が正しいマニフェストではありません（%s）"},
	msgErrLimit:               {"larger than the limit (%s)", "上限を超える大きさです（%s）"},
	msgErrXZ:                  {"a metadata file is not a well-formed .xz file (%s)", "メタデータファイルが正しい .xz ファイルではありません（%s）"},

	msgErrConfig:              {"config %s: %s", "設定ファイル %s: %s"},
	msgErrConfigMissing:       {"configuration file %s does not exist", "設定ファイル %s がありません"},
	hintConfigMissing:         {"Check --config. `patchferry config init --out %s` writes a starter configuration.", "--config を確認してください。`patchferry config init --out %s` でひな形の設定ファイルを作成できます。"},
	msgErrConfigUnknownKey:    {"unknown key %q (line %d)", "不明なキー %q があります（%d 行目）"},
	msgErrConfigUnknownSource: {"unknown source %q (line %d)", "不明なソース %q があります（%d 行目）"},
	msgErrConfigKnown:         {"; known: %s", "。使えるのは %s です"},
	msgErrConfigIndent:        {"; %q is a key of %s: indent it below %s", "。%[1]q は %[2]s のキーです。%[3]s の下に字下げしてください"},
	msgErrConfigDuplicate:     {"line %d: %s is already set on line %d; set it once", "%[1]d 行目: %[2]s は %[3]d 行目で既に指定されています。1 回だけ指定してください"},
	msgErrConfigKind:          {"line %d: %s: want %s, got %s", "%[1]d 行目: %[2]s には%[3]sを指定してください（%[4]sが指定されています）"},
	msgKindMapping:            {"a mapping (key: value lines)", "「キー: 値」の行"},
	msgKindList:               {"a list", "リスト"},
	msgKindValue:              {"a single value", "1 つの値"},
	msgErrConfigSyntax:        {"line %d: not valid YAML: %s", "%d 行目: YAML として読めません（%s）"},
	msgErrValueSite:           {"line %d: site %q: use 1 to 63 lower-case letters, digits and '-', e.g. kofu-city", "%d 行目: site %q は使えません。英小文字、数字、「-」の 1〜63 文字で指定してください（例: kofu-city）"},
	msgErrValueConcurrency:    {"line %d: want a whole number from 1 to 64, got %q", "%d 行目: 1〜64 の整数を指定してください（%q が指定されています）"},
	msgErrValueCount:          {"line %d: want a whole number from 0 to 10000, got %q", "%d 行目: 0〜10000 の整数を指定してください（%q が指定されています）"},
	msgErrValueSize: {"line %d: %q is not a size: want a number with an optional unit K, M, G, T (powers of 10) or Ki, Mi, Gi, Ti (powers of 2), e.g. 10M",
		"%d 行目: %q は大きさとして読めません。数値と単位 K、M、G、T（10 のべき）または Ki、Mi、Gi、Ti（2 のべき）で指定してください（例: 10M）"},
	msgErrValueURL:      {"line %d: want an http:// or https:// URL, got %q", "%d 行目: http:// か https:// で始まる URL を指定してください（%q が指定されています）"},
	msgErrValueProxy:    {"line %d: proxy: want http://[user:password@]host:port, got %q", "%d 行目: proxy は http://[ユーザー:パスワード@]ホスト:ポート の形で指定してください（%q が指定されています）"},
	msgErrValueHostPort: {"line %d: want host:port, got %q", "%d 行目: ホスト:ポート の形で指定してください（%q が指定されています）"},
	msgErrValueWord:     {"line %d: %q: use letters, digits, '.', '_' or '-'", "%d 行目: %q は使えません。英数字と「.」「_」「-」で指定してください"},
	msgErrValueOneOf:    {"line %d: %q: want one of %s", "%d 行目: %q は使えません。%s のいずれかを指定してください"},
	msgYAMLKey:          {"a key is indented differently from the keys above it (did not find expected key)", "キーの字下げが上のキーとそろっていません"},
	msgYAMLMapping:      {"a \"key: value\" where none fits: is it indented differently, or does a value hold \": \" (quote it)? (mapping values are not allowed in this context)", "ここに「キー: 値」は書けません。字下げがずれているか、値に「: 」を含む場合は引用符で囲んでください"},
	msgYAMLChar:         {"a character that cannot begin a value, such as a tab (found character that cannot start any token)", "値の先頭に使えない文字（タブ文字など）があります"},
	msgYAMLDash:         {"a list item (-) indented differently from the items above it (did not find expected '-' indicator)", "リストの項目（-）の字下げが上の項目とそろっていません"},
	msgYAMLTab:          {"a tab where spaces belong (found a tab character that violates indentation)", "字下げにタブ文字が使われています（スペースを使ってください）"},
	hintConfigEdit:      {"Correct line %d of %s. `patchferry config init --out example.yaml` writes an example with every key and its meaning.", "%[2]s の %[1]d 行目を直してください。`patchferry config init --out example.yaml` で、すべてのキーと説明を含む例を作成できます。"},
	hintConfigSyntax: {"Look at line %d of %s: indent with spaces only (no tabs), each key of a section by the same number of spaces, list items (-) below their key; close every quote and bracket.",
		"%[2]s の %[1]d 行目を確認してください: 字下げはスペースだけで（タブは不可）、同じセクションのキーは同じ数のスペースで、リストの項目（-）はそのキーの下にそろえます。引用符やかっこはすべて閉じてください。"},
	msgErrConfigExists: {"%s already exists (a configuration is never overwritten)", "%s は既に存在します（設定ファイルは上書きしません）"},
	hintConfigExists:   {"Give another --out, or - to print it.", "別の --out を指定するか、- で画面に表示してください。"},
	msgOriginDefault:   {"default", "既定値"},
	msgOriginLine:      {"%s:%d", "%s の %d 行目"},
	msgOriginUnlisted:  {"off: not listed in %s", "無効: %s に記載なし"},
	msgErrNotFound:     {"it does not exist", "存在しません"},
	msgErrPermission:   {"permission denied", "アクセス権がありません"},

	msgErrLang:          {"language %q: use ja or en", "言語 %q は使えません。ja か en を指定してください"},
	msgErrEpoch:         {"creation time %q: want @<unix seconds>", "作成日時 %q が正しくありません。@<UNIX 秒> の形で指定してください（SOURCE_DATE_EPOCH）"},
	msgErrCreated:       {"--created %q: want RFC 3339, e.g. 2026-11-30T09:00:00+09:00", "--created %q が正しくありません。RFC 3339 の形で指定してください（例: 2026-11-30T09:00:00+09:00）"},
	msgErrExpiresDays:   {"--expires %q: want a number of days such as 30d", "--expires %q が正しくありません。30d のように日数で指定してください（1〜3650 日）"},
	msgErrExpiresPeriod: {"--expires %q: want a period such as 30d or 12h, or 0 for never", "--expires %q が正しくありません。30d や 12h のような期間か、無期限なら 0 を指定してください"},
	msgErrSizeFlag: {"--%s %q: want a number with an optional unit K, M, G, T (powers of 10) or Ki, Mi, Gi, Ti (powers of 2), e.g. 4.7G",
		"--%s %q が正しくありません。数値と単位 K、M、G、T（10 のべき）または Ki、Mi、Gi、Ti（2 のべき）で指定してください（例: 4.7G）"},
	msgErrApproverName: {"--name %q: use letters, digits, '.', '-' or '_' (it becomes the file name approvals/<name>.sig)",
		"--name %q は使えません。英数字と「.」「-」「_」で指定してください（approvals/<名前>.sig というファイル名になります）"},
	msgErrApprovalExists:    {"%s already exists in %s; choose another --name or remove that file first", "%s は %s に既に存在します。別の --name を指定するか、先にそのファイルを削除してください"},
	msgErrPublisherApproves: {"--key %s: this key signed the bundle as publisher; an approval must be made with another person's approver key", "--key %s: この鍵は発行者としてバンドルに署名した鍵です。承認は別の人の承認者の鍵で行ってください"},
	msgErrProduct:           {"--product %q: want VENDOR/PRODUCT, e.g. justsystems/ichitaro", "--product %q が正しくありません。ベンダー/製品 の形で指定してください（例: justsystems/ichitaro）"},
	msgErrSite:              {"--site %q: use 1 to 63 lower-case letters, digits and '-', e.g. kofu-city", "--site %q は使えません。英小文字、数字、「-」の 1〜63 文字で指定してください（例: kofu-city）"},
	msgErrSequence:          {"--sequence must be 1 or more and --base below it (got sequence %d, base %d)", "--sequence は 1 以上、--base はそれより小さい値にしてください（指定: sequence %d、base %d）"},
	msgErrSegment: {"%s; it becomes a folder name on the mirror: use letters, digits, '.', '-', '_' (e.g. justsystems/ichitaro, 2026.1)",
		"ミラー上のフォルダー名になる値が使えません（%s）。英数字と「.」「-」「_」で指定してください（例: justsystems/ichitaro、2026.1）"},
	msgErrTrustRequired:  {"--trust is required: the publisher's public key (.pub)", "--trust が必要です: 発行者の公開鍵（.pub）を指定してください"},
	msgErrApprovalsCount: {"--approvals %d: give at least that many distinct --approver keys (got %d)", "--approvals %d: 少なくともその数の異なる --approver 鍵を指定してください（指定されたのは %d 個）"},
	msgErrBothRoles:      {"--trust and --approver: a key is both a publisher and an approver: key %s; one key holds one role", "--trust と --approver の両方に鍵 %s があります。1 つの鍵は発行者か承認者のどちらか一方です"},
	msgErrNoStore:        {"%s: no mirror in this data directory", "データディレクトリ %s にミラーがありません"},
	msgErrInUse:          {"the mirror is in use by another process", "別のプロセスがミラーを使用中です"},
	msgErrNoSpace:        {"not enough free disk space (%s)", "ディスクの空き容量が足りません（%s）"},
	msgErrServerStopped:  {"the mirror server (patchferry mirror serve) stopped before it answered", "ミラーサーバー（patchferry mirror serve）が応答する前に停止しました"},
	msgErrRefused:        {"import refused (%s)", "取り込みを拒否しました（%s）"},
	msgErrRefusedBecause: {"import refused: %s", "取り込みを拒否しました: %s"},
	msgErrGaveUp: {"%s: giving up after %d attempts: %s",
		"%s: %d 回試みましたが取得できませんでした（配信元のサーバーが正しく応答していません。次の実行で再び試みます）: %s"},
	msgErrHTTP: {"%s: HTTP %d %s", "%s: サーバーが HTTP %d（%s）を返しました"},
}

// userError is an error the user caused, with its text in every
// language: a message of a catalog and its arguments. hint, when set, is
// the "→" line. err is the cause beneath it, for errors.Is and errors.As.
type userError struct {
	id       msgID
	args     []any
	hint     msgID
	hintArgs []any
	err      error
}

// userErr returns the error of message id with args.
func userErr(id msgID, args ...any) *userError { return &userError{id: id, args: args} }

// because sets the cause beneath e.
func (e *userError) because(err error) *userError { e.err = err; return e }

// fix sets the "→" line.
func (e *userError) fix(id msgID, args ...any) *userError {
	e.hint, e.hintArgs = id, args
	return e
}

// localized is an argument of a message that is itself a message, in the
// same language.
type localized struct {
	id   msgID
	args []any
}

// resolve formats the localized arguments among args in lang.
func resolve(lang string, args []any) []any {
	out := make([]any, len(args))
	for i, x := range args {
		if l, ok := x.(localized); ok {
			x = format(textOf(l.id).in(lang), resolve(lang, l.args))
		}
		if c, ok := x.(cause); ok { // an error beneath (messages_usage.go)
			x = c.in(lang)
		}
		out[i] = x
	}
	return out
}

// usage makes e a usage error (exit 2).
func (e *userError) usage() error { return &usageError{e} }

// Error is the English text: what --json prints as "error" and logs keep.
func (e *userError) Error() string { return format(textOf(e.id).en, resolve("en", e.args)) }
func (e *userError) Unwrap() error { return e.err }

// textOf returns the message id of any catalog.
func textOf(id msgID) text {
	for _, c := range catalogs() {
		if t, ok := c[id]; ok {
			return t
		}
	}
	return text{}
}

func format(m string, args []any) string {
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// describe renders err in the app's language: the bundle file it is about
// in front (media.FileError), then what the most specific error in its
// chain says. An error describe does not know is its English text.
// Joined errors (errors.Join: a configuration's, a refusal and its ledger
// row) come one to a line.
func (a *app) describe(err error) string {
	if errs := joinedErrors(err); len(errs) > 1 {
		lines := make([]string, len(errs))
		for i, e := range errs {
			lines[i] = a.describe(e)
		}
		return strings.Join(lines, "\n")
	}
	body, ok := a.describeKnown(err)
	if !ok {
		return err.Error()
	}
	var fe *media.FileError
	if errors.As(err, &fe) && !strings.HasPrefix(body, fe.Path+": ") {
		body = fe.Path + ": " + body
	}
	return body
}

// joinedErrors returns the errors that errors.Join made err of, when its
// text is exactly theirs (no context around them is lost); nil otherwise —
// also for an error from the mirror server, whose chain lists the classes
// of one error.
func joinedErrors(err error) []error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		j, ok := e.(interface{ Unwrap() []error })
		if !ok {
			continue
		}
		errs := j.Unwrap()
		texts := make([]string, len(errs))
		for i, x := range errs {
			texts[i] = x.Error()
		}
		if err.Error() != strings.Join(texts, "\n") {
			return nil
		}
		return errs
	}
	return nil
}

// describeKnown renders the errors describe knows; false for others.
func (a *app) describeKnown(err error) (string, bool) {
	var (
		ue  *userError
		ce  *fetcher.ConfigError
		me  *media.MissingError
		ute *verify.UntrustedError
		te  *verify.ThresholdError
		ve  *verify.ValidityError
		de  *verify.DigestError
		se  *verify.SizeError
		fe  *media.FileError
	)
	var (
		gu *fetcher.GaveUpError
		he *fetcher.HTTPError
	)
	switch {
	case errors.As(err, &ue):
		return a.msg(ue.id, resolve(a.lang, ue.args)...), true
	case errors.As(err, &gu):
		return a.msg(msgErrGaveUp, gu.What, gu.Attempts, a.describe(gu.Err)), true
	case errors.As(err, &he):
		return a.msg(msgErrHTTP, he.URL, he.Status, http.StatusText(he.Status)), true
	case errors.As(err, &ce) && errors.Is(ce.Err, fs.ErrNotExist):
		return a.msg(msgErrConfigMissing, ce.Path), true
	case errors.As(err, &ce):
		return a.msg(msgErrConfig, ce.Path, a.describeConfig(ce)), true
	case errors.As(err, &me):
		switch {
		case me.NotDir:
			return a.msg(msgErrMediaNotDir, me.Path), true
		case me.NoBundle:
			return a.msg(msgErrMediaNoBundle, me.Path), true
		}
		return a.msg(msgErrMediaMissing, me.Path), true
	case errors.As(err, &ute):
		s := a.msg(msgErrUntrusted, strings.Join(ute.Trusted, ", "))
		if errors.Is(err, media.ErrSignature) {
			s = a.msg(msgErrUntrustedPublisher, strings.Join(ute.Trusted, ", "))
		}
		if len(ute.Candidates) > 0 {
			return s + a.msg(msgErrUntrustedSigner, strings.Join(ute.Candidates, a.msg(msgOr))), true
		}
		return s + a.msg(msgErrUntrustedNoSigner), true
	case errors.As(err, &te):
		return a.describeThreshold(te), true
	case errors.As(err, &ve):
		now := ve.Now.UTC().Format(rfc3339)
		if ve.Expired {
			return a.msg(msgErrExpired, ve.Expires.UTC().Format(rfc3339), now), true
		}
		return a.msg(msgErrNotYetValid, ve.Created.UTC().Format(rfc3339), now), true
	case errors.As(err, &fe) && errors.As(err, &de):
		return a.msg(msgErrDigest, de.Got, de.Want), true
	case errors.As(err, &fe) && errors.As(err, &se):
		if se.Long {
			return a.msg(msgErrSizeLong, se.Want), true
		}
		return a.msg(msgErrSizeShort, se.Got, se.Want), true
	}
	return a.describeSentinel(err)
}

const rfc3339 = "2006-01-02T15:04:05Z07:00"

// describeSentinel renders errors known only by the sentinel or type they
// wrap (as most errors that cross the mirror server's socket): in English
// their own text, which says it all; in other languages a sentence, and in
// parentheses the detail that only the English text holds (names, sizes).
func (a *app) describeSentinel(err error) (string, bool) {
	if a.lang == "en" {
		return "", false
	}
	// A refused import whose reason the ledger has words for: those words
	// (the ledger shows the same), with the English detail where it adds.
	if code, args := ingest.LedgerReason(err); code != "" && errors.As(err, new(*ingest.RefusedError)) {
		if _, ok := reasonWordsOf(code); ok {
			return a.msg(msgErrRefusedBecause, a.reasonText(ledger.Row{ReasonCode: code, ReasonArgs: args, Reason: err.Error()})), true
		}
	}
	if before, _, ok := strings.Cut(err.Error(), ": "+store.ErrNoStore.Error()); ok && errors.Is(err, store.ErrNoStore) {
		return a.msg(msgErrNoStore, before), true
	}
	var (
		le *verify.LimitError
		me *media.ManifestError
	)
	for _, c := range []struct {
		is       bool
		id       msgID
		sentinel error // its text is left out of the detail
		bare     bool  // no detail: the "→" line says all there is
	}{
		{is: errors.Is(err, verify.ErrWrongPassword), id: msgErrWrongPasswordDetail, sentinel: verify.ErrWrongPassword},
		{is: errors.Is(err, media.ErrSignature), id: msgErrSignatureDetail, sentinel: media.ErrSignature},
		{is: errors.As(err, &le), id: msgErrLimit},
		{is: errors.Is(err, verify.ErrMismatch), id: msgErrMismatch, sentinel: verify.ErrMismatch},
		{is: errors.As(err, &me), id: msgErrManifest},
		{is: errors.Is(err, media.ErrXZ), id: msgErrXZ, sentinel: media.ErrXZ},
		{is: errors.Is(err, media.ErrPath), id: msgErrPath, sentinel: media.ErrPath},
		{is: errors.Is(err, media.ErrLayout), id: msgErrLayout, sentinel: media.ErrLayout},
		{is: errors.Is(err, store.ErrInUse), id: msgErrInUse, bare: true},
		{is: errors.Is(err, store.ErrNoSpace), id: msgErrNoSpace},
		{is: errors.Is(err, admin.ErrServerStopped), id: msgErrServerStopped, bare: true},
		{is: errors.As(err, new(*ingest.RefusedError)), id: msgErrRefused},
	} {
		switch {
		case c.is && c.bare:
			return a.msg(c.id), true
		case c.is:
			return a.msg(c.id, detail(err, c.sentinel)), true
		}
	}
	return "", false
}

// detail returns the English text of err without the file a FileError
// names in front and without the sentinel's own text: what only the
// English text says.
func detail(err, sentinel error) string {
	s := err.Error()
	var fe *media.FileError
	if errors.As(err, &fe) {
		s = strings.TrimPrefix(s, fe.Path+": ")
	}
	if sentinel != nil {
		s = strings.Replace(s, sentinel.Error()+": ", "", 1)
	}
	return s
}

func (a *app) describeThreshold(te *verify.ThresholdError) string {
	s := a.msg(msgErrThreshold, te.Got, te.Want)
	for _, p := range []struct {
		names []string
		id    msgID
	}{{te.Repeated, msgErrThresholdRepeated}, {te.ByPublisher, msgErrThresholdByPublisher},
		{te.OldFormat, msgErrThresholdOldFormat}, {te.Invalid, msgErrThresholdInvalid}} {
		if len(p.names) > 0 {
			s += a.msg(p.id, p.names)
		}
	}
	return s
}

// describeConfig renders what is wrong in a configuration file.
func (a *app) describeConfig(ce *fetcher.ConfigError) string {
	var (
		uk *fetcher.UnknownKeyError
		dk *fetcher.DuplicateKeyError
		ke *fetcher.KindError
		se *fetcher.SyntaxError
		ve *fetcher.ValueError
	)
	switch {
	case errors.As(ce.Err, &uk):
		id := msgErrConfigUnknownKey
		if uk.Section == "sources" {
			id = msgErrConfigUnknownSource
		}
		s := a.msg(id, uk.Key, uk.Line)
		if uk.Section != "" {
			s = uk.Section + ": " + s
		}
		switch {
		case uk.Under != "":
			return s + a.msg(msgErrConfigIndent, uk.Key, uk.Under, uk.Under)
		case uk.Suggestion != "":
			return s + a.msg(msgErrDidYouMean, strconv.Quote(uk.Suggestion))
		}
		return s + a.msg(msgErrConfigKnown, strings.Join(uk.Known, ", "))
	case errors.As(ce.Err, &dk):
		return a.msg(msgErrConfigDuplicate, dk.Line, dk.Key, dk.First)
	case errors.As(ce.Err, &ke):
		kinds := map[string]msgID{fetcher.KindMapping: msgKindMapping, fetcher.KindList: msgKindList, fetcher.KindValue: msgKindValue}
		key := ke.Key
		if key == "" {
			key = ce.Path
		}
		return a.msg(msgErrConfigKind, ke.Line, key, a.msg(kinds[ke.Want]), a.msg(kinds[ke.Got]))
	case errors.As(ce.Err, &ve) && ve.Want == fetcher.WantOneOf:
		return a.msg(msgErrValueOneOf, ve.Line, ve.Value, strings.Join(ve.OneOf, ", "))
	case errors.As(ce.Err, &ve):
		if id, ok := valueMessages[ve.Want]; ok {
			return a.msg(id, ve.Line, ve.Value)
		}
	case errors.As(ce.Err, &se):
		problem := se.Problem
		if id, ok := yamlProblems[problem]; ok {
			problem = a.msg(id)
		}
		return a.msg(msgErrConfigSyntax, se.Line, problem)
	}
	var pe *fs.PathError
	if errors.As(ce.Err, &pe) {
		return a.osReason(pe)
	}
	return ce.Err.Error()
}

// valueMessages say what a configuration key takes.
var valueMessages = map[fetcher.Want]msgID{
	fetcher.WantSite: msgErrValueSite, fetcher.WantConcurrency: msgErrValueConcurrency, fetcher.WantCount: msgErrValueCount,
	fetcher.WantSize: msgErrValueSize, fetcher.WantURL: msgErrValueURL, fetcher.WantProxy: msgErrValueProxy,
	fetcher.WantHostPort: msgErrValueHostPort, fetcher.WantWord: msgErrValueWord,
}

// yamlProblems are the YAML parser's most common descriptions of a broken
// file, in other words.
var yamlProblems = map[string]msgID{
	"did not find expected key":                       msgYAMLKey,
	"mapping values are not allowed in this context":  msgYAMLMapping,
	"found character that cannot start any token":     msgYAMLChar,
	"did not find expected '-' indicator":             msgYAMLDash,
	"found a tab character that violates indentation": msgYAMLTab,
}

// configLine returns the line a configuration error is on; 0 for none.
func configLine(err error) int {
	var (
		uk *fetcher.UnknownKeyError
		dk *fetcher.DuplicateKeyError
		ke *fetcher.KindError
		ve *fetcher.ValueError
	)
	switch {
	case errors.As(err, &uk):
		return uk.Line
	case errors.As(err, &dk):
		return dk.Line
	case errors.As(err, &ke):
		return ke.Line
	case errors.As(err, &ve):
		return ve.Line
	}
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

var lineRE = regexp.MustCompile(`\bline ([0-9]+):`)

// errorHint is the "→" line of the errors of this area; "" when it has
// none.
func (a *app) errorHint(err error) string {
	var (
		ue *userError
		ce *fetcher.ConfigError
		me *media.MissingError
		ut *verify.UntrustedError
	)
	switch {
	case errors.As(err, &ue) && ue.hint != 0:
		return a.msg(ue.hint, resolve(a.lang, ue.hintArgs)...)
	case errors.As(err, &ce):
		var se *fetcher.SyntaxError
		switch {
		case errors.Is(ce.Err, fs.ErrNotExist):
			return a.msg(hintConfigMissing, ce.Path)
		case errors.As(ce.Err, &se):
			return a.msg(hintConfigSyntax, se.Line, ce.Path)
		}
		if l := configLine(err); l > 0 {
			return a.msg(hintConfigEdit, l, ce.Path)
		}
	case errors.As(err, &me):
		if me.NoBundle {
			return a.msg(hintMediaNoBundle)
		}
		return a.msg(hintMediaMissing)
	case errors.As(err, &ut):
		return a.msg(hintUntrusted)
	}
	return ""
}

var keyIDRE = regexp.MustCompile(`\b[0-9a-f]{16}\b`)

// keyIDsIn returns the key IDs (verify.PublicKey.ID) a text names.
func keyIDsIn(s string) []string { return keyIDRE.FindAllString(s, -1) }

// reasonArg says why a file could not be opened, as a message argument:
// a message for the usual reasons, else the system's English text.
func reasonArg(err error) any {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return localized{id: msgErrNotFound}
	case errors.Is(err, fs.ErrPermission):
		return localized{id: msgErrPermission}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// osReason says in the user's language why a file could not be opened.
func (a *app) osReason(err error) string {
	return fmt.Sprint(resolve(a.lang, []any{reasonArg(err)})...)
}

// Usage errors of cobra and pflag.

// flagError is the root's flag error function: a flag error as a
// userError, except that a group command's unknown subcommand (`mirror
// improt --data DIR`) wins over the flags that belong to it.
func (a *app) flagError(cmd *cobra.Command, err error) error {
	if cmd.HasAvailableSubCommands() {
		if args := cmd.Flags().Args(); len(args) > 0 {
			return unknownCommand(cmd, args[0])
		}
	}
	var (
		ne *pflag.NotExistError
		re *pflag.ValueRequiredError
		ie *pflag.InvalidValueError
		se *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &ne) && ne.GetSpecifiedShortnames() != "":
		return userErr(msgErrUnknownShorthand, ne.GetSpecifiedName(), ne.GetSpecifiedShortnames()).because(err).fix(hintFlagList, cmd.CommandPath()).usage()
	case errors.As(err, &ne):
		return userErr(msgErrUnknownFlag, ne.GetSpecifiedName()).because(err).fix(hintFlagList, cmd.CommandPath()).usage()
	case errors.As(err, &re):
		return userErr(msgErrFlagNeedsValue, re.GetFlag().Name).because(err).fix(hintUsageLine, cmd.UseLine()).usage()
	case errors.As(err, &ie):
		return userErr(msgErrFlagValue, ie.GetValue(), ie.GetFlag().Name, flagWant(ie)).because(err).fix(hintUsageLine, cmd.UseLine()).usage()
	case errors.As(err, &se):
		return userErr(msgErrFlagSyntax, se.GetSpecifiedFlag()).because(err).fix(hintUsageLine, cmd.UseLine()).usage()
	}
	return &usageError{err}
}

// flagWant says what the value of a flag of ie's type must be: a message
// (resolved in the user's language), or the parser's English text.
func flagWant(ie *pflag.InvalidValueError) any {
	switch t := ie.GetFlag().Value.Type(); {
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint") || strings.HasPrefix(t, "float"):
		return localized{id: msgErrWantNumber}
	case t == "bool":
		return localized{id: msgErrWantBool}
	case t == "duration":
		return localized{id: msgErrWantDuration}
	}
	return ie.Unwrap().Error()
}

// groupArgs is the Args of a command that only holds subcommands: an
// argument is an unknown subcommand, with the known ones it resembles.
func groupArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(cmd, args[0])
	}
	return nil
}

func unknownCommand(cmd *cobra.Command, name string) error {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // what cobra uses for the root's
	}
	return &usageError{unknownCommandError(cmd.CommandPath(), name, cmd.SuggestionsFor(name))}
}

func unknownCommandError(path, name string, suggestions []string) *userError {
	e := userErr(msgErrUnknownCommand, name, path).fix(hintCommandList, path)
	if len(suggestions) > 0 {
		q := make([]string, len(suggestions))
		for i, s := range suggestions {
			q[i] = strconv.Quote(s)
		}
		e = userErr(msgErrUnknownCommandSuggest, name, path, strings.Join(q, ", ")).fix(hintCommandList, path)
	}
	return e
}

var (
	cobraUnknownRE  = regexp.MustCompile(`^unknown command "(.*)" for "(.*?)"(?s:(.*))$`)
	cobraRequiredRE = regexp.MustCompile(`^required flag\(s\) (.*) not set$`)
	cobraExactRE    = regexp.MustCompile(`^accepts ([0-9]+) arg\(s\), received ([0-9]+)$`)
	cobraMinRE      = regexp.MustCompile(`^requires at least ([0-9]+) arg\(s\), only received ([0-9]+)$`)
	cobraMaxRE      = regexp.MustCompile(`^accepts at most ([0-9]+) arg\(s\), received ([0-9]+)$`)
)

// cobraError turns an error cobra itself raised (it gives only text) into
// a userError; cmd is the command it was raised for. Other errors come
// back as they are.
func cobraError(cmd *cobra.Command, err error) error {
	var ue *userError
	if errors.As(err, &ue) || cmd == nil {
		return err
	}
	s := err.Error()
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m := cobraUnknownRE.FindStringSubmatch(s); m != nil {
		if !cmd.HasAvailableSubCommands() && m[2] == cmd.CommandPath() { // cobra.NoArgs
			return userErr(msgErrArgsNone, m[2], m[1]).because(err).fix(hintUsageLine, cmd.UseLine()).usage()
		}
		var sugg []string
		for _, l := range strings.Split(m[3], "\n") {
			if t, ok := strings.CutPrefix(l, "\t"); ok && t != "" {
				sugg = append(sugg, t)
			}
		}
		return &usageError{unknownCommandError(m[2], m[1], sugg).because(err)}
	}
	if m := cobraRequiredRE.FindStringSubmatch(s); m != nil {
		return userErr(msgErrRequiredFlags, m[1]).because(err).fix(hintUsageLine, cmd.UseLine()).usage()
	}
	for _, c := range []struct {
		re *regexp.Regexp
		id msgID
	}{{cobraExactRE, msgErrArgCount}, {cobraMinRE, msgErrArgsAtLeast}, {cobraMaxRE, msgErrArgsAtMost}} {
		if m := c.re.FindStringSubmatch(s); m != nil {
			return userErr(c.id, atoi(m[2]), cmd.CommandPath(), atoi(m[1])).because(err).fix(hintUsageLine, cmd.UseLine()).usage()
		}
	}
	return err
}
