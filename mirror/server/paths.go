package server

import (
	"errors"
	"net/url"
	"strings"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/wire"
)

// errBadPath is returned for any request path that is not a clean path
// inside the mirror.
var errBadPath = errors.New("bad path")

// maxPathLen bounds request paths.
const maxPathLen = 4096

// maxFilesDepth is the most segments of a /files/ path: vendor, product,
// version, platform, language, file name.
const maxFilesDepth = 6

// ParseFilesPath splits the escaped path after "/files/" into at most
// maxFilesDepth unescaped segments (vendor, product, version, [platform,]
// [language,] file name). It refuses anything that is not a clean path:
// "." or ".." segments in any encoding, encoded slashes or backslashes, NUL
// and control characters, empty segments, names the bundle path rules
// refuse, and more than maxFilesDepth segments. A trailing slash is allowed
// (dir is then true) except after the sixth segment, which is always a file
// name. Whether a shorter path is a folder or a file, only the tree knows.
func ParseFilesPath(escaped string) (segs []string, dir bool, err error) {
	if len(escaped) > maxPathLen {
		return nil, false, errBadPath
	}
	rest, ok := strings.CutPrefix(escaped, "/files")
	if !ok {
		return nil, false, errBadPath
	}
	if rest == "" || rest == "/" {
		return nil, true, nil
	}
	if rest[0] != '/' {
		return nil, false, errBadPath
	}
	rest = rest[1:]
	if strings.HasSuffix(rest, "/") {
		dir, rest = true, strings.TrimSuffix(rest, "/")
	}
	raw := strings.Split(rest, "/")
	if len(raw) > maxFilesDepth || (len(raw) == maxFilesDepth && dir) {
		return nil, false, errBadPath
	}
	for _, r := range raw {
		s, err := url.PathUnescape(r)
		if err != nil {
			return nil, false, errBadPath
		}
		if media.ValidName(s) != nil {
			return nil, false, errBadPath // covers "", ".", "..", '/', '\', NUL, control characters
		}
		segs = append(segs, s)
	}
	return segs, dir, nil
}

// isSHA256 reports whether s is 64 lower-case hex digits.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// filesURL is the /files/ URL of a tree path, each segment escaped.
func filesURL(segs ...string) string { return wire.FilesURL(segs...) }
