package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ulikunitz/xz"

	"github.com/patchferry/patchferry/verify"
)

// ErrLayout is wrapped by every error about what is on the medium: missing,
// unlisted or foreign entries, volumes that do not belong together.
var ErrLayout = errors.New("bundle layout is wrong")

// FileError names the bundle file that failed a check.
type FileError struct {
	Path string // relative to the bundle directory, slash-separated
	Dir  string // the bundle directory (volume) holding it
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// Bundle is a bundle opened for reading in place. Opening reads only the
// manifest, the signatures and the directory structure; payloads are read
// by CheckFiles, OpenArtifact and OpenMeta.
type Bundle struct {
	Name      DirName // without volume numbers
	Manifest  *Manifest
	Raw       []byte // exact bytes of bundle.json: what the signatures cover
	Signature []byte // publisher signature, ASN.1 DER
	Approvals []verify.Signed
	Dirs      []string // bundle directories, in volume order

	where map[string]string // relative path → directory holding it
}

// Open finds and opens one bundle. Each path is a bundle directory (or one
// volume of it) or a media root; together they must hold exactly one bundle,
// with every volume. Nothing is ever written.
func Open(paths ...string) (*Bundle, error) {
	if len(paths) == 0 {
		return nil, errors.New("no bundle directory given")
	}
	var dirs []string
	for _, p := range paths {
		found, err := findBundleDirs(p)
		if err != nil {
			return nil, err
		}
		dirs = append(dirs, found...)
	}
	vols, err := readVolumes(dirs)
	if err != nil {
		return nil, err
	}
	return openVolumes(vols)
}

// findBundleDirs returns p when it is a bundle directory, or the bundle
// directories in p when it is a media root.
func findBundleDirs(p string) ([]string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open bundle: %s is not a directory; give the bundle folder (patchferry-<site>-<seq>) or the medium's root", p)
	}
	if _, err := os.Lstat(filepath.Join(p, ManifestName)); err == nil {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	var out []string
	for _, e := range entries {
		if _, ok := ParseDirName(e.Name()); ok && e.IsDir() {
			out = append(out, filepath.Join(p, e.Name()))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s holds no bundle (no %s and no patchferry-<site>-<seq> folder); check the medium", ErrLayout, p, ManifestName)
	}
	return out, nil
}

type volume struct {
	dir   string
	raw   []byte
	sum   string
	index *VolumeIndex
}

func readVolumes(dirs []string) ([]*volume, error) {
	var vols []*volume
	for _, d := range dirs {
		raw, err := readSmall(d, ManifestName, MaxManifestSize)
		if err != nil {
			return nil, err
		}
		v := &volume{dir: d, raw: raw, sum: verify.SHA256Hex(raw)}
		if _, err := os.Lstat(filepath.Join(d, VolumeName)); err == nil {
			b, err := readSmall(d, VolumeName, maxVolumeIndex)
			if err != nil {
				return nil, err
			}
			if v.index, err = ParseVolumeIndex(b); err != nil {
				return nil, &FileError{Path: VolumeName, Dir: d, Err: err}
			}
			if v.index.ManifestSHA256 != v.sum {
				return nil, &FileError{Path: VolumeName, Dir: d, Err: fmt.Errorf("%w: this volume belongs to another bundle (its index names a different bundle.json)", ErrLayout)}
			}
		}
		vols = append(vols, v)
	}
	bundles := make(map[string][]string)
	for _, v := range vols {
		bundles[v.sum] = append(bundles[v.sum], v.dir)
	}
	if len(bundles) > 1 {
		var names []string
		for _, ds := range bundles {
			names = append(names, ds[0])
		}
		sort.Strings(names)
		return nil, fmt.Errorf("%w: found %d different bundles (%s); give the directory of the one you mean", ErrLayout, len(bundles), strings.Join(names, ", "))
	}
	return vols, nil
}

// readSmall reads a small structural file after checking that it is a
// regular file within limit.
func readSmall(dir, name string, limit int64) ([]byte, error) {
	p := filepath.Join(dir, name)
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, &FileError{Path: name, Dir: dir, Err: fmt.Errorf("%w: missing; the copy is incomplete, copy the whole bundle folder again", ErrLayout)}
	}
	if !fi.Mode().IsRegular() {
		return nil, &FileError{Path: name, Dir: dir, Err: fmt.Errorf("%w: not a regular file (%s)", ErrLayout, fi.Mode().Type())}
	}
	if fi.Size() > limit {
		return nil, &FileError{Path: name, Dir: dir, Err: &verify.LimitError{What: name, Limit: limit}}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := verify.ReadLimited(f, limit, name)
	if err != nil {
		return nil, &FileError{Path: name, Dir: dir, Err: err}
	}
	return b, nil
}

func openVolumes(vols []*volume) (*Bundle, error) {
	first := vols[0]
	m, err := ParseManifest(first.raw)
	if err != nil {
		return nil, &FileError{Path: ManifestName, Dir: first.dir, Err: err}
	}
	b := &Bundle{
		Name:     DirName{Site: m.Site, Sequence: m.Sequence},
		Manifest: m,
		Raw:      first.raw,
		where:    make(map[string]string),
	}
	for _, v := range vols {
		if d, ok := ParseDirName(filepath.Base(v.dir)); ok && (d.Site != m.Site || d.Sequence != m.Sequence) {
			return nil, fmt.Errorf("%w: folder %s is named for site %s sequence %d, but its bundle.json says site %s sequence %d; the folder was renamed or mixed up",
				ErrLayout, v.dir, d.Site, d.Sequence, m.Site, m.Sequence)
		}
	}
	refs := m.Paths()
	expected := make(map[string]map[string]bool) // dir → its files
	if first.index == nil {
		// A single-directory bundle (given twice, the first copy is read).
		set := make(map[string]bool, len(refs))
		for _, r := range refs {
			set[r.Path] = true
			b.where[r.Path] = first.dir
		}
		expected[first.dir] = set
		b.Dirs = []string{first.dir}
	} else {
		if err := b.placeVolumes(vols, refs, expected); err != nil {
			return nil, err
		}
	}
	for _, d := range b.Dirs {
		if err := checkTree(d, expected[d], b.where); err != nil {
			return nil, err
		}
	}
	if err := b.readSignatures(); err != nil {
		return nil, err
	}
	return b, nil
}

// placeVolumes orders the volumes, names any that are missing, and records
// where each file lives.
func (b *Bundle) placeVolumes(vols []*volume, refs []FileRef, expected map[string]map[string]bool) error {
	n := vols[0].index.Volumes
	byNum := make(map[int]*volume)
	for _, v := range vols {
		if v.index == nil || v.index.Volumes != n {
			return &FileError{Path: VolumeName, Dir: v.dir, Err: fmt.Errorf("%w: volumes disagree on the number of volumes", ErrLayout)}
		}
		if _, dup := byNum[v.index.Volume]; !dup {
			byNum[v.index.Volume] = v
		}
	}
	var missing []string
	for i := 1; i <= n; i++ {
		v, ok := byNum[i]
		if !ok {
			missing = append(missing, DirName{Site: b.Name.Site, Sequence: b.Name.Sequence, Volume: i, Volumes: n}.String())
			continue
		}
		b.Dirs = append(b.Dirs, v.dir)
		set := make(map[string]bool, len(v.index.Files))
		for _, f := range v.index.Files {
			if prev, dup := b.where[f]; dup {
				return fmt.Errorf("%w: %s is listed on two volumes (%s and %s)", ErrLayout, f, prev, v.dir)
			}
			b.where[f] = v.dir
			set[f] = true
		}
		expected[v.dir] = set
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing volume(s) %s of %d; insert those media and give their folders too (order does not matter)",
			ErrLayout, strings.Join(missing, ", "), n)
	}
	listed := make(map[string]bool, len(refs))
	for _, r := range refs {
		listed[r.Path] = true
		if _, ok := b.where[r.Path]; !ok {
			return fmt.Errorf("%w: no volume index lists %s; the volumes are damaged, export the bundle again", ErrLayout, r.Path)
		}
	}
	for f, d := range b.where {
		if !listed[f] {
			return &FileError{Path: VolumeName, Dir: d, Err: fmt.Errorf("%w: lists %s, which bundle.json does not", ErrLayout, f)}
		}
	}
	return nil
}

// checkTree refuses anything in a bundle directory that the format does
// not allow: unlisted files, symbolic links, devices, bad names.
func checkTree(root string, files map[string]bool, where map[string]string) error {
	dirs := map[string]bool{"": true, ApprovalsDir: true, "files": true, "files/sha256": true, "meta": true}
	for f := range files {
		for d := pathDir(f); d != ""; d = pathDir(d) {
			dirs[d] = true
		}
	}
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := e.Name()
			if rel != "" {
				p = rel + "/" + p
			}
			fail := func(why string) error {
				return &FileError{Path: p, Dir: root, Err: fmt.Errorf("%w: %s", ErrLayout, why)}
			}
			if err := ValidName(e.Name()); err != nil {
				return fail(err.Error())
			}
			switch t := e.Type(); {
			case t.IsDir():
				if !dirs[p] {
					return fail("a folder the bundle format does not have; remove it or copy the bundle again")
				}
				if err := walk(p); err != nil {
					return err
				}
			case t.IsRegular():
				if !allowedFile(p, rel, files) {
					return fail("a file bundle.json does not list; someone added it after signing — copy the bundle again from the internet side")
				}
			case t&fs.ModeSymlink != 0:
				return fail("a symbolic link; bundles hold only regular files")
			default:
				return fail(fmt.Sprintf("not a regular file (%s); bundles hold only regular files", t))
			}
		}
		return nil
	}
	return walk("")
}

