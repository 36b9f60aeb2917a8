package media

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ulikunitz/xz"

	"github.com/patchferry/patchferry/verify"
)

const seedDir = "testdata/fuzz-seeds"

// seeds returns the seed files of one fuzz target by name. Files named
// valid-* must be accepted by the parser, bad-* refused, others either.
func seeds(t testing.TB, kind string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(seedDir, kind))
	if err != nil {
		t.Fatalf("read seeds: %v", err)
	}
	out := make(map[string][]byte)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(seedDir, kind, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	if len(out) == 0 {
		t.Fatalf("no seeds in %s/%s", seedDir, kind)
	}
	return out
}

func addSeeds(f *testing.F, kind string) {
	for _, b := range seeds(f, kind) {
		f.Add(b)
	}
}

// generatedSeeds are the seed files, made from code so that they stay
// valid as the format evolves; TestFuzzSeeds keeps testdata in step.
func generatedSeeds(t testing.TB) map[string][]byte {
	t.Helper()
	out := make(map[string][]byte)
	put := func(name string, b []byte) { out[name] = b }
	marshal := func(m *Manifest) []byte {
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	m := validManifest()
	full := marshal(m)
	put("manifest/valid-full.json", full)
	var compact bytes.Buffer
	if err := json.Compact(&compact, full); err != nil {
		t.Fatal(err)
	}
	put("manifest/valid-compact.json", compact.Bytes())
	d := validManifest()
	d.Base, d.Sequence, d.Expires = 6, 7, time.Time{}
	d.Created = time.Date(2026, 11, 24, 9, 0, 0, 123456789, time.FixedZone("JST", 9*3600))
	d.Catalog[0].Artifacts = []string{verify.SHA256Hex([]byte("from bundle 6"))}
	d.Retired = nil
	put("manifest/valid-delta.json", marshal(d))
	minimal := &Manifest{Format: 1, Site: "a", Sequence: 1, Created: created}
	put("manifest/valid-empty.json", marshal(minimal))
	evil := validManifest()
	evil.Artifacts[1].FileName = "../evil"
	put("manifest/bad-file-name.json", marshal(evil))
	evil = validManifest()
	evil.Meta[0].Name = ".."
	evil.Artifacts[0].Verification.Evidence = []string{".."}
	put("manifest/bad-meta-name.json", marshal(evil))
	evil = validManifest()
	evil.Artifacts[0].Parts[1].Size = 11
	put("manifest/bad-parts.json", marshal(evil))
	put("manifest/bad-unknown-field.json", bytes.Replace(full, []byte(`"site"`), []byte(`"key": "x", "site"`), 1))
	put("manifest/bad-trailing.json", append(bytes.Clone(full), "{}"...))

	sha := verify.SHA256Hex(full)
	vi := &VolumeIndex{Format: 1, Volume: 1, Volumes: 3, ManifestSHA256: sha, Files: []string{MetaPath("SUMS"), PayloadPath(sha), PartPath(sha, 1)}}
	b, err := vi.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	put("volume/valid.json", b)
	vi.Files = append(vi.Files, "files/../../etc/passwd")
	b, _ = vi.Marshal()
	put("volume/bad-path.json", b)
	vi.Files, vi.Volume = nil, 4
	b, _ = vi.Marshal()
	put("volume/bad-volume.json", b)

	put("xz/valid.xz", compressXZ(t, metaText, xz.WriterConfig{DictCap: 8 << 20}))
	put("xz/valid-crc32.xz", compressXZ(t, metaText[:100], xz.WriterConfig{CheckSum: xz.CRC32}))
	put("xz/valid-blocks.xz", compressXZ(t, metaText, xz.WriterConfig{BlockSize: 700, CheckSum: xz.SHA256}))
	put("xz/valid-empty.xz", compressXZ(t, nil, xz.WriterConfig{}))
	put("xz/bad-huge-dict.xz", hugeDictXZ(t, metaText))
	put("xz/bad-hidden-block.xz", hiddenBlockXZ(t))
	put("xz/check-mismatch.xz", badCheckXZ(t))
	for name, b := range streamSeeds(t) {
		put(name, b)
	}
	return out
}

// TestFuzzSeeds checks that the seed files are the generated ones and that
// valid-* seeds pass and bad-* seeds fail. With -update it rewrites them.
func TestFuzzSeeds(t *testing.T) {
	gen := generatedSeeds(t)
	if *update {
		for name, b := range gen {
			writeFile(t, seedDir, filepath.FromSlash(name), b)
		}
	}
	for name, want := range gen {
		got, err := os.ReadFile(filepath.Join(seedDir, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s/%s is missing or out of date (%v); run go test ./media -run TestFuzzSeeds -update", seedDir, name, err)
		}
	}
	parsers := map[string]func(b []byte) error{
		"manifest": func(b []byte) error { _, err := ParseManifest(b); return err },
		"volume":   func(b []byte) error { _, err := ParseVolumeIndex(b); return err },
		"xz":       func(b []byte) error { return checkXZ(bytes.NewReader(b), int64(len(b))) },
		"stream":   func(b []byte) error { return consumeStream(t, b) },
	}
	for kind, parse := range parsers {
		for name, b := range seeds(t, kind) {
			err := parse(b)
			switch {
			case strings.HasPrefix(name, "valid-") && err != nil:
				t.Errorf("%s/%s: %v, want it accepted", kind, name, err)
			case strings.HasPrefix(name, "bad-") && err == nil:
				t.Errorf("%s/%s accepted, want it refused", kind, name)
			}
		}
	}
}

// utcTimes returns a copy of m with every time in UTC, so that two
// manifests can be compared whatever zone their times were parsed in.
func utcTimes(m *Manifest) *Manifest {
	c := *m
	c.Created, c.Expires = c.Created.UTC(), c.Expires.UTC()
	c.Artifacts = slices.Clone(m.Artifacts)
	for i := range c.Artifacts {
		a := &c.Artifacts[i]
		a.Released, a.Verification.Time = a.Released.UTC(), a.Verification.Time.UTC()
	}
	return &c
}

func FuzzParseManifest(f *testing.F) {
	addSeeds(f, "manifest")
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("ParseManifest error %v is not a *ManifestError", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("ParseManifest accepted a manifest Validate refuses: %v", err)
		}
		b1, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed manifest: %v", err)
		}
		m2, err := ParseManifest(b1)
		if err != nil {
			t.Fatalf("ParseManifest(Marshal(m)): %v\n%s", err, b1)
		}
		if !reflect.DeepEqual(utcTimes(m), utcTimes(m2)) {
			t.Fatalf("manifest changed through Marshal and ParseManifest:\n%+v\n%+v", m, m2)
		}
		b2, err := m2.Marshal()
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("Marshal is not stable (err %v):\n%s\n%s", err, b1, b2)
		}
		// Every file a valid manifest names is a safe relative path, once.
		seen := make(map[string]bool)
		for _, r := range m.Paths() {
			if err := ValidPath(r.Path); err != nil || seen[r.Path] {
				t.Fatalf("Paths() gives %q (repeated %v): %v", r.Path, seen[r.Path], err)
			}
			if err := verify.ParseSHA256(r.SHA256); err != nil || r.Size < 0 {
				t.Fatalf("Paths() gives %+v", r)
			}
			seen[r.Path] = true
		}
	})
}

