package main

// Messages of --help: command descriptions and flag usages (see messages.go).
// helpUse* are the Use lines: the command's name, then its arguments with
// placeholders in the language (cobra takes the first word as the name).
// helpShort*, helpLong* describe a command, helpFlag* is a flag's usage.
// The first block holds the words of cobra's help template and the texts of
// the commands cobra adds (help, completion); see help.go.
const (
	_ msgID = iota + 5000 // the area's first ID; add messages below

	helpUsage
	helpAliases
	helpExamples
	helpCommands
	helpFlags
	helpGlobalFlags
	helpFlagsArg
	helpCommandArg
	helpMore
	helpHelpFlag
	helpDefault
	helpUseHelp
	helpShortHelp
	helpLongHelp
	helpShortCompletion
	helpLongCompletion
	helpShortCompletionShell
	helpLongCompletionBash
	helpLongCompletionZsh
	helpLongCompletionFish
	helpLongCompletionPowerShell
	helpFlagNoDescriptions

	helpShortRoot
	helpFlagLang
	helpFlagJSON
	helpShortKeys
	helpUseKeysGenerate
	helpShortKeysGenerate
	helpFlagKeyPrefix
	helpFlagPasswordFileNew
	helpShortBundle
	helpUseBundleCreate
	helpShortBundleCreate
	helpFlagPublisherKey
	helpFlagPasswordFile
	helpFlagCreateOut
	helpFlagSequence
	helpFlagBase
	helpFlagExpires
	helpFlagSite
	helpFlagCreatedFixes
	helpFlagVolumeSize
	helpFlagMaxFileSize
	helpFlagProductOfFiles
	helpFlagVersion
	helpFlagChannel
	helpFlagPlatform
	helpFlagLanguageOfFiles
	helpFlagReleased
	helpUseBundleApprove
	helpShortBundleApprove
	helpLongBundleApprove
	helpFlagApproverKey
	helpFlagApproverName
	helpUseBundleVerify
	helpShortBundleVerify
	helpLongBundleVerify
	helpFlagTrust
	helpFlagApprover
	helpFlagApprovalsDefault
	helpUseBundleInspect
	helpShortBundleInspect
	helpUseFetch
	helpShortFetch
	helpFlagConfig
	helpShortConfig
	helpUseConfigShow
	helpShortConfigShow
	helpUseConfigInit
	helpShortConfigInit
	helpFlagConfigOut
	helpUseExport
	helpShortExport
	helpLongExport
	helpFlagExportKey
	helpFlagPasswordFileBatch
	helpFlagExportOut
	helpFlagSince
	helpFlagFull
	helpFlagExportVolumeSize
	helpFlagExportMaxFileSize
	helpFlagCreated
	helpUseAdd
	helpShortAdd
	helpFlagProduct
	helpFlagLanguage
	helpUseRun
	helpShortRun
	helpLongRun
	helpFlagVerbose
	helpFlagNoPassword
	helpUseDemo
	helpShortDemo
	helpLongDemo
	helpFlagDemoListen
	helpFlagNoServe
	helpFlagUpstreamOnly
	helpFlagWriteConfig
	helpFlagDemoDir
	helpShortMirror
	helpFlagSyslog
	helpFlagData
	helpUseMirrorInit
	helpShortMirrorInit
	helpFlagInitVendorTrust
	helpFlagOperator
	helpUseMirrorImport
	helpShortMirrorImport
	helpLongMirrorImport
	helpFlagImportOperator
	helpFlagLabel
	helpFlagScanCommand
	helpFlagRepair
	helpUseMirrorStatus
	helpShortMirrorStatus
	helpUseMirrorLedger
	helpShortMirrorLedger
	helpFlagCSV
	helpFlagVerify
	helpFlagCode
	helpUseMirrorTrust
	helpShortMirrorTrust
	helpFlagAddPublisher
	helpFlagRemovePublisher
	helpFlagAddApprover
	helpFlagRemoveApprover
	helpFlagApprovals
	helpFlagVendorTrust
	helpFlagVendorTrustDefault
	helpFlagShowVendorTrust
	helpUseMirrorServe
	helpShortMirrorServe
	helpFlagListen
	helpFlagTLSCert
	helpFlagTLSKey
	helpFlagLogFile
	helpFlagMaxConnections
	helpFlagStallTimeout
	helpFlagHeaderTimeout
	helpFlagIdleTimeout
	helpFlagScrubEvery
	helpFlagScrubRate
	helpUseMirrorScrub
	helpShortMirrorScrub
	helpUseMirrorGC
	helpShortMirrorGC
	helpFlagKeep
	helpShortMirrorService
	helpUseServiceInstall
	helpShortServiceInstall
	helpFlagServiceData
	helpFlagServiceListen
	helpFlagServiceUser
	helpFlagServicePrint
	helpShortServiceUninstall
)

