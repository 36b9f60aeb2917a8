package main

import (
	"strings"
	"testing"
)

// TestLanguage picks the message language: --lang, then $PATCHFERRY_LANG,
// then the OS locale, then English.
func TestLanguage(t *testing.T) {
	t.Parallel()
	const (
		okEN = "OK: bundle verified; nothing was imported."
		okJA = "OK: バンドルを検証しました"
	)
	cases := []struct {
		name     string
		env      map[string]string
		flags    []string // before the command
		tail     []string // after the command
		wantCode int
		want     string // in stdout, or in stderr when wantCode is not 0
		notWant  string
	}{
		{name: "default", want: okEN, notWant: okJA},
		{name: "--lang ja", flags: []string{"--lang", "ja"}, want: okJA + "（取り込みはしていません）。\n  バンドル:", notWant: okEN},
		{name: "PATCHFERRY_LANG=ja", env: map[string]string{envLang: "ja"}, want: okJA, notWant: okEN},
		{name: "LANG=ja_JP.UTF-8", env: map[string]string{"LANG": "ja_JP.UTF-8"}, want: okJA, notWant: okEN},
		{name: "LANG=en_US.UTF-8", env: map[string]string{"LANG": "en_US.UTF-8"}, want: okEN, notWant: okJA},
		{name: "--lang en wins over PATCHFERRY_LANG", env: map[string]string{envLang: "ja"}, flags: []string{"--lang", "en"}, want: okEN, notWant: okJA},
		{name: "PATCHFERRY_LANG wins over LANG", env: map[string]string{envLang: "en", "LANG": "ja_JP.UTF-8"}, want: okEN, notWant: okJA},
		{name: "--lang xx", flags: []string{"--lang", "xx"}, wantCode: exitUsage, want: `language "xx": use ja or en`},
		{name: "PATCHFERRY_LANG=xx", env: map[string]string{envLang: "xx"}, wantCode: exitUsage, want: `language "xx"`},
		// A flag error stops cobra before the language is resolved; the
		// message must still follow $PATCHFERRY_LANG.
		{name: "usage error in Japanese", env: map[string]string{envLang: "ja"}, tail: []string{"--bogus"}, wantCode: exitUsage,
			want: "エラー: 不明なフラグです: --bogus\n  → 指定できるフラグは `patchferry bundle verify --help` で表示されます。", notWant: "unknown flag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := shared(t)
			args := append(append([]string{}, tc.flags...), "bundle", "verify", "--trust", f.publisher.pub, f.bundle)
			args = append(args, tc.tail...)
			stdout, stderr, code := runCLI(t, tc.env, args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, stdout, stderr)
			}
			got := stdout
			if code != exitOK {
				got = stderr
			}
			wantContains(t, "output", got, tc.want)
			if tc.notWant != "" && strings.Contains(got, tc.notWant) {
				t.Errorf("output contains %q:\n%s", tc.notWant, got)
			}
		})
	}
}