func allowedFile(p, rel string, files map[string]bool) bool {
	switch {
	case files[p]:
		return true
	case rel == "":
		return p == ManifestName || p == SignatureName || p == ReadmeName || p == VolumeName
	case rel == ApprovalsDir:
		return strings.HasSuffix(p, ".sig") && len(p) > len(ApprovalsDir)+len("/.sig")
	}
	return false
}

func pathDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// readSignatures reads bundle.json.sig and approvals/*.sig from every
// volume; a volume's copy must agree with the others.
func (b *Bundle) readSignatures() error {
	approvals := make(map[string][]byte)
	for i, d := range b.Dirs {
		raw, err := readSmall(d, SignatureName, verify.MaxSignatureFile)
		if err != nil {
			return err
		}
		sig, err := verify.DecodeSignature(raw)
		if err != nil {
			return &FileError{Path: SignatureName, Dir: d, Err: err}
		}
		if i == 0 {
			b.Signature = sig
		} else if string(sig) != string(b.Signature) {
			return &FileError{Path: SignatureName, Dir: d, Err: fmt.Errorf("%w: differs between volumes", ErrLayout)}
		}
		entries, err := os.ReadDir(filepath.Join(d, ApprovalsDir))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			rel := ApprovalsDir + "/" + e.Name()
			raw, err := readSmall(d, rel, verify.MaxSignatureFile)
			if err != nil {
				return err
			}
			sig, err := verify.DecodeSignature(raw)
			if err != nil {
				return &FileError{Path: rel, Dir: d, Err: err}
			}
			name := strings.TrimSuffix(e.Name(), ".sig")
			if prev, ok := approvals[name]; ok && string(prev) != string(sig) {
				return &FileError{Path: rel, Dir: d, Err: fmt.Errorf("%w: differs between volumes", ErrLayout)}
			}
			approvals[name] = sig
		}
	}
	for name, sig := range approvals {
		b.Approvals = append(b.Approvals, verify.Signed{Name: ApprovalsDir + "/" + name + ".sig", Sig: sig})
	}
	sort.Slice(b.Approvals, func(i, j int) bool { return b.Approvals[i].Name < b.Approvals[j].Name })
	return nil
}

