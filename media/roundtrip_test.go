package media

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/verify"
)

// checkRoundTrip opens, verifies and checks the bundle at paths and reads
// back every artifact, comparing it with want (by file name).
func checkRoundTrip(t *testing.T, want map[string][]byte, paths ...string) *Bundle {
	t.Helper()
	ctx := context.Background()
	b := open(t, paths...)
	v, err := b.Verify(trust(t), now)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !v.Publisher.Equal(keys(t).Publisher.Public()) {
		t.Errorf("Verify names publisher %s, want %s", v.Publisher.ID(), keys(t).Publisher.Public().ID())
	}
	var progress int64
	if err := b.CheckFiles(ctx, func(n int64) { progress += n }); err != nil {
		t.Fatalf("CheckFiles: %v", err)
	}
	if progress != b.Size() {
		t.Errorf("CheckFiles reported %d bytes of progress, the bundle holds %d", progress, b.Size())
	}
	if len(b.Manifest.Artifacts) != len(want) {
		t.Fatalf("manifest lists %d artifacts, want %d", len(b.Manifest.Artifacts), len(want))
	}
	for i := range b.Manifest.Artifacts {
		a := &b.Manifest.Artifacts[i]
		content, ok := want[a.FileName]
		if !ok {
			t.Fatalf("manifest lists unexpected artifact %q", a.FileName)
		}
		if a.Size != int64(len(content)) || a.SHA256 != verify.SHA256Hex(content) {
			t.Errorf("%s: manifest says %d bytes %s, want %d bytes %s", a.FileName, a.Size, a.SHA256, len(content), verify.SHA256Hex(content))
		}
		rc, err := b.OpenArtifact(ctx, a)
		if err != nil {
			t.Fatalf("OpenArtifact(%s): %v", a.FileName, err)
		}
		got, err := readAll(rc)
		if err != nil {
			t.Fatalf("read %s: %v", a.FileName, err)
		}
		if !bytes.Equal(got, content) {
			t.Errorf("%s: read back %d bytes that differ from the %d written", a.FileName, len(got), len(content))
		}
	}
	return b
}

func TestRoundTripSmallFiles(t *testing.T) {
	c, want := smallContents(t)
	w, root := writeBundle(t, c, nil)
	if len(w.Dirs) != 1 || filepath.Base(w.Dirs[0]) != "patchferry-default-1" {
		t.Fatalf("Write made %v, want one folder patchferry-default-1", w.Dirs)
	}
	for _, p := range []string{w.Dirs[0], root} {
		b := checkRoundTrip(t, want, p)
		if !bytes.Equal(b.Raw, w.Raw) {
			t.Errorf("Open(%s) read a bundle.json that differs from the one written", p)
		}
		if b.Name != (DirName{Site: DefaultSite, Sequence: 1}) {
			t.Errorf("Open(%s).Name = %+v", p, b.Name)
		}
	}
	m := w.Manifest
	for _, a := range m.Artifacts {
		if len(a.Parts) != 0 {
			t.Errorf("%s: small file split into %d parts", a.FileName, len(a.Parts))
		}
		if a.Verification.Method != MethodManual {
			t.Errorf("%s: verification method %q, want %q by default", a.FileName, a.Verification.Method, MethodManual)
		}
		if _, err := os.Stat(filepath.Join(w.Dirs[0], filepath.FromSlash(PayloadPath(a.SHA256)))); err != nil {
			t.Errorf("%s: payload not stored under its SHA-256: %v", a.FileName, err)
		}
	}
	// Default catalog: one entry per vendor/product/channel/version.
	if len(m.Catalog) != 2 || m.Catalog[0].Product != "firefox" || len(m.Catalog[0].Artifacts) != 2 ||
		m.Catalog[1].Product != "clamav" || len(m.Catalog[1].Artifacts) != 1 {
		t.Errorf("catalog = %+v, want firefox (2 artifacts) then clamav (1)", m.Catalog)
	}
	readme, err := os.ReadFile(filepath.Join(w.Dirs[0], ReadmeName))
	if err != nil || !strings.Contains(string(readme), "patchferry-default-1") || !strings.Contains(string(readme), "取り込み") {
		t.Errorf("README.txt does not name the bundle in Japanese and English (err %v)", err)
	}
}

