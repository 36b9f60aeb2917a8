package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/cobra"
)

// Its own name, not -update: another test file of the package may define that.
var updateHelp = flag.Bool("update-help", false, "rewrite testdata/help/*.golden from the English --help of today")

// helpGolden are commands whose English --help is kept in
// testdata/help/<name>.golden: the texts as they were before --help spoke
// Japanese, which README and scripts quote. Commands other helpers change
// (export, run, keys) are left out.
var helpGolden = []struct{ name, args string }{
	{"root", ""},
	{"bundle", "bundle"},
	{"bundle-verify", "bundle verify"},
	{"mirror", "mirror"},
	{"mirror-gc", "mirror gc"},
	{"mirror-service-install", "mirror service install"},
	{"completion", "completion"},
	{"completion-bash", "completion bash"},
	{"completion-zsh", "completion zsh"},
	{"completion-fish", "completion fish"},
	{"completion-powershell", "completion powershell"},
	{"help", "help"},
}

// TestHelpEnglishUnchanged: the English --help of sampled commands is
// byte for byte what it was, under the default language and --lang en.
func TestHelpEnglishUnchanged(t *testing.T) {
	t.Parallel()
	for _, g := range helpGolden {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			args := append(strings.Fields(g.args), "--help")
			got := mustRun(t, nil, args...)
			path := filepath.Join("testdata", "help", g.name+".golden")
			if *updateHelp {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("patchferry %s --help differs from %s:\n%s", g.args, path, got)
			}
			if en := mustRun(t, nil, append([]string{"--lang", "en"}, args...)...); en != string(want) {
				t.Errorf("patchferry --lang en %s --help differs from %s:\n%s", g.args, path, en)
			}
		})
	}
}

// commandPaths lists every command a user can ask --help of, as the words
// after "patchferry": the tree newRootCommand builds with the commands
// cobra adds (help, completion and its shells); "" is patchferry itself.
func commandPaths(t *testing.T) (paths []string, names map[string]bool) {
	t.Helper()
	a, _, _ := newTestApp(nil)
	a.lang = "en"
	root := newRootCommand(a)
	a.localizeHelp(root)
	names = map[string]bool{}
	var walk func(c *cobra.Command, path string)
	walk = func(c *cobra.Command, path string) {
		if c.Hidden {
			return
		}
		paths = append(paths, path)
		names[c.Name()] = true
		for _, sub := range c.Commands() {
			walk(sub, strings.TrimSpace(path+" "+sub.Name()))
		}
	}
	walk(root, "")
	if len(paths) < 30 {
		t.Fatalf("found only %d commands: %q", len(paths), paths)
	}
	return paths, names
}

// helpWordsAllowed are English words a Japanese --help may hold on a line
// of its own: flag value types (pflag prints them) and names of systems.
// Command names are allowed too (commandPaths).
var helpWordsAllowed = []string{"string", "strings", "stringArray", "uint", "int", "bool", "duration",
	"Linux", "macOS", "Windows", "PowerShell", "Excel"}

// isJapanese reports whether r is a kana or kanji.
func isJapanese(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
}

// englishWords returns the words of line that read as English prose: runs
// of ASCII letters with a lower-case letter, once surrounding punctuation
// is trimmed, and not an allowed word. What is left out is what a
// translation keeps: flags (--key), placeholders (DIR, K), file names and
// paths (bundle.json, /dev/log), variables ($PATCHFERRY_LANG), sizes and
// units (4Gi-1, 20MB/s), URLs. It returns the words in runs: a run ends
// at anything that is not an English word.
func englishWords(line string, allowed map[string]bool) (words []string, longestRun int) {
	run := 0
	for _, tok := range strings.Fields(line) {
		w := strings.Trim(tok, "\"'()[]{}<>,.;:!?…`")
		isWord := w != "" && !allowed[w] && strings.IndexFunc(w, unicode.IsLower) >= 0 &&
			strings.IndexFunc(w, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsLetter(r) }) < 0
		if !isWord {
			run = 0
			continue
		}
		words = append(words, w)
		run++
		longestRun = max(longestRun, run)
	}
	return words, longestRun
}

