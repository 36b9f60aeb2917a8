package verify

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// CVDHeaderSize is the size of the ASCII header in front of a .cvd/.cld.
const CVDHeaderSize = 512

// maxClamAVSig is the longest signature string ClamAV reads (SIG_SIZE in
// libclamav_rust/src/cdiff.rs).
const maxClamAVSig = 350

const cvdMagic = "ClamAV-VDB:"

// CVDHeader is the 512-byte header of a ClamAV database:
//
//	ClamAV-VDB:<build time>:<version>:<#sigs>:<f-level>:<md5>:<dsig>:<builder>:<build unix time>
//
// right-padded with spaces. A .cld (what freshclam writes after applying
// cdiffs) has "X" for MD5 and DSig.
type CVDHeader struct {
	BuildTime  string // e.g. "22 Jun 2021 14-58 -0400" (the clock uses '-' for ':')
	Version    uint64
	Signatures uint64
	FLevel     int
	MD5        string // 32 lower-case hex digits of MD5(bytes after the header), or "X"
	DSig       string // scheme-A signature of MD5 in ClamAV's base-64 digits, or "X"
	Builder    string
	BuildUnix  int64 // build time as Unix seconds; what freshclam sends as If-Modified-Since
}

// ParseCVDHeader parses the 512-byte header of a .cvd or .cld. It applies
// freshclam's rule for remote headers (every byte printable ASCII, so NUL
// padding is refused) and requires all nine fields: a build time and a
// builder without ':', decimal numbers without sign or leading zeros, an MD5
// of 32 lower-case hex digits and a signature of ClamAV base-64 digits (both
// "X" in a .cld), and the build Unix time.
func ParseCVDHeader(b []byte) (*CVDHeader, error) {
	if len(b) != CVDHeaderSize {
		return nil, fmt.Errorf("CVD header: %d bytes, want exactly %d", len(b), CVDHeaderSize)
	}
	if !bytes.HasPrefix(b, []byte(cvdMagic)) {
		return nil, fmt.Errorf("CVD header: does not start with %q: not a ClamAV database", cvdMagic)
	}
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			return nil, fmt.Errorf("CVD header: byte %d is 0x%02x; a header is printable ASCII padded with spaces", i, c)
		}
	}
	fields := strings.Split(strings.TrimRight(string(b), " "), ":")
	if len(fields) != 9 {
		return nil, fmt.Errorf("CVD header: %d colon-separated fields, want 9 (ClamAV-VDB:time:version:sigs:f-level:md5:dsig:builder:unix time)", len(fields))
	}
	h := &CVDHeader{BuildTime: fields[1], MD5: fields[5], DSig: fields[6], Builder: fields[7]}
	var err error
	if h.Version, err = parseDecimal(fields[2], 64); err != nil {
		return nil, fmt.Errorf("CVD header: version: %w", err)
	}
	if h.Signatures, err = parseDecimal(fields[3], 64); err != nil {
		return nil, fmt.Errorf("CVD header: signature count: %w", err)
	}
	fl, err := parseDecimal(fields[4], 31)
	if err != nil {
		return nil, fmt.Errorf("CVD header: f-level: %w", err)
	}
	h.FLevel = int(fl)
	unix, err := parseDecimal(fields[8], 63)
	if err != nil {
		return nil, fmt.Errorf("CVD header: build time (unix): %w", err)
	}
	h.BuildUnix = int64(unix)
	if err := h.checkText(); err != nil {
		return nil, err
	}
	return h, nil
}

// Encode returns the 512-byte header, padded with spaces. It refuses
// fields that ParseCVDHeader would refuse, so Encode and ParseCVDHeader
// round-trip.
func (h *CVDHeader) Encode() ([]byte, error) {
	if h.FLevel < 0 || h.BuildUnix < 0 {
		return nil, errors.New("CVD header: f-level and build time must not be negative")
	}
	if err := h.checkText(); err != nil {
		return nil, err
	}
	s := fmt.Sprintf("%s%s:%d:%d:%d:%s:%s:%s:%d", cvdMagic, h.BuildTime, h.Version, h.Signatures,
		h.FLevel, h.MD5, h.DSig, h.Builder, h.BuildUnix)
	if len(s) > CVDHeaderSize {
		return nil, fmt.Errorf("CVD header: %d bytes of text, more than fit in %d", len(s), CVDHeaderSize)
	}
	b := bytes.Repeat([]byte{' '}, CVDHeaderSize)
	copy(b, s)
	return b, nil
}

