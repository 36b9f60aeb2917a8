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
	case string:
		return "a string"
	case nil:
		return "null"
	case float64, json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", tok)
}

// Limits of a product-details releases file (firefox.json is a few MB with
// some thousand releases).
const (
	MaxProductReleases = 16 << 20
	maxReleases        = 1 << 16 // entries of "releases"
	maxReleaseFields   = 64      // fields of one entry, keys at the top level
	maxJSONDepth       = 32      // nesting of a value that is skipped
)

// Releases are the release dates of a product-details releases file, by
// its key: "firefox-128.5.0esr" → 2024-11-26 00:00 UTC.
type Releases map[string]time.Time

// Date returns the release date of a version of the product whose key
// prefix is dir ("firefox", "thunderbird").
func (r Releases) Date(dir, version string) (time.Time, bool) {
	t, ok := r[dir+"-"+version]
	return t, ok
}

// releaseKeyPrefix: the product part of a release key ("firefox",
// "thunderbird", "firefox-devedition").
var releaseKeyPrefix = regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)

// ParseReleases reads a product-details releases file
// (https://product-details.mozilla.org/1.0/firefox.json, thunderbird.json):
//
//	{"releases": {"firefox-128.5.0esr": {"category": "esr", "date": "2024-11-26",
//	  "version": "128.5.0esr", "product": "firefox", "build_number": 1, …}, …}}
//
// Rules:
//   - at most MaxProductReleases bytes; one JSON object with a "releases"
//     object of at most 65536 entries, each an object; nothing may follow;
//   - no key appears twice in an object; the top level and each entry have
//     at most 64 keys;
//   - release keys are 1 to 64 printable ASCII characters without spaces;
//   - in an entry only "date" and "version" are read; each must be a string
//     of at most 64 bytes or null; other fields (and other top-level keys)
//     may hold anything, nested at most 32 deep;
//   - an entry counts only when its version is a ValidVersion, its key is
//     "<product>-<version>" (product: lower-case words joined by '-'), and
//     its date is YYYY-MM-DD; other entries (1.0rc1, …) are left out.
//
// Each returned date is UTC midnight of the entry's date.
func ParseReleases(b []byte) (Releases, error) {
	if len(b) > MaxProductReleases {
		return nil, &verify.LimitError{What: "product-details releases file", Limit: MaxProductReleases}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := wantDelim(dec, '{'); err != nil {
		return nil, fmt.Errorf("product-details releases: not a JSON object: %w", err)
	}
	var out Releases
	err := eachKey(dec, maxReleaseFields, func(k string) error {
		if k != "releases" {
			return skipValue(dec)
		}
		var err error
		out, err = parseReleaseMap(dec)
		return err
	})
	if errors.Is(err, io.EOF) {
		err = errors.New("the file ends inside the JSON object")
	}
	if err != nil {
		return nil, fmt.Errorf("product-details releases: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("product-details releases: data after the JSON object")
	}
	if out == nil {
		return nil, errors.New(`product-details releases: no "releases" object`)
	}
	return out, nil
}

// parseReleaseMap reads the "releases" object.
func parseReleaseMap(dec *json.Decoder) (Releases, error) {
	if err := wantDelim(dec, '{'); err != nil {
		return nil, fmt.Errorf("releases: %w", err)
	}
	out := make(Releases)
	err := eachKey(dec, maxReleases, func(k string) error {
		if !printable(k, false) || len(k) > maxDetailsKey {
			return fmt.Errorf("releases: key %.80q: want 1 to %d printable ASCII characters", k, maxDetailsKey)
		}
		if err := wantDelim(dec, '{'); err != nil {
			return fmt.Errorf("releases: %s: %w", k, err)
		}
		var date, version string
		err := eachKey(dec, maxReleaseFields, func(f string) error {
			switch f {
			case "date":
				return releaseString(dec, &date)
			case "version":
				return releaseString(dec, &version)
			}
			return skipValue(dec)
		})
		if err != nil {
			return fmt.Errorf("releases: %s: %w", k, err)
		}
		product, ok := strings.CutSuffix(k, "-"+version)
		day, err := time.Parse(time.DateOnly, date)
		if ok && err == nil && ValidVersion(version) && releaseKeyPrefix.MatchString(product) {
			out[k] = day // time.Parse without a zone: UTC
		}
		return nil
	})
	return out, err
}

// eachKey calls fn for each key of the object whose '{' was read, at most
// max keys, each once, then reads the '}'. fn reads the key's value.
func eachKey(dec *json.Decoder, max int, fn func(k string) error) error {
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := tok.(string) // object keys are always strings
		if seen[k] {
			return fmt.Errorf("key %.80q appears twice", k)
		}
		if seen[k] = true; len(seen) > max {
			return fmt.Errorf("more than %d keys", max)
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	return wantDelim(dec, '}')
}

// wantDelim reads one token, which must be d.
func wantDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("want %v, got %s", d, jsonKind(tok))
	}
	return nil
}

// releaseString reads a string of at most maxDetailsValue bytes, or null
// (left "").
func releaseString(dec *json.Decoder, s *string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case nil:
		return nil
	case string:
		if len(t) > maxDetailsValue {
			return fmt.Errorf("%.80q: longer than %d bytes", t, maxDetailsValue)
		}
		*s = t
		return nil
	}
	return fmt.Errorf("want a string or null, got %s", jsonKind(tok))
}

// skipValue reads one value of any kind, nested at most maxJSONDepth deep.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if depth++; depth > maxJSONDepth {
				return fmt.Errorf("nested more than %d deep", maxJSONDepth)
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
