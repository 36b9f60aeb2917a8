package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"sync"
)

// smallBlob is the size up to which a blob is served from memory. Opening,
// checking and closing a file costs a small blob more than sending it; a
// terminal fleet asks for the same small files (signatures, metadata) over and
// over.
const smallBlob = 2 << 10

// maxSmallBlobs bounds the memory the small-blob cache holds (at most
// maxSmallBlobs × smallBlob = 16 MiB).
const maxSmallBlobs = 8192

var errDamaged = errors.New("blob damaged")

// smallBlobs keeps the bytes of small blobs, each checked against its
// SHA-256 when it is read from disk: a cached blob is always the right one,
// even if the file is later damaged (scrub finds that, and the quarantine
// takes the blob out of the snapshot, which is asked first).
type smallBlobs struct {
	mu   sync.RWMutex
	data map[string][]byte // SHA-256 hex → bytes
}

// get returns the bytes of the blob sha of the given size, reading and
// checking the file at path on first use.
func (c *smallBlobs) get(sha, path string, size int64, open func(string) (*os.File, error)) ([]byte, error) {
	c.mu.RLock()
	b, ok := c.data[sha]
	c.mu.RUnlock()
	if ok {
		return b, nil
	}
	b, err := readSmallBlob(open, path, sha, size)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.data == nil {
		c.data = make(map[string][]byte)
	}
	if len(c.data) < maxSmallBlobs {
		c.data[sha] = b
	}
	c.mu.Unlock()
	return b, nil
}

// retain drops the blobs a new snapshot no longer serves.
func (c *smallBlobs) retain(blobs map[string]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maps.DeleteFunc(c.data, func(sha string, _ []byte) bool { _, ok := blobs[sha]; return !ok })
}

// readSmallBlob reads the file at path and checks its size and SHA-256; a
// mismatch is a *damageError.
func readSmallBlob(open func(string) (*os.File, error), path, sha string, size int64) ([]byte, error) {
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, size+1) // one more: a longer file shows
	n, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	b = b[:n]
	var bad error
	if int64(n) != size {
		bad = fmt.Errorf("%s: %d bytes, want %d: %w", path, n, size, errDamaged)
	} else if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != sha {
		bad = fmt.Errorf("%s: SHA-256 mismatch: %w", path, errDamaged)
	}
	if bad != nil {
		fi, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("%w (stat: %v)", bad, err) // not quarantined: scrub will
		}
		return nil, &damageError{fi: fi, err: bad}
	}
	return b, nil
}
