package verify

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// What a ClamAV signature covers (libclamav dsig.c, cvd.c, cdiff.rs):
//
//   - .cvd: the header's dsig (scheme A, the "cvd" key) covers only the
//     header's MD5 field, and that MD5 covers every byte after the 512-byte
//     header. Nothing signs the rest of the header (build time, version,
//     signature count, f-level, builder, build Unix time). ClamAV binds the
//     version, count, f-level and build time to the signed body at load time:
//     the first line of <db>.info inside the tar must say the same
//     (cli_cvdload, "Corrupted CVD header"). VerifyCVD does that too; the
//     build time text and the builder remain unsigned in ClamAV's design.
//   - cdiff: the signature (scheme B, the "cdiff" key) covers every byte
//     before the last ':' (magic, version, script length, gzip'ed script).
//
// In both, the signature string is little-endian base-64 digits, so 'a'
// (a zero digit) appended at its end gives the same number: that changes the
// file, not what was signed.

// genuineCVDs are the Talos-signed fixtures.
func genuineCVDs(tb testing.TB) [][]byte {
	var out [][]byte
	for _, name := range []string{"test-1.cvd", "test-2.cvd", "test-3.cvd", "test-4.cvd", "test-5.cvd", "test-6.cvd", "bytecode.cvd"} {
		out = append(out, clamavFixture(tb, name))
	}
	return out
}

// FuzzVerifyCVD mutates genuinely signed CVDs: the fuzzer writes the
// 512-byte header as it likes, and may XOR bytes into the body at an offset
// or cut it. Property: VerifyCVD accepts only the exact signed body of a
// genuine CVD, and then every header field it reports that anything signed
// covers (MD5; version, signature count, f-level and build Unix time through
// the signed .info) is the genuine one, and its signature is the genuine
// number.
func FuzzVerifyCVD(f *testing.F) {
	cvds := genuineCVDs(f)
	vt := realTrust(f).For("clamav", "test")
	for i, b := range cvds {
		f.Add(uint8(i), b[:CVDHeaderSize], []byte(nil), uint16(0), uint16(0))
	}
	g := cvds[2] // test-3.cvd: version 3, 11 signatures
	head := func(old, new string) []byte {
		return bytes.Replace(bytes.Clone(g[:CVDHeaderSize]), []byte(old), []byte(new), 1)
	}
	h3, _ := ParseCVDHeader(g[:CVDHeaderSize])
	f.Add(uint8(2), head(":3:11:", ":9:11:"), []byte(nil), uint16(0), uint16(0))           // version raised
	f.Add(uint8(2), head(":3:11:", ":3:12:"), []byte(nil), uint16(0), uint16(0))           // signature count
	f.Add(uint8(2), head(":81:", ":82:"), []byte(nil), uint16(0), uint16(0))               // f-level
	f.Add(uint8(2), head(":1624408809", ":1624408810"), []byte(nil), uint16(0), uint16(0)) // build time
	f.Add(uint8(2), head(":raynman:", ":nobody:"), []byte(nil), uint16(0), uint16(0))      // builder: unsigned
	f.Add(uint8(2), head(h3.DSig+":", h3.DSig+"a:"), []byte(nil), uint16(0), uint16(0))
	f.Add(uint8(2), g[:CVDHeaderSize], []byte{1}, uint16(100), uint16(0))
	f.Add(uint8(2), g[:CVDHeaderSize], []byte(nil), uint16(0), uint16(1))
	f.Add(uint8(0), cvds[5][:CVDHeaderSize], []byte(nil), uint16(0), uint16(0)) // another version's header
	f.Fuzz(func(t *testing.T, pick uint8, header, xor []byte, at, cut uint16) {
		src := cvds[int(pick)%len(cvds)]
		body := bytes.Clone(src[CVDHeaderSize:])
		for i, x := range xor {
			body[(int(at)+i)%len(body)] ^= x
		}
		body = body[:len(body)-int(cut)%len(body)]
		h, err := VerifyCVD(bytes.NewReader(append(bytes.Clone(header), body...)), vt)
		if err != nil {
			return
		}
		var genuine []byte
		for _, c := range cvds {
			if bytes.Equal(c[CVDHeaderSize:], body) {
				genuine = c
			}
		}
		if genuine == nil {
			t.Fatalf("VerifyCVD accepted a body that no genuine CVD has (header %q)", header)
		}
		want, err := ParseCVDHeader(genuine[:CVDHeaderSize])
		if err != nil {
			t.Fatal(err)
		}
		if h.MD5 != want.MD5 || h.Version != want.Version || h.Signatures != want.Signatures || h.FLevel != want.FLevel || h.BuildUnix != want.BuildUnix {
			t.Fatalf("VerifyCVD reports %+v for the signed body of %+v", h, want)
		}
		got, err1 := decodeClamAVNumber(h.DSig)
		sig, err2 := decodeClamAVNumber(want.DSig)
		if err1 != nil || err2 != nil || got.Cmp(sig) != 0 {
			t.Fatalf("VerifyCVD accepted signature %q; the genuine one is %q", h.DSig, want.DSig)
		}
	})
}

