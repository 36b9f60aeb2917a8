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
		if cur != nil {
			cat = catalogOf(cur)
			s.sequence, s.stateCode, s.importedAt = cur.Sequence, cur.StateCode, cur.ImportedAt
			for _, c := range cur.Catalog {
				currentVersion[[3]string{c.Vendor, c.Product, c.Version}] = true
				for _, sha := range c.Artifacts {
					r, err := store.GetArtifact(tx, sha)
					if err != nil || r == nil {
						return fmt.Errorf("catalog artifact %s has no record: %v", sha, err)
					}
					cat.Artifacts = append(cat.Artifacts, catalogArtifact(&r.Artifact))
				}
			}
		}
		return store.ForEachArtifact(tx, func(r *store.ArtifactRecord) error {
			if _, bad := quarantine[r.SHA256]; bad {
				return nil
			}
			s.blobs[r.SHA256] = r.Size
			v := s.tree.child(r.Vendor).child(r.Product).child(r.Version)
			v.current = currentVersion[[3]string{r.Vendor, r.Product, r.Version}]
			f := v.child(r.FileName)
			f.sha, f.size = r.SHA256, r.Size
			return nil
		})
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