func TestRoundTripSameContentStoredOnce(t *testing.T) {
	src := t.TempDir()
	content := randomBytes(3, 5000)
	c := Contents{Inputs: []Input{input(t, src, "a.exe", content), input(t, src, "b.exe", content)}}
	w, _ := writeBundle(t, c, nil)
	b := open(t, w.Dirs[0])
	if got := len(b.Manifest.Paths()); got != 1 {
		t.Errorf("two inputs with the same content give %d stored files, want 1", got)
	}
	for i := range b.Manifest.Artifacts {
		rc, err := b.OpenArtifact(context.Background(), &b.Manifest.Artifacts[i])
		if err != nil {
			t.Fatal(err)
		}
		if got, err := readAll(rc); err != nil || !bytes.Equal(got, content) {
			t.Errorf("artifact %d: err %v, content equal %v", i, err, bytes.Equal(got, content))
		}
	}
}

func TestRoundTripSplitFile(t *testing.T) {
	const limit = 100 << 10
	big := randomBytes(4, 350<<10)
	src := t.TempDir()
	c := Contents{Inputs: []Input{input(t, src, "big.msu", big), input(t, src, "small.exe", randomBytes(5, 1000))}}
	w, _ := writeBundle(t, c, func(o *WriteOptions) { o.MaxFileSize = limit })
	checkRoundTrip(t, map[string][]byte{"big.msu": big, "small.exe": c.readInput(t, 1)}, w.Dirs[0])

	a := artifactNamed(t, w.Manifest, "big.msu")
	wantSizes := []int64{limit, limit, limit, 50 << 10}
	var off int64
	var joined []byte
	if len(a.Parts) != len(wantSizes) {
		t.Fatalf("a %d byte file with limit %d has %d parts, want %d", len(big), limit, len(a.Parts), len(wantSizes))
	}
	for i, p := range a.Parts {
		if p.Size != wantSizes[i] {
			t.Errorf("part %d: %d bytes, want %d", i+1, p.Size, wantSizes[i])
		}
		if want := verify.SHA256Hex(big[off : off+p.Size]); p.SHA256 != want {
			t.Errorf("part %d: manifest SHA-256 %s, want %s", i+1, p.SHA256, want)
		}
		stored, err := os.ReadFile(filepath.Join(w.Dirs[0], filepath.FromSlash(PartPath(a.SHA256, i+1))))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(stored)) > limit {
			t.Errorf("part %d is %d bytes, above the limit %d", i+1, len(stored), limit)
		}
		joined = append(joined, stored...)
		off += p.Size
	}
	if !bytes.Equal(joined, big) {
		t.Error("the part files joined differ from the input")
	}
	if _, err := os.Stat(filepath.Join(w.Dirs[0], filepath.FromSlash(PayloadPath(a.SHA256)))); !os.IsNotExist(err) {
		t.Errorf("a split file is also stored whole (stat: %v)", err)
	}
}

