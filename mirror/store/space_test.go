package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/mirror/store/storetest"
)

// Issue 11, hole 8: a full disk is reported with what is needed, on a
// real 1 MiB disk.
func TestPutBlobOnAFullDisk(t *testing.T) {
	dir := storetest.SmallDisk(t, 1<<20)
	if dir == "" {
		return // the test ran in a child process
	}
	st, err := store.Create(filepath.Join(dir, "mirror"), storetest.Trust(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := mediatest.RandomBytes(11, 2<<20)
	sum := sha256.Sum256(b)
	sha := hex.EncodeToString(sum[:])
	_, err = st.PutBlob(t.Context(), sha, int64(len(b)), bytes.NewReader(b), nil)
	var se *store.SpaceError
	if !errors.As(err, &se) || !errors.Is(err, store.ErrNoSpace) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("PutBlob of 2 MiB on a 1 MiB disk: %v, want a *SpaceError wrapping ENOSPC", err)
	}
	if se.Need != int64(len(b)) || se.Free < 0 || se.Free >= 1<<20 {
		t.Errorf("SpaceError: need %d, free %d; want need %d and what is free", se.Need, se.Free, len(b))
	}
	if st.HasBlob(sha) {
		t.Error("the blob is stored although its write failed")
	}
	if tmp, _ := os.ReadDir(filepath.Join(dir, "mirror", store.TmpDir)); len(tmp) != 0 {
		t.Errorf("tmp/ keeps %d files after the failed write", len(tmp))
	}
	if err := st.CheckSpace(10 << 20); !errors.Is(err, store.ErrNoSpace) {
		t.Errorf("CheckSpace(10 MiB) on a 1 MiB disk: %v, want ErrNoSpace", err)
	}
}
