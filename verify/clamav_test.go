package verify

import (
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/verify/verifytest"
)

// signNow is inside the validity of the TEST root (2025-03-26 → 2027-03-26).
var signNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// clamavFixture is a file of the real, Talos-signed ClamAV test database
// (testdata/fixtures/clamav, see its README.md).
func clamavFixture(t testing.TB, name string) []byte {
	t.Helper()
	return verifytest.Fixture(t, "clamav/"+name)
}

func TestVerifyCVDRealFixtures(t *testing.T) {
	cases := []struct {
		file          string
		version, sigs uint64
		flevel        int
		builder       string
		unix          int64
	}{
		{"test-1.cvd", 1, 0, 81, "micasnyd", 1624388302},
		{"test-2.cvd", 2, 0, 81, "micasnyd", 1624395301},
		{"test-3.cvd", 3, 11, 81, "raynman", 1624408809},
		{"test-4.cvd", 4, 12, 81, "micasnyd", 1624411776},
		{"test-5.cvd", 5, 13, 81, "micasnyd", 1624411902},
		{"test-6.cvd", 6, 14, 81, "micasnyd", 1624412045},
		{"bytecode.cvd", 19, 3, 51, "nervous", 1273845430},
	}
	vt := realTrust(t).For("clamav", "test")
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			b := clamavFixture(t, tc.file)
			h, err := VerifyCVD(bytes.NewReader(b), vt)
			if err != nil {
				t.Fatal(err)
			}
			if h.Version != tc.version || h.Signatures != tc.sigs || h.FLevel != tc.flevel || h.Builder != tc.builder || h.BuildUnix != tc.unix {
				t.Errorf("header %+v", h)
			}
			// Encode gives back the vendor's header byte for byte.
			enc, err := h.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, b[:CVDHeaderSize]) {
				t.Errorf("Encode differs from the file's header:\n%q\n%q", enc, b[:CVDHeaderSize])
			}
		})
	}
	h, _ := ParseCVDHeader(clamavFixture(t, "test-1.cvd")[:CVDHeaderSize])
	if h.BuildTime != "22 Jun 2021 14-58 -0400" || h.MD5 != "a4ab60ae1c1c4e8f787459102dcfd90b" || len(h.DSig) != 171 {
		t.Errorf("test-1.cvd header: %+v", h)
	}
}

