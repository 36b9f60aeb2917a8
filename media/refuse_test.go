package media

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// flipByte inverts the bits of the byte at offset off in file p (negative:
// from the end).
func flipByte(t *testing.T, p string, off int) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += len(b)
	}
	b[off] ^= 0xff
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// bundlePath is the OS path of a bundle-relative path.
func bundlePath(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }

// openVerified opens and verifies a bundle that must pass both.
func openVerified(t *testing.T, dir string) *Bundle {
	t.Helper()
	b := open(t, dir)
	if _, err := b.Verify(trust(t), now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return b
}

// readArtifact reads an artifact through OpenArtifact to the end.
func readArtifact(b *Bundle, a *Artifact) ([]byte, error) {
	rc, err := b.OpenArtifact(context.Background(), a)
	if err != nil {
		return nil, err
	}
	return readAll(rc)
}

func TestRefuseFlippedPayloadByte(t *testing.T) {
	dir, w := smallBundle(t)
	a := artifactNamed(t, w.Manifest, "Firefox Setup 145.0.exe")
	rel := PayloadPath(a.SHA256)
	flipByte(t, bundlePath(dir, rel), 5000)

	b := openVerified(t, dir) // the manifest is intact: only reading finds it
	err := b.CheckFiles(context.Background(), nil)
	mustFail(t, err, verify.ErrMismatch, rel)
	var de *verify.DigestError
	if !errors.As(err, &de) || de.Want != a.SHA256 {
		t.Errorf("CheckFiles error %v: want a *verify.DigestError expecting %s", err, a.SHA256)
	}
	if got := fileErrorPath(t, err); got != rel {
		t.Errorf("FileError.Path = %q, want %q", got, rel)
	}
	_, err = readArtifact(b, a)
	mustFail(t, err, verify.ErrMismatch, rel)
}

func TestRefuseFlippedPartByte(t *testing.T) {
	src := t.TempDir()
	c := Contents{Inputs: []Input{input(t, src, "big.msu", randomBytes(6, 350<<10))}}
	w, _ := writeBundle(t, c, func(o *WriteOptions) { o.MaxFileSize = 100 << 10 })
	dir := w.Dirs[0]
	a := &w.Manifest.Artifacts[0]
	rel := PartPath(a.SHA256, 2)
	flipByte(t, bundlePath(dir, rel), 7)

	b := openVerified(t, dir)
	err := b.CheckFiles(context.Background(), nil)
	mustFail(t, err, verify.ErrMismatch, rel)
	var de *verify.DigestError
	if !errors.As(err, &de) || de.Want != a.Parts[1].SHA256 {
		t.Errorf("CheckFiles error %v: want a *verify.DigestError expecting part 2's %s", err, a.Parts[1].SHA256)
	}
	// Reading the joined artifact stops at the bad part and names it.
	got, err := readArtifact(b, &b.Manifest.Artifacts[0])
	mustFail(t, err, verify.ErrMismatch, rel)
	if len(got) > 2*(100<<10) {
		t.Errorf("OpenArtifact returned %d bytes, past the end of the bad part 2", len(got))
	}
}

func TestRefuseFlippedManifestByte(t *testing.T) {
	t.Run("inside a value: signature fails", func(t *testing.T) {
		dir, _ := smallBundle(t)
		raw, _ := os.ReadFile(bundlePath(dir, ManifestName))
		if !bytes.Contains(raw, []byte(`"mozilla"`)) {
			t.Fatal("no vendor mozilla in bundle.json")
		}
		// Still a valid manifest, now saying "Mozilla" (in the artifacts
		// and the catalog alike).
		raw = bytes.ReplaceAll(raw, []byte(`"mozilla"`), []byte(`"Mozilla"`))
		writeFile(t, dir, ManifestName, raw)
		b := open(t, dir)
		_, err := b.Verify(trust(t), now)
		mustFail(t, err, ErrSignature, SignatureName)
	})
	t.Run("structure: manifest refused", func(t *testing.T) {
		dir, _ := smallBundle(t)
		flipByte(t, bundlePath(dir, ManifestName), 0) // '{' no more
		_, err := Open(dir)
		var me *ManifestError
		if !errors.As(err, &me) {
			t.Fatalf("Open: %v, want a *ManifestError", err)
		}
		mustFail(t, err, nil, ManifestName)
		if got := fileErrorPath(t, err); got != ManifestName {
			t.Errorf("FileError.Path = %q, want %q", got, ManifestName)
		}
	})
}

func TestRefuseFlippedSignature(t *testing.T) {
	t.Run("valid base64, wrong signature", func(t *testing.T) {
		dir, _ := smallBundle(t)
		p := bundlePath(dir, SignatureName)
		text, _ := os.ReadFile(p)
		der, err := verify.DecodeSignature(text)
		if err != nil {
			t.Fatal(err)
		}
		der[len(der)-1] ^= 0x01 // last byte of S
		writeFile(t, dir, SignatureName, verify.EncodeSignature(der))
		b := open(t, dir)
		_, err = b.Verify(trust(t), now)
		mustFail(t, err, ErrSignature, SignatureName)
		if got := fileErrorPath(t, err); got != SignatureName {
			t.Errorf("FileError.Path = %q, want %q", got, SignatureName)
		}
	})
	t.Run("not base64", func(t *testing.T) {
		dir, _ := smallBundle(t)
		p := bundlePath(dir, SignatureName)
		text, _ := os.ReadFile(p)
		text[10] = '!'
		writeFile(t, dir, SignatureName, text)
		_, err := Open(dir)
		mustFail(t, err, nil, SignatureName, "base64")
		if got := fileErrorPath(t, err); got != SignatureName {
			t.Errorf("FileError.Path = %q, want %q", got, SignatureName)
		}
	})
	t.Run("missing", func(t *testing.T) {
		dir, _ := smallBundle(t)
		os.Remove(bundlePath(dir, SignatureName))
		_, err := Open(dir)
		mustFail(t, err, ErrLayout, SignatureName, "missing")
	})
}

func TestRefuseUnknownKey(t *testing.T) {
	dir, _ := smallBundle(t)
	b := open(t, dir)
	_, err := b.Verify(Trust{Publishers: []*verify.PublicKey{keys(t).Other.Public()}}, now)
	mustFail(t, err, ErrSignature, SignatureName, "no trusted key")
	// An approver key is no publisher key either.
	_, err = b.Verify(Trust{Publishers: []*verify.PublicKey{keys(t).Approver1.Public()}}, now)
	mustFail(t, err, ErrSignature, SignatureName)
	if _, err := b.Verify(Trust{}, now); err == nil {
		t.Error("Verify with no trusted publisher key succeeded")
	}
}

// approve writes approvals/<name>.sig over the bundle's manifest with k.
func approve(t *testing.T, dir, name string, k *verify.PrivateKey) {
	t.Helper()
	if _, err := Approve(open(t, dir), k, name); err != nil {
		t.Fatal(err)
	}
}

func TestRefuseApprovalsBelowThreshold(t *testing.T) {
	k := keys(t)
	dir, _ := smallBundle(t)
	approve(t, dir, "kacho", k.Approver1)
	approve(t, dir, "intruder", k.Other) // a valid signature by an untrusted key
	b := open(t, dir)
	tr := trust(t)
	tr.Approvers = []*verify.PublicKey{k.Approver1.Public(), k.Approver2.Public()}

	tr.Threshold = 1
	if _, err := b.Verify(tr, now); err != nil {
		t.Fatalf("threshold 1 with one trusted approval: %v", err)
	}
	tr.Threshold = 2
	_, err := b.Verify(tr, now)
	mustFail(t, err, verify.ErrThreshold, "approvals/intruder.sig", "1 of 2")
	var te *verify.ThresholdError
	if !errors.As(err, &te) || te.Got != 1 || te.Want != 2 {
		t.Fatalf("err %v: want a *verify.ThresholdError with 1 of 2", err)
	}
}

func TestRefuseSameApproverTwice(t *testing.T) {
	k := keys(t)
	dir, _ := smallBundle(t)
	approve(t, dir, "bucho", k.Approver1)
	approve(t, dir, "kacho", k.Approver1) // same key, another name
	b := open(t, dir)
	if len(b.Approvals) != 2 {
		t.Fatalf("Open found %d approvals, want 2", len(b.Approvals))
	}
	tr := trust(t)
	tr.Approvers = []*verify.PublicKey{k.Approver1.Public(), k.Approver2.Public()}
	tr.Threshold = 2
	_, err := b.Verify(tr, now)
	mustFail(t, err, verify.ErrThreshold, "approvals/kacho.sig", "repeat")
	var te *verify.ThresholdError
	if !errors.As(err, &te) || te.Got != 1 || len(te.Repeated) != 1 || te.Repeated[0] != "approvals/kacho.sig" {
		t.Fatalf("err %v: want 1 of 2 with approvals/kacho.sig repeated", err)
	}
}

// TestRefusePublisherAsApprover: with the publisher's key also listed as
// an approver, neither bundle.json.sig copied to approvals/ nor an approval
// made with the publisher's key counts; Approve refuses the publisher key,
// and a genuine approval by another key still counts.
func TestRefusePublisherAsApprover(t *testing.T) {
	k := keys(t)
	dir, _ := smallBundle(t)
	sig, err := os.ReadFile(bundlePath(dir, SignatureName))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, ApprovalsDir+"/x.sig", sig) // the attack: the publisher's signature as an approval
	tr := trust(t)
	tr.Approvers = []*verify.PublicKey{k.Publisher.Public(), k.Approver1.Public()}
	tr.Threshold = 1
	_, err = open(t, dir).Verify(tr, now)
	mustFail(t, err, verify.ErrThreshold, "0 of 1", "approvals/x.sig", "old format", "re-approve")

	if _, err := Approve(open(t, dir), k.Publisher, "self"); !errors.Is(err, ErrPublisherApproves) {
		t.Fatalf("Approve with the publisher key: %v, want ErrPublisherApproves", err)
	}
	if _, err := os.Stat(bundlePath(dir, ApprovalsDir+"/self.sig")); err == nil {
		t.Fatal("Approve with the publisher key wrote approvals/self.sig")
	}

	approve(t, dir, "kacho", k.Approver1)
	v, err := open(t, dir).Verify(tr, now)
	if err != nil {
		t.Fatalf("genuine approval: %v", err)
	}
	if len(v.Approvers) != 1 || !v.Approvers[0].Equal(k.Approver1.Public()) {
		t.Fatalf("approvers %v, want only approver 1", v.Approvers)
	}
}

