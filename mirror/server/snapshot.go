package server

import (
	"crypto/sha256"
	"encoding/json"
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
	blobs       map[string]int64 // servable blob → size
	tree        *node            // /files/ tree
	quarantined int
}

// node is a level of the /files/ tree: vendor, product, version, file.
type node struct {
	children map[string]*node
	sha      string // files only
	size     int64
	current  bool // the version is in the current catalog
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

// loadSnapshot reads the store in one read transaction.
func loadSnapshot(st *store.Store) (*snapshot, error) {
	s := &snapshot{blobs: make(map[string]int64), tree: &node{}}
	var cat wire.Catalog
	err := st.View(func(tx *bolt.Tx) error {
		quarantine, err := store.Quarantined(tx)
		if err != nil {
			return err
		}
		s.quarantined = len(quarantine)
		cur, err := store.GetState(tx)
		if err != nil {
			return err
		}
		currentVersion := make(map[[3]string]bool)
		var current []*media.Artifact
		if cur != nil {
			cat = catalogOf(cur)
			s.sequence, s.stateCode, s.importedAt = cur.Sequence, cur.StateCode, cur.ImportedAt
			current, err = currentArtifacts(tx, cur)
			if err != nil {
				return err
			}
			for _, a := range current {
				currentVersion[[3]string{a.Vendor, a.Product, a.Version}] = true
				cat.Artifacts = append(cat.Artifacts, catalogArtifact(a))
			}
		}
		add := func(a *media.Artifact) {
			if _, bad := quarantine[a.SHA256]; bad {
				return
			}
			s.blobs[a.SHA256] = a.Size
			v := s.tree.child(a.Vendor).child(a.Product).child(a.Version)
			v.current = currentVersion[[3]string{a.Vendor, a.Product, a.Version}]
			f := v.child(a.FileName)
			f.sha, f.size = a.SHA256, a.Size
		}
		err = store.ForEachArtifact(tx, func(r *store.ArtifactRecord) error {
			add(&r.Artifact)
			return nil
		})
		for _, a := range current { // as the catalog names them
			add(a)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if cat.Artifacts == nil {
		cat.Artifacts = []wire.CatalogArtifact{}
		cat.Approvals = []wire.Approval{}
	}
	b, err := json.MarshalIndent(cat, "", "  ")
	if err != nil {
		return nil, err
	}
	s.catalog = append(b, '\n')
	s.etag = fmt.Sprintf(`"sha256:%x"`, sha256.Sum256(s.catalog))
	return s, nil
}

// currentArtifacts lists the artifacts of the current catalog: for each
// entry and SHA-256, the records of those bytes shipped under the entry's
// vendor, product, channel and version (one per file name). Bytes that only
// ever shipped under another version or product take the entry's.
func currentArtifacts(tx *bolt.Tx, cur *store.State) ([]*media.Artifact, error) {
	var out []*media.Artifact
	for _, c := range cur.Catalog {
		for _, sha := range c.Artifacts {
			recs, err := store.ArtifactsOf(tx, sha)
			if err != nil {
				return nil, err
			}
			if len(recs) == 0 {
				return nil, fmt.Errorf("catalog artifact %s has no record", sha)
			}
			n := len(out)
			for _, r := range recs {
				if r.Vendor == c.Vendor && r.Product == c.Product && r.Channel == c.Channel && r.Version == c.Version {
					out = append(out, &r.Artifact)
				}
			}
			if len(out) == n {
				a := recs[0].Artifact
				a.Vendor, a.Product, a.Channel, a.Version = c.Vendor, c.Product, c.Channel, c.Version
				out = append(out, &a)
			}
		}
	}
	return out, nil
}

func catalogOf(cur *store.State) wire.Catalog {
	c := wire.Catalog{Site: cur.Site, Sequence: cur.Sequence, StateCode: cur.StateCode, Created: cur.Created,
		Manifest: cur.Manifest, Signature: cur.Signature, Approvals: []wire.Approval{}}
	if !cur.Expires.IsZero() {
		e := cur.Expires
		c.Expires = &e
	}
	for _, a := range cur.Approvals {
		c.Approvals = append(c.Approvals, wire.Approval{Name: a.Name, Signature: a.Sig})
	}
	return c
}

func catalogArtifact(a *media.Artifact) wire.CatalogArtifact {
	return wire.CatalogArtifact{
		Vendor: a.Vendor, Product: a.Product, Channel: a.Channel, Version: a.Version, Platform: a.Platform,
		Language: a.Language, Kind: a.Kind, FileName: a.FileName, Size: a.Size, SHA256: a.SHA256, Released: a.Released,
		URL: "/blobs/sha256/" + a.SHA256, FilesURL: filesURL(a.Vendor, a.Product, a.Version, a.FileName),
		Method: a.Verification.Method,
	}
}
