package servicetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
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
	var keys [2]*verify.PrivateKey
	var errs [2]error
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { // scrypt: about 0.4 s each
			pw := []byte("servicetest")
			priv, _, err := verify.GenerateKeyPair(pw)
			if err == nil {
				keys[i], err = verify.ParsePrivateKey(priv, pw)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	return &fixture{key: keys[0], publisher: keys[0].Public(), approver: keys[1].Public(),
		publisherPEM: string(keys[0].Public().PEM()), approverPEM: string(keys[1].Public().PEM()),
		payloads: [][]byte{random(3 << 20), random(70_000), {}},
		created:  time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}
}

// bundle writes a bundle of the payloads and returns its folder. Payloads
// above 64 KB are split into parts.
func (f *fixture) bundle(t *testing.T, seq, base uint64, payloads ...[]byte) string {
	t.Helper()
	src := t.TempDir()
	var c media.Contents
	for i, p := range payloads {
		name := fmt.Sprintf("payload-%d.bin", i)
		path := filepath.Join(src, name)
		if err := os.WriteFile(path, p, 0o644); err != nil {
			t.Fatal(err)
		}
		c.Inputs = append(c.Inputs, media.Input{Path: path, Artifact: media.Artifact{Vendor: "justsystems", Product: "ichitaro",
			Version: fmt.Sprint(seq), Verification: media.Verification{Method: media.MethodManual}}})
	}
	w, err := media.Write(context.Background(), media.WriteOptions{Out: filepath.Join(t.TempDir(), "media"), Sequence: seq, Base: base,
		Created: f.created, MaxFileSize: 64 << 10, Key: f.key}, c)
	if err != nil {
		t.Fatalf("write bundle %d: %v", seq, err)
	}
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