func TestVerifyCVDRefuses(t *testing.T) {
	good := clamavFixture(t, "test-3.cvd")
	vt := realTrust(t).For("clamav", "test")
	dsigAt := bytes.Index(good, []byte(":raynman:")) - 5 // inside the dsig field
	md5At := bytes.Index(good, []byte(":75c84c7f")) + 3
	wrongKey := &Anchors{Vendor: "clamav", ClamAVKeys: []ClamAVKey{{Name: "info key as cvd", Use: "cvd", N: vt.ClamAVKeys[2].N, E: vt.ClamAVKeys[2].E}}}
	noKey := realTrust(t).For("clamav", "test")
	noKey.ClamAVKeys = noKey.ClamAVKeys[1:]
	cld := bytes.Clone(good)
	h, _ := ParseCVDHeader(good[:CVDHeaderSize])
	h.MD5, h.DSig = "X", "X"
	head, _ := h.Encode()
	copy(cld, head)
	cases := []struct {
		name string
		b    []byte
		vt   *Anchors
		want error  // errors.Is
		msg  string // substring
	}{
		{"body byte flipped", flip(good, 600), vt, ErrMismatch, "body MD5"},
		{"last byte flipped", flip(good, len(good)-1), vt, ErrMismatch, "body MD5"},
		{"byte appended", append(bytes.Clone(good), 0), vt, ErrMismatch, "body MD5"},
		{"truncated body", good[:len(good)-1], vt, ErrMismatch, "body MD5"},
		{"header dsig changed", flip(good, dsigAt), vt, ErrBadSignature, "header signature"},
		{"header MD5 changed", flip(good, md5At), vt, ErrBadSignature, "header signature"},
		{"wrong key", good, wrongKey, ErrBadSignature, "info key as cvd"},
		{"no cvd key", good, noKey, nil, "no ClamAV cvd key"},
		{"header only", good[:CVDHeaderSize], vt, ErrMismatch, "0 bytes after the header"},
		{"short header", good[:100], vt, ErrMismatch, "shorter than the 512-byte header"},
		{"a .cld", cld, vt, nil, "download the .cvd"},
		{"not a CVD", []byte(strings.Repeat("x", 600)), vt, nil, "not a ClamAV database"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyCVD(bytes.NewReader(tc.b), tc.vt)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

func TestParseCVDHeaderRefuses(t *testing.T) {
	real := string(clamavFixture(t, "test-1.cvd")[:CVDHeaderSize])
	text := strings.TrimRight(real, " ")
	pad := func(s string) []byte {
		b := bytes.Repeat([]byte{' '}, CVDHeaderSize)
		copy(b, s)
		return b
	}
	field := func(i int, v string) []byte {
		f := strings.Split(text, ":")
		f[i] = v
		return pad(strings.Join(f, ":"))
	}
	nul := pad(text)
	nul[CVDHeaderSize-1] = 0
	cases := map[string]struct {
		b   []byte
		msg string
	}{
		"511 bytes":          {[]byte(real[:511]), "want exactly 512"},
		"NUL padding":        {nul, "byte 511 is 0x00"},
		"newline":            {field(7, "mic\nasnyd"), "is 0x0a"},
		"no prefix":          {pad("ClamAV-XYZ" + text[10:]), "not a ClamAV database"},
		"8 fields":           {pad(text[:strings.LastIndexByte(text, ':')]), "8 colon-separated fields"},
		"10 fields":          {pad(text + ":1"), "10 colon-separated fields"},
		"version not number": {field(2, "one"), "version"},
		"negative version":   {field(2, "-1"), "version"},
		"leading zero":       {field(2, "01"), "leading zeros"},
		"huge f-level":       {field(4, "99999999999"), "out of range"},
		"upper-case MD5":     {field(5, "A4AB60AE1C1C4E8F787459102DCFD90B"), "lower-case hex"},
		"short MD5":          {field(5, "a4ab60"), "lower-case hex"},
		"bad dsig digit":     {field(6, "ab-c"), "not a ClamAV base-64 digit"},
		"empty dsig":         {field(6, ""), "empty signature"},
		"X md5 only":         {field(5, "X"), `both be "X"`},
		"empty builder":      {field(7, ""), "empty builder"},
		"empty time":         {field(1, ""), "empty build time"},
		"no unix time":       {field(8, ""), "build time (unix)"},
		"space in number":    {field(8, "16243 88302"), "build time (unix)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCVDHeader(tc.b)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want one saying %q", err, tc.msg)
			}
		})
	}
	cld, err := ParseCVDHeader(field(6, "X"))
	if err == nil {
		t.Errorf("dsig X with an MD5 accepted: %+v", cld)
	}
	cld, err = ParseCVDHeader(pad(strings.Replace(strings.Replace(text, ":a4ab60ae1c1c4e8f787459102dcfd90b:", ":X:", 1),
		":"+strings.Split(text, ":")[6]+":", ":X:", 1)))
	if err != nil || !cld.IsCLD() {
		t.Errorf(".cld header: %v %+v", err, cld)
	}
}