func FuzzValidPath(f *testing.F) {
	for _, p := range []string{
		"files/sha256/ab/abcd", "meta/SHA512SUMS.xz", "approvals/kacho.sig", "a", "../evil", "/etc/passwd", `C:\evil.exe`,
		`a\b`, "x\x00y", "..", ".", "", "a//b", "a/./b", "a/../b", "C:/x", "CON", "a/nul.txt", "files/ab:c", "ファイル/名前",
		"trailing./x", "x ", "\xff", "..0", "a/..b", "b../c", "a/" + strings.Repeat("b", 300),
	} {
		f.Add(p)
	}
	root := filepath.Join(string(filepath.Separator), "root")
	f.Fuzz(func(t *testing.T, p string) {
		err := ValidPath(p)
		if err != nil {
			if !errors.Is(err, ErrPath) {
				t.Fatalf("ValidPath(%q) = %v, which does not wrap ErrPath", p, err)
			}
			if ValidName(p) == nil {
				t.Fatalf("ValidName(%q) accepts what ValidPath refuses: %v", p, err)
			}
			return
		}
		switch {
		case slices.Contains(strings.Split(p, "/"), ".."):
			t.Fatalf("ValidPath accepted %q: a .. element", p)
		case strings.ContainsAny(p, "\\\x00:"):
			t.Fatalf("ValidPath accepted %q: backslash, NUL or ':'", p)
		case strings.HasPrefix(p, "/") || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
			t.Fatalf("ValidPath accepted %q: absolute", p)
		case !filepath.IsLocal(filepath.FromSlash(p)) || filepath.ToSlash(filepath.Clean(p)) != p:
			t.Fatalf("ValidPath accepted %q: not a clean local path", p)
		}
		for _, el := range strings.Split(p, "/") {
			if err := ValidName(el); err != nil {
				t.Fatalf("ValidPath accepted %q with element %q: %v", p, el, err)
			}
		}
		j := filepath.Join(root, filepath.FromSlash(p))
		if rel, err := filepath.Rel(root, j); err != nil || !filepath.IsLocal(rel) || !strings.HasPrefix(j, root+string(filepath.Separator)) {
			t.Fatalf("ValidPath accepted %q, which leaves %s: %s", p, root, j)
		}
	})
}