// FuzzVerifyCdiff mutates genuinely signed cdiffs. Property: VerifyCdiff
// accepts a cdiff only when everything the signature covers (the bytes
// before the last ':') is a genuine cdiff's, byte for byte, with the
// genuine signature value; the version and script length it reports are
// that cdiff's.
func FuzzVerifyCdiff(f *testing.F) {
	vt := realTrust(f).For("clamav", "test")
	var cdiffs [][]byte
	for n := 2; n <= 6; n++ {
		cdiffs = append(cdiffs, clamavFixture(f, fmt.Sprintf("test-%d.cdiff", n)))
	}
	for _, b := range cdiffs {
		f.Add(b)
	}
	g := cdiffs[2] // test-4.cdiff
	f.Add(append([]byte("ClamAV-Diff:5"), g[len("ClamAV-Diff:4"):]...))
	f.Add(append(bytes.Clone(g), 'a'))
	f.Add(append(bytes.Clone(g), "aa\n"...))
	f.Add(flip(g, 40))
	f.Add(append(bytes.Clone(g[:bytes.LastIndexByte(g, ':')]), cdiffs[3][bytes.LastIndexByte(cdiffs[3], ':'):]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := VerifyCdiff(b, vt)
		if err != nil {
			return
		}
		p, err := ParseCdiff(b)
		if err != nil {
			t.Fatalf("VerifyCdiff accepted what ParseCdiff refuses: %v", err)
		}
		for _, g := range cdiffs {
			gp, _ := ParseCdiff(g)
			if !bytes.Equal(p.Signed(), gp.Signed()) {
				continue
			}
			got, _ := decodeClamAVNumber(p.DSig)
			want, _ := decodeClamAVNumber(gp.DSig)
			if c.Version != gp.Version || c.ScriptLen != gp.ScriptLen || got.Cmp(want) != 0 {
				t.Fatalf("VerifyCdiff reports %+v (signature %q) for the signed part of a cdiff v%d of %d bytes (signature %q)",
					c, p.DSig, gp.Version, gp.ScriptLen, gp.DSig)
			}
			return
		}
		t.Fatalf("VerifyCdiff accepted signed bytes that no genuine cdiff has: %.80q", p.Signed())
	})
}

