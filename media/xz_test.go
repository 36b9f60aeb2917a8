package media

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/patchferry/patchferry/verify"
)

// metaText is the content of the meta files in these tests.
var metaText = []byte(strings.Repeat("c0ffee  Firefox Setup 145.0.exe\n", 64))

// hiddenBlockXZ is a .xz whose index lists one block, but whose data holds
// two: the first ends early and a second block, asking for a 1.5 GiB
// dictionary, hides in the rest of the span the index gives the first.
func hiddenBlockXZ(t testing.TB) []byte {
	t.Helper()
	half := len(metaText) / 2
	a := parseXZ(t, compressXZ(t, metaText[:half], xz.WriterConfig{DictCap: 1 << 20}))
	b := parseXZ(t, compressXZ(t, metaText[half:], xz.WriterConfig{DictCap: 1 << 20}))
	setBlockDict(t, b.Blocks[0], dictProp1536MiB)
	return xzStream{
		Flags:  a.Flags,
		Blocks: [][]byte{a.Blocks[0], b.Blocks[0]},
		Records: [][2]uint64{{
			uint64(len(a.Blocks[0])) + b.Records[0][0],
			a.Records[0][1] + b.Records[0][1],
		}},
	}.bytes()
}

// badCheckXZ is a well-formed .xz whose block check (CRC-64) is wrong.
func badCheckXZ(t testing.TB) []byte {
	t.Helper()
	s := parseXZ(t, compressXZ(t, metaText, xz.WriterConfig{}))
	blk := s.Blocks[0]
	blk[len(blk)-1] ^= 0xff // last byte of the CRC-64
	return s.bytes()
}

func TestCheckXZ(t *testing.T) {
	valid := compressXZ(t, metaText, xz.WriterConfig{DictCap: 8 << 20})
	multi := compressXZ(t, metaText, xz.WriterConfig{BlockSize: 500})
	if n := len(parseXZ(t, multi).Blocks); n < 3 {
		t.Fatalf("test data: %d blocks, want several", n)
	}
	patch := func(b []byte, f func(b []byte) []byte) []byte { return f(bytes.Clone(b)) }
	withDict := func(prop byte) []byte {
		s := parseXZ(t, valid)
		setBlockDict(t, s.Blocks[0], prop)
		return s.bytes()
	}
	for _, tc := range []struct {
		name string
		xz   []byte
		want string // "" for accepted; else text the error must hold
	}{
		{"writer default", valid, ""},
		{"crc32", compressXZ(t, metaText, xz.WriterConfig{CheckSum: xz.CRC32}), ""},
		{"sha256", compressXZ(t, metaText, xz.WriterConfig{CheckSum: xz.SHA256}), ""},
		{"no check", compressXZ(t, metaText, xz.WriterConfig{NoCheckSum: true}), ""},
		{"several blocks", multi, ""},
		{"empty content", compressXZ(t, nil, xz.WriterConfig{}), ""},
		{"dictionary at the limit", withDict(24), ""}, // 2 << (24/2+11) = 16 MiB
		{"dictionary 24 MiB", withDict(25), "24 MiB dictionary"},
		{"dictionary 1.5 GiB", withDict(dictProp1536MiB), "1536 MiB dictionary"},
		{"dictionary 4 GiB", withDict(40), "4095 MiB dictionary"},
		{"dictionary property 41", withDict(41), "invalid LZMA2 dictionary size"},
		{"block hidden inside an index record", hiddenBlockXZ(t), "does not end where the index says"},
		{"too short", valid[:31], "too short"},
		{"empty file", nil, "too short"},
		{"not xz", bytes.Repeat([]byte("not xz "), 10), "bad stream header"},
		{"bad header crc", patch(valid, func(b []byte) []byte { b[7] ^= 1; return b }), "bad stream header"},
		{"bad footer magic", patch(valid, func(b []byte) []byte { b[len(b)-1] = 'Q'; return b }), "bad stream footer"},
		{"truncated", valid[:len(valid)-1], "bad stream footer"},
		{"garbage after the stream", append(bytes.Clone(valid), "tail"...), "bad stream footer"},
		{"two streams", append(bytes.Clone(valid), valid...), ""},
		{"bad block header crc", patch(valid, func(b []byte) []byte { b[12+2] ^= 1; return b }), "block 0"},
		{"bad index crc", patch(valid, func(b []byte) []byte { b[len(b)-13] ^= 1; return b }), "index"},
		{"index lists no block", xzStream{Flags: parseXZ(t, valid).Flags, Blocks: parseXZ(t, valid).Blocks}.bytes(), "data between the last block and the index"},
		{"index lists a block too many", func() []byte {
			s := parseXZ(t, valid)
			s.Records = append(s.Records, s.Records[0])
			return s.bytes()
		}(), "block 1"},
		{"index size wrong", func() []byte {
			s := parseXZ(t, valid)
			s.Records[0][1]++
			return s.bytes()
		}(), "does not end where the index says"},
		{"index size too small", func() []byte {
			s := parseXZ(t, valid)
			s.Records[0][1]--
			return s.bytes()
		}(), "holds more than"},
		{"two filters", patch(valid, func(b []byte) []byte {
			b[12+1] |= 0x01
			h := b[12 : 12+(int(b[12])+1)*4]
			binary.LittleEndian.PutUint32(h[len(h)-4:], crc32.ChecksumIEEE(h[:len(h)-4]))
			return b
		}), "more than one filter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			allocated := heapAllocated(func() { err = checkXZ(bytes.NewReader(tc.xz), int64(len(tc.xz))) })
			if allocated > 4*MaxXZDict {
				t.Errorf("checkXZ allocated %d MiB", allocated>>20)
			}
			if tc.name == "two streams" {
				// Whatever part fails, a second stream never passes.
				mustFail(t, err, ErrXZ)
				return
			}
			if tc.want == "" {
				if err != nil {
					t.Fatalf("checkXZ refused a good file: %v", err)
				}
				zr, err := xz.ReaderConfig{DictCap: MaxXZDict, SingleStream: true}.NewReader(bytes.NewReader(tc.xz))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, zr); err != nil {
					t.Fatalf("checkXZ accepted a file the decoder refuses: %v", err)
				}
				return
			}
			mustFail(t, err, ErrXZ, tc.want)
		})
	}
}

