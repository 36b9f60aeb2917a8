package store

import (
	"context"
	"fmt"
	"io"
	"os"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/verify"
)

// Check reports every inconsistency in the store: bbolt's own page check,
// artifacts of the current catalog without a record, and referenced blobs
// that are missing or do not hash to their name. An empty result means the
// store is consistent.
func (s *Store) Check(ctx context.Context) ([]string, error) {
	var problems []string
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			problems = append(problems, "bbolt: "+err.Error())
		}
		st, err := GetState(tx)
		if err != nil {
			return err
		}
		if st != nil {
			for _, c := range st.Catalog {
				for _, sha := range c.Artifacts {
					if r, err := GetArtifact(tx, sha); err != nil || r == nil {
						problems = append(problems, fmt.Sprintf("catalog %s/%s %s: artifact %s has no record", c.Vendor, c.Product, c.Version, sha))
					}
				}
			}
		}
		return ForEachBlob(tx, func(sha string, size int64) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if p := s.checkBlob(sha, size); p != "" {
				problems = append(problems, p)
			}
			return nil
		})
	})
	return problems, err
}

// checkBlob re-hashes one blob; it returns "" when the blob is intact.
func (s *Store) checkBlob(sha string, size int64) string {
	f, err := os.Open(s.BlobPath(sha))
	if err != nil {
		return fmt.Sprintf("blob %s: %v", sha, err)
	}
	defer f.Close()
	if _, err := verify.Copy(io.Discard, f, size, sha); err != nil {
		return fmt.Sprintf("blob %s: %v", sha, err)
	}
	return ""
}
