package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// version is the row and head format this release writes. It changes only
// when the layout or the hash rule changes; a new field in Row does not
// change it, because a v2 hash covers the stored bytes whatever they hold.
const version = 2

// A v2 row is stored as its body — a JSON object that starts with "v":2 —
// with the hash appended as the object's last member: the body's closing
// brace is replaced by a tail of fixed length, `,"hash":"<64 hex>"}`.
const (
	hashOpen  = `,"hash":"`
	hashClose = `"}`
	tailLen   = len(hashOpen) + 2*sha256.Size + len(hashClose)
)

// chainHash is the hash of a row whose previous row has hash prev and whose
// hashed bytes are b: hex(SHA-256(prev ‖ "\n" ‖ b)). Both versions use it;
// they differ in what b is.
func chainHash(prev string, b []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// bodyV2 is how this release encodes a row's body: the version first, then
// every field of Row but Hash.
type bodyV2 struct {
	V int `json:"v"`
	Row
	// Hash hides Row.Hash (a shallower field wins in encoding/json) and,
	// always empty, is omitted: the hash is not part of the body.
	Hash string `json:"hash,omitempty"`
}

// encode returns the stored bytes of r as a v2 row and its hash; r.Prev
// must be set, r.Hash is ignored.
func encode(r Row) (stored []byte, hash string, err error) {
	r.Hash = ""
	body, err := json.Marshal(bodyV2{V: version, Row: r})
	if err != nil {
		return nil, "", fmt.Errorf("encode ledger row %d: %w", r.Number, err)
	}
	hash = chainHash(r.Prev, body)
	return seal(body, hash), hash, nil
}

// seal appends hash to body as the object's last member.
func seal(body []byte, hash string) []byte {
	out := make([]byte, 0, len(body)-1+tailLen)
	out = append(out, body[:len(body)-1]...)
	out = append(out, hashOpen...)
	out = append(out, hash...)
	return append(out, hashClose...)
}

// errNoHash: a v2 row's stored bytes do not end with its hash member.
var errNoHash = errors.New(`the stored bytes do not end with ,"hash":"<64 hex digits>"}`)

// unseal splits stored v2 bytes into the body and the hash seal put there.
// It never re-encodes: the body is the stored bytes up to the hash member,
// closed with "}".
func unseal(stored []byte) (body []byte, hash string, err error) {
	if len(stored) < 1+tailLen || stored[0] != '{' {
		return nil, "", errNoHash
	}
	n := len(stored) - tailLen // the body without its closing brace
	tail := stored[n:]
	if !bytes.HasPrefix(tail, []byte(hashOpen)) || !bytes.HasSuffix(tail, []byte(hashClose)) {
		return nil, "", errNoHash
	}
	hash = string(tail[len(hashOpen) : len(tail)-len(hashClose)])
	if !isHash(hash) {
		return nil, "", errNoHash
	}
	body = make([]byte, n+1) // a copy: bbolt's bytes are read-only
	copy(body, stored[:n])
	body[n] = '}'
	return body, hash, nil
}

// isHash reports whether s is a hash as chainHash writes it: 64 lowercase
// hex digits.
func isHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// link is what the chain needs from one stored row, taken from the bytes
// its hash covers.
type link struct {
	version int
	number  uint64
	prev    string
	hash    string // as stored
	intact  bool   // the content matches hash
}

// readLink decodes stored row bytes of any known version and checks their
// content against their hash. An error means the row cannot be read at all;
// an *unknownVersionError still fills number, prev and hash (not intact).
func readLink(stored []byte) (link, error) {
	var probe struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(stored, &probe); err != nil {
		return link{}, err
	}
	switch {
	case probe.V == nil: // rows written before the format carried a version
		var r rowV1
		if err := json.Unmarshal(stored, &r); err != nil {
			return link{}, err
		}
		return link{version: 1, number: r.Number, prev: r.Prev, hash: r.Hash, intact: r.hashV1() == r.Hash}, nil
	case *probe.V == 2:
		body, hash, err := unseal(stored)
		if err != nil {
			return link{}, err
		}
		var c struct {
			Number uint64 `json:"number"`
			Prev   string `json:"prev"`
		}
		if err := json.Unmarshal(body, &c); err != nil {
			return link{}, err
		}
		return link{version: 2, number: c.Number, prev: c.Prev, hash: hash, intact: chainHash(c.Prev, body) == hash}, nil
	default:
		var c struct {
			Number uint64 `json:"number"`
			Prev   string `json:"prev"`
			Hash   string `json:"hash"`
		}
		_ = json.Unmarshal(stored, &c) // best effort: keeps the chain checks of the rows after it meaningful
		return link{version: *probe.V, number: c.Number, prev: c.Prev, hash: c.Hash}, &unknownVersionError{Version: *probe.V}
	}
}

// unknownVersionError: a row or head in a format this release does not
// know, most likely written by a newer release.
type unknownVersionError struct{ Version int }

func (e *unknownVersionError) Error() string {
	return fmt.Sprintf("format version %d is unknown to this release (newest known: %d); use the patchferry release that wrote it", e.Version, version)
}

// headKey holds the number and hash of the last row, so a removed last row
// is detected too. The head is a pointer, not part of the chain: nothing
// needs re-encoding to check it against the rows.
var headKey = []byte("head")

// head is stored as {"v":2,"number":N,"hash":"…"}; a v1 head is the same
// without "v".
type head struct {
	V      int    `json:"v,omitempty"`
	Number uint64 `json:"number"`
	Hash   string `json:"hash"`
}

// readHead decodes the stored head; nil means an empty ledger.
func readHead(v []byte) (head, error) {
	var h head
	if v == nil {
		return h, nil
	}
	if err := json.Unmarshal(v, &h); err != nil {
		return h, fmt.Errorf("ledger head: %w", err)
	}
	if h.V != 0 && h.V != version {
		return h, fmt.Errorf("ledger head: %w", &unknownVersionError{Version: h.V})
	}
	return h, nil
}
