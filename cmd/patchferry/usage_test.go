package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/verify"
)

// usageCase is a usage error of a command's own checks: exit 2 in every
// language; the English text (with no --lang and with --lang en) as it
// always was; in Japanese a Japanese text with no English sentence (apart
// from the English detail of a cause, when englishDetail); a "→" line when
// hint, else the pointer to --help.
type usageCase struct {
	name          string
	env           map[string]string
	args          []string
	en, ja        []string
	hint          bool
	englishDetail bool
}

func runUsageCases(t *testing.T, cases []usageCase) {
	t.Helper()
	for _, tc := range cases {
		for _, lang := range []string{"", "en", "ja"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				args := tc.args
				if lang != "" {
					args = append([]string{"--lang", lang}, args...)
				}
				stdout, stderr, code := runCLI(t, tc.env, args...)
				if code != exitUsage {
					t.Errorf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
				}
				if stdout != "" {
					t.Errorf("stdout %q, want nothing", stdout)
				}
				want, prefix, seeHelp := tc.en, "error: ", "Run with --help"
				if lang == "ja" {
					want, prefix, seeHelp = tc.ja, "エラー: ", "使い方は --help"
					if !tc.englishDetail && englishSentence.MatchString(stderr) {
						t.Errorf("Japanese error holds an English sentence (%q):\n%s", englishSentence.FindString(stderr), stderr)
					}
				}
				if !strings.HasPrefix(stderr, prefix) {
					t.Errorf("stderr does not begin with %q:\n%s", prefix, stderr)
				}
				wantContains(t, "stderr", stderr, want...)
				if got := strings.Contains(stderr, "\n  → "); got != tc.hint {
					t.Errorf("→ line: %v, want %v:\n%s", got, tc.hint, stderr)
				}
				if strings.Contains(stderr, seeHelp) == tc.hint {
					t.Errorf("pointer to --help: %v with a → line %v:\n%s", !tc.hint, tc.hint, stderr)
				}
			})
		}
	}
}

