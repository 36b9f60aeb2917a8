package verify

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
)

const cdiffMagic = "ClamAV-Diff:"

// Cdiff is what a verified cdiff says about itself.
type Cdiff struct {
	Version   uint64 // the database version the patch produces
	ScriptLen int64  // length of the uncompressed script
}

// CdiffParts is the structure of a cdiff:
//
//	ClamAV-Diff:<version>:<script length>:<gzip'ed script>:<signature>
//
// The signature (scheme B) covers every byte before its ':'.
type CdiffParts struct {
	Version   uint64
	ScriptLen int64
	Gzip      []byte // the gzip'ed script; it may itself contain ':'
	DSig      string // ClamAV base-64 digits, at most 350
}

// ParseCdiff splits a cdiff into its parts without checking the signature.
// The version and length are canonical decimal numbers (the length fits in
// 32 bits, as ClamAV reads it), the script starts with the gzip magic, and
// the signature after the last ':' is 1–350 ClamAV base-64 digits.
func ParseCdiff(b []byte) (*CdiffParts, error) {
	if !bytes.HasPrefix(b, []byte(cdiffMagic)) {
		return nil, fmt.Errorf("cdiff: does not start with %q: not a ClamAV patch", cdiffMagic)
	}
	rest := b[len(cdiffMagic):]
	var nums [2]uint64
	for i, what := range []string{"version", "script length"} {
		end := bytes.IndexByte(rest, ':')
		if end < 0 {
			return nil, fmt.Errorf("cdiff: header ends before the %s", what)
		}
		bits := 64
		if i == 1 {
			bits = 32
		}
		v, err := parseDecimal(string(rest[:end]), bits)
		if err != nil {
			return nil, fmt.Errorf("cdiff: %s: %w", what, err)
		}
		nums[i], rest = v, rest[end+1:]
	}
	last := bytes.LastIndexByte(rest, ':')
	if last < 0 {
		return nil, errors.New("cdiff: no ':' before a signature at the end")
	}
	p := &CdiffParts{Version: nums[0], ScriptLen: int64(nums[1]), Gzip: rest[:last], DSig: string(rest[last+1:])}
	if len(p.Gzip) < 18 || p.Gzip[0] != 0x1f || p.Gzip[1] != 0x8b {
		return nil, fmt.Errorf("cdiff v%d: the script is not gzip", p.Version)
	}
	if _, err := decodeClamAVNumber(p.DSig); err != nil {
		return nil, fmt.Errorf("cdiff v%d: signature: %w", p.Version, err)
	}
	return p, nil
}

// Signed returns the bytes the signature covers: header and gzip'ed script.
func (p *CdiffParts) Signed() []byte {
	var b bytes.Buffer
	b.WriteString(cdiffMagic)
	b.WriteString(strconv.FormatUint(p.Version, 10))
	b.WriteByte(':')
	b.WriteString(strconv.FormatInt(p.ScriptLen, 10))
	b.WriteByte(':')
	b.Write(p.Gzip)
	return b.Bytes()
}

// Bytes reassembles the cdiff file.
func (p *CdiffParts) Bytes() []byte {
	return append(append(p.Signed(), ':'), p.DSig...)
}

// VerifyCdiff checks a whole cdiff as ClamAV's cdiff_apply does before
// applying it: the structure parses (ParseCdiff) and the signature at the
// end (scheme B, RSASSA-PSS-like with SHA-256 over every byte before the
// last ':') verifies with a "cdiff" key of a. It does not decompress or
// interpret the script. The caller limits the size; cdiffs are small.
// A bad signature wraps ErrBadSignature.
func VerifyCdiff(b []byte, a *Anchors) (*Cdiff, error) {
	p, err := ParseCdiff(b)
	if err != nil {
		return nil, err
	}
	keys, err := clamavKeys(a, "cdiff")
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(b[:len(b)-len(p.DSig)-1])
	if err := verifyKeys(keys, func(k clamavKey) error { return verifyVersig2(digest[:], p.DSig, k) }); err != nil {
		return nil, fmt.Errorf("cdiff v%d: %w; the patch is damaged or was tampered with, fetch it again", p.Version, err)
	}
	return &Cdiff{Version: p.Version, ScriptLen: p.ScriptLen}, nil
}