// FuzzCdiffBuildTime reads the build time from whole cdiffs (b) and, to
// get past the gzip layer, from scripts assembled into a cdiff of version v
// (when script is not empty) whose declared length is cut short by cut
// bytes. Property: it never panics, and what it accepts has, in the part of
// the script the declared length covers, an "XCHG 1 <old> <header>" line
// (ended by a newline, before any CLOSE) whose header says X:X, the
// cdiff's version and, in its last field, the returned time (UTC).
func FuzzCdiffBuildTime(f *testing.F) {
	for n := 2; n <= 6; n++ {
		f.Add(clamavFixture(f, fmt.Sprintf("test-%d.cdiff", n)), "", uint64(0), uint16(0))
	}
	g := clamavFixture(f, "test-4.cdiff")
	f.Add(append([]byte("ClamAV-Diff:5"), g[len("ClamAV-Diff:4"):]...), "", uint64(0), uint16(0))
	f.Add(flip(g, 40), "", uint64(0), uint16(0))
	f.Add(g[:60], "", uint64(0), uint16(0))
	const head = "OPEN test.info\nXCHG 1 ClamAV-VDB:22 ClamAV-VDB:22 Jun 2021 21-29 -0400:4:12:81:X:X:micasnyd:1624411776\n"
	for _, s := range []string{
		head + "CLOSE\n",
		head,
		"OPEN test.info\nCLOSE\n" + head[len("OPEN test.info\n"):],
		"OPEN test.info\nXCHG 1 a\n",
		"OPEN test.info\nXCHG 1 a ClamAV-VDB:t:4:1:1:X:X:b:99999999999999999999\n",
		"OPEN test.info\nXCHG 1 a ClamAV-VDB:t:4:1:1:X:X:b:1:\n",
		"OPEN test.info\nXCHG 1 a ClamAV-VDB:t:4:1:1:X:X:b:1 \n",
		strings.ReplaceAll(head, "\n", "\r\n"),
		strings.Replace(head, ":4:", ":3:", 1),
		strings.Replace(head, "XCHG 1", strings.Repeat("ADD x\n", 20)+"XCHG 1", 1),
	} {
		f.Add([]byte(nil), s, uint64(4), uint16(0))
	}
	f.Add([]byte(nil), head, uint64(4), uint16(1))
	f.Add([]byte(nil), head+"CLOSE\n", uint64(4), uint16(6))
	f.Fuzz(func(t *testing.T, b []byte, script string, v uint64, cut uint16) {
		if script != "" {
			n := len(script) - int(cut)%(len(script)+1)
			b = cdiffOf(v, int64(n), script, "abc")
		}
		got, err := CdiffBuildTime(b)
		if err != nil {
			return
		}
		p, err := ParseCdiff(b)
		if err != nil {
			t.Fatalf("CdiffBuildTime accepted what ParseCdiff refuses: %v", err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(p.Gzip))
		if err != nil {
			t.Fatalf("CdiffBuildTime accepted a script that is not gzip: %v", err)
		}
		all, _ := io.ReadAll(io.LimitReader(zr, p.ScriptLen))
		var header string
		for line := range strings.Lines(string(all)) {
			if line == "CLOSE\n" || !strings.HasSuffix(line, "\n") {
				break
			}
			if rest, ok := strings.CutPrefix(line, "XCHG 1 "); ok {
				_, header, _ = strings.Cut(strings.TrimSuffix(rest, "\n"), " ")
				break
			}
		}
		fields := strings.Split(strings.TrimRight(header, " "), ":")
		if len(fields) != 9 || fields[0] != "ClamAV-VDB" || fields[5] != "X" || fields[6] != "X" {
			t.Fatalf("CdiffBuildTime accepted a script without an .info header line (%q): %.200q", header, all)
		}
		if fields[2] != fmt.Sprint(p.Version) {
			t.Fatalf("CdiffBuildTime accepted a header of version %s in a cdiff of version %d", fields[2], p.Version)
		}
		if fields[8] != fmt.Sprint(got.Unix()) || got.Location() != time.UTC {
			t.Fatalf("CdiffBuildTime returned %v (%d); the header's last field is %s", got, got.Unix(), fields[8])
		}
	})
}

// The header fields ClamAV binds to the signed .info cannot be changed: a
// genuine CVD whose header claims a newer version (a frozen database shown
// as current) or another count, f-level or build time is refused.
func TestVerifyCVDHeaderBoundToInfo(t *testing.T) {
	good := clamavFixture(t, "test-3.cvd")
	vt := realTrust(t).For("clamav", "test")
	for name, edit := range map[string][2]string{
		"version":         {":3:11:", ":9:11:"},
		"signature count": {":3:11:", ":3:12:"},
		"f-level":         {":81:", ":82:"},
		"build time":      {":1624408809", ":1624408810"},
	} {
		t.Run(name, func(t *testing.T) {
			b := bytes.Replace(bytes.Clone(good), []byte(edit[0]), []byte(edit[1]), 1)
			_, err := VerifyCVD(bytes.NewReader(b), vt)
			if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "signed .info") {
				t.Fatalf("header %s changed: %v, want a mismatch with the signed .info", name, err)
			}
		})
	}
}
