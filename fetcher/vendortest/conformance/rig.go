package conformance

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/verify"
)

// Rig is a fetcher set up as `patchferry fetch` sets it up, from a
// configuration file pointing at a fake upstream, with a real cache and
// fetch state in a temporary directory.
type Rig struct {
	U       *vendortest.Upstream
	Vendors []fetcher.Vendor
	Cfg     *fetcher.Config
	Cache   *fetcher.Cache
	State   *fetcher.State
	Trust   *verify.VendorTrust // nil: the upstream's VendorTrust at each fetch
	Now     func() time.Time
	Log     *SyncBuffer
}

// NewRig writes config (UPSTREAM stands for the upstream's URL) into a
// temporary directory, loads it with the vendors' types and opens the cache
// and state it names (cache_dir, relative to the file).
func NewRig(t testing.TB, u *vendortest.Upstream, vendors []fetcher.Vendor, config string) *Rig {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "patchferry.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(config, "UPSTREAM", u.URL())), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := fetcher.LoadConfig(path, vendors)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := fetcher.OpenCache(cfg.CacheDir)
	if err != nil {
		t.Fatal(err)
	}
	state, err := fetcher.OpenState(cfg.CacheDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { state.Close() })
	// A little after the upstream's clock: its signatures are dated "now".
	return &Rig{U: u, Vendors: vendors, Cfg: cfg, Cache: cache, State: state, Log: &SyncBuffer{},
		Now: func() time.Time { return u.Now().Add(time.Hour) }}
}

// Fetch runs every enabled source once, as `patchferry fetch` does.
func (r *Rig) Fetch(t testing.TB) *fetcher.Summary {
	t.Helper()
	log := slog.New(slog.NewTextHandler(r.Log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	d, err := fetcher.NewDownloader(r.Cfg, r.Cache, r.State, log)
	if err != nil {
		t.Fatal(err)
	}
	d.Backoff = func(int) time.Duration { return time.Millisecond }
	trust := r.Trust
	if trust == nil {
		trust = r.U.VendorTrust()
	}
	env := fetcher.Env{Config: r.Cfg, Downloader: d, Cache: r.Cache, State: r.State, Trust: trust, Log: log, Now: r.Now}
	sum, err := fetcher.Run(t.Context(), env, fetcher.EnabledSources(r.Cfg, r.Vendors))
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	return sum
}

// Report returns the summary of one source.
func Report(t testing.TB, sum *fetcher.Summary, source string) *fetcher.SourceReport {
	t.Helper()
	for _, r := range sum.Sources {
		if r.Source == source {
			return r
		}
	}
	t.Fatalf("no report for source %s in %+v", source, sum.Sources)
	return nil
}

// WantOK fails unless no source failed and nothing was refused.
func WantOK(t testing.TB, sum *fetcher.Summary) {
	t.Helper()
	for _, r := range sum.Sources {
		if r.Error != "" || len(r.Refused) > 0 {
			t.Fatalf("%s: error %q, refused %+v", r.Source, r.Error, r.Refused)
		}
	}
	if !sum.OK() {
		t.Fatal("Summary.OK() is false")
	}
}

// Current returns what a source has current in the state.
func (r *Rig) Current(t testing.TB, source string) []*fetcher.Artifact {
	t.Helper()
	cur, err := r.State.Current(source)
	if err != nil || cur == nil {
		t.Fatalf("no current state for %s: %v", source, err)
	}
	var out []*fetcher.Artifact
	for _, sha := range cur.Artifacts {
		a, err := r.State.Artifact(sha)
		if err != nil || a == nil {
			t.Fatalf("current artifact %s of %s: %v", sha, source, err)
		}
		out = append(out, a)
	}
	return out
}

// SyncBuffer is a log buffer that sources write from several goroutines.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
