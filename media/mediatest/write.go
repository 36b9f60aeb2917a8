package mediatest

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
)

// Created is when test bundles are written unless the options say
// otherwise.
var Created = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// File is a payload given as bytes, with what is known about it.
type File struct {
	Data     []byte
	Artifact media.Artifact
}

// Contents is a bundle's contents given as bytes.
type Contents struct {
	Files   []File
	Meta    map[string][]byte // meta file name → content
	Catalog media.Catalog     // nil: one entry per product of Files
	Retired media.RetiredSet
}

// Write writes the files into temporary files and a bundle of them with
// media.Write. Zero options get test defaults: Out a new media root,
// Site "city", Sequence 1, Created Created, Key the test publisher.
func Write(t testing.TB, o media.WriteOptions, c Contents) *media.Written {
	t.Helper()
	src := t.TempDir()
	var in media.Contents
	in.Catalog, in.Retired = c.Catalog, c.Retired
	for i, f := range c.Files {
		p := filepath.Join(src, strconv.Itoa(i))
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		in.Inputs = append(in.Inputs, media.Input{Path: p, Artifact: f.Artifact})
	}
	names := make([]string, 0, len(c.Meta))
	for name := range c.Meta {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(src, "meta-"+strconv.Itoa(len(in.Meta)))
		if err := os.WriteFile(p, c.Meta[name], 0o644); err != nil {
			t.Fatal(err)
		}
		in.Meta = append(in.Meta, media.MetaInput{Name: name, Path: p})
	}
	if o.Out == "" {
		o.Out = filepath.Join(t.TempDir(), "media")
	}
	if o.Site == "" {
		o.Site = "city"
	}
	if o.Sequence == 0 {
		o.Sequence = 1
	}
	if o.Created.IsZero() {
		o.Created = Created
	}
	if o.Key == nil {
		o.Key = TestKeys(t).Publisher
	}
	w, err := media.Write(t.Context(), o, in)
	if err != nil {
		t.Fatalf("media.Write: %v", err)
	}
	return w
}