// metaBundle writes a bundle with one meta file, SHA512SUMS, and returns
// its directory.
func metaBundle(t *testing.T) string {
	t.Helper()
	c, _ := smallContents(t)
	c.Meta = []MetaInput{{Name: "SHA512SUMS", Path: writeFile(t, t.TempDir(), "SHA512SUMS", metaText)}}
	w, _ := writeBundle(t, c, nil)
	return w.Dirs[0]
}

// replaceMeta stores xzBytes as meta/SHA512SUMS.xz with a matching size
// and SHA-256 in a validly re-signed manifest: the publisher itself
// shipped it.
func replaceMeta(t *testing.T, dir string, xzBytes []byte, expanded int64) {
	t.Helper()
	writeFile(t, dir, "meta/SHA512SUMS.xz", xzBytes)
	resignManifest(t, dir, func(m *Manifest) {
		m.Meta[0].Size = int64(len(xzBytes))
		m.Meta[0].SHA256 = verify.SHA256Hex(xzBytes)
		m.Meta[0].Expanded = expanded
	})
}

// checkMetaRefused checks that OpenMeta (reading to the end) and CheckFiles
// refuse the bundle's meta file with target, naming it, and never allocate
// anything near a huge dictionary.
func checkMetaRefused(t *testing.T, dir string, target error, names ...string) {
	t.Helper()
	b := openVerified(t, dir)
	names = append(names, "meta/SHA512SUMS.xz")
	var err error
	allocated := heapAllocated(func() {
		var rc io.ReadCloser
		if rc, err = b.OpenMeta(context.Background(), "SHA512SUMS"); err == nil {
			_, err = readAll(rc)
		}
	})
	mustFail(t, err, target, names...)
	if got := fileErrorPath(t, err); got != "meta/SHA512SUMS.xz" {
		t.Errorf("FileError.Path = %q, want meta/SHA512SUMS.xz", got)
	}
	if allocated > 4*MaxXZDict {
		t.Errorf("OpenMeta allocated %d MiB before refusing", allocated>>20)
	}
	allocated = heapAllocated(func() { err = b.CheckFiles(context.Background(), nil) })
	mustFail(t, err, target, names...)
	if allocated > 4*MaxXZDict {
		t.Errorf("CheckFiles allocated %d MiB before refusing", allocated>>20)
	}
}

