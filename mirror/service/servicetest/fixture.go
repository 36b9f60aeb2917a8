package servicetest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/verify"
)

// fixture is what the suite imports: a publisher and an approver key, and
// payloads (one larger than a stream chunk, one split into parts, one
// empty).
type fixture struct {
	key                       *verify.PrivateKey
	publisher, approver       *verify.PublicKey
	publisherPEM, approverPEM string
	payloads                  [][]byte
	created                   time.Time
}

func (f *fixture) now() time.Time { return f.created.Add(time.Hour) }

func (f *fixture) size() int64 {
	var n int64
	for _, p := range f.payloads {
		n += int64(len(p))
	}
	return n
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	keys := mediatest.TestKeys(t)
	return &fixture{key: keys.Publisher, publisher: keys.Publisher.Public(), approver: keys.Approver1.Public(),
		publisherPEM: string(keys.Publisher.Public().PEM()), approverPEM: string(keys.Approver1.Public().PEM()),
		payloads: [][]byte{mediatest.RandomBytes(1, 3<<20), mediatest.RandomBytes(2, 70_000), {}},
		created:  mediatest.Created}
}

// bundle writes a bundle of the payloads and returns its folder. Payloads
// above 64 KB are split into parts.
func (f *fixture) bundle(t *testing.T, seq, base uint64, payloads ...[]byte) string {
	t.Helper()
	return f.bundleWith(t, seq, base, nil, payloads...)
}

// bundleWith is bundle with catalog cat (nil: one entry of the payloads).
func (f *fixture) bundleWith(t *testing.T, seq, base uint64, cat media.Catalog, payloads ...[]byte) string {
	t.Helper()
	c := mediatest.Contents{Catalog: cat}
	for i, p := range payloads {
		c.Files = append(c.Files, mediatest.File{Data: p, Artifact: media.Artifact{Vendor: "justsystems", Product: "ichitaro",
			Version: fmt.Sprint(seq), FileName: fmt.Sprintf("payload-%d.bin", i), Verification: media.Verification{Method: media.MethodManual}}})
	}
	w := mediatest.Write(t, media.WriteOptions{Sequence: seq, Base: base, Created: f.created, MaxFileSize: 64 << 10, Key: f.key, Site: media.DefaultSite}, c)
	return w.Dirs[0]
}

// flipPayload flips a byte of the bundle's copy of payload p (its first
// part, if split) and returns the file's bundle path.
func flipPayload(t *testing.T, dir string, p []byte) string {
	t.Helper()
	sha := verify.SHA256Hex(p)
	rel := media.PayloadPath(sha)
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
		rel = media.PartPath(sha, 1)
	}
	flipFile(t, filepath.Join(dir, filepath.FromSlash(rel)))
	return rel
}

// copyDir copies a bundle folder into a new directory and returns the copy.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func flipFile(t *testing.T, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
