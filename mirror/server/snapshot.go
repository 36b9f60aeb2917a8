package server

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/mirror/wire"
)

// snapshot is one consistent view of the store; it is never changed after
// it is built.
type snapshot struct {
	catalog     []byte // GET /v1/catalog body
	etag        string // `"sha256:<hex>"` of catalog
	sequence    uint64
	stateCode   string
	importedAt  time.Time
	blobs       map[string]int64     // servable blob → size
	modTimes    map[string]time.Time // servable blob → Last-Modified
	tree        *node                // /files/ tree
	bundles     map[uint64]*store.BundleRecord
	quarantined int
}

// node is a level of the /files/ tree: vendor, product, version, then
// platform and language where the files have them, then files.
type node struct {
	children map[string]*node
	file     *fileEntry // files only
	current  bool       // a folder holding a current file, or a current file
}

// fileEntry is a file of the tree: the artifact as its bundle listed it.
type fileEntry struct {
	media.Artifact
	productVersion string    // current files: the version of their product
	modTime        time.Time // Last-Modified: release date, else import time
}

func (n *node) child(name string) *node {
	if n.children == nil {
		n.children = make(map[string]*node)
	}
	c, ok := n.children[name]
	if !ok {
		c = &node{}
		n.children[name] = c
	}
	return c
}

