package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/patchferry/patchferry/media/durable"
	"github.com/patchferry/patchferry/verify"
)

// DefaultMaxFileSize is the largest file FAT32 holds (4 GiB − 1). Larger
// payloads are split into parts.
const DefaultMaxFileSize = 4<<30 - 1

// DefaultSite is the site name used when none is given.
const DefaultSite = "default"

// approvalReserve is room kept on each volume for approvals/<name>.sig.
const approvalReserve = 16 << 10

// WriteOptions says where and how to write a bundle.
type WriteOptions struct {
	Out         string // media root; the bundle goes to Out/patchferry-<site>-<seq>[-volNNofMM]/
	Site        string
	Sequence    uint64
	Base        uint64 // 0: full bundle
	Created     time.Time
	Expires     time.Time // zero: never
	MaxFileSize int64     // 0: DefaultMaxFileSize
	VolumeSize  int64     // 0: one directory
	Key         *verify.PrivateKey
	Progress    func(n int64) // called with the bytes copied, as they are copied
	// Zone is the time zone README.txt shows times in (nil: UTC); the
	// commands pass the machine's. bundle.json is the same in any zone.
	Zone *time.Location
}

// Input is one payload to put in a bundle.
type Input struct {
	Path string
	// Artifact describes the file. FileName defaults to the base name of
	// Path; Size, SHA256 and Parts are filled in by Write. A SHA256 that is
	// already set must match the file.
	Artifact Artifact
}

// MetaInput is one vendor metadata file, stored as meta/<Name>.xz.
type MetaInput struct {
	Name string
	Path string
}

// Contents is what goes into a bundle besides the options.
type Contents struct {
	Inputs  []Input
	Meta    []MetaInput
	Catalog Catalog // nil: one entry per vendor/product/channel/version of Inputs
	Retired RetiredSet
}

// Written describes a bundle after Write.
type Written struct {
	Dirs     []string // the bundle directories, in volume order
	Manifest *Manifest
	Raw      []byte // exact bytes of bundle.json
}

// Write lays out a signed bundle: payloads as they are (split into parts
// above MaxFileSize), meta files xz-compressed, bundle.json and its
// signature, README.txt, and over volumes a volume.json each. It writes into
// hidden staging directories and renames them into place only when
// everything is durable, so a crash or a full medium leaves no half bundle
// under a bundle name. With the same inputs and Created the output is
// byte-identical (signatures are deterministic), README.txt too when Zone
// is the same.
func Write(ctx context.Context, o WriteOptions, c Contents) (*Written, error) {
	w, err := newWriter(o, c)
	if err != nil {
		return nil, err
	}
	defer w.cleanup()
	return w.write(ctx)
}

type writer struct {
	o        WriteOptions
	c        Contents
	m        Manifest
	sizes    []int64 // size of each input
	staging  []string
	metaDir  string // staging dir holding compressed meta before the plan
	planPart int64
	volumes  int
	assign   [][]int // per input, the volume of each piece (1-based)
	files    [][]string
	done     bool
}

