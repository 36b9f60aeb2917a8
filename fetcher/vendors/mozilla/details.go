package mozilla

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// Limits of a product-details file (firefox_versions.json has about 20 keys
// in under 1 KiB).
const (
	MaxProductDetails     = 1 << 20
	maxProductDetailsKeys = 512
	maxDetailsKey         = 64 // bytes
	maxDetailsValue       = 64 // bytes
)

// mozillaVersion: 2 to 4 numeric components without leading zeros, then
// nothing (release: 133.0, 133.0.3, old 1.5.0.12), "esr" (128.5.0esr,
// 128.0esr), or a beta/alpha number (134.0b10, 135.0a1).
var mozillaVersion = regexp.MustCompile(`^(0|[1-9][0-9]{0,3})(\.(0|[1-9][0-9]{0,3})){1,3}(esr|[ab][1-9][0-9]{0,2})?$`)

// ValidVersion reports whether v looks like a Mozilla version
// ("133.0", "133.0.3", "128.5.0esr", "134.0b10", "135.0a1"). Such a version
// is safe to put into an archive.mozilla.org path.
func ValidVersion(v string) bool { return mozillaVersion.MatchString(v) }

// IsVersionKey reports whether a product-details key holds a version: keys
// ending in _VERSION (LATEST_FIREFOX_VERSION, LATEST_THUNDERBIRD_DEVEL_VERSION),
// starting with LATEST_, or starting with FIREFOX_ESR / THUNDERBIRD_ESR
// (FIREFOX_ESR, FIREFOX_ESR_NEXT, FIREFOX_ESR115, THUNDERBIRD_ESR). Keys
// ending in _DATE are never version keys.
func IsVersionKey(k string) bool {
	if IsDateKey(k) {
		return false
	}
	return strings.HasSuffix(k, "_VERSION") || strings.HasPrefix(k, "LATEST_") ||
		strings.HasPrefix(k, "FIREFOX_ESR") || strings.HasPrefix(k, "THUNDERBIRD_ESR")
}

// IsDateKey reports whether a product-details key holds a date
// (LAST_RELEASE_DATE, NEXT_MERGE_DATE, …): keys ending in _DATE.
func IsDateKey(k string) bool { return strings.HasSuffix(k, "_DATE") }

func validDate(v string) bool {
	_, err := time.Parse(time.DateOnly, v)
	return err == nil
}

// ParseProductDetails reads a product-details file
// (https://product-details.mozilla.org/1.0/firefox_versions.json,
// thunderbird_versions.json): one JSON object of string → string.
//
// Rules, so that what it returns is safe to build URLs from:
//   - at most MaxProductDetails bytes and 512 keys; a key may appear once;
//     nothing may follow the object;
//   - keys and values are printable ASCII of at most 64 bytes;
//   - a value that is not a string or null is an error; null and "" mean
//     absent (FIREFOX_ESR_NEXT is "" when there is no next ESR) and are
//     left out;
//   - version keys (IsVersionKey) must hold a ValidVersion, or the
//     file is refused: these are the values the fetcher acts on;
//   - date keys (IsDateKey) are kept when they hold a YYYY-MM-DD date and
//     left out otherwise;
//   - any other key (FIREFOX_NIGHTLY, FIREFOX_DEVEDITION, FIREFOX_AURORA, …)
//     is kept when its value is a ValidVersion and left out
//     otherwise, so keys Mozilla adds later cannot break a fetch.
//
// So every returned value is a ValidVersion, except under date keys,
// where it is a date.
func ParseProductDetails(b []byte) (map[string]string, error) {
	if len(b) > MaxProductDetails {
		return nil, &verify.LimitError{What: "product-details file", Limit: MaxProductDetails}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("product-details: not JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("product-details: want a JSON object, got %v", tok)
	}
	out := make(map[string]string)
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("product-details: %w", err)
		}
		k, _ := tok.(string) // object keys are always strings
		if !printable(k, false) || len(k) > maxDetailsKey {
			return nil, fmt.Errorf("product-details: key %.80q: want 1 to %d printable ASCII characters", k, maxDetailsKey)
		}
		if seen[k] {
			return nil, fmt.Errorf("product-details: key %s appears twice", k)
		}
		seen[k] = true
		if len(seen) > maxProductDetailsKeys {
			return nil, fmt.Errorf("product-details: more than %d keys", maxProductDetailsKeys)
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, fmt.Errorf("product-details: %s: %w", k, err)
		}
		var v string
		switch t := tok.(type) {
		case nil:
			continue
		case string:
			v = t
		default:
			return nil, fmt.Errorf("product-details: %s: want a string or null, got %s", k, jsonKind(tok))
		}
		if v == "" {
			continue
		}
		if !printable(v, true) || len(v) > maxDetailsValue {
			return nil, fmt.Errorf("product-details: %s: value %.80q: want at most %d printable ASCII characters", k, v, maxDetailsValue)
		}
		switch {
		case IsDateKey(k):
			if validDate(v) {
				out[k] = v
			}
		case IsVersionKey(k):
			if !ValidVersion(v) {
				return nil, fmt.Errorf("product-details: %s is %q, which is not a Mozilla version (like 133.0 or 128.5.0esr)", k, v)
			}
			out[k] = v
		case ValidVersion(v):
			out[k] = v
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, fmt.Errorf("product-details: unterminated object (%v)", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("product-details: data after the JSON object")
	}
	return out, nil
}

// printable reports whether s is non-empty printable ASCII; spaces only
// where allowed.
func printable(s string, spaces bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c > 0x7e || c < 0x20 || (c == ' ' && !spaces) {
			return false
		}
	}
	return true
}

func jsonKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", tok)
}
