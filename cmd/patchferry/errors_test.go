package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/fetcher"
)

// langCase is one mistake a user makes, run in English and in Japanese:
// the exit code, and what stderr says in each language (the error and its
// "→" line).
type langCase struct {
	name   string
	env    map[string]string
	args   []string
	code   int
	en, ja []string // in stderr
	// notJA must not appear under --lang ja: the English text of the error
	// and of its fix.
	notJA []string
}

// runBothLanguages runs each case with --lang en and --lang ja. Each
// prints nothing on stdout, one "error:"/"エラー:" line with the error,
// and the generic pointer to --help only when no "→" line says more.
func runBothLanguages(t *testing.T, cases []langCase) {
	t.Helper()
	for _, tc := range cases {
		for _, lang := range []string{"en", "ja"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				stdout, stderr, code := runCLI(t, tc.env, append([]string{"--lang", lang}, tc.args...)...)
				if code != tc.code {
					t.Errorf("exit %d, want %d\nstderr: %s", code, tc.code, stderr)
				}
				if stdout != "" {
					t.Errorf("stdout %q, want nothing", stdout)
				}
				want, prefix, seeHelp := tc.en, "error: ", "Run with --help"
				if lang == "ja" {
					want, prefix, seeHelp = tc.ja, "エラー: ", "使い方は --help"
					// From the error on (a log line before it is not a message).
					_, msg, _ := strings.Cut(stderr, prefix)
					for _, s := range tc.notJA {
						if strings.Contains(msg, s) {
							t.Errorf("Japanese error contains %q:\n%s", s, stderr)
						}
					}
				}
				wantContains(t, "stderr", stderr, append([]string{prefix, "\n  → "}, want...)...)
				if strings.Contains(stderr, seeHelp) {
					t.Errorf("stderr points to --help although a → line says what to do:\n%s", stderr)
				}
			})
		}
	}
}

// TestMissingFiles: a key file, a password file or a medium that is not
// there says so and what to do, in both languages.
func TestMissingFiles(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir := t.TempDir()
	noKey := filepath.Join(dir, "publisher.key")
	noPub := filepath.Join(dir, "publisher.pub")
	noPw := filepath.Join(dir, "password.txt")
	noMedia := filepath.Join(dir, "media", "usb")
	empty := filepath.Join(dir, "mnt")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	data := initMirror(t)
	runBothLanguages(t, []langCase{
		{name: "missing key file", env: pwEnv, args: createArgs(f, filepath.Join(dir, "out"), "--key", noKey), code: exitUsage,
			en:    []string{"key file " + noKey + " does not exist", "→ Give the path of your key with --key, or make a key pair first: patchferry keys generate --out <name>"},
			ja:    []string{"鍵ファイル " + noKey + " がありません", "先に鍵ペアを作成してください: patchferry keys generate --out <名前>"},
			notJA: []string{"does not exist", "no such file", "make a key pair"}},
		{name: "missing trusted key", args: []string{"bundle", "verify", "--trust", noPub, f.bundle}, code: exitUsage,
			en:    []string{"key file " + noPub + " does not exist", "→ Give the path of the publisher's public key"},
			ja:    []string{"鍵ファイル " + noPub + " がありません", "発行者の公開鍵"},
			notJA: []string{"does not exist", "no such file"}},
		{name: "missing password file", args: createArgs(f, filepath.Join(dir, "out"), "--password-file", noPw), code: exitUsage,
			en:    []string{"password file " + noPw + " does not exist", "→ Check the path given to --password-file, or leave it out and set PATCHFERRY_KEY_PASSWORD"},
			ja:    []string{"パスワードファイル " + noPw + " がありません", "→ --password-file に指定したパスを確認してください。", "PATCHFERRY_KEY_PASSWORD"},
			notJA: []string{"does not exist", "no such file", "Check the path"}},
		{name: "bundle verify: medium not connected", args: []string{"bundle", "verify", "--trust", f.publisher.pub, noMedia}, code: exitFailed,
			en:    []string{noMedia + " does not exist", "→ Is the USB drive or disc connected?", "drive letter", "mounted"},
			ja:    []string{noMedia + " が見つかりません", "→ USB メモリやディスクは接続されていますか？", "ドライブ文字", "マウント"},
			notJA: []string{"does not exist", "no such file", "connected?"}},
		{name: "bundle inspect: medium not connected", args: []string{"bundle", "inspect", noMedia}, code: exitFailed,
			en: []string{noMedia + " does not exist", "→ Is the USB drive or disc connected?"},
			ja: []string{noMedia + " が見つかりません", "→ USB メモリやディスクは接続されていますか？"}, notJA: []string{"does not exist"}},
		{name: "mirror import: medium not connected", args: []string{"mirror", "import", "--data", data, noMedia}, code: exitFailed,
			en: []string{noMedia + " does not exist", "→ Is the USB drive or disc connected?"},
			ja: []string{noMedia + " が見つかりません", "→ USB メモリやディスクは接続されていますか？"}, notJA: []string{"does not exist"}},
		{name: "mirror import: medium not mounted", args: []string{"mirror", "import", "--data", data, empty}, code: exitFailed,
			en:    []string{empty + " holds no bundle", "→ Is the medium mounted at this path (an empty folder is what an unmounted mount point looks like)"},
			ja:    []string{empty + " にバンドルがありません", "→ 媒体がこのパスにマウントされていますか"},
			notJA: []string{"holds no bundle", "mounted at"}},
	})
	if files := filesUnder(t, dir); len(files) != 0 { // out/ (made by createArgs) stays empty
		t.Errorf("files written by failed commands: %v", files)
	}
}

