package media

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// TreePath is where an artifact is found in the mirror's file tree
// (/files/<TreePath>): vendor/product/version/[platform/][language/]file_name,
// its own version, platform and language levels only when set. Every
// segment passed ValidSegment (Validate), so the path is clean and "/"
// separates exactly these levels.
func (a *Artifact) TreePath() []string {
	p := []string{a.Vendor, a.Product, a.Version}
	if a.Platform != "" {
		p = append(p, a.Platform)
	}
	if a.Language != "" {
		p = append(p, a.Language)
	}
	return append(p, a.FileName)
}

// CheckTreePaths refuses artifacts that the file tree could not tell apart:
// two different files (different SHA-256) at one tree path, or a file whose
// path is a folder of another's (a file named "win64" beside a platform
// "win64"). The same file listed twice (one SHA-256 at one path, e.g. under
// two channels) is one file and passes.
func CheckTreePaths(arts []*Artifact) error {
	files := make(map[string]*Artifact, len(arts))
	dirs := make(map[string]*Artifact)
	var errs []string
	for _, a := range arts {
		segs := a.TreePath()
		p := strings.Join(segs, "/")
		if o, ok := files[p]; ok {
			if o.SHA256 != a.SHA256 {
				errs = append(errs, fmt.Sprintf("%q and %q are two different files (%s…, %s…) at one address, /files/%s",
					o.Label(), a.Label(), o.SHA256[:12], a.SHA256[:12], p))
			}
			continue
		}
		if o, ok := dirs[p]; ok {
			errs = append(errs, fmt.Sprintf("%q is at /files/%s, which is a folder of %q", a.Label(), p, o.Label()))
			continue
		}
		files[p] = a
		for i := len(segs) - 1; i >= 3; i-- {
			d := strings.Join(segs[:i], "/")
			if o, ok := files[d]; ok {
				errs = append(errs, fmt.Sprintf("%q is at /files/%s, which is a folder of %q", o.Label(), d, a.Label()))
			}
			if _, ok := dirs[d]; !ok {
				dirs[d] = a
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	if len(errs) > 5 {
		errs = append(errs[:5], fmt.Sprintf("and %d more", len(errs)-5))
	}
	return fmt.Errorf("%s; every file needs an address of its own: the source that fetched them must set platform or language to tell them apart",
		strings.Join(errs, "; "))
}

// Label names an artifact for people: vendor/product, version, platform
// and language when set, file name.
func (a *Artifact) Label() string {
	s := a.Vendor + "/" + a.Product + " " + a.Version
	if a.Platform != "" {
		s += " " + a.Platform
	}
	if a.Language != "" {
		s += " " + a.Language
	}
	return s + " " + a.FileName
}

// Current is one artifact of a catalog as terminals see it: the artifact
// exactly as the manifest of bundle Sequence lists it, and ProductVersion,
// the version of the catalog entry it belongs to (an artifact keeps its
// own Version: daily-2.cdiff is version 2 in the entry of daily 6).
type Current struct {
	Artifact
	Sequence       uint64 `json:"sequence"`
	ProductVersion string `json:"product_version"`
}

// Owns reports whether a is of the entry's product: the same vendor,
// product and channel (its version may be its own).
func (e *CatalogEntry) Owns(a *Artifact) bool {
	return a.Vendor == e.Vendor && a.Product == e.Product && a.Channel == e.Channel
}

// Lists returns the artifacts of m with the SHA-256 sha under the vendor,
// product and channel of e, in manifest order.
func (m *Manifest) Lists(e *CatalogEntry, sha string) []Artifact {
	var out []Artifact
	for _, a := range m.Artifacts {
		if a.SHA256 == sha && e.Owns(&a) {
			out = append(out, a)
		}
	}
	return out
}

// ResolveCatalog lists the current artifacts of a catalog: for each entry
// in order, for each of its SHA-256s in order, what lookup returns (the
// artifacts as one signed manifest lists them, in its order, with that
// manifest's sequence). The mirror (import) and terminals (ProveCatalog)
// resolve with it, so both come to the same list in the same order. A
// catalog SHA-256 that lookup finds nothing for is an error.
func ResolveCatalog(cat Catalog, lookup func(e *CatalogEntry, sha string) ([]Artifact, uint64, error)) ([]Current, error) {
	var out []Current
	for i := range cat {
		e := &cat[i]
		for _, sha := range e.Artifacts {
			arts, seq, err := lookup(e, sha)
			if err != nil {
				return nil, err
			}
			if len(arts) == 0 {
				return nil, fmt.Errorf("the catalog lists %s/%s %s with artifact %s, but no bundle brought it under that product",
					e.Vendor, e.Product, e.Version, sha)
			}
			for _, a := range arts {
				out = append(out, Current{Artifact: a, Sequence: seq, ProductVersion: e.Version})
			}
		}
	}
	return out, nil
}

// Product is one product of a catalog as terminals compare it: one per
// catalog entry, or one per platform when the entry's artifacts are for
// several platforms (artifacts without a platform belong to each). Released
// is the earliest release date of its artifacts of the product's own
// version (zero when none of them has one: the dates of older files, such
// as the cdiffs of earlier versions, say nothing about this one).
type Product struct {
	Vendor   string    `json:"vendor"`
	Product  string    `json:"product"`
	Channel  string    `json:"channel,omitempty"`
	Platform string    `json:"platform,omitempty"`
	Version  string    `json:"version"`
	Released time.Time `json:"released,omitzero"`
	SHA256   []string  `json:"sha256"`
}

// Products derives the products of a catalog from its resolved artifacts
// (ResolveCatalog), in catalog order and, within an entry, by platform.
func Products(cat Catalog, cur []Current) []Product {
	var out []Product
	for i := range cat {
		e := &cat[i]
		var mine []*Current
		var platforms []string
		for j := range cur {
			c := &cur[j]
			if e.Owns(&c.Artifact) && c.ProductVersion == e.Version {
				mine = append(mine, c)
				if c.Platform != "" && !slices.Contains(platforms, c.Platform) {
					platforms = append(platforms, c.Platform)
				}
			}
		}
		slices.Sort(platforms)
		if len(platforms) <= 1 {
			platforms = []string{strings.Join(platforms, "")}
		}
		for _, pl := range platforms {
			p := Product{Vendor: e.Vendor, Product: e.Product, Channel: e.Channel, Platform: pl, Version: e.Version, SHA256: []string{}}
			var own time.Time
			for _, c := range mine {
				if len(platforms) > 1 && c.Platform != "" && c.Platform != pl {
					continue
				}
				if !slices.Contains(p.SHA256, c.SHA256) {
					p.SHA256 = append(p.SHA256, c.SHA256)
				}
				if c.Released.IsZero() {
					continue
				}
				if c.Version == e.Version && (own.IsZero() || c.Released.Before(own)) {
					own = c.Released
				}
			}
			p.Released = own
			out = append(out, p)
		}
	}
	return out
}