// checkText checks the text fields of a header.
func (h *CVDHeader) checkText() error {
	for _, f := range []struct{ name, v string }{{"build time", h.BuildTime}, {"builder", h.Builder}} {
		if f.v == "" {
			return fmt.Errorf("CVD header: empty %s", f.name)
		}
		for i := 0; i < len(f.v); i++ {
			if c := f.v[i]; c < 0x20 || c > 0x7e || c == ':' {
				return fmt.Errorf("CVD header: %s %q: want printable ASCII without ':'", f.name, f.v)
			}
		}
	}
	if h.MD5 == "X" || h.DSig == "X" {
		if h.MD5 != h.DSig {
			return errors.New(`CVD header: MD5 and signature must both be "X" (a .cld) or both be set (a .cvd)`)
		}
		return nil
	}
	if len(h.MD5) != 2*md5.Size || strings.Trim(h.MD5, "0123456789abcdef") != "" {
		return fmt.Errorf("CVD header: MD5 %q: want 32 lower-case hex digits", h.MD5)
	}
	if _, err := decodeClamAVNumber(h.DSig); err != nil {
		return fmt.Errorf("CVD header: signature: %w", err)
	}
	return nil
}

// IsCLD reports whether the header is that of a .cld (MD5 and signature "X").
func (h *CVDHeader) IsCLD() bool { return h.MD5 == "X" }

// VerifyCVD reads a whole .cvd from r and checks it as freshclam does: the
// header parses, its signature (scheme A: raw RSA with a "cvd" key of a,
// whose result must be the 16 MD5 bytes) verifies, the body starts as gzip,
// and MD5 over every byte after the header equals the header's MD5. The
// signature covers only the MD5, so, as libclamav does when it loads the
// database, the header's version, signature count, f-level and build Unix
// time must equal the first line of the <db>.info in the signed tar (the
// build time text and the builder stay unsigned, in ClamAV too). It streams,
// decompressing only the start of the tar up to the .info; the caller limits
// the size. A .cld (MD5 and signature "X", an uncompressed tar that freshclam
// builds locally) carries no signature and is refused: upstream only
// publishes .cvd files.
//
// A bad signature wraps ErrBadSignature; a body that does not match the
// header wraps ErrMismatch.
func VerifyCVD(r io.Reader, a *Anchors) (*CVDHeader, error) {
	head := make([]byte, CVDHeaderSize)
	if n, err := io.ReadFull(r, head); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("CVD: %d bytes, shorter than the %d-byte header: %w", n, CVDHeaderSize, ErrMismatch)
		}
		return nil, fmt.Errorf("CVD: reading the header: %w", err)
	}
	h, err := ParseCVDHeader(head)
	if err != nil {
		return nil, err
	}
	if h.IsCLD() {
		return nil, fmt.Errorf("CVD v%d: a .cld (MD5 and signature are \"X\") carries no vendor signature; download the .cvd instead", h.Version)
	}
	keys, err := clamavKeys(a, "cvd")
	if err != nil {
		return nil, err
	}
	want, _ := hex.DecodeString(h.MD5) // checked by ParseCVDHeader
	if err := verifyKeys(keys, func(k clamavKey) error { return verifyCVDSig(want, h.DSig, k) }); err != nil {
		return nil, fmt.Errorf("CVD v%d (builder %s): header signature: %w", h.Version, h.Builder, err)
	}
	sum := md5.New()
	magic := make([]byte, 2)
	if n, err := io.ReadFull(r, magic); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("CVD v%d: %d bytes after the header, want a gzip'ed tar: %w", h.Version, n, ErrMismatch)
		}
		return nil, fmt.Errorf("CVD v%d: reading the body: %w", h.Version, err)
	}
	sum.Write(magic)
	info, infoErr := cvdInfoHeader(io.MultiReader(bytes.NewReader(magic), io.TeeReader(r, sum)))
	if _, err := io.Copy(sum, r); err != nil {
		return nil, fmt.Errorf("CVD v%d: reading the body: %w", h.Version, err)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != h.MD5 {
		return nil, fmt.Errorf("CVD v%d: body MD5 is %s, the signed header says %s: %w; the download is damaged or was tampered with, fetch it again",
			h.Version, got, h.MD5, ErrMismatch)
	}
	if magic[0] != 0x1f || magic[1] != 0x8b {
		// Signed, so made by the vendor, but not what a .cvd holds.
		return nil, fmt.Errorf("CVD v%d: body is not gzip (starts %x); an uncompressed .cld body is not accepted", h.Version, magic)
	}
	// The signature covers only the MD5: the header's other fields are bound
	// to the signed body by the .info's first line, as in ClamAV's
	// cli_cvdload ("Corrupted CVD header"), which compares these four.
	if infoErr != nil {
		return nil, fmt.Errorf("CVD v%d: %w: %w", h.Version, infoErr, ErrMismatch)
	}
	if info.Version != h.Version || info.Signatures != h.Signatures || info.FLevel != h.FLevel || info.BuildUnix != h.BuildUnix {
		return nil, fmt.Errorf("CVD v%d: the header says version %d, %d signatures, f-level %d, built %d, but the signed .info says %d, %d, %d, %d: %w; the header was altered, fetch the file again",
			h.Version, h.Version, h.Signatures, h.FLevel, h.BuildUnix, info.Version, info.Signatures, info.FLevel, info.BuildUnix, ErrMismatch)
	}
	return h, nil
}