// TestWrongTrust: a bundle signed by a key the verifier does not trust
// names the trusted key IDs and the key that signed (recovered from the
// signature), in both languages and in --json.
func TestWrongTrust(t *testing.T) {
	t.Parallel()
	f := shared(t)
	args := []string{"bundle", "verify", "--trust", f.approver1.pub, "--trust", f.approver2.pub, f.bundle}
	trusted := f.approver1.id + ", " + f.approver2.id
	runBothLanguages(t, []langCase{{name: "wrong --trust", args: args, code: exitFailed,
		en: []string{"error: bundle.json.sig: the publisher signature is by no trusted key (trusted: " + trusted + "); it was made by key ",
			f.publisher.id, "→ Compare the key IDs."},
		ja: []string{"エラー: bundle.json.sig: 発行者の署名が、信頼している鍵のどれによるものでもありません（信頼している鍵: " + trusted + "）。署名した鍵: ",
			f.publisher.id, "→ 鍵 ID を照合してください。"},
		notJA: []string{"trusted key", "signed by", "Compare"},
	}})

	stdout, _, code := runCLI(t, nil, append([]string{"--json", "--lang", "ja"}, args...)...)
	var got struct {
		Error, Message, Hint, File string
		ExitCode                   int `json:"exit_code"`
	}
	decodeJSON(t, stdout, &got)
	if code != exitFailed || got.ExitCode != exitFailed || got.File != "bundle.json.sig" ||
		!strings.Contains(got.Error, "signed by no trusted key (2 trusted keys tried: "+trusted+")") || !strings.Contains(got.Error, f.publisher.id) ||
		!strings.Contains(got.Message, "署名した鍵") || !strings.Contains(got.Message, f.publisher.id) || !strings.HasPrefix(got.Hint, "鍵 ID を照合") {
		t.Errorf("exit %d, JSON %s\nwant the English error for scripts, the Japanese message and hint, both naming %s", code, stdout, f.publisher.id)
	}
}

