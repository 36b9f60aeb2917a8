package fetcher

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/patchferry/patchferry/media/durable"
	"github.com/patchferry/patchferry/verify"
)

// Cache is the content-addressed download cache:
//
//	<cache_dir>/blobs/sha256/ab/<sha256>   verified downloads and metadata
//	<cache_dir>/partial/<sha256 of URL>    downloads in progress (resumable)
//	<cache_dir>/partial/<…>.json           their validators (ETag, Last-Modified, size)
type Cache struct{ dir string }

// OpenCache creates the cache directories in dir.
func OpenCache(dir string) (*Cache, error) {
	for _, d := range []string{"blobs/sha256", "partial"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
	}
	return &Cache{dir: dir}, nil
}

// Dir is the cache directory.
func (c *Cache) Dir() string { return c.dir }

// BlobPath is where the blob with this SHA-256 lives.
func (c *Cache) BlobPath(sha string) string {
	return filepath.Join(c.dir, "blobs", "sha256", sha[:2], sha)
}

// Has reports whether a blob is cached.
func (c *Cache) Has(sha string) bool {
	fi, err := os.Stat(c.BlobPath(sha))
	return err == nil && fi.Mode().IsRegular()
}

// partial returns the paths of a URL's download in progress.
func (c *Cache) partial(url string) (data, meta string) {
	sum := sha256.Sum256([]byte(url))
	base := filepath.Join(c.dir, "partial", hex.EncodeToString(sum[:16]))
	return base, base + ".json"
}

// PutBytes stores small content (metadata) durably and returns its SHA-256.
func (c *Cache) PutBytes(b []byte) (string, error) {
	sha := verify.SHA256Hex(b)
	if c.Has(sha) {
		return sha, nil
	}
	dir := filepath.Dir(c.BlobPath(sha))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return sha, durable.WriteFile(dir, sha, b, 0o644)
}

// ReadBlob reads a small cached blob (at most max bytes).
func (c *Cache) ReadBlob(sha string, max int64) ([]byte, error) {
	f, err := os.Open(c.BlobPath(sha))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return verify.ReadLimited(f, max, "cached "+sha)
}

// Commit moves a finished, verified download into the content-addressed
// cache (durably) and returns the blob path.
func (c *Cache) Commit(d *Download) (string, error) {
	target := c.BlobPath(d.SHA256)
	if c.Has(d.SHA256) {
		c.Discard(d)
		return target, nil
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.Open(d.Path)
	if err != nil {
		return "", err
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return "", err
	}
	if err := os.Rename(d.Path, target); err != nil {
		return "", err
	}
	os.Remove(d.meta)
	return target, durable.SyncDir(dir)
}

// Discard drops a download that failed verification.
func (c *Cache) Discard(d *Download) {
	os.Remove(d.Path)
	os.Remove(d.meta)
}

// Open opens a cached blob.
func (c *Cache) Open(sha string) (io.ReadCloser, error) { return os.Open(c.BlobPath(sha)) }

// PutFile copies a local file into the cache, hashing while copying, and
// returns its SHA-256 and size.
func (c *Cache) PutFile(path string) (sha string, size int64, err error) {
	src, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer src.Close()
	tmp, err := durable.CreateTemp(filepath.Join(c.dir, "partial"), "add")
	if err != nil {
		return "", 0, err
	}
	h := verify.NewHashing(src)
	if _, err := io.Copy(tmp, h); err != nil {
		durable.Discard(tmp)
		return "", 0, err
	}
	sha, size = h.Sum(), h.N()
	if c.Has(sha) {
		durable.Discard(tmp)
		return sha, size, nil
	}
	dir := filepath.Dir(c.BlobPath(sha))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		durable.Discard(tmp)
		return "", 0, err
	}
	return sha, size, durable.Commit(tmp, dir, sha)
}