// busyPort returns an address whose port another listener holds for the
// test.
func busyPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// TestUsageChecksInBothLanguages: the checks of export, add, demo and the
// mirror commands say what is wrong in the user's language, with the same
// English text as before, and what to do.
func TestUsageChecksInBothLanguages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "setup.exe")
	if err := os.WriteFile(file, []byte("payload"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "fetcher.yaml")
	if err := os.WriteFile(cfg, []byte("cache_dir: "+filepath.Join(dir, "cache")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	add := []string{"add", "--config", cfg, "--product", "justsystems/ichitaro", "--version", "2026.1"}
	tooMany := strings.TrimSuffix(strings.Repeat(exampleLedgerCode+",", 1001), ",")
	noConfigDir := filepath.Join(dir, "nope", "fetcher.yaml")
	noMirror := filepath.Join(dir, "no-mirror")

	runUsageCases(t, []usageCase{
		{name: "export --since with --full", args: []string{"export", "--since", "3", "--full"}, hint: true,
			en: []string{"error: --since and --full exclude each other\n", "→ Use one: --since SEQUENCE (or the mirror's state code) for a delta on that bundle, or --full"},
			ja: []string{"エラー: --since と --full は同時に指定できません\n", "→ どちらか一方を指定してください: 差分なら --since 連番"}},
		{name: "export without --out", args: []string{"export", "--config", cfg}, hint: true,
			en: []string{"error: --out is required (or set out in the configuration): the media root to write to\n", "→ Give --out with the media root", "`out:`"},
			ja: []string{"エラー: --out が必要です: 書き出し先の媒体のルート", "→ --out で媒体のルートを指定する", "`out:`"}},
		{name: "add --released bad", args: append(add, "--released", "yesterday", file), hint: true,
			en: []string{`error: --released "yesterday": want a date YYYY-MM-DD (e.g. 2026-11-20) or an RFC 3339 time (e.g. 2026-11-20T09:00:00+09:00)`, "→ Give the vendor's release date, e.g. --released 2026-11-20"},
			ja: []string{`エラー: --released "yesterday" が正しくありません。日付 YYYY-MM-DD`, "→ ベンダーの公開日を指定する（例: --released 2026-11-20）"}},
		{name: "add --product bad", args: []string{"add", "--product", "ichitaro", "--version", "1", file},
			en: []string{`error: --product "ichitaro": want VENDOR/PRODUCT, e.g. justsystems/ichitaro`},
			ja: []string{`エラー: --product "ichitaro" が正しくありません。ベンダー/製品 の形で`}},
		{name: "add a folder", args: append(add, dir), hint: true,
			en: []string{"error: " + dir + ": not a readable file\n", "→ Give the downloaded files themselves"},
			ja: []string{"エラー: " + dir + " は読み取れるファイルではありません", "→ ダウンロードしたファイルそのもの"}},
		{name: "config init in a missing folder", args: []string{"config", "init", "--out", noConfigDir}, hint: true,
			en: []string{"error: open " + noConfigDir + ": no such file or directory (a configuration is never overwritten)", "→ Check that the folder of --out exists"},
			ja: []string{"エラー: 設定ファイルを作成できません: " + noConfigDir + ": 存在しません（設定ファイルは上書きしません）", "→ --out のフォルダーが存在し"}},
		{name: "demo --upstream-only without --write-config", args: []string{"demo", "--upstream-only"}, hint: true,
			en: []string{"error: --upstream-only needs --write-config FILE\n", "→ Add --write-config FILE"},
			ja: []string{"エラー: --upstream-only には --write-config FILE が必要です", "→ --write-config FILE を付けてください"}},
		{name: "mirror gc --keep 0", args: []string{"mirror", "gc", "--data", noMirror, "--keep", "0"}, hint: true,
			en: []string{"error: --keep 0: keep at least 1 version per product\n", "→ Give --keep 1 or more"},
			ja: []string{"エラー: --keep 0 は指定できません。製品ごとに 1 つ以上の版を残してください", "→ --keep には 1 以上を指定してください"}},
		{name: "mirror serve --tls-cert without --tls-key", args: []string{"mirror", "serve", "--data", noMirror, "--tls-cert", file}, hint: true,
			en: []string{"error: --tls-cert and --tls-key go together\n", "→ Give both, the certificate (PEM) and its private key (PEM)"},
			ja: []string{"エラー: --tls-cert と --tls-key は両方とも指定してください", "→ HTTPS で配信するなら証明書（PEM）とその秘密鍵（PEM）の両方を"}},
		{name: "mirror serve --max-connections 0", args: []string{"mirror", "serve", "--data", noMirror, "--max-connections", "0"}, hint: true,
			en: []string{"error: --max-connections and the timeouts must be positive, --scrub-every 0 or more\n", "→ Leave a flag out to take its default"},
			ja: []string{"エラー: --max-connections とタイムアウトには正の値を", "→ 既定値を使うにはそのフラグを外してください"}},
		{name: "mirror serve --scrub-rate bad", args: []string{"mirror", "serve", "--data", noMirror, "--scrub-rate", "20XB/s"},
			en: []string{`error: --scrub-rate: size "20XB": want a number with an optional unit`},
			ja: []string{`エラー: --scrub-rate: "20XB/s" は読めません。20MB/s のように 1 秒あたりの大きさか`}},
		{name: "mirror ledger: too many codes", args: []string{"mirror", "ledger", "--data", noMirror, "--code", tooMany}, hint: true,
			en: []string{"error: --code: 1001 codes, at most 1000 at a time\n", "→ Check the codes in groups of at most 1000"},
			ja: []string{"エラー: --code が 1001 個あります。一度に照合できるのは 1000 個までです", "→ 1000 個以下ずつに分けて"}},
		{name: "mirror ledger: not a code", args: []string{"mirror", "ledger", "--data", noMirror, "--code", "12-XYZ"},
			en: []string{`error: --code "12-XYZ" is not a ledger code.`},
			ja: []string{`エラー: --code "12-XYZ" は台帳コードではありません。`}},
		{name: "mirror import --scan-command unclosed quote", args: []string{"mirror", "import", "--data", noMirror, "--scan-command", `"C:\Program Files\scan.exe`, dir}, hint: true,
			en: []string{`error: --scan-command: scan command "\"C:\\Program Files\\scan.exe": unclosed quote`, "→ Give the scanner's command line"},
			ja: []string{`エラー: --scan-command: "\"C:\\Program Files\\scan.exe" の引用符が閉じていません`, "→ スキャナーのコマンドラインを指定してください"}},
		{name: "mirror service install: no mirror", args: []string{"mirror", "service", "install", "--print", "--data", noMirror}, hint: true,
			en: []string{"error: no mirror in " + noMirror + ": run `patchferry mirror init --data " + noMirror + " --trust publisher.pub` first", "→ Check --data"},
			ja: []string{"エラー: " + noMirror + " にミラーがありません。先に `patchferry mirror init --data " + noMirror + " --trust publisher.pub` を実行してください", "→ --data が"}},
	})
}

// TestUsageListenBusy: a --listen port another program holds says so, and
// to pick another port or stop that program.
func TestUsageListenBusy(t *testing.T) {
	t.Parallel()
	addr := busyPort(t)
	data := initMirror(t)
	conf := filepath.Join(t.TempDir(), "demo", "fetcher.yaml")
	en := []string{"error: --listen " + addr + ": listen tcp " + addr + ": bind: address already in use", "→ Give another port with --listen (port 0 picks a free one), or stop the program that uses this port."}
	ja := []string{"エラー: --listen " + addr + " で待ち受けできません（ほかのプログラムがこのポートを使用中です）", "→ --listen で別のポートを指定する"}
	runUsageCases(t, []usageCase{
		{name: "mirror serve", args: []string{"mirror", "serve", "--data", data, "--listen", addr}, hint: true, en: en, ja: ja},
		{name: "demo --upstream-only", args: []string{"demo", "--upstream-only", "--write-config", conf, "--listen", addr}, hint: true, en: en, ja: ja},
	})
	if _, err := os.Stat(filepath.Dir(conf)); err == nil {
		t.Errorf("demo wrote %s although it could not listen", filepath.Dir(conf))
	}
}

// TestUsageFilesTooLarge: a password, key or vendor trust file larger
// than its limit says so in the user's language; a vendor trust file that
// cannot be opened says why.
func TestUsageFilesTooLarge(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 100<<10)), 0o600); err != nil {
		t.Fatal(err)
	}
	noTrust := filepath.Join(dir, "vendor-trust.yaml")
	hugeTrust := filepath.Join(dir, "huge-trust.yaml")
	badTrust := filepath.Join(dir, "bad-trust.yaml")
	if err := os.WriteFile(badTrust, []byte("format: [2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hugeTrust, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(hugeTrust, verify.MaxVendorTrust+1); err != nil { // sparse
		t.Fatal(err)
	}
	out := filepath.Join(dir, "media")
	initArgs := []string{"mirror", "init", "--data", filepath.Join(dir, "data"), "--trust", f.publisher.pub, "--vendor-trust"}
	runUsageCases(t, []usageCase{
		{name: "password file", args: createArgs(f, out, "--password-file", big), hint: true,
			en: []string{"error: password file " + big + ": password file is larger than the limit of 4096 bytes", "→ Check the path given to --password-file"},
			ja: []string{"エラー: パスワードファイル " + big + " を読めません（上限の 4096 バイトを超えています）", "→ --password-file に指定したパスを確認してください。"}},
		{name: "key file", env: pwEnv, args: append(createArgs(f, out), "--key", big), hint: true,
			en: []string{"error: key file " + big + " is larger than the limit of 65536 bytes", "→ Give the path of your key with --key"},
			ja: []string{"エラー: 鍵ファイル " + big + " が上限の 65536 バイトを超えています", "→ --key で鍵のパスを指定するか"}},
		{name: "vendor trust file", args: append(initArgs, hugeTrust), hint: true,
			en: []string{fmt.Sprintf("error: %s is larger than the limit of %d bytes\n", hugeTrust, verify.MaxVendorTrust), "→ Check --vendor-trust"},
			ja: []string{fmt.Sprintf("エラー: %s が上限の %d バイトを超えています\n", hugeTrust, verify.MaxVendorTrust), "→ --vendor-trust を確認してください。"}},
		{name: "vendor trust file not YAML", args: append(initArgs, badTrust), hint: true, englishDetail: true,
			en: []string{"error: " + badTrust + ": vendor trust file: yaml: ", "→ Check --vendor-trust"},
			ja: []string{"エラー: " + badTrust + " はベンダー信頼ファイルとして読めません（vendor trust file: yaml: ", "→ --vendor-trust を確認してください。"}},
		{name: "vendor trust file missing", args: append(initArgs, noTrust), hint: true,
			en: []string{"error: vendor trust: open " + noTrust + ": no such file or directory", "→ Check --vendor-trust"},
			ja: []string{"エラー: ベンダー信頼ファイルを開けません: " + noTrust + ": 存在しません", "→ --vendor-trust を確認してください。"}},
	})
	if files := filesUnder(t, out); len(files) != 0 {
		t.Errorf("a failed command wrote %v", files)
	}
}
