package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ulikunitz/xz"

	"github.com/patchferry/patchferry/verify"
)

var update = flag.Bool("update", false, "rewrite the seed files under testdata/fuzz-seeds")

// Fixed times: every bundle in these tests is created at created and
// verified at now, so nothing depends on the wall clock.
var (
	created = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	now     = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
)

// testKeys are made once per test binary: scrypt makes every
// GenerateKeyPair and ParsePrivateKey cost about 0.4 s of CPU.
type testKeys struct {
	Publisher, Other, Approver1, Approver2 *verify.PrivateKey
}

var (
	keysOnce sync.Once
	keysVal  testKeys
	keysErr  error
)

func keys(t testing.TB) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		var wg sync.WaitGroup
		out := make([]*verify.PrivateKey, 4)
		errs := make([]error, 4)
		for i := range out {
			wg.Go(func() {
				password := []byte("test-password")
				privPEM, _, err := verify.GenerateKeyPair(password)
				if err != nil {
					errs[i] = err
					return
				}
				out[i], errs[i] = verify.ParsePrivateKey(privPEM, password)
			})
		}
		wg.Wait()
		keysErr = errors.Join(errs...)
		keysVal = testKeys{Publisher: out[0], Other: out[1], Approver1: out[2], Approver2: out[3]}
	})
	if keysErr != nil {
		t.Fatalf("generate test keys: %v", keysErr)
	}
	return keysVal
}

// trust is the Trust of a reader that knows only the test publisher.
func trust(t testing.TB) Trust {
	return Trust{Publishers: []*verify.PublicKey{keys(t).Publisher.Public()}}
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		copy(b[i:], w[:])
	}
	return b
}

// writeFile writes b to dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// input makes one payload file in dir with the given content.
func input(t testing.TB, dir, name string, content []byte) Input {
	t.Helper()
	return Input{
		Path: writeFile(t, dir, name, content),
		Artifact: Artifact{
			Vendor: "mozilla", Product: "firefox", Version: "145.0", Platform: "win64",
			Language: "ja", Kind: "installer", URL: "https://download.mozilla.org/" + name,
			Released: created.Add(-48 * time.Hour),
		},
	}
}

// smallContents is three small payloads (one of them empty), two of them
// from different products.
func smallContents(t testing.TB) (Contents, map[string][]byte) {
	t.Helper()
	src := t.TempDir()
	want := map[string][]byte{
		"Firefox Setup 145.0.exe": randomBytes(1, 10_000),
		"empty.bin":               {},
		"clamav-1.5.0.tar.gz":     randomBytes(2, 3_333),
	}
	c := Contents{
		Inputs: []Input{
			input(t, src, "Firefox Setup 145.0.exe", want["Firefox Setup 145.0.exe"]),
			input(t, src, "empty.bin", want["empty.bin"]),
			input(t, src, "clamav-1.5.0.tar.gz", want["clamav-1.5.0.tar.gz"]),
		},
	}
	c.Inputs[2].Artifact.Vendor, c.Inputs[2].Artifact.Product, c.Inputs[2].Artifact.Version = "cisco", "clamav", "1.5.0"
	return c, want
}

// writeBundle writes a bundle with sequence 1 into a new media root and
// returns what Write returned and the root. opt may change the options.
func writeBundle(t testing.TB, c Contents, opt func(*WriteOptions)) (*Written, string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "media")
	o := WriteOptions{Out: root, Sequence: 1, Created: created, Key: keys(t).Publisher}
	if opt != nil {
		opt(&o)
	}
	w, err := Write(context.Background(), o, c)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return w, root
}

// smallBundle writes smallContents as a one-directory bundle and returns
// its directory.
func smallBundle(t testing.TB) (dir string, w *Written) {
	t.Helper()
	c, _ := smallContents(t)
	w, _ = writeBundle(t, c, nil)
	return w.Dirs[0], w
}

// open opens a bundle and fails the test on error.
func open(t testing.TB, paths ...string) *Bundle {
	t.Helper()
	b, err := Open(paths...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return b
}

// resign replaces bundle.json in a one-directory bundle with raw and signs
// it with the test publisher key: a validly signed but malicious bundle.
func resign(t testing.TB, dir string, raw []byte) {
	t.Helper()
	sig, err := verify.Sign(keys(t).Publisher, raw)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, ManifestName, raw)
	writeFile(t, dir, SignatureName, verify.EncodeSignature(sig))
}

// resignManifest lets mutate change the bundle's manifest, then marshals it
// without validation and re-signs it.
func resignManifest(t testing.TB, dir string, mutate func(m *Manifest)) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	mutate(m)
	raw, err = m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	resign(t, dir, raw)
}

// readAll reads rc to the end and closes it.
func readAll(rc io.ReadCloser) ([]byte, error) {
	defer rc.Close()
	return io.ReadAll(rc)
}

// artifactNamed returns the artifact with the file name.
func artifactNamed(t testing.TB, m *Manifest, name string) *Artifact {
	t.Helper()
	for i := range m.Artifacts {
		if m.Artifacts[i].FileName == name {
			return &m.Artifacts[i]
		}
	}
	t.Fatalf("no artifact %q in the manifest", name)
	return nil
}

// mustFail checks that err is not nil, matches target with errors.Is, and
// that its text contains every string in names.
func mustFail(t testing.TB, err error, target error, names ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one (%v)", target)
	}
	if target != nil && !errors.Is(err, target) {
		t.Fatalf("error %q (%T) does not wrap %v", err, err, target)
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Fatalf("error %q does not name %q", err, n)
		}
	}
	t.Logf("refused: %v", err)
}

