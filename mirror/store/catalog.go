package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// keyCurrent is the state bucket's key of the current artifacts.
var keyCurrent = []byte("artifacts")

// BundleRecord is the signed manifest of an imported bundle, kept while it
// brings a current artifact (terminals prove the catalog with it).
type BundleRecord struct {
	Manifest       []byte          `json:"manifest"`  // exact bundle.json bytes
	Signature      []byte          `json:"signature"` // DER
	Approvals      []verify.Signed `json:"approvals,omitempty"`
	ManifestSHA256 string          `json:"manifest_sha256"`
}

// Signed returns the record as media.SignedManifest.
func (r *BundleRecord) Signed() media.SignedManifest {
	return media.SignedManifest{Raw: r.Manifest, Signature: r.Signature, Approvals: r.Approvals}
}

// PutBundle keeps the signed manifest of bundle seq.
func PutBundle(tx *bolt.Tx, seq uint64, r *BundleRecord) error {
	return putJSON(tx.Bucket(bucketBundles), seqKey(seq), r)
}

// GetBundle returns the kept manifest of bundle seq, or nil.
func GetBundle(tx *bolt.Tx, seq uint64) (*BundleRecord, error) {
	b := tx.Bucket(bucketBundles)
	if b == nil { // a format-2 store opened read-only
		return nil, nil
	}
	v := b.Get(seqKey(seq))
	if v == nil {
		return nil, nil
	}
	var r BundleRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("bundle %d: %w", seq, err)
	}
	return &r, nil
}

// KeepBundles forgets the kept manifests of every bundle not in keep.
func KeepBundles(tx *bolt.Tx, keep map[uint64]bool) error {
	b := tx.Bucket(bucketBundles)
	var drop [][]byte
	err := b.ForEach(func(k, _ []byte) error {
		if seq, ok := seqOf(k); !ok || !keep[seq] {
			drop = append(drop, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// ForEachBundle calls fn for every kept manifest, in sequence order.
func ForEachBundle(tx *bolt.Tx, fn func(seq uint64, r *BundleRecord) error) error {
	b := tx.Bucket(bucketBundles)
	if b == nil { // a format-2 store opened read-only
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var r BundleRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("bundle %x: %w", k, err)
		}
		seq, ok := seqOf(k)
		if !ok {
			return fmt.Errorf("bundles: key %x is not a sequence number", k)
		}
		return fn(seq, &r)
	})
}

// GetCurrent returns the current artifacts, as the import resolved them
// (media.ResolveCatalog): each as the manifest that brought it lists it.
func GetCurrent(tx *bolt.Tx) ([]media.Current, error) {
	v := tx.Bucket(bucketState).Get(keyCurrent)
	if v == nil {
		return nil, nil
	}
	var out []media.Current
	if err := json.Unmarshal(v, &out); err != nil {
		return nil, fmt.Errorf("read current artifacts: %w", err)
	}
	return out, nil
}

// PutCurrent replaces the current artifacts (with PutState, in the
// transaction that switches the catalog).
func PutCurrent(tx *bolt.Tx, cur []media.Current) error {
	if cur == nil {
		cur = []media.Current{}
	}
	return putJSON(tx.Bucket(bucketState), keyCurrent, cur)
}

// HistoryRecord is a version of a product the mirror has carried: what
// the stale report needs to tell "older than anything we ever carried",
// kept when gc removes the files.
type HistoryRecord struct {
	Vendor        string    `json:"vendor"`
	Product       string    `json:"product"`
	Channel       string    `json:"channel,omitempty"`
	Version       string    `json:"version"`
	Released      time.Time `json:"released,omitzero"` // the earliest known
	FirstSequence uint64    `json:"first_sequence"`
}

func historyKey(vendor, product, channel, version string) []byte {
	return []byte(strings.Join([]string{vendor, product, channel, version}, "\x00"))
}

// AddHistory records that bundle seq brought version of a product, with a
// release date (zero: unknown). An existing record keeps its first
// sequence and takes the earlier of the known dates.
func AddHistory(tx *bolt.Tx, vendor, product, channel, version string, released time.Time, seq uint64) error {
	b := tx.Bucket(bucketHistory)
	k := historyKey(vendor, product, channel, version)
	r := HistoryRecord{Vendor: vendor, Product: product, Channel: channel, Version: version, Released: released.UTC(), FirstSequence: seq}
	if v := b.Get(k); v != nil {
		var old HistoryRecord
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("history %q: %w", k, err)
		}
		if old.FirstSequence <= seq && (released.IsZero() || (!old.Released.IsZero() && !released.Before(old.Released))) {
			return nil
		}
		r.FirstSequence = min(old.FirstSequence, seq)
		if released.IsZero() || (!old.Released.IsZero() && old.Released.Before(released)) {
			r.Released = old.Released
		}
	}
	return putJSON(b, k, &r)
}

// AddHistoryOf records every version that cur and the catalog entries of
// cat name (own versions of artifacts and product versions), as brought
// by bundle seq.
func AddHistoryOf(tx *bolt.Tx, cat media.Catalog, cur []media.Current, seq uint64) error {
	for _, c := range cur {
		if err := AddHistory(tx, c.Vendor, c.Product, c.Channel, c.Version, c.Released, min(seq, c.Sequence)); err != nil {
			return err
		}
	}
	for _, p := range media.Products(cat, cur) {
		if err := AddHistory(tx, p.Vendor, p.Product, p.Channel, p.Version, p.Released, seq); err != nil {
			return err
		}
	}
	return nil
}

// History lists every version the mirror has carried, by vendor, product,
// channel and version.
func History(tx *bolt.Tx) ([]HistoryRecord, error) {
	var out []HistoryRecord
	b := tx.Bucket(bucketHistory)
	if b == nil { // a format-2 store opened read-only
		return nil, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		var r HistoryRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("history %q: %w", k, err)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// ResolveCurrent lists the current artifacts of bundle m's catalog
// (media.ResolveCatalog): an artifact m itself lists is taken from m; else
// as the mirror's previous current artifacts prev had it (with the bundle
// that brought it then); else from the records of earlier imports (under
// the catalog entry's vendor, product and channel, those the latest bundle
// brought). A catalog artifact none of them has under its entry's product
// is an error.
func ResolveCurrent(tx *bolt.Tx, m *media.Manifest, prev []media.Current) ([]media.Current, error) {
	return media.ResolveCatalog(m.Catalog, func(e *media.CatalogEntry, sha string) ([]media.Artifact, uint64, error) {
		if arts := m.Lists(e, sha); len(arts) > 0 {
			return arts, m.Sequence, nil
		}
		var arts []media.Artifact
		var seq uint64
		for _, c := range prev {
			if c.SHA256 == sha && e.Owns(&c.Artifact) && (seq == 0 || c.Sequence == seq) {
				arts, seq = append(arts, c.Artifact), c.Sequence
			}
		}
		if len(arts) > 0 {
			return arts, seq, nil
		}
		recs, err := ArtifactsOf(tx, sha)
		if err != nil {
			return nil, 0, err
		}
		for _, r := range recs {
			if e.Owns(&r.Artifact) && r.FirstSequence > seq {
				seq = r.FirstSequence
			}
		}
		for _, r := range recs {
			if e.Owns(&r.Artifact) && r.FirstSequence == seq {
				arts = append(arts, r.Artifact)
			}
		}
		return arts, seq, nil
	})
}