// TestConfigTypo: a mistyped key names its section, its line and the key
// meant; an indentation error names the line that is wrong — in both
// languages, without Go type names, for every command that reads the
// configuration.
func TestConfigTypo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	typo := write("typo.yaml", "site: tokyo\n\nsources:\n  clamav:\n    databses: [main, daily]\n")
	indent := write("indent.yaml", "site: tokyo\nsources:\n  clamav:\n    databases:\n      - main\n     - daily\n")
	under := write("under.yaml", "sources:\n  clamav:\n  databases: [main]\n")
	value := write("value.yaml", "site: tokyo\nconcurrency: four\n")
	goTypes := []string{"fetcher.", "clamav.Config", "struct {", "not found in type"}
	runBothLanguages(t, []langCase{
		{name: "config show", args: []string{"config", "show", "--config", typo}, code: exitUsage,
			en:    []string{"error: config " + typo + `: sources.clamav: unknown key "databses" (line 5); did you mean "databases"?`, "→ Correct line 5 of " + typo},
			ja:    []string{"エラー: 設定ファイル " + typo + `: sources.clamav: 不明なキー "databses" があります（5 行目）。"databases" の誤りではありませんか？`, "→ " + typo + " の 5 行目を直してください。"},
			notJA: append([]string{"unknown key", "did you mean"}, goTypes...)},
		{name: "fetch", args: []string{"fetch", "--config", typo}, code: exitUsage,
			en: []string{`unknown key "databses" (line 5); did you mean "databases"?`},
			ja: []string{`不明なキー "databses" があります（5 行目）`}, notJA: goTypes},
		{name: "list item indented differently", args: []string{"config", "show", "--config", indent}, code: exitUsage,
			en:    []string{"config " + indent + ": line 6: not valid YAML: a key is indented differently from the keys above it", "→ Look at line 6 of " + indent},
			ja:    []string{"設定ファイル " + indent + ": 6 行目: YAML として読めません（キーの字下げが上のキーとそろっていません）", "→ " + indent + " の 6 行目を確認してください"},
			notJA: []string{"did not find", "indented"}},
		{name: "key indented too little", args: []string{"config", "show", "--config", under}, code: exitUsage,
			en:    []string{`sources: unknown source "databases" (line 3); "databases" is a key of sources.clamav: indent it below sources.clamav`},
			ja:    []string{`sources: 不明なソース "databases" があります（3 行目）。"databases" は sources.clamav のキーです。sources.clamav の下に字下げしてください`},
			notJA: []string{"unknown source", "indent it"}},
		{name: "invalid value", args: []string{"config", "show", "--config", value}, code: exitUsage,
			en:    []string{"config " + value + `: line 2: want a whole number from 1 to 64, got "four"`, "→ Correct line 2 of " + value},
			ja:    []string{"設定ファイル " + value + `: 2 行目: 1〜64 の整数を指定してください（"four" が指定されています）`, "→ " + value + " の 2 行目を直してください"},
			notJA: []string{"want", "whole number"}},
	})
	for _, tc := range []struct{ lang, want string }{{"en", "Correct line 5 of "}, {"ja", " の 5 行目を直してください"}} {
		stdout, _, code := runCLI(t, nil, "--json", "--lang", tc.lang, "config", "show", "--config", typo)
		var got map[string]any
		decodeJSON(t, stdout, &got)
		if code != exitUsage || !strings.Contains(got["error"].(string), `did you mean "databases"?`) || !strings.Contains(got["hint"].(string), tc.want) {
			t.Errorf("--json --lang %s: exit %d\n%s", tc.lang, code, stdout)
		}
	}
}