func TestCVDHeaderEncodeRefuses(t *testing.T) {
	ok := CVDHeader{BuildTime: "t", Version: 1, FLevel: 1, MD5: "X", DSig: "X", Builder: "b", BuildUnix: 1}
	if _, err := ok.Encode(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(h *CVDHeader){
		"colon in time":  func(h *CVDHeader) { h.BuildTime = "14:58" },
		"long builder":   func(h *CVDHeader) { h.Builder = strings.Repeat("b", 500) },
		"negative flvl":  func(h *CVDHeader) { h.FLevel = -1 },
		"negative time":  func(h *CVDHeader) { h.BuildUnix = -1 },
		"bad md5":        func(h *CVDHeader) { h.MD5 = "zz" },
		"non-ASCII name": func(h *CVDHeader) { h.Builder = "bé" },
	} {
		h := ok
		mod(&h)
		if _, err := h.Encode(); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

func TestVerifyCdiffRealFixtures(t *testing.T) {
	vt := realTrust(t).For("clamav", "test")
	for n := 2; n <= 6; n++ {
		name := fmt.Sprintf("test-%d.cdiff", n)
		t.Run(name, func(t *testing.T) {
			b := clamavFixture(t, name)
			c, err := VerifyCdiff(b, vt)
			if err != nil {
				t.Fatal(err)
			}
			if c.Version != uint64(n) {
				t.Errorf("version %d", c.Version)
			}
			p, err := ParseCdiff(b)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p.Bytes(), b) {
				t.Error("reassembly differs")
			}
			zr, err := gzip.NewReader(bytes.NewReader(p.Gzip))
			if err != nil {
				t.Fatal(err)
			}
			script, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(script)) != c.ScriptLen || !bytes.HasPrefix(script, []byte("OPEN test.info\n")) {
				t.Errorf("script of %d bytes, header says %d: %.40q", len(script), c.ScriptLen, script)
			}
		})
	}
}

func TestVerifyCdiffRefuses(t *testing.T) {
	good := clamavFixture(t, "test-4.cdiff")
	vt := realTrust(t).For("clamav", "test")
	wrongKey := &Anchors{Vendor: "clamav", ClamAVKeys: []ClamAVKey{{Name: "info key as cdiff", Use: "cdiff", N: vt.ClamAVKeys[2].N, E: vt.ClamAVKeys[2].E}}}
	other := clamavFixture(t, "test-5.cdiff")
	swapped := append(bytes.Clone(good[:bytes.LastIndexByte(good, ':')]), other[bytes.LastIndexByte(other, ':'):]...)
	cases := []struct {
		name string
		b    []byte
		vt   *Anchors
		want error
		msg  string
	}{
		{"bit flipped at 40 (README)", flip(good, 40), vt, ErrBadSignature, "cdiff v4"},
		{"signature char changed", flip(good, len(good)-10), vt, ErrBadSignature, "cdiff v4"},
		{"version in header changed", append([]byte("ClamAV-Diff:5"), good[len("ClamAV-Diff:4"):]...), vt, ErrBadSignature, "cdiff v5"},
		{"signature of another cdiff", swapped, vt, ErrBadSignature, "not over these bytes"},
		{"wrong key", good, wrongKey, ErrBadSignature, "info key as cdiff"},
		{"signature cut", good[:len(good)-200], vt, ErrBadSignature, "cdiff v4"},
		{"signature removed", good[:bytes.LastIndexByte(good, ':')+1], vt, nil, "empty signature"},
		{"newline appended", append(bytes.Clone(good), '\n'), vt, nil, "not a ClamAV base-64 digit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyCdiff(tc.b, tc.vt)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

func TestParseCdiffRefuses(t *testing.T) {
	sig := "abc"
	gz := "\x1f\x8b" + strings.Repeat("z", 20)
	cases := map[string]struct{ in, msg string }{
		"no magic":        {"ClamAV-Dif:1:2:" + gz + ":" + sig, "not a ClamAV patch"},
		"no version":      {"ClamAV-Diff:", "before the version"},
		"no length":       {"ClamAV-Diff:1:", "before the script length"},
		"bad version":     {"ClamAV-Diff:x:2:" + gz + ":" + sig, "version"},
		"length > 32 bit": {"ClamAV-Diff:1:4294967296:" + gz + ":" + sig, "out of range"},
		"no signature":    {"ClamAV-Diff:1:2:" + gz, "no ':'"},
		"not gzip":        {"ClamAV-Diff:1:2:" + strings.Repeat("z", 20) + ":" + sig, "not gzip"},
		"sig too long":    {"ClamAV-Diff:1:2:" + gz + ":" + strings.Repeat("a", 351), "at most 350"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCdiff([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want one saying %q", err, tc.msg)
			}
		})
	}
}

// Each genuine cdiff carries the build time of the version it makes: the
// one in that version's .cvd header.
func TestCdiffBuildTimeRealFixtures(t *testing.T) {
	for n := 2; n <= 6; n++ {
		name := fmt.Sprintf("test-%d.cdiff", n)
		t.Run(name, func(t *testing.T) {
			cvd, err := ParseCVDHeader(clamavFixture(t, fmt.Sprintf("test-%d.cvd", n))[:CVDHeaderSize])
			if err != nil {
				t.Fatal(err)
			}
			got, err := CdiffBuildTime(clamavFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if want := time.Unix(cvd.BuildUnix, 0).UTC(); !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("build time %v, the header of test-%d.cvd says %v", got, n, want)
			}
		})
	}
	// test-3.cdiff as in FEEDS.md: 22 Jun 2021 20-40 -0400.
	got, _ := CdiffBuildTime(clamavFixture(t, "test-3.cdiff"))
	if want := time.Date(2021, 6, 23, 0, 40, 9, 0, time.UTC); !got.Equal(want) {
		t.Errorf("test-3.cdiff: %v, want %v", got, want)
	}
}

// rescript returns cdiff b with its script edited and compressed again
// (the signature is kept, so it no longer verifies).
func rescript(t testing.TB, b []byte, edit func(string) string) []byte {
	t.Helper()
	p, err := ParseCdiff(b)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(p.Gzip))
	if err != nil {
		t.Fatal(err)
	}
	script, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return cdiffOf(p.Version, -1, edit(string(script)), p.DSig)
}

// cdiffOf assembles a cdiff of a script; scriptLen < 0 declares its true
// length.
func cdiffOf(version uint64, scriptLen int64, script, dsig string) []byte {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(script))
	zw.Close()
	if scriptLen < 0 {
		scriptLen = int64(len(script))
	}
	return (&CdiffParts{Version: version, ScriptLen: scriptLen, Gzip: gz.Bytes(), DSig: dsig}).Bytes()
}

func TestCdiffBuildTimeRefuses(t *testing.T) {
	good := clamavFixture(t, "test-4.cdiff")
	const header = "ClamAV-VDB:22 Jun 2021 21-29 -0400:4:12:81:X:X:micasnyd:1624411776"
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("test-4.cdiff's script has no %q", old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	p, _ := ParseCdiff(good)
	cases := []struct {
		name string
		b    []byte
		want error
		msg  string
	}{
		{"not a cdiff", []byte("ClamAV-VDB:1:2:3"), nil, "not a ClamAV patch"},
		{"header of another version", rescript(t, good, replace(":4:12:81:", ":5:12:81:")), ErrMismatch, "says version 5"},
		{"cdiff of another version", append([]byte("ClamAV-Diff:5"), good[len("ClamAV-Diff:4"):]...), ErrMismatch, "says version 4"},
		{"no OPEN of the .info", rescript(t, good, replace("OPEN test.info", "OPEN test.ldb")), nil, "does not start with OPEN"},
		{"no XCHG 1", rescript(t, good, replace("XCHG 1 ", "XCHG 2 ")), nil, "no XCHG 1"},
		{"CLOSE before XCHG 1", rescript(t, good, replace("OPEN test.info\n", "OPEN test.info\nCLOSE\n")), nil, "no XCHG 1"},
		{"XCHG 1 without a new line", rescript(t, good, replace(" "+header, "")), nil, "is not <old> <new header>"},
		{"header without build time", rescript(t, good, replace(":micasnyd:1624411776", ":micasnyd")), nil, "9"},
		{"header with a CR", rescript(t, good, replace("1624411776\n", "1624411776\r\n")), nil, "0x0d"},
		{"header too long", rescript(t, good, replace("micasnyd", strings.Repeat("m", CVDHeaderSize))), nil, "longer than a header"},
		{"header with MD5", rescript(t, good, replace(":X:X:", ":"+strings.Repeat("0", 32)+":X:")), nil, "both"},
		{"header with MD5 and signature", rescript(t, good, replace(":X:X:", ":"+strings.Repeat("0", 32)+":abc:")), nil, `"X" for both`},
		// The header line is cut by the declared script length: a cut line
		// is not read (it would give a wrong build time).
		{"script length cuts the header", cdiffOf(4, int64(len("OPEN test.info\nXCHG 1 ClamAV-VDB:22 "+header)-3),
			"OPEN test.info\nXCHG 1 ClamAV-VDB:22 "+header+"\nCLOSE\n", p.DSig), nil, "no XCHG 1"},
		{"script length 0", cdiffOf(4, 0, "OPEN test.info\nXCHG 1 ClamAV-VDB:22 "+header+"\n", p.DSig), nil, "does not start with OPEN"},
		{"only the OPEN line", cdiffOf(4, -1, "OPEN test.info", p.DSig), nil, "does not start with OPEN"},
		{"XCHG 1 after 16 lines", rescript(t, good, replace("OPEN test.info\n", "OPEN test.info\n"+strings.Repeat("XCHG 9 a b\n", 15))), nil, "no XCHG 1"},
		{"damaged gzip", append([]byte("ClamAV-Diff:4:741:\x1f\x8b\x08\x00"), good[len("ClamAV-Diff:4:741:")+4+40:]...), nil, "script"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CdiffBuildTime(tc.b)
			if err == nil {
				t.Fatalf("accepted: %v", got)
			}
			t.Log(err)
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
	// Within the bounds it reads: XCHG 1 as the 15th line after OPEN, a
	// script whose header line ends exactly at the declared length.
	late := rescript(t, good, replace("OPEN test.info\n", "OPEN test.info\n"+strings.Repeat("XCHG 9 a b\n", 14)))
	exact := cdiffOf(4, int64(len("OPEN test.info\nXCHG 1 ClamAV-VDB:22 "+header+"\n")), "OPEN test.info\nXCHG 1 ClamAV-VDB:22 "+header+"\nCLOSE\n", p.DSig)
	for name, b := range map[string][]byte{"late": late, "exact": exact} {
		if got, err := CdiffBuildTime(b); err != nil || got.Unix() != 1624411776 {
			t.Errorf("%s: %v, %v", name, got, err)
		}
	}
}

func clamSignPool(t *testing.T, name string) *x509.CertPool {
	t.Helper()
	vt := &Anchors{Vendor: "clamav", ClamAVSignRoots: []NamedPEM{{Name: name, PEM: string(clamavFixture(t, name))}}}
	pool, err := vt.ClamAVSignPool()
	if err != nil {
		t.Fatal(err)
	}
	return pool
}

func clamSignFiles() []string {
	var out []string
	for n := 1; n <= 6; n++ {
		out = append(out, fmt.Sprintf("test-%d.cvd", n))
	}
	for n := 2; n <= 6; n++ {
		out = append(out, fmt.Sprintf("test-%d.cdiff", n))
	}
	return out
}

func TestVerifyClamSignRealFixtures(t *testing.T) {
	test := clamSignPool(t, "clamav-test.crt")
	prod, err := realTrust(t).For("clamav", "test").ClamAVSignPool()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range clamSignFiles() {
		t.Run(name, func(t *testing.T) {
			data, sign := clamavFixture(t, name), clamavFixture(t, name+".sign")
			if err := VerifyClamSign(sign, bytes.NewReader(data), test, 230, signNow); err != nil {
				t.Fatal(err)
			}
			err := VerifyClamSign(sign, bytes.NewReader(data), prod, 230, signNow)
			if !errors.Is(err, ErrClamSignUnusable) || errors.Is(err, ErrBadSignature) {
				t.Errorf("production root: %v", err)
			}
			err = VerifyClamSign(sign, bytes.NewReader(flip(data, len(data)/2)), test, 230, signNow)
			if !errors.Is(err, ErrBadSignature) {
				t.Errorf("flipped data byte: %v", err)
			}
		})
	}
}

// resign replaces the base64 of line 2 of a .sign by fn(DER).
func resign(t *testing.T, sign []byte, fn func(der []byte) []byte) []byte {
	t.Helper()
	lines := strings.Split(string(sign), "\n")
	i := strings.Index(lines[1], "pkcs7-pem:") + len("pkcs7-pem:")
	der, err := base64.StdEncoding.DecodeString(lines[1][i:])
	if err != nil {
		t.Fatal(err)
	}
	lines[1] = lines[1][:i] + base64.StdEncoding.EncodeToString(fn(der))
	return []byte(strings.Join(lines, "\n"))
}

func TestVerifyClamSignRefuses(t *testing.T) {
	test := clamSignPool(t, "clamav-test.crt")
	data, sign := clamavFixture(t, "test-2.cvd"), clamavFixture(t, "test-2.cvd.sign")
	if !bytes.HasPrefix(sign, []byte("#clamsign-1.0\n230::pkcs7-pem:")) {
		t.Fatalf("unexpected .sign layout: %.40q", sign)
	}
	cases := []struct {
		name  string
		sign  []byte
		data  []byte
		flvl  int
		now   time.Time
		want  error
		msg   string
		notOK error // must not wrap
	}{
		{"signature of another file", clamavFixture(t, "test-1.cvd.sign"), data, 230, signNow, ErrBadSignature, "digest differs", nil},
		{"encrypted digest flipped", resign(t, sign, func(d []byte) []byte { return flip(d, len(d)-5) }), data, 230, signNow, ErrBadSignature, "line 2", ErrClamSignUnusable},
		{"f-level below the line's range", sign, data, 229, signNow, ErrClamSignUnusable, "no signature line for f-level 229", ErrBadSignature},
		{"TEST root expired", sign, data, 230, time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), ErrClamSignUnusable, "expired", ErrBadSignature},
		{"no header line", sign[len("#clamsign-1.0\n"):], data, 230, signNow, ErrClamSignUnusable, "first line", nil},
		{"version 2.0", append([]byte("#clamsign-2.0"), sign[len("#clamsign-1.0"):]...), data, 230, signNow, ErrClamSignUnusable, "first line", nil},
		{"bad base64", bytes.Replace(sign, []byte("pkcs7-pem:MII"), []byte("pkcs7-pem:*II"), 1), data, 230, signNow, ErrClamSignUnusable, "base64", nil},
		{"other type", bytes.Replace(sign, []byte("pkcs7-pem"), []byte("pkcs7-der"), 1), data, 230, signNow, ErrClamSignUnusable, "pkcs7-der", nil},
		{"truncated DER", resign(t, sign, func(d []byte) []byte { return d[:len(d)-1] }), data, 230, signNow, ErrClamSignUnusable, "PKCS#7", nil},
		{"only comments", []byte("#clamsign-1.0\n# nothing\n\n"), data, 230, signNow, ErrClamSignUnusable, "no signature line", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyClamSign(tc.sign, bytes.NewReader(tc.data), test, tc.flvl, tc.now)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, tc.want) || (tc.notOK != nil && errors.Is(err, tc.notOK)) {
				t.Errorf("error %q: want it to wrap %q (and not %v)", err, tc.want, tc.notOK)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
	// A later good line wins over an earlier line for another root; CRLF
	// line ends and comments are fine.
	prodFirst := strings.Replace(string(sign), "\n", "\r\n# comment\r\n", 1)
	if err := VerifyClamSign([]byte(prodFirst), bytes.NewReader(data), test, 1000, signNow); err != nil {
		t.Errorf("CRLF and comment: %v", err)
	}
}

func TestParseClamAVTXT(t *testing.T) {
	txt, err := ParseClamAVTXT("1.4.2:62:27500:1736330000:1:90:49192:336")
	if err != nil {
		t.Fatal(err)
	}
	want := &ClamAVTXT{Engine: "1.4.2", Main: 62, Daily: 27500, Time: 1736330000, VersionWarn: true, FLevel: 90, SafeBrowsing: 49192, Bytecode: 336}
	if !reflect.DeepEqual(txt, want) {
		t.Errorf("got %+v", txt)
	}
	if v, ok := txt.Version("daily"); !ok || v != 27500 {
		t.Errorf("daily %d %v", v, ok)
	}
	if _, ok := txt.Version("safebrowsing"); ok {
		t.Error("safebrowsing is no database we fetch")
	}
	if s := txt.String(); s != "1.4.2:62:27500:1736330000:1:90:49192:336" {
		t.Errorf("String %q", s)
	}
	extra, err := ParseClamAVTXT("1.5.0:63:27600:1736330000:0:230:49192:337:future:")
	if err != nil || len(extra.Extra) != 2 || extra.String() != "1.5.0:63:27600:1736330000:0:230:49192:337:future:" {
		t.Errorf("extra fields: %v %+v", err, extra)
	}
	for name, s := range map[string]string{
		"7 fields":      "1.4.2:62:27500:1736330000:1:90:49192",
		"warning 2":     "1.4.2:62:27500:1736330000:2:90:49192:336",
		"space":         "1.4.2:62:27500: 1736330000:1:90:49192:336",
		"quoted":        `"1.4.2:62:27500:1736330000:1:90:49192:336"`,
		"empty engine":  ":62:27500:1736330000:1:90:49192:336",
		"negative time": "1.4.2:62:27500:-1:1:90:49192:336",
		"empty daily":   "1.4.2:62::1736330000:1:90:49192:336",
		"too long":      "1.4.2:62:27500:1736330000:1:90:49192:336:" + strings.Repeat("x", MaxClamAVTXT),
	} {
		if _, err := ParseClamAVTXT(s); err == nil {
			t.Errorf("%s: accepted %q", name, s)
		}
	}
}

func FuzzParseCVDHeader(f *testing.F) {
	for _, name := range []string{"test-1.cvd", "test-3.cvd", "test-6.cvd", "bytecode.cvd"} {
		f.Add(clamavFixture(f, name)[:CVDHeaderSize])
	}
	cld := CVDHeader{BuildTime: "25 Nov 2026 09-00 +0000", Version: 7, FLevel: 90, MD5: "X", DSig: "X", Builder: "test", BuildUnix: 1795510800}
	b, _ := cld.Encode()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseCVDHeader(b)
		if err != nil {
			return
		}
		enc, err := h.Encode()
		if err != nil {
			t.Fatalf("parsed header does not encode: %v\n%+v", err, h)
		}
		back, err := ParseCVDHeader(enc)
		if err != nil {
			t.Fatalf("encoded header does not parse: %v\n%q", err, enc)
		}
		if !reflect.DeepEqual(h, back) {
			t.Fatalf("round trip differs:\n%+v\n%+v", h, back)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("canonical header did not encode to itself:\n%q\n%q", b, enc)
		}
	})
}

func FuzzParseCdiff(f *testing.F) {
	for n := 2; n <= 6; n++ {
		f.Add(clamavFixture(f, fmt.Sprintf("test-%d.cdiff", n)))
	}
	f.Add([]byte("ClamAV-Diff:1:0:\x1f\x8b:::::::::::::::::::a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseCdiff(b)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Bytes(), b) {
			t.Fatalf("reassembly differs:\n%q\n%q", b, p.Bytes())
		}
		if !bytes.Equal(p.Signed(), b[:len(b)-len(p.DSig)-1]) {
			t.Fatal("signed bytes are not everything before the last ':'")
		}
	})
}

func FuzzParseClamAVTXT(f *testing.F) {
	for _, s := range []string{
		"1.4.2:62:27500:1736330000:1:90:49192:336",
		"0.103.12:62:27600:1736330000:0:90:49192:335",
		"1.5.0:63:27600:1736330000:0:230:49192:337:future:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		txt, err := ParseClamAVTXT(s)
		if err != nil {
			return
		}
		out := txt.String()
		back, err := ParseClamAVTXT(out)
		if err != nil {
			t.Fatalf("String %q does not parse: %v", out, err)
		}
		if !reflect.DeepEqual(txt, back) {
			t.Fatalf("round trip differs:\n%+v\n%+v", txt, back)
		}
		if out != s {
			t.Fatalf("canonical record %q formatted as %q", s, out)
		}
	})
}

func FuzzVerifyClamSign(f *testing.F) {
	for _, name := range []string{"test-1.cvd.sign", "test-2.cdiff.sign"} {
		f.Add(clamavFixture(f, name), 230)
	}
	f.Add([]byte("#clamsign-1.0\n1:2:pkcs7-pem:MAA=\n"), 1)
	data := clamavFixture(f, "test-1.cvd")
	vt := &Anchors{Vendor: "clamav", ClamAVSignRoots: []NamedPEM{{Name: "test", PEM: string(clamavFixture(f, "clamav-test.crt"))}}}
	roots, err := vt.ClamAVSignPool()
	if err != nil {
		f.Fatal(err)
	}
	real := clamavFixture(f, "test-1.cvd.sign")
	f.Fuzz(func(t *testing.T, sign []byte, flevel int) {
		err := VerifyClamSign(sign, bytes.NewReader(data), roots, flevel, signNow)
		if err == nil {
			return
		}
		// property: every refusal is classified for the caller
		if !errors.Is(err, ErrClamSignUnusable) && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("unclassified error: %v", err)
		}
		if bytes.Equal(sign, real) && flevel >= 230 {
			t.Fatalf("the real .sign was refused: %v", err)
		}
	})
}
