package fetcher

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
)

// Source is one vendor feed (see Vendor).
type Source interface {
	// Name is the source's name in the configuration (clamav, mozilla, …).
	Name() string
	// Fetch discovers what is current, downloads what is new through env
	// and hands it to env.Admit, which checks it with the vendor's own
	// mechanism and keeps it or refuses it; what an earlier run fetched is
	// kept with env.Unchanged. It returns an error only when the source as
	// a whole failed (e.g. its feed is unreachable).
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
	Err       error             `json:"-"` // the error behind Error (e.g. an *UnreachableError)
	Current   []string          `json:"-"` // sha256 of the current artifacts
	Versions  map[string]string `json:"versions"`

	newArts []media.Artifact // what New lists, in the order kept
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

// AllFailed reports whether there was at least one source and every one
// failed as a whole: nothing at all was fetched.
func (s *Summary) AllFailed() bool {
	for _, r := range s.Sources {
		if r.Error == "" {
			return false
		}
	}
	return len(s.Sources) > 0
}

// NewCount is the number of new artifacts over all sources.
func (s *Summary) NewCount() int {
	n := 0
	for _, r := range s.Sources {
		n += len(r.New)
	}
	return n
}

// Candidate is a file a source found and wants to keep, with its
// verification record filled in (method, evidence, entry): a download not
// yet in the cache, or small bytes already in it (Download nil, Artifact
// SHA256 and Size set).
type Candidate struct {
	Artifact *Artifact
	Download *Download
	// Note explains a refusal of this file, before the check's reason
	// (e.g. that a bad .sign refuses the file it signs).
	Note string
}

// Admit checks a group of candidates with their vendor's evidence method
// (media/evidence: the code the mirror runs on import), each against the
// anchors of its own vendor only, and keeps them all or none: downloads
// move into the cache and every artifact is recorded durably (from then on
// it counts as fetched). When one fails, the group is refused — reported
// under what, named in the summary — and its downloads are discarded; kept
// is false. A member whose evidence is unusable here (evidence.ErrUnusable,
// e.g. a ClamAV .sign for a root not trusted) is left out with a warning
// and the rest stands. The group is checked in order, and Related finds
// earlier members (and artifacts kept in earlier runs): a ClamAV .sign
// goes after the file it signs. The first artifact kept for a product in a
// run sets the product's current version, so a source admits the file
// that carries the version (a CVD, an installer) before the files that
// serve it (cdiffs of older versions).
func (e *Env) Admit(ctx context.Context, what string, group ...*Candidate) (kept bool, err error) {
	now := e.Now().UTC()
	discard := func(cs []*Candidate) {
		for _, c := range cs {
			if c.Download != nil {
				e.Cache.Discard(c.Download)
			}
		}
	}
	for _, c := range group {
		// Every name that becomes a path segment on the mirror passes the
		// bundle's one rule set before anything is checked or kept.
		if err := c.Artifact.ValidNames(); err != nil {
			discard(group)
			e.Refuse(what, fmt.Errorf("%w; the source reported an unsafe name", err))
			return false, nil
		}
	}
	var ok []*Candidate
	for _, c := range group {
		a := c.Artifact
		if c.Download != nil {
			a.Size, a.SHA256 = c.Download.Size, c.Download.SHA256
		}
		a.Verification.Time = now
		f, err := evidence.Check(ctx, e.subject(c, ok), e.Trust, now)
		switch {
		case errors.Is(err, evidence.ErrUnusable):
			e.Log.Warn("vendor evidence unusable here: not kept; the rest stands", "source", e.source, "file", a.FileName, "err", err)
			discard([]*Candidate{c})
			continue
		case err != nil && ctx.Err() != nil:
			discard(group)
			return false, ctx.Err()
		case err != nil:
			discard(group)
			if c.Note != "" {
				err = fmt.Errorf("%s: %w", c.Note, err)
			}
			if len(group) > 1 {
				err = fmt.Errorf("%s: %w", a.FileName, err)
			}
			e.Refuse(what, err)
			return false, nil
		}
		if a.Verification.Signer == "" {
			a.Verification.Signer = f.Signer
		}
		if a.Verification.KeyID == "" {
			a.Verification.KeyID = f.KeyID
		}
		ok = append(ok, c)
	}
	for _, c := range ok {
		if c.Download != nil {
			if _, err := e.Cache.Commit(c.Download); err != nil {
				return false, err
			}
		}
	}
	for _, c := range ok {
		if err := e.keep(c.Artifact, true); err != nil {
			return false, err
		}
	}
	return true, nil
}

// subject is how the evidence check reads a candidate: the download (or
// the cache), its evidence files from the cache, and the artifacts it may
// relate to — the group's members checked before it, then what earlier
// runs kept.
func (e *Env) subject(c *Candidate, before []*Candidate) *evidence.Subject {
	a := c.Artifact
	s := e.cachedSubject(a)
	if dl := c.Download; dl != nil {
		s.Open = func(context.Context) (io.ReadCloser, error) { return openChecked(dl.Path, dl.Size, dl.SHA256) }
		s.SHA512 = dl.SHA512 // hashed while downloading: a SHA-512 check reads nothing again
	}
	s.Related = func(_ context.Context, match func(*media.Artifact) bool) (*evidence.Subject, error) {
		for _, o := range before {
			if match(&o.Artifact.Artifact) {
				return e.subject(o, nil), nil
			}
		}
		old, err := e.State.Find(func(k *Artifact) bool { return match(&k.Artifact) && e.Cache.Has(k.SHA256) })
		if err != nil || old == nil {
			return nil, err
		}
		return e.cachedSubject(old), nil
	}
	return s
}

// cachedSubject reads an artifact and its evidence from the cache.
func (e *Env) cachedSubject(a *Artifact) *evidence.Subject {
	return &evidence.Subject{
		Artifact: &a.Artifact,
		Open: func(context.Context) (io.ReadCloser, error) {
			return openChecked(e.Cache.BlobPath(a.SHA256), a.Size, a.SHA256)
		},
		Meta: func(_ context.Context, name string, max int64) ([]byte, error) {
			for _, ev := range a.Evidence {
				if ev.Name == name {
					return e.Cache.ReadBlob(ev.SHA256, max)
				}
			}
			return nil, fmt.Errorf("evidence %s is not recorded with %s", name, a.FileName)
		},
	}
}

// openChecked opens a file whose size and SHA-256 are known: reading it to
// the end checks them (a file changed on disk since is an error at EOF).
func openChecked(path string, size int64, sha string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{verify.NewReader(f, size, sha), f}, nil
}

// Unchanged keeps, for this run, an artifact an earlier run fetched and
// checked (found with State.FindArtifact): it is current again and costs
// no download. Only what Admit recorded can be kept so.
func (e *Env) Unchanged(a *Artifact) error {
	rec, err := e.State.Artifact(a.SHA256)
	if err != nil {
		return err
	}
	if rec == nil || rec.URL != a.URL || rec.Version != a.Version {
		return fmt.Errorf("%s %s was never admitted: a source keeps an unchanged file only as it was recorded", a.FileName, a.Version)
	}
	if err := a.ValidNames(); err != nil {
		return fmt.Errorf("%q %q was admitted by an older patchferry but breaks the path rules: %w", a.FileName, a.Version, err)
	}
	return e.keep(a, false)
}

// keep marks a as current for this source; isNew records it durably
// first.
func (e *Env) keep(a *Artifact, isNew bool) error {
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
		e.report.newArts = append(e.report.newArts, a.Artifact)
	} else {
		e.report.Unchanged++
	}
	e.report.Current = append(e.report.Current, a.SHA256)
	if k := a.Vendor + "/" + a.Product; e.report.Versions[k] == "" {
		e.report.Versions[k] = a.Version
	}
	return nil
}