// TestSubcommandTypo: a mistyped subcommand before its flags is reported
// as such, with the subcommand meant — not as an unknown flag.
func TestSubcommandTypo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runBothLanguages(t, []langCase{
		{name: "mirror improt --data", args: []string{"mirror", "improt", "--data", dir, "/media/usb"}, code: exitUsage,
			en:    []string{`error: unknown command "improt" for "patchferry mirror"; did you mean "import"?`, "→ `patchferry mirror --help` lists its commands."},
			ja:    []string{`エラー: "patchferry mirror" に "improt" というコマンドはありません。"import" の誤りではありませんか？`, "→ コマンドの一覧は `patchferry mirror --help` で表示されます。"},
			notJA: []string{"unknown", "--data"}},
		{name: "bundle verfy --trust", args: []string{"bundle", "verfy", "--trust", "x.pub", dir}, code: exitUsage,
			en: []string{`unknown command "verfy" for "patchferry bundle"; did you mean "verify"?`},
			ja: []string{`"patchferry bundle" に "verfy" というコマンドはありません。"verify" の誤りではありませんか？`}, notJA: []string{"unknown"}},
		{name: "mirrr import --data", args: []string{"mirrr", "import", "--data", dir}, code: exitUsage,
			en: []string{`unknown command "mirrr" for "patchferry"; did you mean "mirror"?`},
			ja: []string{`"patchferry" に "mirrr" というコマンドはありません。"mirror" の誤りではありませんか？`}, notJA: []string{"unknown", "Did you mean"}},
		{name: "nothing close", args: []string{"keys", "frobnicate", "--out", dir}, code: exitUsage,
			en: []string{`unknown command "frobnicate" for "patchferry keys"`, "→ `patchferry keys --help` lists its commands."},
			ja: []string{`"patchferry keys" に "frobnicate" というコマンドはありません`}, notJA: []string{"did you mean"}},
		{name: "unknown flag of a group", args: []string{"mirror", "--bogus"}, code: exitUsage,
			en: []string{"unknown flag: --bogus", "→ `patchferry mirror --help` lists its flags."},
			ja: []string{"不明なフラグです: --bogus", "→ 指定できるフラグは `patchferry mirror --help` で表示されます。"}, notJA: []string{"unknown flag"}},
		{name: "argument count", args: []string{"bundle", "inspect"}, code: exitUsage,
			en: []string{"patchferry bundle inspect requires at least 1 arg(s), only received 0", "→ Usage: patchferry bundle inspect"},
			ja: []string{"引数が足りません: patchferry bundle inspect には 1 個以上必要ですが、0 個指定されました", "→ 使い方: patchferry bundle inspect"}, notJA: []string{"arg(s)"}},
		{name: "flag value", args: []string{"bundle", "create", "--sequence", "two"}, code: exitUsage,
			en: []string{`invalid argument "two" for "--sequence" flag: want a whole number`},
			ja: []string{`フラグ --sequence の値 "two" は使えません: 整数を指定してください`}, notJA: []string{"invalid", "strconv"}},
	})
}

