package cmd

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Every package has a doc.go whose comment maps its files (STYLE.md,
// practice 1): each non-test Go file of the package is named there, so a
// newcomer finds which file holds what. Test files and testdata are not
// mapped.
func TestDocMapsNameEveryFile(t *testing.T) {
	missing, err := unmappedFiles("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range missing {
		t.Error(m)
	}
}

// unmappedFiles walks the module at root and returns one message per Go
// file that its package's doc.go does not name, and per package without a
// doc.go.
func unmappedFiles(root string) ([]string, error) {
	files := map[string][]string{} // package directory → its non-test Go files
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			files[filepath.Dir(p)] = append(files[filepath.Dir(p)], name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for dir, names := range files {
		rel, _ := filepath.Rel(root, dir)
		rel = filepath.ToSlash(rel)
		doc, err := packageComment(filepath.Join(dir, "doc.go"))
		if err != nil {
			out = append(out, rel+": no doc.go with a package comment that maps its files ("+err.Error()+")")
			continue
		}
		for _, n := range names {
			if n != "doc.go" && !mentions(doc, n) {
				out = append(out, rel+"/"+n+": not named in "+rel+"/doc.go; add it to the code map")
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// packageComment is the package clause's doc comment of a Go file.
func packageComment(path string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil {
		return "", err
	}
	if f.Doc == nil {
		return "", os.ErrNotExist
	}
	return f.Doc.Text(), nil
}

// mentions reports whether doc names the file: its full name, or a glob
// the code map uses for a family of files (cmd_bundle*.go, lang*.go).
func mentions(doc, name string) bool {
	for _, w := range regexp.MustCompile(`[A-Za-z0-9_*.\-]+\.go`).FindAllString(doc, -1) {
		if ok, _ := filepath.Match(w, name); ok {
			return true
		}
	}
	return false
}

// The check itself finds an unnamed file and a missing doc.go.
func TestDocMapCheckerCatches(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a/doc.go", "// Package a.\n//\n//\tone.go   the first\n//\tcmd_*.go the commands\npackage a\n")
	write("a/one.go", "package a\n")
	write("a/cmd_x.go", "package a\n")
	write("a/two.go", "package a\n")
	write("a/two_test.go", "package a\n")
	write("a/testdata/x.go", "package x\n")
	write("b/b.go", "package b\n")
	got, err := unmappedFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a/two.go: not named in a/doc.go; add it to the code map", "b: no doc.go"}
	if len(got) != 2 || got[0] != want[0] || !strings.HasPrefix(got[1], want[1]) {
		t.Errorf("unmappedFiles = %q, want %q", got, want)
	}
}