// Trust is what a reader trusts: publisher keys, approver keys and how many
// distinct approvers must countersign.
type Trust struct {
	Publishers []*verify.PublicKey
	Approvers  []*verify.PublicKey
	Threshold  int
}

// Verdict says who signed a bundle that passed Verify.
type Verdict struct {
	Publisher *verify.PublicKey
	Approvers []*verify.PublicKey
}

// ErrSignature is wrapped when bundle.json.sig does not verify.
var ErrSignature = errors.New("publisher signature is not valid")

// Verify checks the publisher signature, the approval threshold and the
// validity period at now. It reads no payload.
func (b *Bundle) Verify(t Trust, now time.Time) (*Verdict, error) {
	if len(t.Publishers) == 0 {
		return nil, errors.New("no trusted publisher key given")
	}
	pub, err := verify.Signer(b.Raw, verify.Signed{Name: SignatureName, Sig: b.Signature}, t.Publishers)
	if err != nil {
		return nil, &FileError{Path: SignatureName, Dir: b.Dirs[0], Err: fmt.Errorf("%w: %v", ErrSignature, err)}
	}
	v := &Verdict{Publisher: pub}
	if t.Threshold > 0 {
		v.Approvers, err = verify.Approvals(b.Raw, b.Approvals, t.Approvers, t.Threshold)
		if err != nil {
			return nil, &FileError{Path: ApprovalsDir, Dir: b.Dirs[0], Err: err}
		}
	}
	if err := verify.CheckValidity(b.Manifest.Created, b.Manifest.Expires, now); err != nil {
		return nil, &FileError{Path: ManifestName, Dir: b.Dirs[0], Err: err}
	}
	return v, nil
}