func newWriter(o WriteOptions, c Contents) (*writer, error) {
	if o.Site == "" {
		o.Site = DefaultSite
	}
	if o.MaxFileSize == 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	var errs []error
	if err := ValidSite(o.Site); err != nil {
		errs = append(errs, err)
	}
	if o.Sequence == 0 {
		errs = append(errs, errors.New("sequence must be 1 or more"))
	}
	if o.Base >= o.Sequence && o.Sequence > 0 {
		errs = append(errs, fmt.Errorf("base %d must be below sequence %d", o.Base, o.Sequence))
	}
	if o.MaxFileSize < 1 {
		errs = append(errs, errors.New("max file size must be positive"))
	}
	if o.VolumeSize < 0 {
		errs = append(errs, errors.New("volume size must be positive"))
	}
	if o.Key == nil {
		errs = append(errs, errors.New("a signing key is required"))
	}
	if o.Created.IsZero() {
		errs = append(errs, errors.New("creation time is required"))
	}
	if !o.Expires.IsZero() && !o.Expires.After(o.Created) {
		errs = append(errs, errors.New("expiry must be after the creation time"))
	}
	if len(c.Inputs) > MaxArtifacts {
		errs = append(errs, fmt.Errorf("more than %d files", MaxArtifacts))
	}
	w := &writer{o: o, c: c}
	for i := range c.Inputs {
		in := &w.c.Inputs[i]
		if in.Artifact.FileName == "" {
			in.Artifact.FileName = filepath.Base(in.Path)
		}
		if err := in.Artifact.ValidNames(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", in.Path, err))
		}
		fi, err := os.Stat(in.Path)
		switch {
		case err != nil:
			errs = append(errs, err)
		case !fi.Mode().IsRegular():
			errs = append(errs, fmt.Errorf("%s is not a regular file", in.Path))
		case fi.Size() > MaxArtifactSize:
			errs = append(errs, fmt.Errorf("%s: %w", in.Path, &verify.LimitError{What: "file", Limit: MaxArtifactSize}))
		default:
			w.sizes = append(w.sizes, fi.Size())
		}
	}
	names := make(map[string]bool)
	for _, mi := range c.Meta {
		if err := validMetaName(mi.Name); err != nil {
			errs = append(errs, fmt.Errorf("meta %s: %w", mi.Path, err))
		}
		if names[mi.Name] {
			errs = append(errs, fmt.Errorf("meta name %q given twice", mi.Name))
		}
		names[mi.Name] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	w.m = Manifest{
		Format: FormatVersion, Site: o.Site, Sequence: o.Sequence, Base: o.Base,
		Created: o.Created.UTC(), Expires: o.Expires.UTC(), Retired: c.Retired,
	}
	if o.Expires.IsZero() {
		w.m.Expires = time.Time{}
	}
	return w, nil
}

func (w *writer) name(vol int) DirName {
	d := DirName{Site: w.o.Site, Sequence: w.o.Sequence}
	if w.volumes > 1 {
		d.Volume, d.Volumes = vol, w.volumes
	}
	return d
}

func (w *writer) write(ctx context.Context) (*Written, error) {
	if err := os.MkdirAll(w.o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	if err := w.checkFree(); err != nil {
		return nil, err
	}
	var err error
	w.metaDir, err = mkdirStaging(w.o.Out, "."+w.name(0).Bundle()+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	w.staging = append(w.staging, w.metaDir)
	if err := w.compressMeta(ctx); err != nil {
		return nil, err
	}
	if err := w.plan(); err != nil {
		return nil, err
	}
	for v := 2; v <= w.volumes; v++ {
		d, err := mkdirStaging(w.o.Out, "."+w.name(v).String()+".tmp-")
		if err != nil {
			return nil, fmt.Errorf("create staging directory: %w", err)
		}
		w.staging = append(w.staging, d)
	}
	w.files = make([][]string, w.volumes)
	for _, mf := range w.m.Meta {
		w.files[0] = append(w.files[0], MetaPath(mf.Name))
	}
	w.m.Artifacts = make(Artifacts, len(w.c.Inputs))
	if err := w.copyInputs(ctx); err != nil {
		return nil, err
	}
	if w.c.Catalog != nil {
		w.m.Catalog = w.c.Catalog
	} else {
		w.m.Catalog = CatalogOf(w.m.Artifacts)
	}
	if err := w.m.Validate(); err != nil {
		return nil, fmt.Errorf("bundle would be invalid: %w", err)
	}
	raw, err := w.m.Marshal()
	if err != nil {
		return nil, err
	}
	sig, err := verify.Sign(w.o.Key, raw)
	if err != nil {
		return nil, err
	}
	dirs, err := w.finish(raw, verify.EncodeSignature(sig))
	if err != nil {
		return nil, err
	}
	m := w.m
	return &Written{Dirs: dirs, Manifest: &m, Raw: raw}, nil
}

// mkdirStaging makes a staging directory. It becomes the bundle directory,
// so it gets the mode of the other directories (0755), not MkdirTemp's 0700.
func mkdirStaging(out, pattern string) (string, error) {
	d, err := os.MkdirTemp(out, pattern)
	if err != nil {
		return "", err
	}
	if err := os.Chmod(d, 0o755); err != nil {
		os.Remove(d)
		return "", err
	}
	return d, nil
}

// checkFree refuses to overwrite an existing bundle of the same name.
func (w *writer) checkFree() error {
	entries, err := os.ReadDir(w.o.Out)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if d, ok := ParseDirName(e.Name()); ok && d.Site == w.o.Site && d.Sequence == w.o.Sequence {
			return fmt.Errorf("%s already exists: a bundle with sequence %d for site %s is on this medium; remove it or use another --out",
				filepath.Join(w.o.Out, e.Name()), w.o.Sequence, w.o.Site)
		}
	}
	return nil
}

// finish writes the manifest, signature, README and volume index into every
// staging directory, makes everything durable and renames the staging
// directories to their bundle names.
func (w *writer) finish(raw, sig []byte) ([]string, error) {
	manifestSum := verify.SHA256Hex(raw)
	var dirs []string
	for v := 1; v <= w.volumes; v++ {
		dir := w.staging[v-1]
		name := w.name(v)
		files := map[string][]byte{
			ManifestName:  raw,
			SignatureName: sig,
			ReadmeName:    []byte(Readme(&w.m, name, w.o.Zone)),
		}
		if w.volumes > 1 {
			sort.Strings(w.files[v-1])
			idx := &VolumeIndex{Format: FormatVersion, Volume: v, Volumes: w.volumes, ManifestSHA256: manifestSum, Files: w.files[v-1]}
			b, err := idx.Marshal()
			if err != nil {
				return nil, err
			}
			files[VolumeName] = b
		}
		for n, b := range files {
			// Mode as os.Create; syncTree fsyncs it with everything else.
			if err := os.WriteFile(filepath.Join(dir, n), b, 0o666); err != nil {
				return nil, err
			}
		}
		if err := syncTree(dir, w.o.Created); err != nil {
			return nil, err
		}
	}
	for v := 1; v <= w.volumes; v++ {
		final := filepath.Join(w.o.Out, w.name(v).String())
		if err := os.Rename(w.staging[v-1], final); err != nil {
			return nil, fmt.Errorf("move bundle into place: %w", err)
		}
		w.staging[v-1] = ""
		dirs = append(dirs, final)
	}
	w.done = true
	return dirs, durable.SyncDir(w.o.Out)
}

// syncTree sets every modification time to t (reproducible trees) and
// fsyncs every file, then every directory, deepest first.
func syncTree(root string, t time.Time) error {
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		if err := durable.SyncFile(p); err != nil {
			return err
		}
		return os.Chtimes(p, t, t)
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := durable.SyncDir(dirs[i]); err != nil {
			return err
		}
		if err := os.Chtimes(dirs[i], t, t); err != nil {
			return err
		}
	}
	return nil
}

// cleanup removes staging directories after a failed write.
func (w *writer) cleanup() {
	if w.done {
		return
	}
	for _, d := range w.staging {
		if d != "" {
			os.RemoveAll(d)
		}
	}
}
