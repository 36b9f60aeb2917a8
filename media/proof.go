package media

import (
	"fmt"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// SignedManifest is a bundle.json with its detached signatures, as the
// mirror keeps and serves it for every bundle that still contributes a
// current artifact (/v1/bundles/<sequence>/…).
type SignedManifest struct {
	Raw       []byte          // the exact bundle.json bytes
	Signature []byte          // the publisher's signature (DER)
	Approvals []verify.Signed // approver countersignatures (DER)
}

// Check verifies the publisher signature and the approval threshold of a
// signed manifest with t, and parses it. Unlike Bundle.Verify it does not
// check the validity period: a terminal proves the fields of artifacts that
// earlier, long expired bundles brought (ProveCatalog reports the current
// manifest's expiry instead).
func (t Trust) Check(s SignedManifest) (*Manifest, *Verdict, error) {
	v, _, err := t.signers(s.Raw, s.Signature, s.Approvals)
	if err != nil {
		return nil, nil, err
	}
	m, err := ParseManifest(s.Raw)
	if err != nil {
		return nil, nil, err
	}
	return m, v, nil
}

// Proven is a catalog that ProveCatalog proved.
type Proven struct {
	Manifest *Manifest // of the catalog's sequence
	Verdict  *Verdict
	Current  []Current // as ResolveCatalog lists them
	// Expired is set when the current manifest's expiry is not after at:
	// the mirror has not been fed; the caller decides whether to go on.
	Expired bool
}

// ProveCatalog proves a mirror's catalog with nothing but the trust a
// terminal was enrolled with. current is the manifest of the catalog's
// sequence; origin says which sequence brought each artifact of a catalog
// entry (the catalog's "sequence" of that artifact); earlier returns the
// signed manifest of an earlier sequence. Every manifest must pass t.Check,
// be of the same site, carry the sequence it is asked for, and not be newer
// than the current one; the current artifacts are then resolved from those
// manifests with ResolveCatalog, so every field of every artifact is one
// that a publisher signed (and the approvers approved). What the mirror
// claims beyond the sequence (versions, names, sizes, dates, products) is
// compared against the result by the caller, field by field.
func (t Trust) ProveCatalog(current SignedManifest, origin func(e *CatalogEntry, sha string) (uint64, bool),
	earlier func(seq uint64) (SignedManifest, error), at time.Time) (*Proven, error) {
	m, v, err := t.Check(current)
	if err != nil {
		return nil, fmt.Errorf("the current %s: %w", ManifestName, err)
	}
	manifests := map[uint64]*Manifest{m.Sequence: m}
	get := func(seq uint64) (*Manifest, error) {
		if got, ok := manifests[seq]; ok {
			return got, nil
		}
		if seq == 0 || seq > m.Sequence {
			return nil, fmt.Errorf("sequence %d is not a bundle before the current %d", seq, m.Sequence)
		}
		s, err := earlier(seq)
		if err != nil {
			return nil, fmt.Errorf("bundle %d: %w", seq, err)
		}
		old, _, err := t.Check(s)
		if err != nil {
			return nil, fmt.Errorf("bundle %d: %w", seq, err)
		}
		if old.Site != m.Site || old.Sequence != seq {
			return nil, fmt.Errorf("bundle %d: the manifest served is sequence %d of site %q, not sequence %d of %q",
				seq, old.Sequence, old.Site, seq, m.Site)
		}
		manifests[seq] = old
		return old, nil
	}
	cur, err := ResolveCatalog(m.Catalog, func(e *CatalogEntry, sha string) ([]Artifact, uint64, error) {
		seq, ok := origin(e, sha)
		if !ok {
			return nil, 0, fmt.Errorf("the catalog does not say which bundle brought %s/%s artifact %s", e.Vendor, e.Product, sha)
		}
		src, err := get(seq)
		if err != nil {
			return nil, 0, err
		}
		return src.Lists(e, sha), seq, nil
	})
	if err != nil {
		return nil, err
	}
	p := &Proven{Manifest: m, Verdict: v, Current: cur}
	p.Expired = !m.Expires.IsZero() && !at.Before(m.Expires)
	return p, nil
}
