package media

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrPath is wrapped by every path-rule violation.
var ErrPath = errors.New("path breaks the bundle path rules")

// maxNameLen is the longest file name the FAT32, NTFS and ext4 media we
// write to all accept (255 UTF-16 units / bytes).
const maxNameLen = 255

// ValidName checks a single file name from outside input (an artifact's file
// name, a meta name, an approver name): non-empty, at most 255 bytes of
// UTF-8, no '/', '\', NUL or other control characters, no drive letter or
// ':' (NTFS streams), none of <>"|?* that Windows refuses, not "." or "..",
// no trailing dot or space (Windows drops them), and no reserved DOS device
// name (CON, NUL, COM1, …).
func ValidName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w: name %q %s", ErrPath, name, why) }
	switch {
	case name == "":
		return bad("is empty")
	case len(name) > maxNameLen:
		return bad(fmt.Sprintf("is longer than %d bytes", maxNameLen))
	case !utf8.ValidString(name):
		return bad("is not valid UTF-8")
	case name == "." || name == "..":
		return bad("is a relative directory")
	case strings.ContainsAny(name, `/\`):
		return bad("contains a slash or backslash")
	case strings.ContainsRune(name, 0):
		return bad("contains NUL")
	case strings.ContainsRune(name, ':'):
		return bad("contains ':' (drive letter or NTFS stream)")
	case strings.ContainsAny(name, `<>"|?*`):
		return bad(`contains one of <>"|?* that Windows refuses`)
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return bad("ends in a dot or space")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return bad("contains a control character")
		}
	}
	if isDOSDevice(name) {
		return bad("is a reserved Windows device name")
	}
	return nil
}

// ValidSegment checks a manifest field that becomes one segment of a path:
// vendor, product, channel, version, platform, language and file_name
// (the mirror's /files/<vendor>/<product>/<version>/[<platform>/][<language>/]<file name>,
// and the folders staff copy that tree into). It is ValidName — at most
// 255 bytes, no "." or "..", no '/', '\', ':', NUL, control character,
// trailing dot or space, DOS device name — and also no leading dot or
// space (no hidden or look-alike names, and never a relative directory in
// disguise) and no U+FFFD (what JSON decoding makes of invalid UTF-8).
// One rule set for every such field, where the bundle is created,
// fetched, verified and imported (CheckSegments).
func ValidSegment(s string) error {
	if err := ValidName(s); err != nil {
		return err
	}
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, " ") {
		return fmt.Errorf("%w: name %q begins with a dot or space", ErrPath, s)
	}
	if strings.ContainsRune(s, utf8.RuneError) {
		return fmt.Errorf("%w: name %q contains U+FFFD (invalid UTF-8 in the input)", ErrPath, s)
	}
	return nil
}

func isDOSDevice(name string) bool {
	stem := strings.ToUpper(name)
	if i := strings.IndexByte(stem, '.'); i >= 0 {
		stem = stem[:i]
	}
	stem = strings.TrimRight(stem, " ")
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) == 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		c := stem[3]
		return c >= '0' && c <= '9'
	}
	return false
}

// ValidPath checks a relative, slash-separated path inside a bundle: no
// leading slash, no empty element, every element a ValidName (so no "..",
// backslash, drive letter or NUL anywhere).
func ValidPath(p string) error {
	if p == "" {
		return fmt.Errorf("%w: empty path", ErrPath)
	}
	if strings.HasPrefix(p, "/") {
		return fmt.Errorf("%w: %q is absolute", ErrPath, p)
	}
	for _, el := range strings.Split(p, "/") {
		if err := ValidName(el); err != nil {
			return fmt.Errorf("in path %q: %w", p, err)
		}
	}
	return nil
}