func TestRefuseExpired(t *testing.T) {
	c, _ := smallContents(t)
	expires := created.AddDate(0, 0, 30)
	w, _ := writeBundle(t, c, func(o *WriteOptions) { o.Expires = expires })
	b := open(t, w.Dirs[0])
	if _, err := b.Verify(trust(t), expires.Add(-time.Second)); err != nil {
		t.Fatalf("Verify a second before expiry: %v", err)
	}
	for _, at := range []time.Time{expires, expires.AddDate(1, 0, 0)} {
		_, err := b.Verify(trust(t), at)
		mustFail(t, err, verify.ErrExpired, ManifestName, expires.Format(time.RFC3339))
	}
}

func TestRefuseNotYetValid(t *testing.T) {
	dir, _ := smallBundle(t)
	_, err := open(t, dir).Verify(trust(t), created.Add(-verify.ClockSkew-time.Minute))
	mustFail(t, err, verify.ErrNotYetValid, ManifestName)
}

func TestRefuseTruncatedPayload(t *testing.T) {
	dir, w := smallBundle(t)
	a := artifactNamed(t, w.Manifest, "clamav-1.5.0.tar.gz")
	rel := PayloadPath(a.SHA256)
	if err := os.Truncate(bundlePath(dir, rel), a.Size-1); err != nil {
		t.Fatal(err)
	}
	b := openVerified(t, dir)
	for name, err := range map[string]error{
		"CheckFiles":   b.CheckFiles(context.Background(), nil),
		"OpenArtifact": second(readArtifact(b, a)),
	} {
		mustFail(t, err, verify.ErrMismatch, rel, "truncated")
		var se *verify.SizeError
		if !errors.As(err, &se) || se.Long || se.Got != a.Size-1 || se.Want != a.Size {
			t.Errorf("%s: %v, want a *verify.SizeError of %d of %d bytes, Long false", name, err, a.Size-1, a.Size)
		}
	}
}