// readInput returns the content of input i.
func (c Contents) readInput(t *testing.T, i int) []byte {
	t.Helper()
	b, err := os.ReadFile(c.Inputs[i].Path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// volumeContents is enough data, meta included, for three volumes of
// volumeSize bytes.
const volumeSize = 96 << 10

func volumeContents(t *testing.T, seed uint64) (Contents, map[string][]byte) {
	t.Helper()
	src := t.TempDir()
	want := map[string][]byte{
		"one.exe":   randomBytes(seed, 30<<10),
		"two.msi":   randomBytes(seed+1, 60<<10),
		"three.cab": randomBytes(seed+2, 20<<10),
	}
	var c Contents
	for _, n := range []string{"one.exe", "two.msi", "three.cab"} {
		c.Inputs = append(c.Inputs, input(t, src, n, want[n]))
	}
	c.Meta = []MetaInput{{Name: "SHA512SUMS", Path: writeFile(t, src, "SHA512SUMS", []byte(strings.Repeat("0123abcd  one.exe\n", 100)))}}
	return c, want
}

func TestRoundTripVolumes(t *testing.T) {
	c, want := volumeContents(t, 10)
	w, root := writeBundle(t, c, func(o *WriteOptions) { o.VolumeSize = volumeSize })
	if len(w.Dirs) < 3 {
		t.Fatalf("Write made %d volumes, the test needs at least 3", len(w.Dirs))
	}
	for i, d := range w.Dirs {
		want := DirName{Site: DefaultSite, Sequence: 1, Volume: i + 1, Volumes: len(w.Dirs)}.String()
		if filepath.Base(d) != want {
			t.Errorf("volume %d is %s, want %s", i+1, filepath.Base(d), want)
		}
		var used int64
		for _, e := range readTree(t, d) {
			used += int64(len(e.Content))
		}
		if used+approvalReserve > volumeSize {
			t.Errorf("volume %d holds %d bytes, more than --volume-size %d minus the %d reserved for approvals", i+1, used, volumeSize, approvalReserve)
		}
	}

	t.Run("reverse order", func(t *testing.T) {
		reversed := slices.Clone(w.Dirs)
		slices.Reverse(reversed)
		b := checkRoundTrip(t, want, reversed...)
		if !slices.Equal(b.Dirs, w.Dirs) {
			t.Errorf("Open put the volumes in order %v, want %v", b.Dirs, w.Dirs)
		}
		checkMeta(t, b, "SHA512SUMS", c.Meta[0].Path)
	})
	t.Run("media root", func(t *testing.T) {
		b := checkRoundTrip(t, want, root)
		if !slices.Equal(b.Dirs, w.Dirs) {
			t.Errorf("Open put the volumes in order %v, want %v", b.Dirs, w.Dirs)
		}
	})
	t.Run("one volume per media root", func(t *testing.T) {
		// Each volume on its own medium, as with DVDs.
		var roots []string
		for _, d := range w.Dirs {
			r := t.TempDir()
			if err := os.Rename(d, filepath.Join(r, filepath.Base(d))); err != nil {
				t.Fatal(err)
			}
			roots = append(roots, r)
		}
		slices.Reverse(roots)
		checkRoundTrip(t, want, roots...)
	})
}

// checkMeta reads meta file name and compares it with the file at path.
func checkMeta(t *testing.T, b *Bundle, name, path string) {
	t.Helper()
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := b.OpenMeta(context.Background(), name)
	if err != nil {
		t.Fatalf("OpenMeta(%s): %v", name, err)
	}
	got, err := readAll(rc)
	if err != nil {
		t.Fatalf("read meta %s: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("meta %s: read back %q, want %q", name, got, want)
	}
}

func TestRoundTripMeta(t *testing.T) {
	c, want := smallContents(t)
	src := t.TempDir()
	texts := map[string]string{
		"SHA512SUMS":        strings.Repeat("3f2a…  Firefox Setup 145.0.exe\n", 50),
		"update.xml":        `<?xml version="1.0"?><updates><update type="minor" displayVersion="145.0"/></updates>` + "\n",
		"clamav-release.sn": "",
	}
	for n, s := range texts {
		c.Meta = append(c.Meta, MetaInput{Name: n, Path: writeFile(t, src, n, []byte(s))})
	}
	c.Inputs[0].Artifact.Verification = Verification{Method: "openpgp", Signer: "Mozilla Software Releases", KeyID: "ADD7079479700DCADFDD5337E36D3B13F3D93274", Time: created, Evidence: []string{"SHA512SUMS"}}
	w, _ := writeBundle(t, c, nil)
	b := checkRoundTrip(t, want, w.Dirs[0])
	for _, mi := range c.Meta {
		checkMeta(t, b, mi.Name, mi.Path)
	}
	// Meta files are listed sorted by name, each with its expanded size.
	var names []string
	for _, mf := range b.Manifest.Meta {
		names = append(names, mf.Name)
		if mf.Expanded != int64(len(texts[mf.Name])) {
			t.Errorf("meta %s: expanded %d, want %d", mf.Name, mf.Expanded, len(texts[mf.Name]))
		}
	}
	if !slices.IsSorted(names) || len(names) != len(texts) {
		t.Errorf("meta names %v: want all %d, sorted", names, len(texts))
	}
	if _, err := b.OpenMeta(context.Background(), "missing"); err == nil {
		t.Error("OpenMeta of a name the manifest does not list succeeded")
	}
}

func TestRoundTripApprovals(t *testing.T) {
	k := keys(t)
	dir, _ := smallBundle(t)
	for _, a := range []struct {
		key  *verify.PrivateKey
		name string
	}{{k.Approver1, "kacho"}, {k.Approver2, "bucho"}} {
		b := open(t, dir)
		rel, err := Approve(b, a.key, a.name)
		if err != nil {
			t.Fatalf("Approve(%s): %v", a.name, err)
		}
		if rel != "approvals/"+a.name+".sig" {
			t.Errorf("Approve wrote %s, want approvals/%s.sig", rel, a.name)
		}
	}
	b := open(t, dir)
	tr := trust(t)
	tr.Approvers = []*verify.PublicKey{k.Approver1.Public(), k.Approver2.Public()}
	tr.Threshold = 2
	v, err := b.Verify(tr, now)
	if err != nil {
		t.Fatalf("Verify with two distinct approvals, threshold 2: %v", err)
	}
	if len(v.Approvers) != 2 {
		t.Errorf("Verify counted %d approvers, want 2", len(v.Approvers))
	}
	if _, err := Approve(b, k.Approver1, "kacho"); err == nil || !strings.Contains(err.Error(), "approvals/kacho.sig") {
		t.Errorf("a second approval under an existing name: err %v, want a refusal naming approvals/kacho.sig", err)
	}
	if _, err := Approve(b, k.Approver1, "../kacho"); !errorsIsPath(err) {
		t.Errorf("approver name ../kacho: err %v, want ErrPath", err)
	}
}

func TestWriteFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	probe := writeFile(t, t.TempDir(), "probe", nil)
	os.Remove(probe)
	f, err := os.Create(probe)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	if fi.Mode().Perm() != 0o644 {
		t.Skipf("umask makes new files %v, not 0644", fi.Mode().Perm())
	}
	c, _ := volumeContents(t, 20)
	_, root := writeBundle(t, c, func(o *WriteOptions) { o.VolumeSize = volumeSize; o.MaxFileSize = 10 << 10 })
	for p, e := range readTree(t, root) {
		want := os.FileMode(0o644)
		if e.Mode.IsDir() {
			want = os.ModeDir | 0o755
		}
		// A bundle goes to shared media and is read by another account:
		// payloads and folders are as readable as bundle.json.
		if e.Mode != want {
			t.Errorf("%s has mode %v, want %v", p, e.Mode, want)
		}
	}
}

func TestReproducible(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func(*WriteOptions)
	}{
		{"one folder", func(o *WriteOptions) { o.MaxFileSize = 16 << 10 }},
		{"volumes", func(o *WriteOptions) { o.VolumeSize = volumeSize }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := volumeContents(t, 30)
			c.Inputs[1].Artifact.Verification = Verification{Method: "authenticode", Signer: "Microsoft Corporation", Time: created}
			var trees []map[string]treeEntry
			for range 2 {
				_, root := writeBundle(t, c, func(o *WriteOptions) {
					tc.opt(o)
					o.Expires = created.AddDate(0, 1, 0)
				})
				trees = append(trees, readTree(t, root))
			}
			a, b := trees[0], trees[1]
			if len(a) == 0 || len(a) != len(b) {
				t.Fatalf("the two writes made %d and %d entries", len(a), len(b))
			}
			var sawSig bool
			for p, ea := range a {
				eb, ok := b[p]
				switch {
				case !ok:
					t.Errorf("%s: only in the first write", p)
				case ea.Content != eb.Content:
					t.Errorf("%s: content differs between two writes", p)
				case ea.Mode != eb.Mode:
					t.Errorf("%s: mode %v vs %v", p, ea.Mode, eb.Mode)
				case !ea.ModTime.Equal(eb.ModTime) || !ea.ModTime.Equal(created):
					t.Errorf("%s: modification times %v and %v, want both %v", p, ea.ModTime, eb.ModTime, created)
				}
				if strings.HasSuffix(p, "/"+SignatureName) {
					sawSig = true
				}
			}
			if !sawSig {
				t.Error("no bundle.json.sig compared")
			}
		})
	}
}
