//go:build windows

package main

import (
	"strings"

	"golang.org/x/sys/windows"
)

// systemLanguage reads the user's Windows display language: "ja" for
// Japanese. LANG, when set (Git Bash, MSYS), wins.
func systemLanguage(getenv func(string) string) string {
	if v := getenv("LANG"); v != "" {
		if strings.HasPrefix(strings.ToLower(v), "ja") {
			return "ja"
		}
		return "en"
	}
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err == nil && len(langs) > 0 && strings.HasPrefix(strings.ToLower(langs[0]), "ja") {
		return "ja"
	}
	return "en"
}