var helpMessages = map[msgID]text{ // {en, ja}
	// cobra's help template (see app.usage) and the commands cobra adds
	helpUsage:       {"Usage:", "使い方:"},
	helpAliases:     {"Aliases:", "別名:"},
	helpExamples:    {"Examples:", "例:"},
	helpCommands:    {"Available Commands:", "コマンド:"},
	helpFlags:       {"Flags:", "フラグ:"},
	helpGlobalFlags: {"Global Flags:", "共通フラグ:"},
	helpFlagsArg:    {"[flags]", "[フラグ]"},
	helpCommandArg:  {"[command]", "[コマンド]"},
	helpMore:        {`Use "%s [command] --help" for more information about a command.`, `各コマンドの詳しい説明は "%s [コマンド] --help" で表示されます。`},
	helpHelpFlag:    {"help for %s", "%s のヘルプを表示"},
	helpDefault:     {" (default %s)", "（既定: %s）"},
	helpUseHelp:     {"help [command]", "help [コマンド]"},
	helpShortHelp:   {"Help about any command", "コマンドのヘルプを表示します"},
	helpLongHelp: {"Help provides help for any command in the application.\nSimply type %s help [path to command] for full details.",
		"どのコマンドのヘルプも表示します。\n詳しくは %s help [コマンドのパス] と入力してください。"},
	helpShortCompletion: {"Generate the autocompletion script for the specified shell", "指定したシェル用の補完スクリプトを生成します"},
	helpLongCompletion: {"Generate the autocompletion script for %[1]s for the specified shell.\nSee each sub-command's help for details on how to use the generated script.\n",
		"指定したシェル用に %[1]s の補完スクリプトを生成します。\n生成したスクリプトの使い方は、各サブコマンドのヘルプを参照してください。\n"},
	helpShortCompletionShell: {"Generate the autocompletion script for %s", "%s 用の補完スクリプトを生成します"},
	helpLongCompletionBash: {`Generate the autocompletion script for the bash shell.

This script depends on the 'bash-completion' package.
If it is not installed already, you can install it via your OS's package manager.

To load completions in your current shell session:

	source <(%[1]s completion bash)

To load completions for every new session, execute once:

#### Linux:

	%[1]s completion bash > /etc/bash_completion.d/%[1]s

#### macOS:

	%[1]s completion bash > $(brew --prefix)/etc/bash_completion.d/%[1]s

You will need to start a new shell for this setup to take effect.
`, `bash 用の補完スクリプトを生成します。

このスクリプトには bash-completion パッケージが必要です。
まだ入っていなければ、OS のパッケージ管理ツールでインストールしてください。

今のシェルで補完を有効にするには:

	source <(%[1]s completion bash)

新しく開くシェルで毎回有効にするには、次を一度だけ実行します:

#### Linux の場合:

	%[1]s completion bash > /etc/bash_completion.d/%[1]s

#### macOS の場合:

	%[1]s completion bash > $(brew --prefix)/etc/bash_completion.d/%[1]s

設定は、新しく開いたシェルから有効になります。
`},
	helpLongCompletionZsh: {`Generate the autocompletion script for the zsh shell.

If shell completion is not already enabled in your environment you will need
to enable it.  You can execute the following once:

	echo "autoload -U compinit; compinit" >> ~/.zshrc

To load completions in your current shell session:

	source <(%[1]s completion zsh)

To load completions for every new session, execute once:

#### Linux:

	%[1]s completion zsh > "${fpath[1]}/_%[1]s"

#### macOS:

	%[1]s completion zsh > $(brew --prefix)/share/zsh/site-functions/_%[1]s

You will need to start a new shell for this setup to take effect.
`, `zsh 用の補完スクリプトを生成します。

シェルの補完がまだ有効になっていなければ、有効にする必要があります。
次を一度だけ実行してください:

	echo "autoload -U compinit; compinit" >> ~/.zshrc

今のシェルで補完を有効にするには:

	source <(%[1]s completion zsh)

新しく開くシェルで毎回有効にするには、次を一度だけ実行します:

#### Linux の場合:

	%[1]s completion zsh > "${fpath[1]}/_%[1]s"

#### macOS の場合:

	%[1]s completion zsh > $(brew --prefix)/share/zsh/site-functions/_%[1]s

設定は、新しく開いたシェルから有効になります。
`},
	helpLongCompletionFish: {`Generate the autocompletion script for the fish shell.

To load completions in your current shell session:

	%[1]s completion fish | source

To load completions for every new session, execute once:

	%[1]s completion fish > ~/.config/fish/completions/%[1]s.fish

You will need to start a new shell for this setup to take effect.
`, `fish 用の補完スクリプトを生成します。

今のシェルで補完を有効にするには:

	%[1]s completion fish | source

新しく開くシェルで毎回有効にするには、次を一度だけ実行します:

	%[1]s completion fish > ~/.config/fish/completions/%[1]s.fish

設定は、新しく開いたシェルから有効になります。
`},
	helpLongCompletionPowerShell: {`Generate the autocompletion script for powershell.

To load completions in your current shell session:

	%[1]s completion powershell | Out-String | Invoke-Expression

To load completions for every new session, add the output of the above command
to your powershell profile.
`, `PowerShell 用の補完スクリプトを生成します。

今のシェルで補完を有効にするには:

	%[1]s completion powershell | Out-String | Invoke-Expression

新しく開くシェルで毎回有効にするには、上のコマンドの出力を
PowerShell のプロファイルに追加してください。
`},
	helpFlagNoDescriptions: {"disable completion descriptions", "補完候補の説明を表示しない"},

	// patchferry
	helpShortRoot: {"Carry software updates across an air gap (LGWAN) in signed bundles",
		"ソフトウェアの更新を、署名付きバンドルでネットワーク分離（LGWAN）の内側へ運びます"},
	helpFlagLang: {"message language: ja or en (default: $PATCHFERRY_LANG, else the OS locale)",
		"メッセージの言語: ja または en（既定: $PATCHFERRY_LANG、なければ OS のロケール）"},
	helpFlagJSON: {"machine-readable JSON output for scripts", "スクリプト向けに JSON で出力する"},

	// keys
	helpShortKeys:       {"Manage signing keys", "署名鍵を管理します"},
	helpUseKeysGenerate: {"generate --out PREFIX", "generate --out 接頭辞"},
	helpShortKeysGenerate: {"Make a key pair: PREFIX.key (encrypted, cosign format) and PREFIX.pub",
		"鍵ペアを作成します: 接頭辞.key（暗号化済み、cosign 形式）と 接頭辞.pub"},
	helpFlagKeyPrefix: {"path prefix of the key files (required)", "鍵ファイルのパスの接頭辞（必須）"},
	helpFlagPasswordFileNew: {"read the password from this file (else $PATCHFERRY_KEY_PASSWORD, else a prompt)",
		"パスワードをこのファイルから読む（なければ $PATCHFERRY_KEY_PASSWORD、それもなければ入力を求める）"},

	// bundle
	helpShortBundle: {"Make, approve, verify and inspect signed bundles", "署名付きバンドルを作成・承認・検証・表示します"},
	helpUseBundleCreate: {"create --key K --out DIR --sequence N --product VENDOR/PRODUCT --version V FILE...",
		"create --key 鍵 --out フォルダー --sequence 連番 --product ベンダー/製品 --version バージョン ファイル..."},
	helpShortBundleCreate: {"Pack files downloaded by hand into a signed bundle", "手動でダウンロードしたファイルを署名付きバンドルにまとめます"},
	helpFlagPublisherKey:  {"encrypted private key of the publisher (required)", "発行者の暗号化された秘密鍵（必須）"},
	helpFlagPasswordFile: {"read the key password from this file (else $PATCHFERRY_KEY_PASSWORD, else a prompt)",
		"鍵のパスワードをこのファイルから読む（なければ $PATCHFERRY_KEY_PASSWORD、それもなければ入力を求める）"},
	helpFlagCreateOut: {"media root, an existing folder; the bundle goes to DIR/patchferry-<site>-<seq>/ (required)",
		"媒体のルート。既存のフォルダーに限る。バンドルは フォルダー/patchferry-<拠点名>-<連番>/ に書き出す（必須）"},
	helpFlagSequence:     {"bundle sequence number, 1 or more (required)", "バンドルの連番、1 以上（必須）"},
	helpFlagBase:         {"base sequence of a delta; 0 = full bundle", "差分の基準となる連番。0 = フルバンドル"},
	helpFlagExpires:      {"validity period (30d, 12h; 0 = never)", "有効期間。30d、12h など、0 なら無期限"},
	helpFlagSite:         {"site name, part of the folder name", "拠点名。フォルダー名の一部になる"},
	helpFlagCreatedFixes: {"creation time, RFC 3339 (else $SOURCE_DATE_EPOCH, else now); fixes the output bytes", "作成日時、RFC 3339 形式（なければ $SOURCE_DATE_EPOCH、それもなければ現在時刻）。出力のバイト列が決まる"},
	helpFlagVolumeSize:   {"spread the bundle over volumes of this size (4.7G, 25G, 32Gi)", "バンドルをこの大きさの巻に分けて書き出す（4.7G、25G、32Gi など）"},
	helpFlagMaxFileSize:  {"split files above this size (default 4Gi-1, the FAT32 limit)", "この大きさを超えるファイルを分割する（既定: 4Gi-1、FAT32 の上限）"},
	helpFlagProductOfFiles: {"VENDOR/PRODUCT of the files, e.g. justsystems/ichitaro (required)",
		"ファイルのベンダー/製品（例: justsystems/ichitaro。必須）"},
	helpFlagVersion:         {"version of the files (required)", "ファイルのバージョン（必須）"},
	helpFlagChannel:         {"release channel (optional)", "リリースチャネル（省略可）"},
	helpFlagPlatform:        {"platform, e.g. win64 (optional)", "プラットフォーム（例: win64。省略可）"},
	helpFlagLanguageOfFiles: {"language of the files, e.g. ja (optional)", "ファイルの言語（例: ja。省略可）"},
	helpFlagReleased: {"vendor's release date, YYYY-MM-DD or RFC 3339 (default: each file's modification time)",
		"ベンダーの公開日、YYYY-MM-DD または RFC 3339 形式（既定: 各ファイルの更新日時）"},
	helpUseBundleApprove:   {"approve --key K --name NAME DIR...", "approve --key 鍵 --name 氏名 フォルダー..."},
	helpShortBundleApprove: {"Countersign a bundle as an approver (上司の承認)", "承認者としてバンドルに副署名します（上司の承認）"},
	helpLongBundleApprove: {"Checks every file of the bundle, then writes approvals/NAME.sig: a signature by the approver's key\n" +
		"over the approval message of the exact bundle.json (\"patchferry approval v1\", its SHA-256), never over\n" +
		"bundle.json itself. The manifest does not change. The publisher's key cannot approve.\n" +
		"DIR is the bundle folder or all its volumes.",
		"バンドルの全ファイルを検査してから、承認者の鍵による署名 approvals/氏名.sig を書き込みます。\n" +
			"署名するのは、その bundle.json 自体ではなく、bundle.json に対応する承認メッセージ（\"patchferry approval v1\" と\n" +
			"その SHA-256）です。マニフェストは変わりません。発行者の鍵では承認できません。\n" +
			"「フォルダー」には、バンドルのフォルダー、またはそのすべての巻を指定します。"},
	helpFlagApproverKey:  {"the approver's encrypted private key (required)", "承認者の暗号化された秘密鍵（必須）"},
	helpFlagApproverName: {"approver name, becomes approvals/NAME.sig (required)", "承認者の氏名。approvals/氏名.sig になる（必須）"},
	helpUseBundleVerify: {"verify --trust PUB [--trust PUB…] [--approver PUB… --approvals K] DIR...",
		"verify --trust 公開鍵 [--trust 公開鍵…] [--approver 公開鍵… --approvals 人数] フォルダー..."},
	helpShortBundleVerify: {"Check a bundle completely without importing it", "バンドルを取り込まずに完全に検証します"},
	helpLongBundleVerify: {"Checks the publisher signature, the approvals, the expiry, the layout and the SHA-256 of every file.\n" +
		"DIR is the bundle folder, each of its volumes (any order), or a media root holding one bundle.",
		"発行者の署名、承認、有効期限、構成、全ファイルの SHA-256 を検査します。\n" +
			"「フォルダー」には、バンドルのフォルダー、その各巻（順不同）、またはバンドルを 1 つ含む媒体のルートを指定します。"},
	helpFlagTrust:    {"trusted publisher public key (repeatable; required)", "信頼する発行者の公開鍵（複数指定可。必須）"},
	helpFlagApprover: {"trusted approver public key (repeatable)", "信頼する承認者の公開鍵（複数指定可）"},
	helpFlagApprovalsDefault: {"distinct approvers required (default: 1 with --approver, 0 without)",
		"必要な承認者の人数（別々の承認者として数える。既定: --approver があれば 1、なければ 0）"},
	helpUseBundleInspect: {"inspect DIR... [--json]", "inspect フォルダー... [--json]"},
	helpShortBundleInspect: {"Show what a bundle holds (sequence, base, expiry, signatures, artifacts) without verifying it",
		"バンドルの内容（連番、基準、有効期限、署名、ファイル）を、検証せずに表示します"},

	// fetch, config
	helpUseFetch: {"fetch [--config F]", "fetch [--config 設定ファイル]"},
	helpShortFetch: {"Download what is new from every enabled vendor source and verify each vendor signature",
		"有効なすべてのベンダーの配信元から新しい更新をダウンロードし、ベンダーの署名をそれぞれ検証します"},
	helpFlagConfig:      {"configuration file (default: the built-in configuration)", "設定ファイル（既定: 組み込みの設定）"},
	helpShortConfig:     {"Show or start the fetcher configuration", "フェッチャーの設定を表示、または新しく作成します"},
	helpUseConfigShow:   {"show [--config F]", "show [--config 設定ファイル]"},
	helpShortConfigShow: {"Print the effective configuration", "実際に使われる設定を表示します"},
	helpUseConfigInit:   {"init [--out FILE]", "init [--out ファイル]"},
	helpShortConfigInit: {"Write a commented starter configuration (the built-in default)", "説明付きの設定のひな形（組み込みの既定の設定）を書き出します"},
	helpFlagConfigOut:   {"file to write (- for stdout)", "書き出すファイル。- なら標準出力"},

	// export, add, run
	helpUseExport: {"export --out DIR [--config F] [--key K] [--since N | --full] [--volume-size SIZE]",
		"export --out フォルダー [--config 設定ファイル] [--key 鍵] [--since 連番 | --full] [--volume-size 大きさ]"},
	helpShortExport: {"Write the next bundle from what was fetched", "取得した更新から次のバンドルを書き出します"},
	helpLongExport: {"Writes the next bundle (sequence + 1). Without --since or --full it is a delta on the last bundle, and\n" +
		"when nothing changed since then nothing is written. --since also takes the mirror's state code.\n" +
		"The media folder (--out) must exist; it is never created (an unmounted stick must not send the bundle to the\n" +
		"internal disk). To write to a new folder on purpose, create it first (mkdir).",
		"次のバンドル（連番 + 1）を書き出します。--since も --full も指定しなければ前回のバンドルに対する差分になり、\n" +
			"前回から何も変わっていなければ何も書き出しません。--since にはミラーの状態コードも指定できます。\n" +
			"書き出し先のフォルダー（--out）は既存のものに限ります（自動では作成しません。USB メモリが接続されていないときに\n" +
			"内蔵ディスクへ書き出さないためです）。新しいフォルダーに書き出すときは、先に作成してください（mkdir）。"},
	helpFlagExportKey:         {"publisher key (default: key in the configuration)", "発行者の鍵（既定: 設定の key）"},
	helpFlagPasswordFileBatch: {"read the key password from this file (else $PATCHFERRY_KEY_PASSWORD)", "鍵のパスワードをこのファイルから読む（なければ $PATCHFERRY_KEY_PASSWORD）"},
	helpFlagExportOut: {"media root to write the bundle to, an existing folder (default: out in the configuration)",
		"バンドルを書き出す媒体のルート。既存のフォルダーに限る（既定: 設定の out）"},
	helpFlagNoPassword: {"make a key without a password: only for a throw-away key on a test machine, never for a real publisher or approver key",
		"パスワードなしの鍵を作る。テスト用マシンの使い捨ての鍵に限る。本番の発行者・承認者の鍵には決して使わない"},
	helpFlagVerbose: {"also show the log lines (INFO, WARN: each retry, each refusal) on stderr as they are written",
		"ログの行（INFO、WARN: 再試行や拒否のたび）も書かれたときに標準エラーへ表示する"},
	helpFlagSince: {"delta on this bundle sequence, or the mirror's state code (e.g. 42-K7QF)",
		"この連番のバンドル、またはミラーの状態コード（例: 42-K7QF）に対する差分を書き出す"},
	helpFlagFull:              {"write a full bundle (everything current)", "フルバンドル（現在のすべて）を書き出す"},
	helpFlagExportVolumeSize:  {"spread the bundle over volumes of this size (4.7G, 25G)", "バンドルをこの大きさの巻に分けて書き出す（4.7G、25G など）"},
	helpFlagExportMaxFileSize: {"split files above this size (default 4Gi-1, FAT32)", "この大きさを超えるファイルを分割する（既定: 4Gi-1、FAT32）"},
	helpFlagCreated: {"creation time, RFC 3339 (else $SOURCE_DATE_EPOCH, else now)",
		"作成日時、RFC 3339 形式（なければ $SOURCE_DATE_EPOCH、それもなければ現在時刻）"},
	helpUseAdd: {"add --product VENDOR/PRODUCT --version V [--released DATE] FILE...",
		"add --product ベンダー/製品 --version バージョン [--released 日付] ファイル..."},
	helpShortAdd: {"Record files downloaded by hand (Ichitaro, vendor tools); they ship with the next export",
		"手動でダウンロードしたファイル（一太郎、ベンダーのツールなど）を登録します。次の export で運ばれます"},
	helpFlagProduct:  {"VENDOR/PRODUCT, e.g. justsystems/ichitaro (required)", "ベンダー/製品（例: justsystems/ichitaro。必須）"},
	helpFlagLanguage: {"language, e.g. ja (optional)", "言語（例: ja。省略可）"},
	helpUseRun:       {"run [--config F] [--key K] [--out DIR]", "run [--config 設定ファイル] [--key 鍵] [--out フォルダー]"},
	helpShortRun: {"The weekly job: fetch, then export what is new; non-interactive, with a log file",
		"週次ジョブ: 取得してから新しい更新を書き出します。対話なしで動き、ログファイルを残します"},
	helpLongRun: {"Fetches every enabled source and writes the next bundle when something is new (else it says \"nothing new\").\n" +
		"The key password comes from $PATCHFERRY_KEY_PASSWORD or --password-file. Exit 0: all went well; 1: something\n" +
		"was refused or a source failed (the rest is still exported, the summary names each failure; when every source\n" +
		"failed nothing is written); 2: usage or configuration, or the media folder (--out) does not exist — it is never\n" +
		"created: create it first (mkdir) to write to a new folder on purpose.",
		"有効なすべての配信元から取得し、新しい更新があれば次のバンドルを書き出します（なければ「新しい更新はありません」と表示）。\n" +
			"鍵のパスワードは $PATCHFERRY_KEY_PASSWORD または --password-file から読みます。\n" +
			"終了コード 0: すべて成功。1: 拒否されたものがあるか、取得に失敗した配信元がある\n" +
			"（残りは書き出し、失敗はそれぞれまとめに表示。すべての配信元が失敗したときは何も書き出さない）。\n" +
			"2: 使い方または設定の誤り、または書き出し先のフォルダー（--out）がない（自動では作成しません。\n" +
			"新しいフォルダーに書き出すときは、先に作成してください（mkdir））。"},

	// demo
	helpUseDemo: {"demo [--listen ADDR] [--no-serve] [--upstream-only --write-config FILE]",
		"demo [--listen アドレス] [--no-serve] [--upstream-only --write-config ファイル]"},
	helpShortDemo: {"The whole flow offline: fake vendors → fetch → export → import → serve",
		"全体の流れをオフラインで実演します: 偽のベンダー → 取得 → 書き出し → 取り込み → 配信"},
	helpLongDemo: {"Runs a built-in fake vendor upstream (every vendor, signed with test keys) and the real commands against\n" +
		"it in a fresh folder: fetch, export, mirror init, import, a second week with a delta bundle, then serves the\n" +
		"mirror until Ctrl-C. --upstream-only serves just the fake upstream and writes a configuration for trying\n" +
		"fetch, run, export and mirror import by hand.",
		"組み込みの偽のベンダー配信元（全ベンダー、テスト鍵で署名）を動かし、新しいフォルダーで実際のコマンドを実行します:\n" +
			"fetch、export、mirror init、import、差分バンドルによる 2 週目。その後 Ctrl-C までミラーを配信します。\n" +
			"--upstream-only では偽の配信元だけを動かし、fetch、run、export、mirror import を手で試すための設定を書き出します。"},
	helpFlagDemoListen: {"address of the mirror (or, with --upstream-only, of the fake upstream); port 0 picks a free one",
		"ミラーのアドレス（--upstream-only では偽の配信元のアドレス）。ポート 0 なら空いているポートを選ぶ"},
	helpFlagNoServe:      {"exit after the checks instead of serving", "配信せずに、確認が終わったら終了する"},
	helpFlagUpstreamOnly: {"serve only the fake vendor upstream", "偽のベンダー配信元だけを動かす"},
	helpFlagWriteConfig: {"with --upstream-only: write a fetcher configuration pointing at it (and vendor-trust.yaml beside it)",
		"--upstream-only と併用: 偽の配信元を指すフェッチャー設定（と、同じ場所に vendor-trust.yaml）を書き出す"},
	helpFlagDemoDir: {"work folder (default: a new temporary folder)", "作業フォルダー（既定: 新しい一時フォルダー）"},

	// mirror
	helpShortMirror: {"The LGWAN-side mirror: init, import, serve, status, ledger, trust, scrub, gc, service",
		"LGWAN 側のミラー: init（作成）、import（取り込み）、serve（配信）、status（状態）、ledger（台帳）、trust（信頼）、scrub（検査）、gc（整理）、service（サービス登録）"},
	helpFlagSyslog: {"copy every new ledger row to the system log (journald/syslog via /dev/log; Windows: Application event log), outside the data directory",
		"台帳に加わる行をすべて、データディレクトリの外のシステムログにも写す（journald/syslog は /dev/log 経由、Windows は Application イベントログ）"},
	helpFlagData: {"mirror data directory (default $PATCHFERRY_DATA, else /var/lib/patchferry or %ProgramData%\\patchferry)",
		"ミラーのデータディレクトリ（既定: $PATCHFERRY_DATA、なければ /var/lib/patchferry または %ProgramData%\\patchferry）"},
	helpUseMirrorInit: {"init --data DIR --trust PUB [--trust PUB…] [--approver PUB… --approvals K] [--vendor-trust FILE]",
		"init --data フォルダー --trust 公開鍵 [--trust 公開鍵…] [--approver 公開鍵… --approvals 人数] [--vendor-trust ファイル]"},
	helpShortMirrorInit: {"Create a mirror and record whom it trusts", "ミラーを作成し、信頼する鍵を記録します"},
	helpFlagInitVendorTrust: {"vendor roots and keys to re-verify vendor signatures with (default: built in)",
		"ベンダーの署名を再検証するためのルート証明書と鍵（既定: 組み込み）"},
	helpFlagOperator: {"who does this, for the ledger (default: the OS user)", "作業者名。台帳に記録する（既定: OS のユーザー名）"},
	helpUseMirrorImport: {"import --data DIR [--operator NAME] [--label LABEL] [--scan-command CMD] [--repair] PATH...",
		"import --data フォルダー [--operator 氏名] [--label ラベル] [--scan-command コマンド] [--repair] パス..."},
	helpShortMirrorImport: {"Verify a bundle again and import it, all or nothing", "バンドルを再検証して取り込みます（全部取り込むか、何も取り込まないか）"},
	helpLongMirrorImport: {"PATH is a bundle folder, a media root holding one bundle, or the volume folders in any order.\n" +
		"The media are only read. Every attempt is written to the ledger (媒体持込台帳).\n" +
		"--repair restores files of the current catalog that scrub quarantined or that went missing, from the\n" +
		"signed media of an older (or the current) sequence, without changing the catalog or the sequence.\n" +
		"Such media may have expired: only files whose SHA-256 the current catalog names are restored.\n" +
		"Exit 0 when files were restored or nothing was missing; 1 when the media were refused or hold\n" +
		"none of the missing files.",
		"「パス」には、バンドルのフォルダー、バンドルを 1 つ含む媒体のルート、または各巻のフォルダー（順不同）を指定します。\n" +
			"媒体は読み取るだけです。取り込みの試行はすべて台帳（媒体持込台帳）に記録します。\n" +
			"--repair は、現在のカタログのファイルのうち scrub が隔離したものや失われたものを、古い（または現在の）連番の\n" +
			"署名付き媒体から復元します。カタログと連番は変わりません。\n" +
			"その媒体は有効期限切れでもかまいません。復元するのは、現在のカタログに SHA-256 が載っているファイルだけです。\n" +
			"終了コード 0: ファイルを復元した、または欠けているファイルがなかった。\n" +
			"1: 媒体が拒否された、または欠けているファイルを 1 つも含んでいなかった。"},
	helpFlagImportOperator: {"who brings the media in, for the ledger (default: the OS user)", "媒体を持ち込む人。台帳に記録する（既定: OS のユーザー名）"},
	helpFlagLabel:          {"label of the medium, for the ledger (e.g. USB-07)", "媒体のラベル。台帳に記録する（例: USB-07）"},
	helpFlagScanCommand: {"virus scanner run on every payload, e.g. \"clamscan --no-summary\" (exit 0 clean, 1 detected)",
		"すべてのファイルを検査するウイルス対策コマンド（例: \"clamscan --no-summary\"。終了コード 0 = 問題なし、1 = 検出）"},
	helpFlagRepair: {"restore missing or quarantined files of the current catalog from these (older) media; nothing else changes",
		"現在のカタログのうち欠けているファイル、隔離されたファイルを、指定した（古い）媒体から復元する。ほかは何も変わらない"},
	helpUseMirrorStatus: {"status --data DIR [--json]", "status --data フォルダー [--json]"},
	helpShortMirrorStatus: {"Show what the mirror serves: sequence, state code, last import",
		"ミラーが配信している内容（連番、状態コード、最終取り込み）を表示します"},
	helpUseMirrorLedger: {"ledger --data DIR [--csv | --verify [--code CODE]...]", "ledger --data フォルダー [--csv | --verify [--code 台帳コード]...]"},
	helpShortMirrorLedger: {"Show the import ledger (媒体持込台帳); --csv for Excel, --verify checks the hash chain and the ledger codes of the paper ledger",
		"取り込みの台帳（媒体持込台帳）を表示します。--csv は Excel 用、--verify はハッシュチェーンと紙の台帳の台帳コードを検査します"},
	helpFlagCSV: {"write CSV (UTF-8 with BOM, one header row) to stdout for Excel",
		"Excel 用の CSV（BOM 付き UTF-8、見出し 1 行）を標準出力に書き出す"},
	helpFlagVerify: {"check that no row was edited or removed", "書き換えられた行や削除された行がないことを検査する"},
	helpFlagCode: {"(implies --verify) a ledger code from the paper ledger (e.g. 12-7K3M-Q9TX-AB12-CD39); the ledger must still hold that row as it was. Repeat the flag or separate codes with commas",
		"（--verify を含む）紙の台帳に記入した台帳コード（例: 12-7K3M-Q9TX-AB12-CD39）。その行が記入したときのまま台帳に残っていることを確かめる。複数のときはフラグを繰り返すか、コンマで区切る"},
	helpUseMirrorTrust: {"trust --data DIR [--add-publisher PUB] [--remove-publisher KEYID] [--add-approver PUB] [--remove-approver KEYID] [--approvals K] [--vendor-trust FILE]",
		"trust --data フォルダー [--add-publisher 公開鍵] [--remove-publisher 鍵ID] [--add-approver 公開鍵] [--remove-approver 鍵ID] [--approvals 人数] [--vendor-trust ファイル]"},
	helpShortMirrorTrust: {"Show or change whom the mirror trusts (every change is a ledger row)",
		"ミラーが信頼する鍵を表示・変更します（変更はすべて台帳に記録）"},
	helpFlagAddPublisher:       {"trust another publisher key (.pub)", "発行者の鍵（.pub）を信頼に加える"},
	helpFlagRemovePublisher:    {"stop trusting the publisher key with this key ID", "この鍵 ID の発行者の鍵を信頼から外す"},
	helpFlagAddApprover:        {"add an approver key (.pub)", "承認者の鍵（.pub）を加える"},
	helpFlagRemoveApprover:     {"remove the approver key with this key ID", "この鍵 ID の承認者の鍵を外す"},
	helpFlagApprovals:          {"distinct approvals required", "必要な承認の数（別々の承認者として数える）"},
	helpFlagVendorTrust:        {"replace the vendor roots and keys with this file", "ベンダーのルート証明書と鍵を、このファイルの内容に置き換える"},
	helpFlagVendorTrustDefault: {"go back to the built-in vendor roots and keys", "組み込みのベンダーのルート証明書と鍵に戻す"},
	helpFlagShowVendorTrust:    {"print the vendor trust in its file form", "ベンダー信頼をファイルの形式で表示する"},
	helpUseMirrorServe: {"serve --data DIR --listen ADDR [--tls-cert F --tls-key F]",
		"serve --data フォルダー --listen アドレス [--tls-cert ファイル --tls-key ファイル]"},
	helpShortMirrorServe: {"Serve the mirror over HTTP and own the store (other mirror commands hand their work to it)",
		"ミラーを HTTP で配信し、保管庫を管理します（ほかの mirror コマンドは処理をこのプロセスに任せます）"},
	helpFlagListen: {"address to listen on, e.g. :8080 or 192.0.2.10:80 (port 0 picks a free port)",
		"待ち受けるアドレス。例: :8080、192.0.2.10:80。ポート 0 なら空いているポートを選ぶ"},
	helpFlagTLSCert: {"serve HTTPS with this certificate (PEM)", "この証明書（PEM）を使って HTTPS で配信する"},
	helpFlagTLSKey:  {"… and this private key (PEM)", "…と、この秘密鍵（PEM）"},
	helpFlagLogFile: {"append the access and admin log to this file instead of stderr (a Windows service has no stderr)",
		"アクセスログと管理ログを、標準エラー出力ではなくこのファイルに追記する（Windows サービスには標準エラー出力がない）"},
	helpFlagMaxConnections: {"most client connections open at once; more wait (each may hold a socket and a file: the process needs about twice as many file descriptors)",
		"同時に開くクライアント接続の上限。超えた分は待たせる（接続ごとにソケットとファイルを使うことがあるため、プロセスにはこの約 2 倍のファイル記述子が必要）"},
	helpFlagStallTimeout: {"close a connection whose client has taken no data for this long (a download that keeps moving, at least 64 KiB per period, never times out)",
		"クライアントがこの時間データを受け取らない接続を閉じる（この時間ごとに 64 KiB 以上進んでいるダウンロードはタイムアウトしない）"},
	helpFlagHeaderTimeout: {"close a connection that has not sent its request header within this long", "この時間内にリクエストヘッダーを送ってこない接続を閉じる"},
	helpFlagIdleTimeout:   {"close a keep-alive connection idle this long", "この時間使われていないキープアライブ接続を閉じる"},
	helpFlagScrubEvery: {"re-hash every blob in the background once per this period, spread over it, and quarantine damaged ones (0: no background scrub)",
		"保管しているすべてのファイルのハッシュを、この期間に 1 回、期間全体に分散してバックグラウンドで再計算し、壊れたものを隔離する（0 = バックグラウンド検査なし）"},
	helpFlagScrubRate: {"read at most this fast for the background scrub, e.g. 20MB/s (0: no cap)",
		"バックグラウンド検査の読み取り速度の上限（例: 20MB/s。0 = 上限なし）"},
	helpUseMirrorScrub: {"scrub --data DIR", "scrub --data フォルダー"},
	helpShortMirrorScrub: {"Re-hash every blob; quarantine any that changed on disk so it is never served",
		"保管しているすべてのファイルのハッシュを再計算し、ディスク上で変わったものを隔離して配信しないようにします"},
	helpUseMirrorGC: {"gc --data DIR --keep N", "gc --data フォルダー --keep 版数"},
	helpShortMirrorGC: {"Keep N versions per product and remove blobs nothing refers to",
		"製品ごとに新しい版を --keep の数だけ残し、どこからも参照されていないファイルを削除します"},
	helpFlagKeep: {"versions to keep per product (required, at least 1)", "製品ごとに残す版の数（必須、1 以上）"},
	helpShortMirrorService: {"Install or remove the mirror as a service (Windows service, systemd unit)",
		"ミラーをサービスとして登録・削除します（Windows サービス、systemd ユニット）"},
	helpUseServiceInstall: {"install [--data DIR] [--listen ADDR]", "install [--data フォルダー] [--listen アドレス]"},
	helpShortServiceInstall: {"Run `mirror serve` as a service: a Windows service, or a systemd unit on Linux",
		"`mirror serve` をサービスとして動かします: Windows ではサービス、Linux では systemd ユニット"},
	helpFlagServiceData: {"mirror data directory (default $PATCHFERRY_DATA, else the OS default)",
		"ミラーのデータディレクトリ（既定: $PATCHFERRY_DATA、なければ OS の既定の場所）"},
	helpFlagServiceListen: {"address the service listens on", "サービスが待ち受けるアドレス"},
	helpFlagServiceUser: {"Linux: run as this user (default root; give the user that owns --data)",
		"Linux: このユーザーとして実行する（既定: root。--data の所有者を指定する）"},
	helpFlagServicePrint:      {"Linux: print the systemd unit instead of installing it", "Linux: systemd ユニットをインストールせずに表示する"},
	helpShortServiceUninstall: {"Stop and remove the service", "サービスを停止して削除します"},
}