func TestRefuseAppendedBytes(t *testing.T) {
	dir, w := smallBundle(t)
	a := artifactNamed(t, w.Manifest, "empty.bin")
	rel := PayloadPath(a.SHA256)
	writeFile(t, dir, filepath.FromSlash(rel), []byte("MZ"))
	b := openVerified(t, dir)
	for name, err := range map[string]error{
		"CheckFiles":   b.CheckFiles(context.Background(), nil),
		"OpenArtifact": second(readArtifact(b, a)),
	} {
		mustFail(t, err, verify.ErrMismatch, rel, "appended")
		var se *verify.SizeError
		if !errors.As(err, &se) || !se.Long {
			t.Errorf("%s: %v, want a *verify.SizeError with Long true", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestRefuseMissingPayload(t *testing.T) {
	dir, w := smallBundle(t)
	rel := PayloadPath(artifactNamed(t, w.Manifest, "clamav-1.5.0.tar.gz").SHA256)
	os.Remove(bundlePath(dir, rel))
	b := openVerified(t, dir)
	mustFail(t, b.CheckFiles(context.Background(), nil), ErrLayout, rel, "missing")
}

func TestRefuseUnlistedFile(t *testing.T) {
	for _, rel := range []string{
		"evil.exe",
		"files/sha256/52/52db3a6c89ef58b2d350ef39f5624838a689b5a7114bc22f80d361f493cfe4a9.part-0001",
		"files/sha256/extra",
		"meta/extra.xz",
		"approvals/notes.txt",
		"approvals/.sig",
		".bundle.json.tmp-123",
	} {
		t.Run(rel, func(t *testing.T) {
			dir, _ := smallBundle(t)
			writeFile(t, dir, filepath.FromSlash(rel), []byte("x"))
			_, err := Open(dir)
			mustFail(t, err, ErrLayout, rel)
			if got := fileErrorPath(t, err); got != rel {
				t.Errorf("FileError.Path = %q, want %q", got, rel)
			}
		})
	}
}

func TestRefusePathRulesOnMedium(t *testing.T) {
	for _, tc := range []struct {
		name string
		rel  string // the entry the error must name
		make func(t *testing.T, dir string, w *Written)
		why  string
	}{
		{
			name: "symlink to a payload", rel: "PAYLOAD",
			make: func(t *testing.T, dir string, w *Written) {
				p := bundlePath(dir, payload(w))
				moved := filepath.Join(t.TempDir(), "elsewhere")
				if err := os.Rename(p, moved); err != nil {
					t.Fatal(err)
				}
				symlink(t, moved, p)
			},
			why: "symbolic link",
		},
		{
			name: "symlink to a folder", rel: "files/sha256/zz",
			make: func(t *testing.T, dir string, w *Written) {
				symlink(t, "/etc", bundlePath(dir, "files/sha256/zz"))
			},
			why: "symbolic link",
		},
		{
			name: "symlink as bundle.json", rel: ManifestName,
			make: func(t *testing.T, dir string, w *Written) {
				p := bundlePath(dir, ManifestName)
				moved := filepath.Join(t.TempDir(), ManifestName)
				if err := os.Rename(p, moved); err != nil {
					t.Fatal(err)
				}
				symlink(t, moved, p)
			},
			why: "not a regular file",
		},
		{
			name: "fifo", rel: "PAYLOAD_DIR/fifo",
			make: func(t *testing.T, dir string, w *Written) {
				if runtime.GOOS == "windows" {
					t.Skip("no FIFOs on Windows")
				}
				if err := mkfifo(bundlePath(dir, pathDir(payload(w))+"/fifo")); err != nil {
					t.Skipf("mkfifo: %v", err)
				}
			},
			why: "not a regular file",
		},
		{
			name: "backslash in a name", rel: `files\sha256`,
			make: func(t *testing.T, dir string, w *Written) {
				if runtime.GOOS == "windows" {
					t.Skip("a backslash is a separator on Windows")
				}
				writeFile(t, dir, `files\sha256`, []byte("x"))
			},
			why: "backslash",
		},
		{
			name: "unlisted folder", rel: "files/sha256/zz",
			make: func(t *testing.T, dir string, w *Written) {
				os.Mkdir(bundlePath(dir, "files/sha256/zz"), 0o755)
			},
			why: "folder",
		},
		{
			name: "unlisted top folder", rel: "extra",
			make: func(t *testing.T, dir string, w *Written) {
				os.Mkdir(bundlePath(dir, "extra"), 0o755)
			},
			why: "folder",
		},
		{
			name: "folder inside approvals", rel: "approvals/x.sig",
			make: func(t *testing.T, dir string, w *Written) {
				os.MkdirAll(bundlePath(dir, "approvals/x.sig"), 0o755)
			},
			why: "folder",
		},
		{
			name: "payload replaced by a folder", rel: "PAYLOAD",
			make: func(t *testing.T, dir string, w *Written) {
				p := bundlePath(dir, payload(w))
				os.Remove(p)
				os.Mkdir(p, 0o755)
			},
			why: "folder",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, w := smallBundle(t)
			tc.make(t, dir, w)
			rel := strings.NewReplacer("PAYLOAD_DIR", pathDir(payload(w)), "PAYLOAD", payload(w)).Replace(tc.rel)
			_, err := Open(dir)
			mustFail(t, err, ErrLayout, tc.why)
			if got := fileErrorPath(t, err); got != rel {
				t.Errorf("FileError.Path = %q, want %q (error %v)", got, rel, err)
			}
		})
	}
}

// payload is the path of the clamav payload of smallBundle.
func payload(w *Written) string {
	for _, a := range w.Manifest.Artifacts {
		if a.FileName == "clamav-1.5.0.tar.gz" {
			return PayloadPath(a.SHA256)
		}
	}
	panic("no clamav payload")
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make symbolic links here: %v", err)
	}
}

// evilNames are file names a validly signed manifest may still not use.
var evilNames = []string{"../evil", "/etc/passwd", `C:\evil.exe`, `a\b`, "x\x00y", "..", ".", "", "C:evil", "evil.exe.", "NUL", "com1.txt", "a\ny"}

func TestRefuseBadNamesInSignedManifest(t *testing.T) {
	for _, name := range evilNames {
		t.Run("file_name "+name, func(t *testing.T) {
			dir, _ := smallBundle(t)
			resignManifest(t, dir, func(m *Manifest) { m.Artifacts[0].FileName = name })
			checkSignedNameRefused(t, dir, name)
		})
	}
	for _, name := range []string{"..", ".", "", "../SHA512SUMS", `..\SHA512SUMS`, "x\x00y"} {
		t.Run("meta name "+name, func(t *testing.T) {
			c, _ := smallContents(t)
			c.Meta = []MetaInput{{Name: "SHA512SUMS", Path: writeFile(t, t.TempDir(), "sums", []byte("sums\n"))}}
			w, _ := writeBundle(t, c, nil)
			dir := w.Dirs[0]
			// Keep the stored file where the renamed entry would put it,
			// so only the name rule can refuse it.
			resignManifest(t, dir, func(m *Manifest) { m.Meta[0].Name = name })
			if newPath := MetaPath(name); !strings.ContainsAny(name, "/\\\x00") {
				os.Rename(bundlePath(dir, MetaPath("SHA512SUMS")), bundlePath(dir, newPath))
			}
			checkSignedNameRefused(t, dir, name)
		})
	}
	t.Run("evidence naming no meta file", func(t *testing.T) {
		dir, _ := smallBundle(t)
		resignManifest(t, dir, func(m *Manifest) { m.Artifacts[0].Verification.Evidence = []string{"../../etc/shadow"} })
		_, err := Open(dir)
		mustFail(t, err, nil, ManifestName, "../../etc/shadow", "not in meta")
		var me *ManifestError
		if !errors.As(err, &me) {
			t.Errorf("Open: %v, want a *ManifestError", err)
		}
	})
}

// checkSignedNameRefused checks that the bundle's (validly signed) manifest
// is refused for breaking the path rules with name.
func checkSignedNameRefused(t *testing.T, dir, name string) {
	t.Helper()
	raw, err := os.ReadFile(bundlePath(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys(t).Publisher.Public().Verify(raw, mustDecodeSig(t, dir)); err != nil {
		t.Fatalf("test setup: the manifest is not validly signed: %v", err)
	}
	_, err = ParseManifest(raw)
	var me *ManifestError
	if !errors.As(err, &me) {
		t.Fatalf("ParseManifest: %v, want a *ManifestError", err)
	}
	mustFail(t, err, ErrPath, strings.Trim(strconv.Quote(name), `"`))
	_, err = Open(dir)
	mustFail(t, err, ErrPath, ManifestName)
	if got := fileErrorPath(t, err); got != ManifestName {
		t.Errorf("FileError.Path = %q, want %q", got, ManifestName)
	}
}

func mustDecodeSig(t *testing.T, dir string) []byte {
	t.Helper()
	text, err := os.ReadFile(bundlePath(dir, SignatureName))
	if err != nil {
		t.Fatal(err)
	}
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestRefuseManifestTooLarge(t *testing.T) {
	t.Run("on media", func(t *testing.T) {
		dir, _ := smallBundle(t)
		// A sparse file: the size says it all, nothing needs reading.
		if err := os.Truncate(bundlePath(dir, ManifestName), MaxManifestSize+1); err != nil {
			t.Fatal(err)
		}
		var err error
		allocated := heapAllocated(func() { _, err = Open(dir) })
		var le *verify.LimitError
		if !errors.As(err, &le) || le.Limit != MaxManifestSize {
			t.Fatalf("Open: %v, want a *verify.LimitError with limit %d", err, MaxManifestSize)
		}
		mustFail(t, err, nil, ManifestName)
		if allocated > 1<<20 {
			t.Errorf("refusing a manifest of %d bytes allocated %d bytes: it was read", MaxManifestSize+1, allocated)
		}
	})
	t.Run("ParseManifest", func(t *testing.T) {
		_, err := ParseManifest(make([]byte, MaxManifestSize+1))
		var le *verify.LimitError
		var me *ManifestError
		if !errors.As(err, &le) || !errors.As(err, &me) {
			t.Fatalf("ParseManifest: %v, want a *ManifestError wrapping a *verify.LimitError", err)
		}
	})
	t.Run("volume.json", func(t *testing.T) {
		c, _ := volumeContents(t, 40)
		w, _ := writeBundle(t, c, func(o *WriteOptions) { o.VolumeSize = volumeSize })
		if err := os.Truncate(filepath.Join(w.Dirs[1], VolumeName), maxVolumeIndex+1); err != nil {
			t.Fatal(err)
		}
		_, err := Open(w.Dirs...)
		var le *verify.LimitError
		if !errors.As(err, &le) {
			t.Fatalf("Open: %v, want a *verify.LimitError", err)
		}
		mustFail(t, err, nil, VolumeName)
	})
	t.Run("signature", func(t *testing.T) {
		dir, _ := smallBundle(t)
		if err := os.Truncate(bundlePath(dir, SignatureName), verify.MaxSignatureFile+1); err != nil {
			t.Fatal(err)
		}
		_, err := Open(dir)
		var le *verify.LimitError
		if !errors.As(err, &le) {
			t.Fatalf("Open: %v, want a *verify.LimitError", err)
		}
		mustFail(t, err, nil, SignatureName)
	})
}

func TestRefuseMissingVolume(t *testing.T) {
	c, _ := volumeContents(t, 50)
	w, root := writeBundle(t, c, func(o *WriteOptions) { o.VolumeSize = volumeSize })
	if len(w.Dirs) != 3 {
		t.Fatalf("test data: Write made %d volumes, want 3", len(w.Dirs))
	}
	const missing = "patchferry-default-1-vol02of03"
	if filepath.Base(w.Dirs[1]) != missing {
		t.Fatalf("volume 2 is %s", w.Dirs[1])
	}
	_, err := Open(w.Dirs[2], w.Dirs[0])
	mustFail(t, err, ErrLayout, missing)
	if strings.Contains(err.Error(), "vol01of03") || strings.Contains(err.Error(), "vol03of03") {
		t.Errorf("error %q names volumes that are present", err)
	}

	_, err = Open(w.Dirs[0])
	mustFail(t, err, ErrLayout, missing, "patchferry-default-1-vol03of03")

	if err := os.RemoveAll(w.Dirs[1]); err != nil {
		t.Fatal(err)
	}
	_, err = Open(root)
	mustFail(t, err, ErrLayout, missing)
}

func TestRefuseMixedVolumes(t *testing.T) {
	ca, _ := volumeContents(t, 60)
	cb, _ := volumeContents(t, 70)
	wa, _ := writeBundle(t, ca, func(o *WriteOptions) { o.VolumeSize = volumeSize })
	wb, _ := writeBundle(t, cb, func(o *WriteOptions) { o.VolumeSize = volumeSize })
	if len(wa.Dirs) != 3 || len(wb.Dirs) != 3 {
		t.Fatalf("test data: %d and %d volumes, want 3 each", len(wa.Dirs), len(wb.Dirs))
	}
	t.Run("given together", func(t *testing.T) {
		_, err := Open(wa.Dirs[0], wb.Dirs[1], wb.Dirs[2])
		mustFail(t, err, ErrLayout, "different bundles", wa.Dirs[0], wb.Dirs[1])
	})
	t.Run("on one medium", func(t *testing.T) {
		// Bundle A's volume 2 replaced by bundle B's volume 2 (same name).
		if err := os.RemoveAll(wa.Dirs[1]); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(wb.Dirs[1], wa.Dirs[1]); err != nil {
			t.Fatal(err)
		}
		_, err := Open(filepath.Dir(wa.Dirs[0]))
		mustFail(t, err, ErrLayout, "different bundles")
	})
	t.Run("foreign volume.json", func(t *testing.T) {
		idx, err := os.ReadFile(filepath.Join(wb.Dirs[2], VolumeName))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, wa.Dirs[2], VolumeName, idx)
		_, err = Open(wa.Dirs[2])
		mustFail(t, err, ErrLayout, VolumeName, "another bundle")
	})
}

func TestRefuseRenamedFolder(t *testing.T) {
	dir, _ := smallBundle(t)
	renamed := filepath.Join(filepath.Dir(dir), "patchferry-default-2")
	if err := os.Rename(dir, renamed); err != nil {
		t.Fatal(err)
	}
	_, err := Open(renamed)
	mustFail(t, err, ErrLayout, "patchferry-default-2", "sequence 1")
}

func TestRefuseEmptyMedium(t *testing.T) {
	root := t.TempDir()
	_, err := Open(root)
	mustFail(t, err, ErrLayout, root)
	if _, err := Open(); err == nil {
		t.Error("Open() with no path succeeded")
	}
	if _, err := Open(writeFile(t, root, "file", nil)); err == nil {
		t.Error("Open of a plain file succeeded")
	}
}

func TestOpenArtifactNotInBundle(t *testing.T) {
	dir, _ := smallBundle(t)
	b := open(t, dir)
	// An artifact from somewhere else (another bundle, a caller's bug) must
	// never be resolved against the working directory.
	for _, a := range []*Artifact{
		{FileName: "x", Size: 3, SHA256: verify.SHA256Hex([]byte("abc"))},
		{FileName: "y", Size: 3, SHA256: "../../../../etc/passwd"},
		{FileName: "z"},
	} {
		_, err := b.OpenArtifact(context.Background(), a)
		if err == nil {
			t.Errorf("OpenArtifact(%+v) succeeded", a)
		}
	}
}
