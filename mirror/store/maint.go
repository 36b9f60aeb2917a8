package store

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// ScrubReport is what a scrub found.
type ScrubReport struct {
	Checked     int      `json:"checked"`
	Bytes       int64    `json:"bytes"`
	Quarantined []string `json:"quarantined"` // "<sha256>: <reason>"
}

// Scrub re-hashes every recorded blob and quarantines each one that is
// missing or does not hash to its name, so bitrot is never served.
func (s *Store) Scrub(ctx context.Context, now time.Time, progress func(int64)) (*ScrubReport, error) {
	type blob struct {
		sha  string
		size int64
	}
	var blobs []blob
	var quarantined map[string]QuarantineRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if quarantined, err = Quarantined(tx); err != nil {
			return err
		}
		return ForEachBlob(tx, func(sha string, size int64) error {
			if _, q := quarantined[sha]; !q {
				blobs = append(blobs, blob{sha, size})
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	rep := &ScrubReport{Quarantined: []string{}}
	buf := make([]byte, 1<<20)
	for _, b := range blobs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		reason := s.hashBlob(b.sha, b.size, buf, progress)
		rep.Checked++
		rep.Bytes += b.size
		if reason == "" {
			continue
		}
		if err := s.Quarantine(b.sha, reason, now); err != nil {
			return rep, err
		}
		rep.Quarantined = append(rep.Quarantined, b.sha+": "+reason)
	}
	return rep, nil
}

// hashBlob returns "" for an intact blob, else why it is not.
func (s *Store) hashBlob(sha string, size int64, buf []byte, progress func(int64)) string {
	f, err := os.Open(s.BlobPath(sha))
	if err != nil {
		return "missing: " + err.Error()
	}
	defer f.Close()
	var dst io.Writer = io.Discard
	if progress != nil {
		dst = &progressWriter{w: io.Discard, fn: progress}
	}
	if _, err := io.CopyBuffer(dst, verify.NewReader(f, size, sha), buf); err != nil {
		return err.Error()
	}
	return ""
}

// GCReport is what a garbage collection removed.
type GCReport struct {
	KeptVersions    int   `json:"kept_versions"`
	RemovedVersions int   `json:"removed_versions"`
	RemovedBlobs    int   `json:"removed_blobs"`
	FreedBytes      int64 `json:"freed_bytes"`
}

// GC keeps the newest keep versions of every product (and everything the
// current catalog needs), forgets older artifacts, and removes every blob
// that no remaining record refers to. Records go first in one transaction;
// a crash before the files are removed leaves orphans the next GC removes.
func (s *Store) GC(ctx context.Context, keep int) (*GCReport, error) {
	if keep < 1 {
		return nil, fmt.Errorf("--keep %d: keep at least 1 version per product", keep)
	}
	rep := &GCReport{}
	live := make(map[string]bool)
	err := s.db.Update(func(tx *bolt.Tx) error {
		cur, err := GetState(tx)
		if err != nil {
			return err
		}
		needed := make(map[string]bool)
		if cur != nil {
			for _, c := range cur.Catalog {
				for _, sha := range c.Artifacts {
					needed[sha] = true
				}
			}
		}
		type version struct {
			name  string
			first uint64
			arts  []media.Artifact
		}
		products := make(map[[3]string]map[string]*version)
		err = ForEachArtifact(tx, func(r *ArtifactRecord) error {
			k := [3]string{r.Vendor, r.Product, r.Channel}
			if products[k] == nil {
				products[k] = make(map[string]*version)
			}
			v := products[k][r.Version]
			if v == nil {
				v = &version{name: r.Version, first: r.FirstSequence}
				products[k][r.Version] = v
			}
			v.first = max(v.first, r.FirstSequence)
			v.arts = append(v.arts, r.Artifact)
			return nil
		})
		if err != nil {
			return err
		}
		forgotten := make(map[string]bool) // blobs of removed versions
		for _, versions := range products {
			list := make([]*version, 0, len(versions))
			for _, v := range versions {
				list = append(list, v)
			}
			sort.Slice(list, func(i, j int) bool {
				if list[i].first != list[j].first {
					return list[i].first > list[j].first
				}
				return list[i].name > list[j].name
			})
			for i, v := range list {
				keepIt := i < keep
				for _, a := range v.arts {
					keepIt = keepIt || needed[a.SHA256]
				}
				if keepIt {
					rep.KeptVersions++
					for _, a := range v.arts {
						live[a.SHA256] = true
					}
					continue
				}
				rep.RemovedVersions++
				for _, a := range v.arts {
					if err := DeleteArtifact(tx, &a); err != nil {
						return err
					}
					forgotten[a.SHA256] = true
				}
			}
		}
		// A blob no record refers to any more is no longer out of service:
		// keep its file in quarantine/, drop the quarantine record.
		for sha := range forgotten {
			r, err := GetArtifact(tx, sha)
			if err != nil {
				return err
			}
			if r != nil {
				continue
			}
			if err := ClearQuarantine(tx, sha); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	root := filepath.Join(s.dir, BlobsDir, "sha256")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if live[d.Name()] {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			rep.FreedBytes += fi.Size()
		}
		rep.RemovedBlobs++
		return os.Remove(p)
	})
	return rep, err
}
