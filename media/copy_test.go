package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/patchferry/patchferry/verify"
)

// Many inputs, several of them split into parts, one twice: inputs are
// hashed while the next ones are copied and finished in order, and the
// bundle reads back exactly.
func TestWritePipelinedInputs(t *testing.T) {
	const limit = 64 << 10
	src := t.TempDir()
	want := map[string][]byte{}
	var c Contents
	for i := range 7 {
		name := fmt.Sprintf("file-%d.msu", i)
		size := []int{0, 1, limit, limit + 1, 3*limit + 17, 200_000, 5}[i]
		want[name] = randomBytes(uint64(100+i), size)
		c.Inputs = append(c.Inputs, input(t, src, name, want[name]))
	}
	want["again.msu"] = want["file-4.msu"]
	c.Inputs = append(c.Inputs, input(t, src, "again.msu", want["again.msu"]))
	var mu sync.Mutex
	var progress int64
	w, _ := writeBundle(t, c, func(o *WriteOptions) {
		o.MaxFileSize = limit
		o.Progress = func(n int64) { mu.Lock(); progress += n; mu.Unlock() }
	})
	checkRoundTrip(t, want, w.Dirs[0])
	var total int64
	for _, a := range w.Manifest.Artifacts {
		if a.SHA256 != verify.SHA256Hex(want[a.FileName]) {
			t.Errorf("%s: manifest SHA-256 %s is not the input's", a.FileName, a.SHA256)
		}
		total += a.Size
	}
	if progress != total {
		t.Errorf("progress reported %d bytes, want %d", progress, total)
	}
	// The same inputs again give the same bundle, byte for byte.
	w2, _ := writeBundle(t, c, func(o *WriteOptions) { o.MaxFileSize = limit })
	if !bytes.Equal(w.Raw, w2.Raw) {
		t.Error("a second write of the same inputs gave another manifest")
	}
}

// An input whose bytes are not the SHA-256 the caller expects (a damaged
// cache) is refused with its path, and nothing is left behind.
func TestWriteRefusesWrongDigest(t *testing.T) {
	src := t.TempDir()
	c := Contents{Inputs: []Input{
		input(t, src, "a.exe", randomBytes(1, 30_000)),
		input(t, src, "b.exe", randomBytes(2, 30_000)),
		input(t, src, "c.exe", randomBytes(3, 30_000)),
	}}
	c.Inputs[1].Artifact.SHA256 = verify.SHA256Hex([]byte("something else"))
	root := t.TempDir()
	_, err := Write(t.Context(), WriteOptions{Out: root, Sequence: 1, Created: created, Key: keys(t).Publisher}, c)
	var de *verify.DigestError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), c.Inputs[1].Path) {
		t.Fatalf("Write of an input with the wrong digest: %v", err)
	}
	wantEmpty(t, root)
}

// An input that changes while it is written is refused; so is a write
// cancelled in the middle of a copy. Nothing is left in the output folder.
func TestWriteInputChangesOrCancelled(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(path string) error
		want   string
	}{
		{"shorter", func(p string) error { return os.Truncate(p, 1000) }, "shorter than"},
		{"longer", func(p string) error {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.Write([]byte("more"))
			return err
		}, "longer than"},
		{"cancelled", nil, context.Canceled.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			c := Contents{}
			for i := range 4 {
				c.Inputs = append(c.Inputs, input(t, src, fmt.Sprintf("f%d.exe", i), randomBytes(uint64(i), 3*copyChunk/2)))
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var once sync.Once
			var changeErr error
			root := t.TempDir()
			_, err := Write(ctx, WriteOptions{Out: root, Sequence: 1, Created: created, Key: keys(t).Publisher,
				Progress: func(int64) {
					once.Do(func() { // during the copy of the first input
						if tc.change == nil {
							cancel()
							return
						}
						changeErr = tc.change(c.Inputs[2].Path)
					})
				}}, c)
			if changeErr != nil {
				t.Fatal(changeErr)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write: %v, want an error with %q", err, tc.want)
			}
			if tc.change != nil && !strings.Contains(err.Error(), c.Inputs[2].Path) {
				t.Errorf("the error does not name the input: %v", err)
			}
			wantEmpty(t, root)
		})
	}
}

func wantEmpty(t *testing.T, root string) {
	t.Helper()
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("a refused Write left %v in the output folder", names)
	}
}
