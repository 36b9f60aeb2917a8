//go:build !windows

package main

import "strings"

// systemLanguage reads the POSIX locale: "ja" for a Japanese locale.
func systemLanguage(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "ja") {
				return "ja"
			}
			return "en"
		}
	}
	return ""
}
