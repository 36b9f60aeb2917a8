package catalog

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/wire"
	"github.com/patchferry/patchferry/verify"
)

// Verify proves cat with the trust t: bundle returns the signed manifest of
// an earlier bundle the catalog names (Client.Earlier: Client.Bundle over
// HTTP). It returns the proven
// catalog; an error names the first field that the signed manifests do not
// back. An expired current manifest is not an error (Proven.Expired): the
// caller decides.
func Verify(cat *wire.Catalog, t media.Trust, bundle func(ref wire.BundleRef) (media.SignedManifest, error), at time.Time) (*media.Proven, error) {
	current := media.SignedManifest{Raw: cat.Manifest, Signature: cat.Signature}
	for _, a := range cat.Approvals {
		current.Approvals = append(current.Approvals, verify.Signed{Name: a.Name, Sig: a.Signature})
	}
	origin := make(map[[4]string]uint64)
	for i, a := range cat.Artifacts {
		k := [4]string{a.Vendor, a.Product, a.Channel, a.SHA256}
		if seq, ok := origin[k]; ok && seq != a.Sequence {
			return nil, fmt.Errorf("artifacts[%d] (%s): two bundles claimed for one file", i, a.FileName)
		}
		origin[k] = a.Sequence
	}
	refs := make(map[uint64]wire.BundleRef, len(cat.Bundles))
	for _, r := range cat.Bundles {
		refs[r.Sequence] = r
	}
	proven, err := t.ProveCatalog(current,
		func(e *media.CatalogEntry, sha string) (uint64, bool) {
			seq, ok := origin[[4]string{e.Vendor, e.Product, e.Channel, sha}]
			return seq, ok
		},
		func(seq uint64) (media.SignedManifest, error) {
			ref, ok := refs[seq]
			if !ok {
				return media.SignedManifest{}, fmt.Errorf("the catalog names no manifest of bundle %d", seq)
			}
			s, err := bundle(ref)
			if err != nil {
				return s, err
			}
			if got := verify.SHA256Hex(s.Raw); got != ref.ManifestSHA256 {
				return s, fmt.Errorf("bundle.json has SHA-256 %s, the catalog says %s", got, ref.ManifestSHA256)
			}
			return s, nil
		}, at)
	if err != nil {
		return nil, err
	}
	if err := checkHeader(cat, proven.Manifest); err != nil {
		return nil, err
	}
	if err := checkBundles(cat, refs, proven); err != nil {
		return nil, err
	}
	if len(cat.Artifacts) != len(proven.Current) {
		return nil, fmt.Errorf("artifacts: the catalog lists %d, the signed manifests %d", len(cat.Artifacts), len(proven.Current))
	}
	for i := range proven.Current {
		if f := differs(cat.Artifacts[i], artifact(&proven.Current[i])); f != "" {
			return nil, fmt.Errorf("artifacts[%d] (%s): %s is not what the signed manifest of bundle %d says",
				i, proven.Current[i].FileName, f, proven.Current[i].Sequence)
		}
	}
	products := media.Products(proven.Manifest.Catalog, proven.Current)
	if len(cat.Products) != len(products) {
		return nil, fmt.Errorf("products: the catalog lists %d, the signed catalog has %d", len(cat.Products), len(products))
	}
	for i := range products {
		if f := differs(cat.Products[i], wire.Product(products[i])); f != "" {
			return nil, fmt.Errorf("products[%d] (%s/%s): %s is not what the signed catalog says", i, products[i].Vendor, products[i].Product, f)
		}
	}
	return proven, nil
}

// checkBundles: the catalog names exactly the bundles whose manifests
// bring current artifacts, the current one with its manifest's digest and
// approvals.
func checkBundles(cat *wire.Catalog, refs map[uint64]wire.BundleRef, proven *media.Proven) error {
	used := map[uint64]bool{cat.Sequence: true}
	for _, c := range proven.Current {
		used[c.Sequence] = true
	}
	if len(refs) != len(cat.Bundles) {
		return fmt.Errorf("bundles: a sequence is listed twice")
	}
	for seq := range refs {
		if !used[seq] {
			return fmt.Errorf("bundles: bundle %d brings no current artifact", seq)
		}
	}
	ref, ok := refs[cat.Sequence]
	if !ok {
		return fmt.Errorf("bundles: the current bundle %d is not listed", cat.Sequence)
	}
	if ref.ManifestSHA256 != verify.SHA256Hex(cat.Manifest) {
		return fmt.Errorf("bundles: the current bundle's manifest_sha256 %s is not that of the manifest", ref.ManifestSHA256)
	}
	names := make([]string, len(cat.Approvals))
	for i, a := range cat.Approvals {
		names[i] = a.Name
	}
	if !slices.Equal(names, ref.Approvals) {
		return fmt.Errorf("bundles: the current bundle's approvals %v are not the catalog's %v", ref.Approvals, names)
	}
	return nil
}

// checkHeader compares the catalog's own fields with the current manifest.
func checkHeader(cat *wire.Catalog, m *media.Manifest) error {
	var expires time.Time
	if cat.Expires != nil {
		expires = *cat.Expires
		if expires.IsZero() {
			return fmt.Errorf("expires: a zero time")
		}
	}
	switch {
	case cat.Site != m.Site:
		return fmt.Errorf("site %q: the signed manifest says %q", cat.Site, m.Site)
	case cat.Sequence != m.Sequence:
		return fmt.Errorf("sequence %d: the signed manifest says %d", cat.Sequence, m.Sequence)
	case !cat.Created.Equal(m.Created):
		return fmt.Errorf("created %s: the signed manifest says %s", cat.Created, m.Created)
	case !expires.Equal(m.Expires):
		return fmt.Errorf("expires %s: the signed manifest says %s", expires, m.Expires)
	case cat.StateCode != media.StateCode(m.Sequence, m.Catalog):
		return fmt.Errorf("state_code %s: the signed catalog gives %s", cat.StateCode, media.StateCode(m.Sequence, m.Catalog))
	}
	return nil
}

// artifact is a proven artifact as the catalog must list it.
func artifact(c *media.Current) wire.CatalogArtifact {
	return wire.CatalogArtifact{
		Vendor: c.Vendor, Product: c.Product, Channel: c.Channel, Version: c.Version, ProductVersion: c.ProductVersion,
		Platform: c.Platform, Language: c.Language, Kind: c.Kind, BuildID: c.BuildID, FileName: c.FileName,
		Size: c.Size, SHA256: c.SHA256, Released: c.Released, Sequence: c.Sequence,
		URL: "/blobs/sha256/" + c.SHA256, FilesURL: wire.FilesURL(c.TreePath()...), Method: c.Verification.Method,
	}
}

// differs names the first field in which two values of one struct type
// differ ("" when none does); times compare as instants.
func differs(got, want any) string {
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		gf, wf := g.Field(i).Interface(), w.Field(i).Interface()
		name, _, _ := strings.Cut(g.Type().Field(i).Tag.Get("json"), ",")
		if gt, ok := gf.(time.Time); ok {
			if !gt.Equal(wf.(time.Time)) {
				return name
			}
			continue
		}
		if !reflect.DeepEqual(gf, wf) {
			return name
		}
	}
	return ""
}