// TestEmptyPassword: keys generate refuses an empty password unless
// --no-password asks for a key without one; such a key is used with a
// note, and needs no password source.
func TestEmptyPassword(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	emptyPw := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(emptyPw, []byte("\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused := filepath.Join(dir, "k")
	runBothLanguages(t, []langCase{
		{name: "empty password file", args: []string{"keys", "generate", "--out", refused, "--password-file", emptyPw}, code: exitUsage,
			en:    []string{"empty password for " + refused + ".key: refused", "→ Give a password. Only for a throw-away key on a test machine, --no-password"},
			ja:    []string{refused + ".key のパスワードが空です", "→ パスワードを指定してください。テスト用マシンの使い捨ての鍵に限り、--no-password"},
			notJA: []string{"refused", "throw-away"}},
		{name: "--no-password with a password", env: pwEnv, args: []string{"keys", "generate", "--out", refused, "--no-password"}, code: exitUsage,
			en: []string{"--no-password and a password", "→ Leave out --no-password"}, ja: []string{"--no-password とパスワード", "→ パスワード付きの鍵を作るには --no-password を外し"}, notJA: []string{"were both given"}},
	})
	// Enter at the prompt: refused without asking twice.
	a, stdout, stderr := newTestApp(nil)
	var left func() int
	a.readPassword, left = passwordQueue("", "not asked")
	a.stdinTerminal = true
	if code := run(t.Context(), a, []string{"keys", "generate", "--out", refused}); code != exitUsage || left() != 1 {
		t.Errorf("empty password at the prompt: exit %d, %d answers left\nstdout: %s\nstderr: %s", code, left(), stdout, stderr)
	}
	if _, err := os.Stat(refused + ".key"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key with an empty password was written: %v", err)
	}

	// --no-password: written with a note; used with the note and without
	// any password source.
	test := filepath.Join(dir, "test")
	for _, lang := range []string{"en", "ja"} {
		prefix := test + "-" + lang
		stdout, stderr, code := runCLI(t, nil, "--lang", lang, "keys", "generate", "--out", prefix, "--no-password")
		note := map[string]string{"en": "note: " + prefix + ".key has no password", "ja": "注意: " + prefix + ".key にはパスワードがありません"}[lang]
		if code != exitOK || !strings.Contains(stderr, note) || !strings.Contains(stdout, prefix+".pub") {
			t.Fatalf("keys generate --no-password (%s): exit %d\nstdout: %s\nstderr: %s", lang, code, stdout, stderr)
		}
		payload := filepath.Join(dir, "file-"+lang+".txt")
		if err := os.WriteFile(payload, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out-"+lang)
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code = runCLI(t, nil, "--lang", lang, "bundle", "create", "--key", prefix+".key", "--out", out,
			"--sequence", "1", "--product", "a/b", "--version", "1", payload)
		if code != exitOK || !strings.Contains(stderr, note) {
			t.Errorf("bundle create with a --no-password key (%s): exit %d\nstdout: %s\nstderr: %s", lang, code, stdout, stderr)
		}
	}
}

// TestConfigShowOrigins: config show names where each value comes from,
// in YAML comments in the user's language and in an "origins" object with
// --json beside the configuration's own keys.
func TestConfigShowOrigins(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "patchferry.yaml")
	if err := os.WriteFile(path, []byte("site: tokyo\nconcurrency: 2\nsources:\n  clamav:\n    databases: [daily]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string][]string{
		"en": {"site: tokyo # " + path + ":1\n", "concurrency: 2 # " + path + ":2\n", "proxy: \"\" # default\n",
			"        enabled: true # " + path + ":4\n", "        url: https://database.clamav.net # default\n", "        enabled: false # off: not listed in " + path + "\n"},
		"ja": {"site: tokyo # " + path + " の 1 行目\n", "proxy: \"\" # 既定値\n", "        enabled: false # 無効: " + path + " に記載なし\n"},
	} {
		wantContains(t, "config show --lang "+lang, mustRun(t, nil, "--lang", lang, "config", "show", "--config", path), want...)
	}
	var got struct {
		Site    string                     `json:"site"`
		Sources map[string]json.RawMessage `json:"sources"`
		Origins map[string]string          `json:"origins"`
	}
	decodeJSON(t, mustRun(t, nil, "--json", "--lang", "ja", "config", "show", "--config", path), &got)
	if got.Site != "tokyo" || len(got.Sources) != 2 || got.Origins["site"] != path+":1" || got.Origins["cache_dir"] != "default" ||
		got.Origins["sources.clamav.databases"] != path+":5" || got.Origins["sources.mozilla.enabled"] != "off: not listed in "+path {
		t.Errorf("config show --json: %+v", got)
	}
	// The built-in configuration: every value is a default.
	shown := mustRun(t, nil, "config", "show")
	if n := strings.Count(shown, "# default\n"); n < 10 || strings.Contains(shown, ":1\n") {
		t.Errorf("config show without a file: %d defaults\n%s", n, shown)
	}
}

// TestVerifyRefusals: missing approvals, an expired bundle and a damaged
// file say so with their details in both languages.
func TestVerifyRefusals(t *testing.T) {
	t.Parallel()
	f := shared(t)
	expired := t.TempDir()
	mustRun(t, pwEnv, createArgs(f, expired, "--created", "2026-01-01T00:00:00Z", "--expires", "30d")...)
	damaged := copyBundle(t)
	file := payloadFiles(t, damaged)[0]
	flipByte(t, filepath.Join(damaged, filepath.FromSlash(file)), 10)
	runBothLanguages(t, []langCase{
		{name: "approvals", args: []string{"bundle", "verify", "--trust", f.publisher.pub, "--approver", f.approver1.pub, f.bundle}, code: exitFailed,
			en:    []string{"error: approvals: 0 of 1 required approvals from distinct trusted approver keys", "→ Not enough distinct approvers"},
			ja:    []string{"エラー: approvals: 異なる信頼済み承認者の鍵による承認が 1 件必要ですが、0 件しかありません", "→ 異なる承認者による副署名が足りません"},
			notJA: []string{"required approvals"}},
		{name: "expired", args: []string{"bundle", "verify", "--trust", f.publisher.pub, expired}, code: exitFailed,
			en:    []string{"error: bundle.json: bundle has expired: it expired at 2026-01-31T00:00:00Z, it is now 2026-11-25T12:00:00Z", "→ The bundle is past its expiry date."},
			ja:    []string{"エラー: bundle.json: バンドルの有効期限が切れています（期限 2026-01-31T00:00:00Z、現在 2026-11-25T12:00:00Z）", "→ 有効期限を過ぎたバンドルです。"},
			notJA: []string{"expired at"}},
		{name: "damaged file", args: []string{"bundle", "verify", "--trust", f.publisher.pub, damaged}, code: exitFailed,
			en:    []string{"error: " + file + ": SHA-256 is ", ", expected " + filepath.Base(file), "→ The copy on this medium is damaged"},
			ja:    []string{"エラー: " + file + ": SHA-256 が ", "（署名された記録では " + filepath.Base(file) + "）", "→ この媒体上のコピーが壊れているか"},
			notJA: []string{"expected"}},
	})
}

// describe falls back to the English text of an error it does not know,
// and a joined configuration error comes one error to a line.
func TestDescribeFallback(t *testing.T) {
	a, _, _ := newTestApp(nil)
	a.lang = "ja"
	if got := a.describe(errors.New("disk on fire")); got != "disk on fire" {
		t.Errorf("unknown error: %q", got)
	}
	if got := a.describe(userErr(msgErrKeyFileMissing, "k.key")); got != "鍵ファイル k.key がありません" {
		t.Errorf("userError: %q", got)
	}
	if got := userErr(msgErrKeyFileMissing, "k.key").Error(); got != "key file k.key does not exist" {
		t.Errorf("userError.Error: %q", got)
	}
	// Joined: each on its line, the unknown one as it is.
	joined := &usageError{errors.Join(userErr(msgErrKeyFileMissing, "a.key"), errors.New("disk on fire"), userErr(msgErrPasswordsDiffer))}
	if got, want := a.describe(joined), "鍵ファイル a.key がありません\ndisk on fire\n2 回入力したパスワードが一致しません"; got != want {
		t.Errorf("joined: %q, want %q", got, want)
	}
	// An error with several causes that are not its parts (as one from
	// the mirror server): described by its most specific cause.
	if got := a.describe(&multiCause{"bundle.json.sig: no", []error{errors.New("x"), userErr(msgErrPasswordsDiffer)}}); got != "2 回入力したパスワードが一致しません" {
		t.Errorf("several causes: %q", got)
	}
}

type multiCause struct {
	msg    string
	causes []error
}

func (e *multiCause) Error() string   { return e.msg }
func (e *multiCause) Unwrap() []error { return e.causes }

// A vendor whose server keeps failing: the source's failure line in the
// user's language (the last answer's status named).
func TestDescribeGaveUp(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("clamav: %w", &fetcher.GaveUpError{What: "https://database.clamav.net/daily.cvd", Attempts: 6,
		Err: &fetcher.HTTPError{URL: "https://database.clamav.net/daily.cvd", Status: 503}})
	for lang, want := range map[string][]string{
		"en": {"giving up after 6 attempts", "HTTP 503 Service Unavailable"},
		"ja": {"6 回試みましたが取得できませんでした", "HTTP 503（Service Unavailable）を返しました"},
	} {
		a, _, _ := newTestApp(nil)
		a.lang = lang
		got := a.describe(err)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", lang, got, w)
			}
		}
		if lang == "ja" && strings.Contains(got, "giving up") {
			t.Errorf("ja: %q", got)
		}
	}
}
