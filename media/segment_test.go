package media

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// badSegments are values that a field becoming a path segment may not
// hold, however validly the manifest is signed.
var badSegments = []string{"../x", "..", ".", "../..", "a/b", `a\b`, "C:x", ".hidden", " lead", "trail.", "x\x00y", "NUL", "a\nb"}

// pathFields are the manifest fields that become path segments, each with
// how to set it in a manifest that has one artifact, catalog entry and
// retired entry.
var pathFields = []struct {
	name string // as the error names it
	set  func(m *Manifest, v string)
}{
	{"vendor", func(m *Manifest, v string) { m.Artifacts[0].Vendor = v }},
	{"product", func(m *Manifest, v string) { m.Artifacts[0].Product = v }},
	{"channel", func(m *Manifest, v string) { m.Artifacts[0].Channel = v }},
	{"version", func(m *Manifest, v string) { m.Artifacts[0].Version = v }},
	{"platform", func(m *Manifest, v string) { m.Artifacts[0].Platform = v }},
	{"language", func(m *Manifest, v string) { m.Artifacts[0].Language = v }},
	{"file_name", func(m *Manifest, v string) { m.Artifacts[0].FileName = v }},
	{"catalog vendor", func(m *Manifest, v string) { m.Catalog[0].Vendor = v }},
	{"catalog product", func(m *Manifest, v string) { m.Catalog[0].Product = v }},
	{"catalog channel", func(m *Manifest, v string) { m.Catalog[0].Channel = v }},
	{"catalog version", func(m *Manifest, v string) { m.Catalog[0].Version = v }},
	{"retired vendor", func(m *Manifest, v string) { m.Retired[0].Vendor = v }},
	{"retired product", func(m *Manifest, v string) { m.Retired[0].Product = v }},
	{"retired version", func(m *Manifest, v string) { m.Retired[0].Version = v }},
}

// A validly signed manifest whose vendor, product, channel, version,
// platform, language or file name (in an artifact, a catalog entry or a
// retired entry) breaks the path rules is refused by every reader, and the
// error names the field and the value.
func TestRefuseBadPathFieldsInSignedManifest(t *testing.T) {
	c, _ := smallContents(t)
	c.Retired = RetiredSet{{Vendor: "mozilla", Product: "firefox", Version: "144.0", SHA256: strings.Repeat("ab", 32)}}
	w, _ := writeBundle(t, c, nil)
	good := w.Dirs[0]
	for _, f := range pathFields {
		for _, v := range badSegments {
			t.Run(f.name+" "+strconv.Quote(v), func(t *testing.T) {
				dir := t.TempDir()
				copyDir(t, good, dir)
				resignManifest(t, dir, func(m *Manifest) { f.set(m, v) })
				field := f.name[strings.LastIndex(f.name, " ")+1:]
				quoted := strings.Trim(strconv.Quote(v), `"`)
				checkSignedNameRefused(t, dir, v)
				_, err := Open(dir)
				mustFail(t, err, ErrPath, field+": ", quoted)
			})
		}
	}
	// Optional fields may stay empty; the good bundle has them set and empty.
	if _, err := Open(good); err != nil {
		t.Fatalf("the unchanged bundle: %v", err)
	}
}

// Write refuses a bad path field before it copies anything.
func TestWriteRefusesBadPathFields(t *testing.T) {
	for _, tc := range []struct {
		field string
		set   func(a *Artifact)
	}{
		{"product", func(a *Artifact) { a.Product = ".." }},
		{"version", func(a *Artifact) { a.Version = "../x" }},
		{"vendor", func(a *Artifact) { a.Vendor = "../../etc" }},
		{"platform", func(a *Artifact) { a.Platform = "win/64" }},
		{"language", func(a *Artifact) { a.Language = ".ja" }},
		{"channel", func(a *Artifact) { a.Channel = `..\release` }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			c, _ := smallContents(t)
			tc.set(&c.Inputs[0].Artifact)
			root := t.TempDir()
			_, err := Write(t.Context(), WriteOptions{Out: root, Sequence: 1, Created: created, Key: keys(t).Publisher}, c)
			mustFail(t, err, ErrPath, tc.field+": ")
			if entries, _ := readDirNames(root); len(entries) != 0 {
				t.Errorf("a refused Write left %v in %s", entries, root)
			}
		})
	}
}

// copyDir copies the tree at src into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readDirNames lists the names in dir.
func readDirNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}

// FuzzValidSegment: whatever ValidSegment accepts is a ValidName, joined
// under a directory it stays exactly one level below it (on this OS and
// with slashes), and it does not begin with a dot or space.
func FuzzValidSegment(f *testing.F) {
	for _, s := range append(badSegments, "145.0esr", "ja-JP-mac", "win64", "Firefox Setup 145.0.exe", "daily-27000.cdiff", "…", "a..b", "ＣＯＮ") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidSegment(s) != nil {
			return
		}
		if err := ValidName(s); err != nil {
			t.Fatalf("ValidSegment accepts %q, ValidName refuses it: %v", s, err)
		}
		if s[0] == '.' || s[0] == ' ' {
			t.Fatalf("ValidSegment accepts %q with a leading dot or space", s)
		}
		root := filepath.Join("root", "dir")
		if got := filepath.Dir(filepath.Join(root, s)); got != root {
			t.Fatalf("%q joined under %s lands in %s", s, root, got)
		}
		if strings.ContainsAny(s, "/\\") {
			t.Fatalf("ValidSegment accepts %q with a slash", s)
		}
	})
}
