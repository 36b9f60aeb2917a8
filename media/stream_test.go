package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/verify"
)

// streamOf writes the bundle opened at paths as an import stream.
func streamOf(t testing.TB, paths ...string) (*Bundle, []byte) {
	t.Helper()
	b := open(t, paths...)
	var buf bytes.Buffer
	if err := WriteStream(context.Background(), &buf, b, nil); err != nil {
		t.Fatalf("WriteStream: %v", err)
	}
	return b, buf.Bytes()
}

// readStream reads a stream into a bundle, staging in a new directory.
func readStream(t testing.TB, stream []byte, dirs ...string) (*Bundle, error) {
	t.Helper()
	if len(dirs) == 0 {
		dirs = []string{"/sender/patchferry-default-1"}
	}
	return ReadStream(context.Background(), bytes.NewReader(stream), StreamOptions{Dirs: dirs, StageDir: t.TempDir()})
}

// readPayloads reads every payload in stream order; it returns the contents
// by SHA-256 and the first error.
func readPayloads(b *Bundle) (map[string][]byte, error) {
	out := make(map[string][]byte)
	for _, a := range b.Manifest.Payloads() {
		got, err := readArtifact(b, a)
		if err != nil {
			return out, err
		}
		out[a.SHA256] = got
	}
	return out, nil
}