// Size returns the total bytes of all files the manifest lists.
func (b *Bundle) Size() int64 {
	var n int64
	for _, r := range b.Manifest.Paths() {
		n += r.Size
	}
	return n
}

// open opens one listed file for reading after checking it is a regular file.
func (b *Bundle) open(rel string) (*os.File, string, error) {
	dir, ok := b.where[rel]
	if !ok {
		// Never resolve a path the manifest does not list (it would be
		// relative to the working directory).
		return nil, "", &FileError{Path: rel, Err: fmt.Errorf("%w: not a file of this bundle", ErrLayout)}
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, dir, &FileError{Path: rel, Dir: dir, Err: fmt.Errorf("%w: missing; the copy is incomplete, copy the whole bundle folder again", ErrLayout)}
	}
	if !fi.Mode().IsRegular() {
		return nil, dir, &FileError{Path: rel, Dir: dir, Err: fmt.Errorf("%w: not a regular file", ErrLayout)}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, dir, &FileError{Path: rel, Dir: dir, Err: err}
	}
	return f, dir, nil
}

// CheckFiles reads every listed file once, checking size and SHA-256 while
// reading, and checks that each meta file is a well-formed .xz of the
// recorded size. progress, if set, receives the bytes read.
func (b *Bundle) CheckFiles(ctx context.Context, progress func(int64)) error {
	for _, r := range b.Manifest.Paths() {
		if err := b.checkFile(ctx, r, progress); err != nil {
			return err
		}
	}
	for _, mf := range b.Manifest.Meta {
		rc, err := b.OpenMeta(ctx, mf.Name)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *Bundle) checkFile(ctx context.Context, r FileRef, progress func(int64)) error {
	f, dir, err := b.open(r.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	var dst io.Writer = io.Discard
	if progress != nil {
		dst = &progressWriter{w: io.Discard, fn: progress}
	}
	if _, err := verify.Copy(dst, &ctxReader{ctx: ctx, r: f}, r.Size, r.SHA256); err != nil {
		return &FileError{Path: r.Path, Dir: dir, Err: err}
	}
	return nil
}

// OpenArtifact returns the content of an artifact, joining its parts. Every
// part and the whole are checked while reading: the reader returns a
// *FileError wrapping verify.ErrMismatch instead of io.EOF when anything
// differs, so a consumer must read to io.EOF before trusting the bytes.
func (b *Bundle) OpenArtifact(ctx context.Context, a *Artifact) (io.ReadCloser, error) {
	if err := verify.ParseSHA256(a.SHA256); err != nil {
		return nil, fmt.Errorf("artifact %q: %w", a.FileName, err)
	}
	var readers []io.Reader
	var closers multiCloser
	add := func(rel string, size int64, sum string) error {
		f, dir, err := b.open(rel)
		if err != nil {
			return err
		}
		closers = append(closers, f)
		readers = append(readers, &fileErrReader{r: verify.NewReader(&ctxReader{ctx: ctx, r: f}, size, sum), path: rel, dir: dir})
		return nil
	}
	if len(a.Parts) == 0 {
		if err := add(PayloadPath(a.SHA256), a.Size, a.SHA256); err != nil {
			return nil, err
		}
		return &readCloser{Reader: readers[0], Closer: closers}, nil
	}
	for i, p := range a.Parts {
		if err := add(PartPath(a.SHA256, i+1), p.Size, p.SHA256); err != nil {
			closers.Close()
			return nil, err
		}
	}
	whole := &fileErrReader{r: verify.NewReader(io.MultiReader(readers...), a.Size, a.SHA256), path: PayloadPath(a.SHA256) + " (joined parts)", dir: b.Dirs[0]}
	return &readCloser{Reader: whole, Closer: closers}, nil
}

// OpenMeta returns the decompressed content of meta file name. The .xz file
// is hashed against the manifest and its structure and dictionary size are
// checked before a decoder is opened; the output is limited to the recorded
// size, and a different size, or .xz bytes read by the decoder that differ
// from the ones hashed, is an error at the end of the stream.
func (b *Bundle) OpenMeta(ctx context.Context, name string) (io.ReadCloser, error) {
	var mf *MetaFile
	for i := range b.Manifest.Meta {
		if b.Manifest.Meta[i].Name == name {
			mf = &b.Manifest.Meta[i]
		}
	}
	if mf == nil {
		return nil, fmt.Errorf("meta file %q is not in this bundle", name)
	}
	rel := MetaPath(name)
	if err := b.checkFile(ctx, FileRef{Path: rel, Size: mf.Size, SHA256: mf.SHA256}, nil); err != nil {
		return nil, err
	}
	f, dir, err := b.open(rel)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (io.ReadCloser, error) {
		f.Close()
		return nil, &FileError{Path: rel, Dir: dir, Err: err}
	}
	if err := checkXZ(f, mf.Size); err != nil {
		return fail(err)
	}
	// The decoder reads the file again: hash what it reads, so that a
	// medium that answers a second read differently is caught at the end.
	in := verify.NewHashing(io.NewSectionReader(f, 0, mf.Size))
	zr, err := xz.ReaderConfig{DictCap: MaxXZDict, SingleStream: true}.NewReader(in)
	if err != nil {
		return fail(err)
	}
	end := func() error {
		if in.N() != mf.Size || in.Sum() != mf.SHA256 {
			return &verify.DigestError{Want: mf.SHA256, Got: in.Sum()}
		}
		return nil
	}
	return &readCloser{Reader: &fileErrReader{r: &exactReader{r: zr, size: mf.Expanded, end: end}, path: rel, dir: dir}, Closer: f}, nil
}

// exactReader returns at most size bytes and fails if the stream ends
// early or holds more, or if end (when set) fails at the end.
type exactReader struct {
	r    io.Reader
	size int64
	n    int64
	end  func() error
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.n == e.size {
		// Reading on to the end also lets the decoder check the block
		// checksums, the index and the footer: its errors count.
		var one [1]byte
		n, err := io.ReadFull(e.r, one[:])
		if n > 0 {
			return 0, &verify.SizeError{Want: e.size, Got: e.size + 1, Long: true}
		}
		if err != io.EOF {
			return 0, err
		}
		if e.end != nil {
			if err := e.end(); err != nil {
				return 0, err
			}
		}
		return 0, io.EOF
	}
	if rem := e.size - e.n; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := e.r.Read(p)
	e.n += int64(n)
	if err == io.EOF && e.n < e.size {
		return n, &verify.SizeError{Want: e.size, Got: e.n}
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

type fileErrReader struct {
	r    io.Reader
	path string
	dir  string
}

func (f *fileErrReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF {
		var fe *FileError
		if !errors.As(err, &fe) {
			err = &FileError{Path: f.path, Dir: f.dir, Err: err}
		}
	}
	return n, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// progressWriter reports the bytes written through it.
type progressWriter struct {
	w  io.Writer
	fn func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if p.fn != nil && n > 0 {
		p.fn(int64(n))
	}
	return n, err
}

// ctxReader stops a copy when ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
