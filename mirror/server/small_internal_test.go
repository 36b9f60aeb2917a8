package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The cache holds at most maxSmallBlobs blobs (more are still served, read
// each time) and forgets the blobs a new snapshot does not serve.
func TestSmallBlobsBounded(t *testing.T) {
	dir := t.TempDir()
	var c smallBlobs
	keep := map[string]int64{}
	for i := range maxSmallBlobs + 10 {
		b := []byte(fmt.Sprint("blob ", i))
		sum := sha256.Sum256(b)
		sha := hex.EncodeToString(sum[:])
		p := filepath.Join(dir, sha)
		if err := os.WriteFile(p, b, 0o444); err != nil {
			t.Fatal(err)
		}
		got, err := c.get(sha, p, int64(len(b)), openBlob)
		if err != nil || string(got) != string(b) {
			t.Fatalf("get %d: %q, %v", i, got, err)
		}
		if i%2 == 0 {
			keep[sha] = int64(len(b))
		}
	}
	if n := len(c.data); n != maxSmallBlobs {
		t.Errorf("%d blobs cached, want the bound %d", n, maxSmallBlobs)
	}
	c.retain(keep)
	for sha := range c.data {
		if _, ok := keep[sha]; !ok {
			t.Fatalf("retain kept %s", sha)
		}
	}
	if n := len(c.data); n == 0 || n > len(keep) {
		t.Errorf("%d blobs cached after retain", n)
	}
}

func TestReadSmallBlobDamaged(t *testing.T) {
	dir := t.TempDir()
	b := []byte("0123456789")
	sum := sha256.Sum256(b)
	sha := hex.EncodeToString(sum[:])
	for name, content := range map[string][]byte{
		"longer":  append(b, 'x'),
		"shorter": b[:9],
		"flipped": []byte("0123456788"),
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o444); err != nil {
			t.Fatal(err)
		}
		if _, err := readSmallBlob(openBlob, p, sha, int64(len(b))); !errors.Is(err, errDamaged) {
			t.Errorf("%s: %v, want errDamaged", name, err)
		}
	}
	if _, err := readSmallBlob(openBlob, filepath.Join(dir, "missing"), sha, 10); err == nil || errors.Is(err, errDamaged) {
		t.Errorf("missing file: %v, want a not-found error", err)
	}
}