// untranslated returns the lines of a Japanese --help that are English:
// a line without kana or kanji that holds an English word, or any line
// with three English words in a row. Lines starting with a tab are shell
// commands to copy (completion's help) and are skipped.
func untranslated(out string, allowed map[string]bool) []string {
	var bad []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "\t") {
			continue
		}
		words, run := englishWords(l, allowed)
		if run >= 3 || (len(words) > 0 && strings.IndexFunc(l, isJapanese) < 0) {
			bad = append(bad, l)
		}
	}
	return bad
}

// TestHelpUntranslatedCheck: the check of TestHelpJapaneseEveryCommand finds
// English sentences and labels and lets through what a translation keeps.
func TestHelpUntranslatedCheck(t *testing.T) {
	t.Parallel()
	allowed := map[string]bool{"patchferry": true, "mirror": true, "gc": true, "completion": true, "bash": true, "string": true}
	for _, tc := range []struct {
		line string
		bad  bool
	}{
		{"Pack files downloaded by hand into a signed bundle", true},
		{"Usage:", true},
		{"Available Commands:", true},
		{"  -h, --help   help for create", true},
		{"      --base uint   base sequence of a delta; 0 = full bundle", true},
		{"Use \"patchferry [command] --help\" for more information about a command.", true},
		{"  gc          Keep N versions per product and remove blobs nothing refers to", true},
		{"署名するのは approval message of the exact bundle.json です", true},
		{"手動でダウンロードしたファイルを署名付きバンドルにまとめます", false},
		{"  patchferry mirror gc --data フォルダー --keep 版数 [フラグ]", false},
		{"  patchferry mirror gc", false},
		{"      --lang string   メッセージの言語: ja または en（既定: $PATCHFERRY_LANG、なければ OS のロケール）", false},
		{"      --expires string   有効期間（30d、12h など。0 = 無期限）（既定: \"30d\"）", false},
		{"\tsource <(patchferry completion bash)", false},
		{"\techo \"autoload -U compinit; compinit\" >> ~/.zshrc", false},
		{"", false},
	} {
		if got := len(untranslated(tc.line, allowed)) > 0; got != tc.bad {
			t.Errorf("untranslated(%q) = %v, want %v", tc.line, got, tc.bad)
		}
	}
}

// TestHelpJapaneseEveryCommand runs --help of every command under --lang ja:
// no line is English (but commands, flags, placeholders, file names, URLs
// and units), the usage line has Japanese placeholders, and cobra's words
// are Japanese.
func TestHelpJapaneseEveryCommand(t *testing.T) {
	t.Parallel()
	paths, names := commandPaths(t)
	allowed := map[string]bool{}
	for n := range names {
		allowed[n] = true
	}
	for _, w := range helpWordsAllowed {
		allowed[w] = true
	}
	for _, p := range paths {
		t.Run("patchferry "+p, func(t *testing.T) {
			t.Parallel()
			out := mustRun(t, nil, append(append([]string{"--lang", "ja"}, strings.Fields(p)...), "--help")...)
			for _, l := range untranslated(out, allowed) {
				t.Errorf("English line in patchferry --lang ja %s --help: %q", p, l)
			}
			wantContains(t, "help", out, "使い方:\n")
			for _, en := range []string{"(default", "[flags]", "[command]", "Usage:", "Flags:", "Global Flags:", "Available Commands:"} {
				if strings.Contains(out, en) {
					t.Errorf("patchferry --lang ja %s --help holds %q:\n%s", p, en, out)
				}
			}
			lines := strings.Split(out, "\n")
			i := slices.Index(lines, "使い方:")
			for _, l := range lines[i+1:] {
				if l == "" {
					break
				}
				for _, tok := range strings.Fields(l) {
					w := strings.Trim(tok, "[]….")
					if w != "" && !strings.HasPrefix(w, "-") && strings.IndexFunc(w, unicode.IsUpper) >= 0 &&
						strings.IndexFunc(w, unicode.IsLower) < 0 && strings.IndexFunc(w, isJapanese) < 0 {
						t.Errorf("usage line of patchferry %s has the English placeholder %q: %s", p, w, l)
					}
				}
			}
		})
	}
}

