package media

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

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

// MissingError is a path given to Open that does not exist — a medium
// not connected or not mounted, a wrong drive letter —, is a file, or is
// a folder that holds no bundle (an empty mount point looks like that).
type MissingError struct {
	Path     string
	NotDir   bool  // it exists, but is not a directory
	NoBundle bool  // a directory without a bundle; Err is ErrLayout
	Err      error // the error of os.Stat, for a path that does not exist
}

func (e *MissingError) Error() string {
	switch {
	case e.NotDir:
		return fmt.Sprintf("open bundle: %s is not a directory; give the bundle folder (patchferry-<site>-<seq>) or the medium's root", e.Path)
	case e.NoBundle:
		return fmt.Sprintf("%v: %s holds no bundle (no %s and no patchferry-<site>-<seq> folder); check the medium", ErrLayout, e.Path, ManifestName)
	}
	return "open bundle: " + e.Err.Error()
}

func (e *MissingError) Unwrap() error { return e.Err }

// Bundle is a bundle opened for reading in place. Opening reads only the
// manifest, the signatures and the directory structure; payloads are read
// by CheckFiles, OpenArtifact and OpenMeta, through the bundle's source:
// its directories (Open) or an import stream (ReadStream).
type Bundle struct {
	Name      DirName // without volume numbers
	Manifest  *Manifest
	Raw       []byte // exact bytes of bundle.json: what the signatures cover
	Signature []byte // publisher signature, ASN.1 DER
	Approvals []verify.Signed
	Dirs      []string // bundle directories, in volume order (of the sender, for a stream)

	src source
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
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &MissingError{Path: p, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	if !fi.IsDir() {
		return nil, &MissingError{Path: p, NotDir: true}
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
		return nil, &MissingError{Path: p, NoBundle: true, Err: ErrLayout}
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
		return nil, errMissing(name, dir)
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
	src := &dirSource{where: make(map[string]string)}
	b := &Bundle{Name: DirName{Site: m.Site, Sequence: m.Sequence}, Manifest: m, Raw: first.raw, src: src}
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
			src.where[r.Path] = first.dir
		}
		expected[first.dir] = set
		b.Dirs = []string{first.dir}
	} else if err := b.placeVolumes(vols, refs, src.where, expected); err != nil {
		return nil, err
	}
	for _, d := range b.Dirs {
		if err := checkTree(d, expected[d]); err != nil {
			return nil, err
		}
	}
	if err := b.readSignatures(); err != nil {
		return nil, err
	}
	return b, nil
}

// placeVolumes orders the volumes, names any that are missing, and records
// in where the directory that holds each file.
func (b *Bundle) placeVolumes(vols []*volume, refs []FileRef, where map[string]string, expected map[string]map[string]bool) error {
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
			if prev, dup := where[f]; dup {
				return fmt.Errorf("%w: %s is listed on two volumes (%s and %s)", ErrLayout, f, prev, v.dir)
			}
			where[f] = v.dir
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
		if _, ok := where[r.Path]; !ok {
			return fmt.Errorf("%w: no volume index lists %s; the volumes are damaged, export the bundle again", ErrLayout, r.Path)
		}
	}
	for f, d := range where {
		if !listed[f] {
			return &FileError{Path: VolumeName, Dir: d, Err: fmt.Errorf("%w: lists %s, which bundle.json does not", ErrLayout, f)}
		}
	}
	return nil
}