// maxCVDInfoSearch bounds what cvdInfoHeader decompresses: sigtool writes
// COPYING and then <db>.info at the start of the tar.
const maxCVDInfoSearch = 16 << 20

// cvdInfoHeader reads a CVD body (gzip'ed tar) up to its first <db>.info
// and returns the header on that file's first line ("ClamAV-VDB:…:X:X:…").
func cvdInfoHeader(body io.Reader) (*CVDHeader, error) {
	zr, err := gzip.NewReader(body)
	if err != nil {
		return nil, fmt.Errorf("body is not gzip: %w", err)
	}
	tr := tar.NewReader(io.LimitReader(zr, maxCVDInfoSearch))
	for {
		th, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("no <database>.info in the first %d MiB of the tar (%v)", maxCVDInfoSearch>>20, err)
		}
		if !strings.HasSuffix(th.Name, ".info") || strings.Contains(th.Name, "/") {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, CVDHeaderSize+2))
		if err != nil {
			return nil, fmt.Errorf("reading %.40q: %v", th.Name, err)
		}
		line, _, ok := bytes.Cut(b, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if !ok || len(line) > CVDHeaderSize {
			return nil, fmt.Errorf("%.40q does not start with a header line", th.Name)
		}
		h, err := ParseCVDHeader(append(line, bytes.Repeat([]byte{' '}, CVDHeaderSize-len(line))...))
		if err != nil {
			return nil, fmt.Errorf("%.40q: %w", th.Name, err)
		}
		return h, nil
	}
}

// verifyCVDSig checks scheme A (libclamav/dsig.c cli_versig): dsig^e mod n
// must be the 16 MD5 bytes. Unlike ClamAV it also requires dsig < n, which
// every genuine signature satisfies.
func verifyCVDSig(md5sum []byte, dsig string, k clamavKey) error {
	m, err := rawRSA(dsig, k, md5.Size)
	if err != nil {
		return err
	}
	if !bytes.Equal(m, md5sum) {
		return errors.New("decoded signature differs from the header's MD5")
	}
	return nil
}

// rawRSA decodes a signature in ClamAV's base-64 digits and applies the
// public key without padding (sig^e mod n), giving size bytes. Unlike
// ClamAV it requires sig < n, which every genuine signature satisfies.
func rawRSA(dsig string, k clamavKey, size int) ([]byte, error) {
	c, err := decodeClamAVNumber(dsig)
	if err != nil {
		return nil, err
	}
	if c.Cmp(k.n) >= 0 {
		return nil, errors.New("signature value is not below the key's modulus")
	}
	m := new(big.Int).Exp(c, big.NewInt(k.e), k.n)
	if m.BitLen() > 8*size {
		return nil, fmt.Errorf("decoded signature is %d bytes, want %d (signed with another key?)", (m.BitLen()+7)/8, size)
	}
	return m.FillBytes(make([]byte, size)), nil
}

// versig2 lengths (libclamav/dsig.c cli_versig2): a 2048-bit encoded message
// of mask (223 bytes), hash (32 bytes) and the trailer 0xbc.
const (
	versig2Len   = 256
	versig2Block = versig2Len - sha256.Size - 1
	versig2Salt  = 32
)