// names returns the children's names in order.
func (n *node) names() []string {
	out := make([]string, 0, len(n.children))
	for k := range n.children {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// place puts a file into the tree at its TreePath unless the place is
// taken (by a file, or as a folder) or a file stands where a folder of it
// would be. Current files are placed first, so they always get theirs (the
// import refused any catalog in which two of them collide).
func (n *node) place(e *fileEntry, current bool) {
	path := e.TreePath()
	for _, seg := range path[:len(path)-1] {
		n = n.child(seg)
		if n.file != nil {
			return
		}
	}
	if c := n.children[path[len(path)-1]]; c != nil {
		return
	}
	f := n.child(path[len(path)-1])
	f.file, f.current = e, current
}

// markCurrent marks every folder on the way to a current file.
func (n *node) markCurrent() bool {
	if n.file != nil {
		return n.current
	}
	for _, c := range n.children {
		if c.markCurrent() {
			n.current = true
		}
	}
	return n.current
}

// loadSnapshot reads the store in one read transaction.
func loadSnapshot(st *store.Store) (*snapshot, error) {
	s := &snapshot{blobs: make(map[string]int64), modTimes: make(map[string]time.Time), tree: &node{},
		bundles: make(map[uint64]*store.BundleRecord)}
	cat := wire.Catalog{Artifacts: []wire.CatalogArtifact{}, Products: []wire.Product{}, History: []wire.HistoryVersion{},
		Bundles: []wire.BundleRef{}, Approvals: []wire.Approval{}}
	err := st.View(func(tx *bolt.Tx) error {
		quarantine, err := store.Quarantined(tx)
		if err != nil {
			return err
		}
		s.quarantined = len(quarantine)
		imported := make(map[uint64]time.Time)
		err = store.ForEachSequence(tx, func(seq uint64, r *store.SequenceRecord) error {
			imported[seq] = r.ImportedAt
			return nil
		})
		if err != nil {
			return err
		}
		// The first import of all: the fallback when a sequence record
		// is missing (never zero, which would send no Last-Modified).
		var first time.Time
		for _, t := range imported {
			if first.IsZero() || t.Before(first) {
				first = t
			}
		}
		if first.IsZero() {
			first = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		modTime := func(a *media.Artifact, seq uint64) time.Time {
			if known(a.Released) {
				return a.Released
			}
			if t := imported[seq]; !t.IsZero() {
				return t
			}
			return first
		}
		cur, err := store.GetState(tx)
		if err != nil {
			return err
		}
		var current []media.Current
		if cur != nil {
			catalogHeader(&cat, cur)
			s.sequence, s.stateCode, s.importedAt = cur.Sequence, cur.StateCode, cur.ImportedAt
			if current, err = store.GetCurrent(tx); err != nil {
				return err
			}
			for _, p := range media.Products(cur.Catalog, current) {
				cat.Products = append(cat.Products, wire.Product(p))
			}
		}
		add := func(e *fileEntry, current bool) {
			if _, bad := quarantine[e.SHA256]; bad {
				return
			}
			s.blobs[e.SHA256] = e.Size
			if t, ok := s.modTimes[e.SHA256]; !ok || e.modTime.Before(t) {
				s.modTimes[e.SHA256] = e.modTime
			}
			s.tree.place(e, current)
		}
		for _, c := range current {
			cat.Artifacts = append(cat.Artifacts, catalogArtifact(&c))
			add(&fileEntry{Artifact: c.Artifact, productVersion: c.ProductVersion, modTime: modTime(&c.Artifact, c.Sequence)}, true)
		}
		err = store.ForEachArtifact(tx, func(r *store.ArtifactRecord) error {
			add(&fileEntry{Artifact: r.Artifact, modTime: modTime(&r.Artifact, r.FirstSequence)}, false)
			return nil
		})
		if err != nil {
			return err
		}
		s.tree.markCurrent()
		err = store.ForEachBundle(tx, func(seq uint64, r *store.BundleRecord) error {
			s.bundles[seq] = r
			ref := wire.BundleRef{Sequence: seq, ManifestSHA256: r.ManifestSHA256, Approvals: []string{}}
			for _, a := range r.Approvals {
				ref.Approvals = append(ref.Approvals, a.Name)
			}
			cat.Bundles = append(cat.Bundles, ref)
			return nil
		})
		if err != nil {
			return err
		}
		hist, err := store.History(tx)
		if err != nil {
			return err
		}
		currentVersion := make(map[[4]string]bool)
		for _, p := range cat.Products {
			currentVersion[[4]string{p.Vendor, p.Product, p.Channel, p.Version}] = true
		}
		for _, h := range hist {
			cat.History = append(cat.History, wire.HistoryVersion{Vendor: h.Vendor, Product: h.Product, Channel: h.Channel,
				Version: h.Version, Released: h.Released, FirstSequence: h.FirstSequence,
				Current: currentVersion[[4]string{h.Vendor, h.Product, h.Channel, h.Version}]})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b, err := cat.Encode()
	if err != nil {
		return nil, err
	}
	s.catalog = b
	s.etag = fmt.Sprintf(`"sha256:%x"`, sha256.Sum256(s.catalog))
	return s, nil
}

// catalogHeader fills in what the current state says of the catalog.
func catalogHeader(c *wire.Catalog, cur *store.State) {
	c.Site, c.Sequence, c.StateCode, c.Created = cur.Site, cur.Sequence, cur.StateCode, cur.Created
	c.Manifest, c.Signature = cur.Manifest, cur.Signature
	if !cur.Expires.IsZero() {
		e := cur.Expires
		c.Expires = &e
	}
	for _, a := range cur.Approvals {
		c.Approvals = append(c.Approvals, wire.Approval{Name: a.Name, Signature: a.Sig})
	}
}

// catalogArtifact is a current artifact as /v1/catalog lists it.
func catalogArtifact(c *media.Current) wire.CatalogArtifact {
	return wire.CatalogArtifact{
		Vendor: c.Vendor, Product: c.Product, Channel: c.Channel, Version: c.Version, ProductVersion: c.ProductVersion,
		Platform: c.Platform, Language: c.Language, Kind: c.Kind, BuildID: c.BuildID, FileName: c.FileName,
		Size: c.Size, SHA256: c.SHA256, Released: c.Released, Sequence: c.Sequence,
		URL: "/blobs/sha256/" + c.SHA256, FilesURL: wire.FilesURL(c.TreePath()...), Method: c.Verification.Method,
	}
}
