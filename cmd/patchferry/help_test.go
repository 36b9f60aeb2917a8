package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateHelp = flag.Bool("update", false, "rewrite testdata/help/*.golden from the English --help of today")

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
