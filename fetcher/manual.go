package fetcher

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
)

// AddManual records files that staff downloaded by hand (Ichitaro, vendor
// tools): each is copied into the cache and recorded with verification
// method "manual" (hash only; "manually added" in the report). They become
// the current version of their product and ship with the next export. Their
// release date is template.Released or, when that is zero, each file's
// modification time (to the second, UTC).
func AddManual(st *State, cache *Cache, template media.Artifact, files []string, now time.Time) ([]*Artifact, error) {
	if template.Version == "" {
		return nil, fmt.Errorf("a version is required")
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no files given")
	}
	// Every name that becomes a path segment (media.ValidSegment), for
	// every file, before anything is recorded.
	for _, f := range files {
		check := template
		check.FileName = filepath.Base(f)
		if err := check.ValidNames(); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	var added []*Artifact
	for _, f := range files {
		name := filepath.Base(f)
		released := template.Released.UTC()
		if template.Released.IsZero() {
			fi, err := os.Stat(f)
			if err != nil {
				return nil, err
			}
			released = fi.ModTime().UTC().Truncate(time.Second)
		}
		sha, size, err := cache.PutFile(f)
		if err != nil {
			return nil, err
		}
		a := &Artifact{Artifact: template, Source: ManualSource, FetchedAt: now.UTC()}
		a.FileName, a.SHA256, a.Size, a.Released = name, sha, size, released
		a.Kind = "manual"
		a.Verification = media.Verification{Method: evidence.MethodManual, Time: now.UTC()}
		if err := st.Record(a); err != nil {
			return nil, err
		}
		added = append(added, a)
	}
	cur, err := st.Current(ManualSource)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		cur = &SourceState{Versions: map[string]string{}}
	}
	// The new files replace the product's earlier version.
	var keep []string
	for _, sha := range cur.Artifacts {
		if a, err := st.Artifact(sha); err == nil && a != nil && !(a.Vendor == template.Vendor && a.Product == template.Product) {
			keep = append(keep, sha)
		}
	}
	for _, a := range added {
		keep = append(keep, a.SHA256)
	}
	sort.Strings(keep)
	cur.Artifacts = keep
	cur.Versions[template.Vendor+"/"+template.Product] = template.Version
	cur.Checked = now.UTC()
	return added, st.SetCurrent(ManualSource, cur)
}