func TestStreamRoundTrip(t *testing.T) {
	c, want := volumeContents(t, 20)
	c.Inputs = append(c.Inputs, c.Inputs[0]) // the same bytes under a second name: sent once
	c.Inputs[3].Artifact.FileName, c.Inputs[3].Artifact.Version = "one-again.exe", "146.0"
	want["one-again.exe"] = want["one.exe"]
	w, _ := writeBundle(t, c, func(o *WriteOptions) { o.VolumeSize = volumeSize; o.MaxFileSize = 25 << 10 })
	for name, k := range map[string]*verify.PrivateKey{"kacho": keys(t).Approver1, "bucho": keys(t).Approver2} {
		if _, err := Approve(open(t, w.Dirs...), k, name); err != nil {
			t.Fatal(err)
		}
	}
	reversed := slices.Clone(w.Dirs)
	slices.Reverse(reversed)
	src, stream := streamOf(t, reversed...)
	var sent int64
	if err := WriteStream(context.Background(), io.Discard, src, func(n int64) { sent += n }); err != nil || sent != src.Size() {
		t.Errorf("WriteStream: %v; reported %d bytes sent, the bundle holds %d", err, sent, src.Size())
	}

	b, err := readStream(t, stream, src.Dirs...)
	if err != nil {
		t.Fatalf("ReadStream: %v", err)
	}
	if !bytes.Equal(b.Raw, src.Raw) || !bytes.Equal(b.Signature, src.Signature) || !slices.Equal(b.Dirs, src.Dirs) || b.Name != src.Name {
		t.Error("the streamed bundle differs from the one sent")
	}
	if len(b.Approvals) != 2 || !slices.EqualFunc(b.Approvals, src.Approvals, func(x, y verify.Signed) bool { return x.Name == y.Name && bytes.Equal(x.Sig, y.Sig) }) {
		t.Errorf("approvals %v, want %v", b.Approvals, src.Approvals)
	}
	tr := trust(t)
	tr.Approvers, tr.Threshold = []*verify.PublicKey{keys(t).Approver1.Public(), keys(t).Approver2.Public()}, 2
	if _, err := b.Verify(tr, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	split := 0
	for _, a := range b.Manifest.Payloads() {
		split += len(a.Parts)
	}
	if split == 0 || len(b.Manifest.Payloads()) != 3 {
		t.Fatalf("the test needs split payloads and one repeated: %d parts, %d payloads", split, len(b.Manifest.Payloads()))
	}
	got, err := readPayloads(b)
	if err != nil {
		t.Fatalf("read payloads: %v", err)
	}
	for name, content := range want {
		if !bytes.Equal(got[verify.SHA256Hex(content)], content) {
			t.Errorf("%s: read back differs", name)
		}
	}
	checkMeta(t, b, "SHA512SUMS", c.Meta[0].Path)
	// Everything was read: the stream is at its end, nothing opens twice.
	if _, err := b.OpenArtifact(context.Background(), b.Manifest.Payloads()[0]); err == nil {
		t.Error("a payload opened a second time")
	}

	// CheckFiles reads a streamed bundle too, with the same progress.
	b, err = readStream(t, stream, src.Dirs...)
	if err != nil {
		t.Fatal(err)
	}
	var progress int64
	if err := b.CheckFiles(context.Background(), func(n int64) { progress += n }); err != nil || progress != b.Size() {
		t.Errorf("CheckFiles: %v, %d bytes of %d", err, progress, b.Size())
	}
}

// sameError fails t unless the directory and the stream reader give the
// same error, naming the sender's directory.
func sameError(t *testing.T, fromDir, fromStream error, target error) {
	t.Helper()
	if fromDir == nil || fromStream == nil {
		t.Fatalf("want errors from both readers: directory %v, stream %v", fromDir, fromStream)
	}
	if fromDir.Error() != fromStream.Error() {
		t.Errorf("errors differ:\ndirectory: %v\nstream:    %v", fromDir, fromStream)
	}
	var d, s *FileError
	if !errors.As(fromDir, &d) || !errors.As(fromStream, &s) || d.Path != s.Path || d.Dir != s.Dir {
		t.Errorf("file errors differ: directory %+v, stream %+v", d, s)
	}
	if target != nil && (!errors.Is(fromDir, target) || !errors.Is(fromStream, target)) {
		t.Errorf("errors do not both wrap %v: %v / %v", target, fromDir, fromStream)
	}
}

// The stream reader reports damage on the media exactly as the directory
// reader does: same text, same file, the sender's directory.
func TestStreamReportsDamageAsDirectory(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string, w *Written) string // returns the file
		target error
	}{
		{"flipped byte", func(t *testing.T, dir string, w *Written) string {
			p := PayloadPath(artifactNamed(t, w.Manifest, "Firefox Setup 145.0.exe").SHA256)
			flipByte(t, bundlePath(dir, p), 5)
			return p
		}, verify.ErrMismatch},
		{"appended bytes", func(t *testing.T, dir string, w *Written) string {
			p := PayloadPath(artifactNamed(t, w.Manifest, "clamav-1.5.0.tar.gz").SHA256)
			f, _ := os.OpenFile(bundlePath(dir, p), os.O_APPEND|os.O_WRONLY, 0)
			f.Write(bytes.Repeat([]byte("x"), 3<<20)) // larger than a chunk
			f.Close()
			return p
		}, verify.ErrMismatch},
		{"truncated", func(t *testing.T, dir string, w *Written) string {
			p := PayloadPath(artifactNamed(t, w.Manifest, "clamav-1.5.0.tar.gz").SHA256)
			os.Truncate(bundlePath(dir, p), 100)
			return p
		}, verify.ErrMismatch},
		{"missing", func(t *testing.T, dir string, w *Written) string {
			p := PayloadPath(artifactNamed(t, w.Manifest, "clamav-1.5.0.tar.gz").SHA256)
			os.Remove(bundlePath(dir, p))
			return p
		}, ErrLayout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, w := smallBundle(t)
			rel := tc.damage(t, dir, w)
			var dirErr error
			if b, err := Open(dir); err != nil {
				dirErr = err
			} else {
				_, dirErr = readPayloads(b)
			}
			_, stream := streamOf(t, dir)
			b, err := readStream(t, stream, dir)
			if err != nil {
				t.Fatalf("ReadStream: %v", err)
			}
			_, streamErr := readPayloads(b)
			sameError(t, dirErr, streamErr, tc.target)
			if got := fileErrorPath(t, streamErr); got != rel {
				t.Errorf("the error names %s, want %s", got, rel)
			}
		})
	}
}

