package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/patchferry/patchferry/verify"
)

// streamSeeds are import streams made from a bundle built by hand with a
// fixed (unverifiable) signature, so that the bytes never change: a split
// payload, a whole one, an empty one, a meta file and an approval.
func streamSeeds(t testing.TB) map[string][]byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "patchferry-default-1")
	split, whole := randomBytes(70, 5000), randomBytes(71, 700)
	meta := compressXZ(t, metaText, xz.WriterConfig{})
	sha := verify.SHA256Hex
	art := func(name string, content []byte) Artifact {
		return Artifact{Vendor: "v", Product: name, Version: "1", FileName: name, Size: int64(len(content)), SHA256: sha(content),
			Verification: Verification{Method: MethodManual}}
	}
	m := &Manifest{Format: FormatVersion, Site: DefaultSite, Sequence: 1, Created: created,
		Artifacts: Artifacts{art("split.bin", split), art("whole.bin", whole), art("empty.bin", nil)},
		Meta:      MetaFiles{{Name: "SUMS", Size: int64(len(meta)), SHA256: sha(meta), Expanded: int64(len(metaText))}}}
	m.Artifacts[0].Parts = Parts{{Size: 3000, SHA256: sha(split[:3000])}, {Size: 2000, SHA256: sha(split[3000:])}}
	for _, a := range m.Artifacts {
		m.Catalog = append(m.Catalog, CatalogEntry{Vendor: a.Vendor, Product: a.Product, Version: a.Version, Artifacts: []string{a.SHA256}})
	}
	raw, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	fakeSig := verify.EncodeSignature([]byte("\x30\x06\x02\x01\x01\x02\x01\x01"))
	writeFile(t, dir, ManifestName, raw)
	writeFile(t, dir, SignatureName, fakeSig)
	writeFile(t, dir, ApprovalsDir+"/kacho.sig", fakeSig)
	writeFile(t, dir, filepath.FromSlash(PartPath(sha(split), 1)), split[:3000])
	writeFile(t, dir, filepath.FromSlash(PartPath(sha(split), 2)), split[3000:])
	writeFile(t, dir, filepath.FromSlash(PayloadPath(sha(whole))), whole)
	writeFile(t, dir, filepath.FromSlash(PayloadPath(sha(nil))), nil)
	writeFile(t, dir, filepath.FromSlash(MetaPath("SUMS")), meta)
	_, valid := streamOf(t, dir)

	out := map[string][]byte{"stream/valid-bundle.bin": valid}
	os.Remove(filepath.Join(dir, filepath.FromSlash(PayloadPath(sha(whole)))))
	_, out["stream/bad-missing-payload.bin"] = streamOf(t, dir)
	out["stream/bad-truncated.bin"] = valid[:len(valid)-40]
	out["stream/bad-after-end.bin"] = append(bytes.Clone(valid), frameEnd)
	flipped := bytes.Clone(valid)
	flipped[len(flipped)-30] ^= 1 // in the last payload
	out["stream/bad-flipped.bin"] = flipped
	empty := &Manifest{Format: FormatVersion, Site: DefaultSite, Sequence: 2, Created: created}
	raw, _ = empty.Marshal()
	out["stream/valid-empty.bin"] = newTestStream().file(ManifestName, raw).file(SignatureName, fakeSig).Bytes()
	out["stream/valid-empty.bin"] = append(out["stream/valid-empty.bin"], frameEnd)
	return out
}

// consumeStream reads a stream as an import does: the structure, every
// payload in order, every meta file. It checks the property every stream
// must keep, accepted or not: a payload read to its end without error is
// exactly what the manifest lists; and nothing is staged outside the stage
// directory.
func consumeStream(t testing.TB, b []byte) error {
	t.Helper()
	parent := t.TempDir()
	stage := filepath.Join(parent, "stage")
	if err := os.Mkdir(stage, 0o700); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if entries, _ := os.ReadDir(parent); len(entries) != 1 {
			t.Fatalf("ReadStream wrote outside its stage directory: %v", entries)
		}
	}()
	bd, err := ReadStream(context.Background(), bytes.NewReader(b), StreamOptions{Dirs: []string{"/media/usb/patchferry-default-1"}, StageDir: stage})
	if err != nil {
		return err
	}
	for _, a := range bd.Manifest.Payloads() {
		rc, err := bd.OpenArtifact(context.Background(), a)
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("payload error %v names no file", err)
			}
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); n != a.Size || got != a.SHA256 {
			t.Fatalf("payload %s read to its end as %d bytes %s; the manifest lists %d bytes %s", a.FileName, n, got, a.Size, a.SHA256)
		}
	}
	for _, mf := range bd.Manifest.Meta {
		if err := bd.CheckMeta(context.Background(), mf.Name); err != nil {
			return err
		}
	}
	return nil
}

func FuzzReadStream(f *testing.F) {
	addSeeds(f, "stream")
	f.Fuzz(func(t *testing.T, b []byte) {
		consumeStream(t, b)
	})
}