// KeepPrevious keeps what this source had current for a product last
// time, when this run refused the new version: the catalog must not lose
// the product.
func (e *Env) KeepPrevious(vendor, product string) error {
	cur, err := e.State.Current(e.source)
	if err != nil || cur == nil {
		return err
	}
	// The files of the version that was current go first: the first kept
	// sets the product's version (keep), and a ClamAV database's cdiffs
	// carry older versions than its CVD.
	prev := cur.Versions[vendor+"/"+product]
	var first, rest []*Artifact
	for _, sha := range cur.Artifacts {
		a, err := e.State.Artifact(sha)
		if err != nil {
			return err
		}
		if a != nil && a.Vendor == vendor && a.Product == product && e.Cache.Has(sha) {
			if a.Version == prev {
				first = append(first, a)
			} else {
				rest = append(rest, a)
			}
		}
	}
	for _, a := range append(first, rest...) {
		if err := e.keep(a, false); err != nil {
			return err
		}
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

// sort puts the report's lists in their fixed order (see Run).
func (r *SourceReport) sort() {
	slices.SortStableFunc(r.newArts, func(a, b media.Artifact) int { return Order(&a, &b) })
	r.New = make([]string, 0, len(r.newArts))
	for i := range r.newArts {
		r.New = append(r.New, r.newArts[i].Label())
	}
	slices.SortStableFunc(r.Refused, func(a, b Refusal) int {
		return cmp.Or(cmp.Compare(a.What, b.What), cmp.Compare(a.Reason, b.Reason))
	})
}

// Order is the order in which artifacts are listed to people (fetch and
// export summaries): by vendor, product, version (numbers compared as
// numbers: 128.10.0esr after 128.9.0esr), platform, language and file
// name.
func Order(a, b *media.Artifact) int {
	return cmp.Or(cmp.Compare(a.Vendor, b.Vendor), cmp.Compare(a.Product, b.Product), compareVersions(a.Version, b.Version),
		cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Language, b.Language), cmp.Compare(a.FileName, b.FileName))
}

// compareVersions compares two version strings run by run: runs of digits
// by their value, everything else byte by byte; equal values with
// different spellings (07, 7) fall back to the plain string order.
func compareVersions(a, b string) int {
	x, y := a, b
	for x != "" && y != "" {
		xr, xd := leadingRun(x)
		yr, yd := leadingRun(y)
		var c int
		switch {
		case xd && yd:
			xv, yv := strings.TrimLeft(xr, "0"), strings.TrimLeft(yr, "0")
			c = cmp.Or(cmp.Compare(len(xv), len(yv)), cmp.Compare(xv, yv))
		default:
			c = cmp.Compare(xr, yr)
		}
		if c != 0 {
			return c
		}
		x, y = x[len(xr):], y[len(yr):]
	}
	return cmp.Or(cmp.Compare(len(x), len(y)), cmp.Compare(a, b))
}

// leadingRun returns the run of digits, or of non-digits, s starts with.
func leadingRun(s string) (run string, digits bool) {
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	digits = isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == digits {
		i++
	}
	return s[:i], digits
}

// KeepEvidence stores vendor metadata fetched from url in the cache and
// returns its record (name: its name in a bundle's meta/).
func (e *Env) KeepEvidence(name, url string, b []byte) (Evidence, error) {
	sha, err := e.Cache.PutBytes(b)
	if err != nil {
		return Evidence{}, err
	}
	return Evidence{Name: name, URL: url, SHA256: sha, Size: int64(len(b))}, nil
}

// Run runs every source, one after the other (each downloads in parallel),
// and records what each found current. A failing source does not stop the
// others. Each source's lists come out in a fixed order, whatever order
// the parallel downloads finished in: New by vendor, product, version,
// platform, language and file name (Order), Refused by what and reason.
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
		err := src.Fetch(ctx, &env)
		rep.sort()
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return sum, err
			}
			rep.Error, rep.Err = err.Error(), err
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