// A meta file that is damaged or missing on the media: the payloads still
// come, and the meta file's error is the directory reader's.
func TestStreamMetaDamage(t *testing.T) {
	for name, damage := range map[string]func(p string){
		"missing": func(p string) { os.Remove(p) },
		"flipped": func(p string) { b, _ := os.ReadFile(p); b[len(b)/2] ^= 1; os.WriteFile(p, b, 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := volumeContents(t, 30)
			w, _ := writeBundle(t, c, nil)
			dir := w.Dirs[0]
			damage(bundlePath(dir, MetaPath("SHA512SUMS")))
			_, stream := streamOf(t, dir)
			b, err := readStream(t, stream, dir)
			if err != nil {
				t.Fatalf("ReadStream: %v", err)
			}
			if _, err := readPayloads(b); err != nil {
				t.Fatalf("payloads after a damaged meta file: %v", err)
			}
			sameError(t, open(t, dir).CheckMeta(context.Background(), "SHA512SUMS"), b.CheckMeta(context.Background(), "SHA512SUMS"), nil)
		})
	}
}

// testStream builds streams by hand, frame by frame.
type testStream struct{ bytes.Buffer }

func newTestStream() *testStream {
	s := &testStream{}
	s.WriteString(streamMagic)
	return s
}

func (s *testStream) head(kind byte, vol uint16, path string) *testStream {
	s.WriteByte(kind)
	binary.Write(s, binary.BigEndian, vol)
	binary.Write(s, binary.BigEndian, uint16(len(path)))
	s.WriteString(path)
	return s
}

func (s *testStream) data(p []byte) *testStream {
	s.WriteByte(frameData)
	binary.Write(s, binary.BigEndian, uint32(len(p)))
	s.Write(p)
	return s
}

func (s *testStream) file(path string, content []byte) *testStream {
	s.head(frameFile, 0, path)
	if len(content) > 0 {
		s.data(content)
	}
	s.WriteByte(frameDone)
	return s
}

// streamFiles is the content of every file of the small bundle at dir by
// bundle path, and the paths in stream order.
func streamFiles(t *testing.T, dir string) (map[string][]byte, []string) {
	t.Helper()
	b := open(t, dir)
	files := map[string][]byte{
		ManifestName:  b.Raw,
		SignatureName: verify.EncodeSignature(b.Signature),
	}
	order := []string{ManifestName, SignatureName}
	for _, r := range b.Manifest.Paths() {
		c, err := os.ReadFile(bundlePath(dir, r.Path))
		if err != nil {
			t.Fatal(err)
		}
		files[r.Path] = c
	}
	for _, mf := range b.Manifest.Meta {
		order = append(order, MetaPath(mf.Name))
	}
	for _, a := range b.Manifest.Payloads() {
		for _, r := range a.Files() {
			order = append(order, r.Path)
		}
	}
	return files, order
}