// errorsIsPath reports whether err breaks the path rules.
func errorsIsPath(err error) bool { return err != nil && errors.Is(err, ErrPath) }

// fileErrorPath returns the Path of the *FileError in err's chain.
func fileErrorPath(t testing.TB, err error) string {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %q (%T) is not a *FileError", err, err)
	}
	return fe.Path
}

// treeEntry is one entry of a directory tree: what reproducibility compares.
type treeEntry struct {
	Mode    fs.FileMode
	ModTime time.Time
	Content string
}

// readTree returns every entry under root by slash-separated relative path.
func readTree(t testing.TB, root string) map[string]treeEntry {
	t.Helper()
	out := make(map[string]treeEntry)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := treeEntry{Mode: fi.Mode(), ModTime: fi.ModTime()}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.Content = string(b)
		}
		if rel == "." {
			return nil // the root itself was made by the test
		}
		out[filepath.ToSlash(rel)] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// --- .xz crafting -----------------------------------------------------------

// xzStream is a parsed single-stream .xz file: enough structure to rebuild
// it with changed blocks.
type xzStream struct {
	Flags   [2]byte  // stream flags
	Blocks  [][]byte // each block: header, data, padding and check
	Records [][2]uint64
}

// compressXZ compresses data the way the writer does.
func compressXZ(t testing.TB, data []byte, cfg xz.WriterConfig) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := cfg.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// parseXZ splits a well-formed single-stream .xz file into its parts.
func parseXZ(t testing.TB, b []byte) xzStream {
	t.Helper()
	var s xzStream
	copy(s.Flags[:], b[6:8])
	backward := int64(binary.LittleEndian.Uint32(b[len(b)-8:]))
	indexStart := int64(len(b)) - 12 - (backward+1)*4
	idx := b[indexStart : len(b)-12]
	p := idx[1:]
	n, p, err := xzVarint(p)
	if err != nil {
		t.Fatal(err)
	}
	off := int64(12)
	for range n {
		var unpadded, uncompressed uint64
		if unpadded, p, err = xzVarint(p); err != nil {
			t.Fatal(err)
		}
		if uncompressed, p, err = xzVarint(p); err != nil {
			t.Fatal(err)
		}
		end := off + (int64(unpadded)+3)&^3
		s.Blocks = append(s.Blocks, append([]byte(nil), b[off:end]...))
		s.Records = append(s.Records, [2]uint64{unpadded, uncompressed})
		off = end
	}
	if off != indexStart {
		t.Fatalf("parseXZ: blocks end at %d, index starts at %d", off, indexStart)
	}
	return s
}

func putVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// bytes builds the .xz file: stream header, blocks, an index of Records
// (with a correct CRC32) and the stream footer.
func (s xzStream) bytes() []byte {
	out := append([]byte(nil), xzMagic...)
	out = append(out, s.Flags[:]...)
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(s.Flags[:]))
	for _, blk := range s.Blocks {
		out = append(out, blk...)
	}
	idx := []byte{0}
	idx = putVarint(idx, uint64(len(s.Records)))
	for _, r := range s.Records {
		idx = putVarint(idx, r[0])
		idx = putVarint(idx, r[1])
	}
	for len(idx)%4 != 0 {
		idx = append(idx, 0)
	}
	idx = binary.LittleEndian.AppendUint32(idx, crc32.ChecksumIEEE(idx))
	out = append(out, idx...)
	var ftr [12]byte
	binary.LittleEndian.PutUint32(ftr[4:8], uint32(len(idx)/4-1))
	copy(ftr[8:10], s.Flags[:])
	copy(ftr[10:], xzFooterMagic)
	binary.LittleEndian.PutUint32(ftr[:4], crc32.ChecksumIEEE(ftr[4:10]))
	return append(out, ftr[:]...)
}

// setBlockDict rewrites the LZMA2 dictionary-size property byte in the
// block header of blk and fixes the header's CRC32.
func setBlockDict(t testing.TB, blk []byte, prop byte) {
	t.Helper()
	hsize := (int(blk[0]) + 1) * 4
	h := blk[:hsize]
	p := h[2 : hsize-4]
	flags := h[1]
	var err error
	if flags&0x40 != 0 {
		if _, p, err = xzVarint(p); err != nil {
			t.Fatal(err)
		}
	}
	if flags&0x80 != 0 {
		if _, p, err = xzVarint(p); err != nil {
			t.Fatal(err)
		}
	}
	if p[0] != 0x21 || p[1] != 1 {
		t.Fatalf("block filter is %x, want LZMA2", p[:2])
	}
	p[2] = prop
	binary.LittleEndian.PutUint32(h[hsize-4:], crc32.ChecksumIEEE(h[:hsize-4]))
}

// dictProp1536MiB is the LZMA2 property byte for a dictionary of 1.5 GiB:
// (2|1) << (37/2 + 11) = 3 << 29.
const dictProp1536MiB = 37

// hugeDictXZ is a real .xz of content whose only block header asks for a
// 1.5 GiB dictionary (with a correct header CRC32).
func hugeDictXZ(t testing.TB, content []byte) []byte {
	t.Helper()
	s := parseXZ(t, compressXZ(t, content, xz.WriterConfig{DictCap: 1 << 20}))
	setBlockDict(t, s.Blocks[0], dictProp1536MiB)
	return s.bytes()
}

// heapAllocated returns the bytes allocated by f, counted by the runtime.
func heapAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
