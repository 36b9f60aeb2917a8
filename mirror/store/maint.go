package store

import (
	"context"
	"errors"
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
	return s.ScrubWith(ctx, ScrubOptions{Now: func() time.Time { return now }, Progress: progress})
}

// ScrubOptions controls a scrub. The zero value scrubs every blob as fast as
// the disk allows (`mirror scrub`); `mirror serve` paces a background scrub
// with Spread and Rate and resumes it across restarts.
type ScrubOptions struct {
	// Now stamps quarantine records and the scrub state (default time.Now).
	Now func() time.Time
	// Progress, if set, is told the bytes hashed as they are read.
	Progress func(int64)
	// Rate caps reading at this many bytes a second (0: no cap).
	Rate int64
	// Spread, if set, paces reading so that the pass ends about Spread after
	// it started (a resumed pass: after it first started), never faster
	// than Rate allows.
	Spread time.Duration
	// Resume continues the pass recorded in the store (ScrubState) or starts
	// a new one, and records how far it got, so that a restarted server
	// does not scrub the same first blobs again and again.
	Resume bool
	// Quarantined, if set, is called after each blob it quarantined (the
	// HTTP server reloads its snapshot).
	Quarantined func(sha, reason string)
}

// ScrubState is where the resumable (background) scrub stands, kept in the
// store's "scrub" bucket.
type ScrubState struct {
	Started  time.Time `json:"started"`           // the current or last pass began
	After    string    `json:"after,omitempty"`   // every blob up to this SHA-256 is done
	Finished time.Time `json:"finished,omitzero"` // zero while the pass runs
}

var (
	bucketScrub = []byte("scrub")
	keyScrub    = []byte("state")
)

// scrubStateEvery bounds how often a resumable scrub records its progress
// (a write transaction, with its fsync).
const scrubStateEvery = 10 * time.Second

// ScrubState returns where the resumable scrub stands (zero: never ran).
func (s *Store) ScrubState() (ScrubState, error) {
	var st ScrubState
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketScrub)
		if b == nil || b.Get(keyScrub) == nil {
			return nil
		}
		return getJSON(b, keyScrub, &st)
	})
	return st, err
}

func (s *Store) putScrubState(st ScrubState) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketScrub)
		if err != nil {
			return err
		}
		return putJSON(b, keyScrub, st)
	})
}

