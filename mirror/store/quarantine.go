package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media/durable"
)

// QuarantineDir holds blobs that failed a scrub; they are never served.
const QuarantineDir = "quarantine"

var bucketQuarantine = []byte("quarantine")

// QuarantineRecord says why a blob was taken out of service.
type QuarantineRecord struct {
	Time   time.Time `json:"time"`
	Reason string    `json:"reason"`
}

// Quarantine moves a blob to quarantine/sha256/<sha256> (kept for
// investigation) and records it, so it is never served again. A blob that
// is missing is recorded too.
func (s *Store) Quarantine(sha, reason string, now time.Time) error {
	dir := filepath.Join(s.dir, QuarantineDir, "sha256")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.Rename(s.BlobPath(sha), filepath.Join(dir, sha)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("quarantine %s: %w", sha, err)
	}
	if err := durable.SyncDir(dir); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketQuarantine)
		if err != nil {
			return err
		}
		return putJSON(b, []byte(sha), QuarantineRecord{Time: now.UTC(), Reason: reason})
	})
}

// Quarantined returns every quarantined blob.
func Quarantined(tx *bolt.Tx) (map[string]QuarantineRecord, error) {
	out := make(map[string]QuarantineRecord)
	b := tx.Bucket(bucketQuarantine)
	if b == nil {
		return out, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		var r QuarantineRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		out[string(k)] = r
		return nil
	})
	return out, err
}

// Serves reports whether the store lists the blob sha as one to serve: an
// artifact record refers to it and it is not quarantined. It looks up the
// one key (no scan of the quarantine).
func (s *Store) Serves(sha string) (bool, error) {
	var serves bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketQuarantine); b != nil && b.Get([]byte(sha)) != nil {
			return nil
		}
		r, err := GetArtifact(tx, sha)
		serves = r != nil
		return err
	})
	return serves, err
}

// ClearQuarantine forgets a quarantine record once an import has stored a
// good copy of the blob again.
func ClearQuarantine(tx *bolt.Tx, sha string) error {
	b := tx.Bucket(bucketQuarantine)
	if b == nil {
		return nil
	}
	return b.Delete([]byte(sha))
}
