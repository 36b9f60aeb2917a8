package escape

import (
	"strings"
	"unicode/utf8"
)

// Unsafe reports whether r is a rune that is escaped: a control character,
// or an invisible one that reorders or hides text.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true // C0, DEL, C1
	case r == 0x061c, r == 0x180e: // Arabic letter mark, Mongolian vowel separator
		return true
	case r >= 0x200b && r <= 0x200f: // zero-width space/joiners, LRM, RLM
		return true
	case r >= 0x2028 && r <= 0x202e: // line/paragraph separators, bidi embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x206f: // word joiner, invisible operators, bidi isolates, deprecated formats
		return true
	case r == 0xfeff, r >= 0xfff9 && r <= 0xfffb: // byte order mark, interlinear annotations
		return true
	case r == utf8.RuneError:
		return false // a literal U+FFFD is harmless; invalid bytes are handled by the callers
	}
	return false
}

// String returns s with every unsafe rune and every byte that is not UTF-8
// escaped, newlines included: the result is one line of printable text.
func String(s string) string { return escape(s, false) }

// Lines is String but keeps newlines and tabs: for text of several lines
// (errors joined by errors.Join) whose parts were escaped or quoted where
// they were made.
func Lines(s string) string { return escape(s, true) }

func escape(s string, keepNewlines bool) string {
	if clean(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			appendByte(&b, s[i])
		case (r == '\n' || r == '\t') && keepNewlines:
			b.WriteRune(r)
		case Unsafe(r):
			appendRune(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// clean reports whether s needs no escaping (the common case, no copy).
func clean(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return cleanRunes(s[i:], keepNewlines)
		}
		if c < 0x20 && (c != '\n' && c != '\t' || !keepNewlines) || c == 0x7f {
			return false
		}
	}
	return true
}

func cleanRunes(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || Unsafe(r) && (r != '\n' && r != '\t' || !keepNewlines) {
			return false
		}
		i += size
	}
	return true
}

const hexDigits = "0123456789abcdef"

// appendRune writes the escape of an unsafe rune.
func appendRune(b *strings.Builder, r rune) {
	switch r {
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	default:
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[r>>shift&0xf])
		}
	}
}

// appendByte writes the escape of a byte that is not UTF-8.
func appendByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}
