package vendortest

import (
	"maps"
	"sort"
)

// Vendor is a vendor's part of the fake upstream: each vendor package
// (fetcher/vendors/<vendor>) provides one, and the registry lists it.
type Vendor interface {
	// Name is the vendor's name: its section in the fetcher's
	// configuration and its scope in the vendor trust.
	Name() string
	// Fake publishes the vendor's first releases on u, signed with test
	// keys made for u (added to u's vendor trust), once per upstream:
	// calling it again returns the same fake.
	Fake(u *Upstream) Fake
}

// Fake is one vendor's part of an upstream.
type Fake interface {
	// SourceYAML is the vendor's section of a fetcher configuration
	// pointing at this upstream (without the "sources:" key, indented by
	// four spaces under its name).
	SourceYAML() string
	// Next publishes the vendor's next releases, as if a week had passed,
	// and says in a few words what came out.
	Next() string
	// Tampers are the ways the vendor's files can go wrong upstream, each
	// of which its check must refuse: a damaged file, a signature by an
	// unknown key, a signature over other bytes, ….
	Tampers() []Tamper
}

// Tamper changes what an upstream serves so that a vendor check must
// refuse it.
type Tamper struct {
	Name  string
	Apply func()
}

// Fake returns the fake of a vendor on u, made by make on first use (with
// the upstream's fakes locked: make may publish files, but must not ask
// for another fake).
func (u *Upstream) Fake(vendor string, make func() Fake) Fake {
	u.vmu.Lock()
	defer u.vmu.Unlock()
	if f, ok := u.fakes[vendor]; ok {
		return f
	}
	f := make()
	u.fakes[vendor] = f
	return f
}

// Snapshot is what an upstream publishes at one moment.
type Snapshot map[string]*file

// Snapshot records every published file, to Restore after a tamper.
func (u *Upstream) Snapshot() Snapshot {
	u.mu.Lock()
	defer u.mu.Unlock()
	return maps.Clone(u.files)
}

// Restore publishes exactly what s recorded (files are never changed in
// place, so the recorded ones are intact).
func (u *Upstream) Restore(s Snapshot) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.files = maps.Clone(s)
}

// Changed lists the paths whose content differs from s (changed, added or
// removed), sorted.
func (u *Upstream) Changed(s Snapshot) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []string
	for p, f := range u.files {
		if s[p] != f {
			out = append(out, p)
		}
	}
	for p := range s {
		if _, ok := u.files[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
