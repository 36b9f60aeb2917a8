package fetcher

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// Source is one vendor feed. Adding a vendor is one file implementing it.
type Source interface {
	// Name is the source's name in the configuration (clamav, mozilla, …).
	Name() string
	// Fetch discovers what is current, downloads what is new through env,
	// verifies it with the vendor's own mechanism, records what checked out
	// (env.Keep) and refuses the rest (env.Refuse). It returns an error only
	// when the source as a whole failed (e.g. its feed is unreachable).
	Fetch(ctx context.Context, env *Env) error
}

// Env is what a source works with during one run.
type Env struct {
	Config     *Config
	Downloader *Downloader
	Cache      *Cache
	State      *State
	Trust      *verify.VendorTrust
	Log        *slog.Logger
	Now        func() time.Time

	source string
	report *SourceReport
	mu     *sync.Mutex // guards report: sources download in parallel
}

// Refusal is a file a source refused, and why.
type Refusal struct {
	What   string `json:"what"`
	Reason string `json:"reason"`
}

// SourceReport is one source's part of the summary.
type SourceReport struct {
	Source    string            `json:"source"`
	New       []string          `json:"new"` // "product version file"
	Unchanged int               `json:"unchanged"`
	Refused   []Refusal         `json:"refused"`
	Error     string            `json:"error,omitempty"`
	Current   []string          `json:"-"` // sha256 of the current artifacts
	Versions  map[string]string `json:"versions"`
}

// Summary is the result of a fetch run.
type Summary struct {
	Sources []*SourceReport `json:"sources"`
}

// OK reports whether nothing was refused and no source failed.
func (s *Summary) OK() bool {
	for _, r := range s.Sources {
		if r.Error != "" || len(r.Refused) > 0 {
			return false
		}
	}
	return true
}

// NewCount is the number of new artifacts over all sources.
func (s *Summary) NewCount() int {
	n := 0
	for _, r := range s.Sources {
		n += len(r.New)
	}
	return n
}

// Keep records a verified artifact (durably: from now on it counts as
// fetched) and marks it current for this source. isNew says whether it was
// downloaded in this run. The first artifact kept for a product in a run
// sets the product's current version, so a source keeps the file that
// carries the version (a CVD, an installer) before the files that serve it
// (cdiffs of older versions).
func (e *Env) Keep(a *Artifact, isNew bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	a.Source = e.source
	if a.FetchedAt.IsZero() {
		a.FetchedAt = e.Now().UTC()
	}
	if isNew {
		if err := e.State.Record(a); err != nil {
			return err
		}
		e.report.New = append(e.report.New, describe(&a.Artifact))
	} else {
		e.report.Unchanged++
	}
	e.report.Current = append(e.report.Current, a.SHA256)
	if k := a.Vendor + "/" + a.Product; e.report.Versions[k] == "" {
		e.report.Versions[k] = a.Version
	}
	return nil
}

// Refuse reports a file that failed its vendor check; it is never recorded.
func (e *Env) Refuse(what string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.Log.Warn("refused", "source", e.source, "what", what, "err", err)
	e.report.Refused = append(e.report.Refused, Refusal{What: what, Reason: err.Error()})
}

// KeepEvidence stores vendor metadata in the cache and returns its record.
func (e *Env) KeepEvidence(name string, b []byte) (Evidence, error) {
	sha, err := e.Cache.PutBytes(b)
	if err != nil {
		return Evidence{}, err
	}
	return Evidence{Name: name, SHA256: sha, Size: int64(len(b))}, nil
}

// Run runs every source, one after the other (each downloads in parallel),
// and records what each found current. A failing source does not stop the
// others.
func Run(ctx context.Context, base Env, sources []Source) (*Summary, error) {
	sum := &Summary{}
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		rep := &SourceReport{Source: src.Name(), New: []string{}, Refused: []Refusal{}, Versions: map[string]string{}}
		sum.Sources = append(sum.Sources, rep)
		env := base
		env.source, env.report, env.mu = src.Name(), rep, &sync.Mutex{}
		if err := src.Fetch(ctx, &env); err != nil {
			if errors.Is(err, context.Canceled) {
				return sum, err
			}
			rep.Error = err.Error()
			base.Log.Error("source failed", "source", src.Name(), "err", err)
			continue
		}
		sort.Strings(rep.Current)
		if err := base.State.SetCurrent(src.Name(), &SourceState{Artifacts: rep.Current, Versions: rep.Versions, Checked: base.Now().UTC()}); err != nil {
			return sum, err
		}
	}
	return sum, nil
}