// TestHelpJapaneseBundleCreate: `patchferry --lang ja bundle create --help`
// describes the command and its flags in Japanese, and so does a Japanese
// language chosen by $PATCHFERRY_LANG, the OS locale or --lang=ja; --lang en
// wins over them.
func TestHelpJapaneseBundleCreate(t *testing.T) {
	t.Parallel()
	ja := []string{
		helpMessages[helpShortBundleCreate].ja + "\n\n使い方:\n  patchferry bundle create --key 鍵 --out フォルダー --sequence 連番 --product ベンダー/製品 --version バージョン ファイル... [フラグ]\n",
		"\nフラグ:\n", "\n共通フラグ:\n",
		"--key string             発行者の暗号化された秘密鍵（必須）",
		"--expires string         有効期間。30d、12h など、0 なら無期限（既定: \"30d\"）",
		"--password-file string   鍵のパスワードをこのファイルから読む",
		"-h, --help                   create のヘルプを表示",
		"--lang string   メッセージの言語: ja または en",
	}
	en := []string{
		"Pack files downloaded by hand into a signed bundle\n\nUsage:\n  patchferry bundle create --key K --out DIR --sequence N --product VENDOR/PRODUCT --version V FILE... [flags]\n",
		"--key string             encrypted private key of the publisher (required)",
		"--expires string         validity period (30d, 12h; 0 = never) (default \"30d\")",
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"--lang ja", nil, []string{"--lang", "ja", "bundle", "create", "--help"}, ja},
		{"--lang=ja after the command", nil, []string{"bundle", "create", "--help", "--lang=ja"}, ja},
		{"PATCHFERRY_LANG=ja", map[string]string{envLang: "ja"}, []string{"bundle", "create", "--help"}, ja},
		{"LANG=ja_JP.UTF-8", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"bundle", "create", "-h"}, ja},
		{"--lang en over PATCHFERRY_LANG=ja", map[string]string{envLang: "ja"}, []string{"bundle", "create", "--help", "--lang", "en"}, en},
		{"default", nil, []string{"bundle", "create", "--help"}, en},
		{"a bad --lang: English, as before", nil, []string{"--lang", "xx", "bundle", "create", "--help"}, en},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := mustRun(t, tc.env, tc.args...)
			wantContains(t, "help", out, tc.want...)
		})
	}
}

// TestHelpLangArg reads --lang from the command line as cobra will.
func TestHelpLangArg(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args string
		want string
	}{
		{"bundle create --help", ""},
		{"--lang ja bundle create --help", "ja"},
		{"bundle create --help --lang ja", "ja"},
		{"--lang=en bundle", "en"},
		{"--lang ja --lang en bundle", "en"}, // the last one wins, as in pflag
		{"--lang=ja mirror import --data d -- --lang en", "ja"},
		{"--lang", ""},
		{"--lang=", ""},
		{"--language ja bundle create", ""},
	} {
		if got := langArg(strings.Fields(tc.args)); got != tc.want {
			t.Errorf("langArg(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// TestHelpCompletionScript: completion, which localizeHelp adds before
// Execute, still writes its script to the command's stdout.
func TestHelpCompletionScript(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "ja"} {
		out := mustRun(t, nil, "--lang", lang, "completion", "bash")
		wantContains(t, "completion bash", out, "# bash completion V2 for patchferry")
	}
}