// verifyVersig2 checks scheme B (cli_versig2, used for cdiffs and .info
// DSIG lines): an RSASSA-PSS-like encoding with SHA-256, MGF1-SHA-256 and a
// 32-byte salt over digest. It is as strict as PSS: the padding before the
// 0x01 separator must be zero (ClamAV only looks for the first 0x01), and
// the signature value must be below n.
func verifyVersig2(digest []byte, dsig string, k clamavKey) error {
	em, err := rawRSA(dsig, k, versig2Len)
	if err != nil {
		return err
	}
	if em[versig2Len-1] != 0xbc {
		return errors.New("decoded signature has no 0xbc trailer (wrong key or damaged signature)")
	}
	h := em[versig2Block : versig2Len-1]
	db := mgf1SHA256(h, versig2Block)
	for i := range db {
		db[i] ^= em[i]
	}
	db[0] &= 0x7f
	sep := versig2Block - versig2Salt - 1
	for i := 0; i < sep; i++ {
		if db[i] != 0 {
			return errors.New("decoded signature has bad padding")
		}
	}
	if db[sep] != 0x01 {
		return errors.New("decoded signature has no salt separator")
	}
	mp := sha256.New()
	mp.Write(make([]byte, 8))
	mp.Write(digest)
	mp.Write(db[sep+1:])
	if !bytes.Equal(mp.Sum(nil), h) {
		return errors.New("signature is not over these bytes")
	}
	return nil
}

// mgf1SHA256 is MGF1 with SHA-256 (RFC 8017 B.2.1).
func mgf1SHA256(seed []byte, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	var ctr [4]byte
	for i := uint32(0); len(out) < n; i++ {
		binary.BigEndian.PutUint32(ctr[:], i)
		d := sha256.New()
		d.Write(seed)
		d.Write(ctr[:])
		out = d.Sum(out)
	}
	return out[:n]
}

const clamavDigits = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"

// decodeClamAVNumber decodes ClamAV's signature strings: little-endian base-64
// digits, a=0 … /=63, value = Σ digit(cᵢ)·2^(6i).
func decodeClamAVNumber(s string) (*big.Int, error) {
	if s == "" {
		return nil, errors.New("empty signature")
	}
	if len(s) > maxClamAVSig {
		return nil, fmt.Errorf("signature is %d characters, ClamAV reads at most %d", len(s), maxClamAVSig)
	}
	v := new(big.Int)
	for i := len(s) - 1; i >= 0; i-- {
		d := strings.IndexByte(clamavDigits, s[i])
		if d < 0 {
			return nil, fmt.Errorf("signature character %q at %d is not a ClamAV base-64 digit", s[i], i)
		}
		v.Lsh(v, 6)
		v.Or(v, big.NewInt(int64(d)))
	}
	return v, nil
}

type clamavKey struct {
	name string
	n    *big.Int
	e    int64
}

// clamavKeys returns every ClamAV key of a for use, in order.
func clamavKeys(a *Anchors, use string) ([]clamavKey, error) {
	var out []clamavKey
	for _, k := range a.ClamAVKeys {
		if k.Use != use {
			continue
		}
		n, e, err := k.Parse()
		if err != nil {
			return nil, fmt.Errorf("ClamAV %s key %s: %w", use, k.Name, err)
		}
		out = append(out, clamavKey{name: k.Name, n: n, e: e})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no ClamAV %s key in the vendor trust of %s; add one (clamav_keys, use: %s)", use, a.Vendor, use)
	}
	return out, nil
}

// verifyKeys succeeds when check succeeds for one of keys, and otherwise
// returns an error that wraps ErrBadSignature and names each key's reason.
func verifyKeys(keys []clamavKey, check func(clamavKey) error) error {
	var why []string
	for _, k := range keys {
		err := check(k)
		if err == nil {
			return nil
		}
		why = append(why, fmt.Sprintf("%s: %v", k.name, err))
	}
	return fmt.Errorf("%w (%s)", ErrBadSignature, strings.Join(why, "; "))
}

// parseDecimal parses a canonical unsigned decimal number (digits only, no
// leading zeros) of at most bits bits.
func parseDecimal(s string, bits int) (uint64, error) {
	if s == "" {
		return 0, errors.New("empty number")
	}
	if strings.Trim(s, "0123456789") != "" || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%.40q is not a decimal number without sign or leading zeros", s)
	}
	v, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return v, nil
}