func FuzzParseVolumeIndex(f *testing.F) {
	addSeeds(f, "volume")
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseVolumeIndex(b)
		if err != nil {
			return
		}
		if err := v.Validate(); err != nil {
			t.Fatalf("ParseVolumeIndex accepted an index Validate refuses: %v", err)
		}
		b1, err := v.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		v2, err := ParseVolumeIndex(b1)
		if err != nil {
			t.Fatalf("ParseVolumeIndex(Marshal(v)): %v\n%s", err, b1)
		}
		if !reflect.DeepEqual(v, v2) {
			t.Fatalf("index changed through Marshal and ParseVolumeIndex:\n%+v\n%+v", v, v2)
		}
		for _, p := range v.Files {
			if !filepath.IsLocal(filepath.FromSlash(p)) {
				t.Fatalf("accepted file %q is not local", p)
			}
		}
	})
}

func FuzzParseDirName(f *testing.F) {
	for _, s := range []string{"patchferry-default-1", "patchferry-a-1-2", "patchferry-x-7-vol02of03", "patchferry-x-7-vol0100of0100", "patchferry-x-01", "patchferry-s-1-vol01of02-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		d, ok := ParseDirName(name)
		if !ok {
			return
		}
		if d.String() != name {
			t.Fatalf("ParseDirName(%q) = %+v, which is spelled %q", name, d, d.String())
		}
		if ValidSite(d.Site) != nil || d.Sequence == 0 || ValidName(name) != nil {
			t.Fatalf("ParseDirName(%q) = %+v: not a valid bundle name", name, d)
		}
		if d.Volumes != 0 && (d.Volume < 1 || d.Volume > d.Volumes || d.Volumes < 2 || d.Volumes > MaxVolumes) {
			t.Fatalf("ParseDirName(%q) = %+v: volume out of range", name, d)
		}
	})
}

func FuzzCheckXZ(f *testing.F) {
	addSeeds(f, "xz")
	f.Fuzz(func(t *testing.T, b []byte) {
		err := checkXZ(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, ErrXZ) {
				t.Fatalf("checkXZ error %v does not wrap ErrXZ", err)
			}
			return
		}
		// Accepted: the index is sound, so count its blocks and sizes.
		backward := int64(b[len(b)-8]) | int64(b[len(b)-7])<<8 | int64(b[len(b)-6])<<16 | int64(b[len(b)-5])<<24
		records, err := parseXZIndex(b[int64(len(b))-12-(backward+1)*4 : len(b)-12])
		if err != nil {
			t.Fatalf("checkXZ accepted a file whose index does not parse: %v", err)
		}
		var want int64
		for _, r := range records {
			want += r.uncompressed
		}
		// Property: the decoder the reader uses never asks for more than
		// MaxXZDict per block (it allocates one dictionary per block), and
		// what it decodes is what the index promises.
		var n int64
		var derr error
		allocated := heapAllocated(func() {
			zr, err := xz.ReaderConfig{DictCap: MaxXZDict, SingleStream: true}.NewReader(bytes.NewReader(b))
			if err != nil {
				derr = err
				return
			}
			n, derr = io.Copy(io.Discard, zr)
		})
		if limit := uint64(len(records)+1) * (MaxXZDict + 4<<20); allocated > limit {
			t.Fatalf("decoding an accepted .xz of %d blocks allocated %d MiB, more than %d MiB", len(records), allocated>>20, limit>>20)
		}
		if derr == nil && n != want {
			t.Fatalf("decoded %d bytes, the index promises %d", n, want)
		}
	})
}
