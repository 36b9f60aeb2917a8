package verify

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
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

// Bounds of CdiffBuildTime's look into a script: the new header is on its
// second line (sigtool writes "OPEN <db>.info" first), so a few KiB hold
// it; a longer .info block is looked into no further than this.
const (
	maxCdiffHeadScan  = 64 << 10 // bytes of the uncompressed script
	maxCdiffHeadLines = 16
)

// CdiffBuildTime returns the build time of the database version a cdiff
// produces, as ClamAV records it: the script patches line 1 of <db>.info
// to the new header, and that header's last field is the build Unix time.
// See (*CdiffParts).Header.
func CdiffBuildTime(b []byte) (time.Time, error) {
	p, err := ParseCdiff(b)
	if err != nil {
		return time.Time{}, err
	}
	h, err := p.Header()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(h.BuildUnix, 0).UTC(), nil
}

// Header returns the <db>.info header line of the version the cdiff
// produces (MD5 and signature "X", as in every .info). sigtool writes it
// at the start of the script:
//
//	OPEN <db>.info
//	XCHG 1 <old header, cut at its first space> ClamAV-VDB:<time>:<version>:…:X:X:<builder>:<unix time>
//
// Header decompresses at most the declared script length and at most
// 64 KiB of it, and reads at most the first 16 lines, each ended by a
// newline, of the OPEN <db>.info block it starts with. The header must
// parse as ParseCVDHeader parses one, and its version must be the cdiff's
// (else ErrMismatch). It interprets nothing else and does not check the
// signature: it is safe on any input, but what it reads is only as
// trustworthy as the cdiff, so call it on a verified one.
func (p *CdiffParts) Header() (*CVDHeader, error) {
	zr, err := gzip.NewReader(bytes.NewReader(p.Gzip))
	if err != nil {
		return nil, fmt.Errorf("cdiff v%d: script: %w", p.Version, err)
	}
	script, err := io.ReadAll(io.LimitReader(zr, min(p.ScriptLen, maxCdiffHeadScan)))
	if err != nil {
		return nil, fmt.Errorf("cdiff v%d: script: %w", p.Version, err)
	}
	lines := strings.SplitN(string(script), "\n", maxCdiffHeadLines+1)
	if db, ok := strings.CutPrefix(lines[0], "OPEN "); !ok || !strings.HasSuffix(db, ".info") || len(lines) < 2 {
		return nil, fmt.Errorf("cdiff v%d: the script does not start with OPEN <database>.info (%.40q): it carries no new header", p.Version, lines[0])
	}
	// Only lines ended by a newline: the last piece may be cut by a limit.
	for _, line := range lines[1 : len(lines)-1] {
		if line == "CLOSE" {
			break
		}
		rest, ok := strings.CutPrefix(line, "XCHG 1 ")
		if !ok {
			continue
		}
		_, header, ok := strings.Cut(rest, " ")
		if !ok {
			return nil, fmt.Errorf("cdiff v%d: XCHG 1 of the .info: %.80q is not <old> <new header>", p.Version, line)
		}
		if len(header) > CVDHeaderSize {
			return nil, fmt.Errorf("cdiff v%d: new .info header of %d bytes, longer than a header (%d)", p.Version, len(header), CVDHeaderSize)
		}
		h, err := ParseCVDHeader([]byte(header + strings.Repeat(" ", CVDHeaderSize-len(header))))
		if err == nil && !h.IsCLD() {
			err = errors.New(`MD5 and signature are set; a .info header has "X" for both`)
		}
		if err != nil {
			return nil, fmt.Errorf("cdiff v%d: new .info header: %w", p.Version, err)
		}
		if h.Version != p.Version {
			return nil, fmt.Errorf("cdiff v%d: the new .info header says version %d: %w", p.Version, h.Version, ErrMismatch)
		}
		return h, nil
	}
	return nil, fmt.Errorf("cdiff v%d: no XCHG 1 (the new header) in the first %d lines of the .info block", p.Version, maxCdiffHeadLines)
}
