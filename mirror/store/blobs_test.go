package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

func sha(b []byte) string { return mediatest.SHA256(b) }

// files lists every regular file under dir (relative paths).
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPutBlob(t *testing.T) {
	st := newStore(t)
	content := mediatest.RandomBytes(1, 3<<20+17) // more than one copy buffer
	var progress int64
	written, err := st.PutBlob(t.Context(), sha(content), int64(len(content)), bytes.NewReader(content), func(n int64) { progress += n })
	if err != nil || !written {
		t.Fatalf("PutBlob = %v, %v; want true, nil", written, err)
	}
	if progress != int64(len(content)) {
		t.Errorf("progress reported %d bytes, want %d", progress, len(content))
	}
	if !st.HasBlob(sha(content)) {
		t.Error("HasBlob is false after PutBlob")
	}
	p := st.BlobPath(sha(content))
	if want := filepath.Join(st.Dir(), "blobs", "sha256", sha(content)[:2], sha(content)); p != want {
		t.Errorf("BlobPath = %s, want %s", p, want)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o444 {
		t.Errorf("blob mode %v, want 0444 (immutable)", fi.Mode().Perm())
	}
	f, err := st.OpenBlob(sha(content))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("OpenBlob read %d bytes (err %v), want the %d bytes put", len(got), err, len(content))
	}
	if left := files(t, filepath.Join(st.Dir(), store.TmpDir)); len(left) != 0 {
		t.Errorf("tmp/ holds %v after a successful PutBlob", left)
	}

	empty := []byte{}
	if written, err := st.PutBlob(t.Context(), sha(empty), 0, bytes.NewReader(empty), nil); err != nil || !written {
		t.Errorf("PutBlob of an empty blob = %v, %v", written, err)
	}
}

func TestPutBlobRefuses(t *testing.T) {
	content := mediatest.RandomBytes(2, 100_000)
	other := bytes.Clone(content)
	other[50_000] ^= 1
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name     string
		ctx      context.Context
		sha      string
		size     int64
		r        []byte
		mismatch bool // the error wraps verify.ErrMismatch
	}{
		{name: "wrong digest", sha: sha(content), size: int64(len(content)), r: other, mismatch: true},
		{name: "truncated", sha: sha(content), size: int64(len(content)), r: content[:len(content)-1], mismatch: true},
		{name: "too long", sha: sha(content), size: int64(len(content)), r: append(bytes.Clone(content), 0), mismatch: true},
		{name: "size lies", sha: sha(content), size: int64(len(content)) - 1, r: content, mismatch: true},
		{name: "upper-case digest", sha: "AB" + sha(content)[2:], size: int64(len(content)), r: content},
		{name: "not a digest", sha: "../../etc/passwd", size: int64(len(content)), r: content},
		{name: "cancelled", ctx: cancelled, sha: sha(content), size: int64(len(content)), r: content},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			ctx := tc.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			written, err := st.PutBlob(ctx, tc.sha, tc.size, bytes.NewReader(tc.r), nil)
			if err == nil || written {
				t.Fatalf("PutBlob = %v, %v; want an error", written, err)
			}
			if got := errors.Is(err, verify.ErrMismatch); got != tc.mismatch {
				t.Errorf("errors.Is(%v, ErrMismatch) = %v, want %v", err, got, tc.mismatch)
			}
			for _, d := range []string{store.TmpDir, store.BlobsDir} {
				if left := files(t, filepath.Join(st.Dir(), d)); len(left) != 0 {
					t.Errorf("%s/ holds %v after a refused PutBlob", d, left)
				}
			}
			if st.HasBlob(sha(content)) {
				t.Error("HasBlob is true after a refused PutBlob")
			}
		})
	}
}

// unreadable fails the test if anyone reads from it.
type unreadable struct{ t *testing.T }

func (u unreadable) Read([]byte) (int, error) {
	u.t.Error("PutBlob read the source of a blob that is already stored")
	return 0, io.ErrUnexpectedEOF
}

func TestPutBlobKeepsExisting(t *testing.T) {
	st := newStore(t)
	content := mediatest.RandomBytes(3, 4096)
	if _, err := st.PutBlob(t.Context(), sha(content), 4096, bytes.NewReader(content), nil); err != nil {
		t.Fatal(err)
	}
	p := st.BlobPath(sha(content))
	before, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // a rewrite would get a later mtime
	written, err := st.PutBlob(t.Context(), sha(content), 4096, unreadable{t}, func(int64) { t.Error("progress for a blob not copied") })
	if err != nil || written {
		t.Fatalf("PutBlob of a stored blob = %v, %v; want false, nil", written, err)
	}
	after, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("mtime changed from %v to %v: the blob was rewritten", before.ModTime(), after.ModTime())
	}
	if !os.SameFile(before, after) {
		t.Error("the blob file was replaced")
	}
}

func TestRemoveBlob(t *testing.T) {
	st := newStore(t)
	content := mediatest.RandomBytes(4, 1000)
	if _, err := st.PutBlob(t.Context(), sha(content), 1000, bytes.NewReader(content), nil); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveBlob(sha(content)); err != nil {
		t.Fatal(err)
	}
	if st.HasBlob(sha(content)) {
		t.Error("blob still there after RemoveBlob")
	}
	if err := st.RemoveBlob(sha(content)); err != nil {
		t.Errorf("RemoveBlob of a missing blob = %v, want nil", err)
	}
}