// ScrubWith re-hashes the recorded blobs as o says and quarantines each one
// that is missing or does not hash to its name.
func (s *Store) ScrubWith(ctx context.Context, o ScrubOptions) (*ScrubReport, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	var state ScrubState
	if o.Resume {
		var err error
		if state, err = s.ScrubState(); err != nil {
			return nil, err
		}
		if state.Started.IsZero() || !state.Finished.IsZero() {
			state = ScrubState{Started: now()}
			if err := s.putScrubState(state); err != nil {
				return nil, err
			}
		}
	}
	type blob struct {
		sha  string
		size int64
	}
	var blobs []blob
	var total int64
	err := s.db.View(func(tx *bolt.Tx) error {
		quarantined, err := Quarantined(tx)
		if err != nil {
			return err
		}
		return ForEachBlob(tx, func(sha string, size int64) error {
			if _, q := quarantined[sha]; !q && sha > state.After {
				blobs = append(blobs, blob{sha, size})
				total += size
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	started := state.Started
	if started.IsZero() {
		started = time.Now()
	}
	p := newPacer(o.Rate, o.Spread, total, started)
	rep := &ScrubReport{Quarantined: []string{}}
	buf := make([]byte, 1<<20)
	saved := time.Now()
	stopped := func(err error) (*ScrubReport, error) {
		if o.Resume { // a restart goes on from here
			if serr := s.putScrubState(state); serr != nil {
				return rep, errors.Join(err, serr)
			}
		}
		return rep, err
	}
	for _, b := range blobs {
		if err := ctx.Err(); err != nil {
			return stopped(err)
		}
		reason, read, err := s.hashBlob(ctx, b.sha, b.size, buf, o.Progress, p)
		if err != nil {
			return stopped(err)
		}
		rep.Checked++
		rep.Bytes += b.size
		if reason != "" {
			done, err := s.QuarantineDamaged(b.sha, reason, read, now())
			if err != nil {
				return rep, err
			}
			if done {
				rep.Quarantined = append(rep.Quarantined, b.sha+": "+reason)
				if o.Quarantined != nil {
					o.Quarantined(b.sha, reason)
				}
			}
		}
		if o.Resume {
			state.After = b.sha
			if time.Since(saved) >= scrubStateEvery {
				if err := s.putScrubState(state); err != nil {
					return rep, err
				}
				saved = time.Now()
			}
		}
	}
	if o.Resume {
		state.After, state.Finished = "", now()
		if err := s.putScrubState(state); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// hashBlob returns "" for an intact blob, else why it is not, and the file
// it read (nil if it could not be opened); err is set only when ctx ended.
func (s *Store) hashBlob(ctx context.Context, sha string, size int64, buf []byte, progress func(int64), p *pacer) (reason string, read os.FileInfo, err error) {
	f, err := os.Open(s.BlobPath(sha))
	if err != nil {
		return "missing: " + err.Error(), nil, nil
	}
	defer f.Close()
	if read, err = f.Stat(); err != nil {
		return "unreadable: " + err.Error(), nil, nil
	}
	var dst io.Writer = struct{ io.Writer }{io.Discard} // not a ReaderFrom: reads of len(buf), so pacing sleeps once per 1 MiB
	if progress != nil {
		dst = &progressWriter{w: io.Discard, fn: progress}
	}
	var src io.Reader = f
	if p != nil {
		src = &pacedReader{ctx: ctx, r: f, p: p}
	}
	if _, err := io.CopyBuffer(dst, verify.NewReader(src, size, sha), buf); err != nil {
		if ctx.Err() != nil {
			return "", nil, ctx.Err()
		}
		return err.Error(), read, nil
	}
	return "", read, nil
}

// QuarantineDamaged quarantines the blob sha, found damaged for reason in
// the file read (nil: it could not be opened), unless that finding is stale:
// no record refers to the blob any more (gc forgot it), or the blob path no
// longer names the file that was read (it was quarantined already, or an
// import restored a good copy meanwhile). It reports whether it quarantined.
func (s *Store) QuarantineDamaged(sha, reason string, read os.FileInfo, now time.Time) (bool, error) {
	cur, err := os.Stat(s.BlobPath(sha))
	switch {
	case read == nil && err == nil:
		return false, nil // the file is back: the next scrub checks it
	case read != nil && (err != nil || !os.SameFile(read, cur)):
		return false, nil
	}
	if serves, err := s.Serves(sha); err != nil || !serves {
		return false, err
	}
	if err := s.Quarantine(sha, reason, now); err != nil {
		return false, err
	}
	return true, nil
}

// pacer spreads reading: done bytes are due at start + done/rate.
type pacer struct {
	rate  float64 // bytes a second
	start time.Time
	done  int64
}

// newPacer returns the pacer of a pass over total bytes that started at
// start, or nil when nothing limits it.
func newPacer(limit int64, spread time.Duration, total int64, start time.Time) *pacer {
	rate := float64(limit)
	if spread > 0 {
		if left := time.Until(start.Add(spread)); left > time.Second {
			if r := float64(total) / left.Seconds(); rate == 0 || r < rate {
				rate = r
			}
		}
	}
	if rate <= 0 {
		return nil
	}
	return &pacer{rate: rate, start: time.Now()}
}

// wait records n bytes read and sleeps until they are due.
func (p *pacer) wait(ctx context.Context, n int) error {
	p.done += int64(n)
	due := float64(p.done) / p.rate
	if due > float64(365*24*time.Hour/time.Second) {
		due = float64(365 * 24 * time.Hour / time.Second)
	}
	d := time.Until(p.start.Add(time.Duration(due * float64(time.Second))))
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type pacedReader struct {
	ctx context.Context
	r   io.Reader
	p   *pacer
}

func (r *pacedReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if perr := r.p.wait(r.ctx, n); perr != nil && err == nil {
		err = perr
	}
	return n, err
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