// Streams that break the format: each is refused while reading the
// structure or while reading the payloads, never accepted.
func TestStreamRefusesBadStreams(t *testing.T) {
	c, _ := volumeContents(t, 40)
	w, _ := writeBundle(t, c, nil)
	dir := w.Dirs[0]
	files, order := streamFiles(t, dir)
	build := func(order []string, extra func(s *testStream)) []byte {
		s := newTestStream()
		for _, p := range order {
			s.file(p, files[p])
		}
		if extra != nil {
			extra(s)
		}
		s.WriteByte(frameEnd)
		return s.Bytes()
	}
	good := build(order, nil)
	if b, err := readStream(t, good); err != nil {
		t.Fatalf("the hand-built stream: %v", err)
	} else if _, err := readPayloads(b); err != nil {
		t.Fatalf("the hand-built stream's payloads: %v", err)
	}
	n := len(order)
	swapped := slices.Clone(order)
	swapped[n-1], swapped[n-2] = swapped[n-2], swapped[n-1]
	repeated := append(slices.Clone(order[:n-1]), order[n-2], order[n-1])
	unlisted := slices.Insert(slices.Clone(order), n-1, "files/sha256/00/"+strings.Repeat("0", 64))
	cases := map[string][]byte{
		"empty":              nil,
		"not a stream":       []byte("PK\x03\x04 something else"),
		"no end":             good[:len(good)-1],
		"truncated":          good[:len(good)-100],
		"data after the end": append(slices.Clone(good), 'E'),
		"payloads swapped":   build(swapped, nil),
		"payload repeated":   build(repeated, nil),
		"unlisted file":      build(unlisted, nil),
		"file after the end": build(order, func(s *testStream) { s.file("README.txt", []byte("hi")) }),
		"meta missing":       build(slices.Delete(slices.Clone(order), 2, 3), nil),
		"oversized payload": func() []byte {
			s := newTestStream()
			for _, p := range order[:n-1] {
				s.file(p, files[p])
			}
			s.head(frameFile, 0, order[n-1]).data(files[order[n-1]]).data([]byte("more than one extra byte")).WriteByte(frameDone)
			s.WriteByte(frameEnd)
			return s.Bytes()
		}(),
		"oversized signature": newTestStream().file(ManifestName, files[ManifestName]).file(SignatureName, make([]byte, verify.MaxSignatureFile+1)).Bytes(),
		"zero chunk":          newTestStream().head(frameFile, 0, ManifestName).data(nil).Bytes(),
		"bad volume":          newTestStream().head(frameFile, 7, ManifestName).Bytes(),
		"path escapes":        newTestStream().head(frameFile, 0, "../bundle.json").Bytes(),
		"signature first":     newTestStream().file(SignatureName, files[SignatureName]).Bytes(),
	}
	for name, stream := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := readStream(t, stream)
			if err == nil {
				_, err = readPayloads(b)
				for _, mf := range b.Manifest.Meta {
					err = errors.Join(err, b.CheckMeta(context.Background(), mf.Name))
				}
			}
			if err == nil {
				t.Fatal("the stream was accepted")
			}
			var le *verify.LimitError
			switch {
			case strings.HasPrefix(name, "payload") || name == "unlisted file" || name == "oversized payload" || name == "meta missing":
				if !errors.Is(err, ErrLayout) || fileErrorPath(t, err) == "" {
					t.Errorf("want a file error wrapping ErrLayout: %v", err)
				}
			case name == "oversized signature" && !errors.As(err, &le):
				t.Errorf("want a *verify.LimitError: %v", err)
			}
			t.Logf("refused: %v", err)
		})
	}
}

// A consumer must take the payloads in stream order.
func TestStreamOrderForConsumers(t *testing.T) {
	c, _ := volumeContents(t, 50)
	w, _ := writeBundle(t, c, nil)
	_, stream := streamOf(t, w.Dirs[0])
	b, err := readStream(t, stream)
	if err != nil {
		t.Fatal(err)
	}
	p := b.Manifest.Payloads()
	if _, err := b.OpenArtifact(context.Background(), p[1]); err == nil || !strings.Contains(err.Error(), "out of stream order") {
		t.Errorf("the second payload opened first: %v", err)
	}
	rc, err := b.OpenArtifact(context.Background(), p[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.OpenArtifact(context.Background(), p[1]); err == nil {
		t.Error("the second payload opened before the first was read")
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		t.Fatal(err)
	}
	if _, err := readArtifact(b, p[1]); err != nil {
		t.Errorf("the second payload after the first: %v", err)
	}
}

// ReadStream writes nothing outside its stage directory, whatever the
// meta names.
func TestStreamStagesInside(t *testing.T) {
	c, _ := volumeContents(t, 60)
	w, _ := writeBundle(t, c, nil)
	_, stream := streamOf(t, w.Dirs[0])
	parent := t.TempDir()
	stage := filepath.Join(parent, "stage")
	os.Mkdir(stage, 0o700)
	if _, err := ReadStream(context.Background(), bytes.NewReader(stream), StreamOptions{Dirs: []string{"x"}, StageDir: stage}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(parent)
	staged, _ := os.ReadDir(stage)
	if len(entries) != 1 || len(staged) != 1 {
		t.Errorf("stage dir parent holds %v, stage %v", entries, staged)
	}
}