func TestRefuseHugeXZDictionary(t *testing.T) {
	dir := metaBundle(t)
	replaceMeta(t, dir, hugeDictXZ(t, metaText), int64(len(metaText)))
	checkMetaRefused(t, dir, ErrXZ, "1536 MiB dictionary")
}

func TestRefuseHiddenXZBlock(t *testing.T) {
	dir := metaBundle(t)
	replaceMeta(t, dir, hiddenBlockXZ(t), int64(len(metaText)))
	checkMetaRefused(t, dir, ErrXZ, "block 0")
}

func TestRefuseXZBadCheck(t *testing.T) {
	dir := metaBundle(t)
	replaceMeta(t, dir, badCheckXZ(t), int64(len(metaText)))
	checkMetaRefused(t, dir, nil, "checksum")
}

func TestRefuseMetaExpandedSize(t *testing.T) {
	for _, tc := range []struct {
		name     string
		expanded int64
		long     bool
	}{
		{"manifest says shorter", int64(len(metaText)) - 1, true},
		{"manifest says longer", int64(len(metaText)) + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := metaBundle(t)
			xzBytes, err := os.ReadFile(bundlePath(dir, "meta/SHA512SUMS.xz"))
			if err != nil {
				t.Fatal(err)
			}
			replaceMeta(t, dir, xzBytes, tc.expanded)
			checkMetaRefused(t, dir, verify.ErrMismatch)
			b := open(t, dir)
			rc, err := b.OpenMeta(context.Background(), "SHA512SUMS")
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(rc)
			var se *verify.SizeError
			if !errors.As(err, &se) || se.Long != tc.long {
				t.Fatalf("err %v, want a *verify.SizeError with Long %v", err, tc.long)
			}
			if int64(len(got)) > tc.expanded {
				t.Errorf("OpenMeta returned %d bytes, more than the %d the manifest records", len(got), tc.expanded)
			}
		})
	}
}

func TestRefuseTamperedMeta(t *testing.T) {
	dir := metaBundle(t)
	flipByte(t, bundlePath(dir, "meta/SHA512SUMS.xz"), 40)
	checkMetaRefused(t, dir, verify.ErrMismatch)
}

func TestRefuseMetaChangedOnSecondRead(t *testing.T) {
	// Random text compresses to the same size whatever byte changes.
	text := []byte(base64.StdEncoding.EncodeToString(randomBytes(80, 3000)))
	c, _ := smallContents(t)
	c.Meta = []MetaInput{{Name: "SHA512SUMS", Path: writeFile(t, t.TempDir(), "SHA512SUMS", text)}}
	w, _ := writeBundle(t, c, nil)
	p := bundlePath(w.Dirs[0], "meta/SHA512SUMS.xz")
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// Another well-formed .xz of the same size and expanded length: what a
	// medium that answers a second read differently could serve.
	var other []byte
	for i := 0; i < len(text) && other == nil; i++ {
		alt := bytes.Clone(text)
		alt[i] ^= 0x01
		if x := compressXZ(t, alt, xz.WriterConfig{DictCap: 8 << 20}); len(x) == len(orig) && !bytes.Equal(x, orig) {
			other = x
		}
	}
	if other == nil {
		t.Fatal("test data: found no other .xz of the same size")
	}
	b := openVerified(t, w.Dirs[0])
	rc, err := b.OpenMeta(context.Background(), "SHA512SUMS")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, other, 0o644); err != nil { // same file, so the open one reads it
		t.Fatal(err)
	}
	_, err = readAll(rc)
	mustFail(t, err, verify.ErrMismatch, "meta/SHA512SUMS.xz")
}
