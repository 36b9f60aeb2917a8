package fetcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// ManualSource is the source name of files added by hand (patchferry add).
const ManualSource = "manual"

// ExportOptions say what to export and where.
type ExportOptions struct {
	Out  string
	Site string
	Key  *verify.PrivateKey
	// LoadKey, when Key is nil, gives the key once Export knows it will
	// write a bundle: nobody is asked for a password to be told there is
	// nothing new.
	LoadKey     func() (*verify.PrivateKey, error)
	Sources     []string // sources whose current artifacts make the catalog (ManualSource is always added)
	Since       string   // "" (since the last bundle), a sequence "41" or a state code "41-K7QF"
	Full        bool
	Created     time.Time
	Validity    time.Duration // 0: never expires
	VolumeSize  int64
	MaxFileSize int64
	Progress    func(int64)
	Zone        *time.Location // of the times in README.txt (nil: UTC)
}

// ExportResult says what Export did.
type ExportResult struct {
	NothingNew bool           `json:"nothing_new"`
	Sequence   uint64         `json:"sequence"`
	Base       uint64         `json:"base"`
	Artifacts  int            `json:"artifacts"`
	Bytes      int64          `json:"bytes"`
	Dirs       []string       `json:"dirs"`
	StateCode  string         `json:"state_code"`
	New        []string       `json:"new"`
	Written    *media.Written `json:"-"`
}

// ErrNoMedia is wrapped when the media root (Out) is not an existing
// directory: most likely the medium is not connected or not mounted.
// Export never creates it, so a bundle never lands on the internal disk
// in place of the medium; create a new folder on purpose first.
var ErrNoMedia = errors.New("the media folder does not exist")

// CheckOut reports whether out, the media root, is an existing directory;
// its error wraps ErrNoMedia when it is not. Export checks it first, and
// commands check it before they fetch or ask for a password.
func CheckOut(out string) error {
	fi, err := os.Stat(out)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("%s: %w (it is a file)", out, ErrNoMedia)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w", out, ErrNoMedia)
	}
	return fmt.Errorf("media folder: %w", err)
}

// ErrStateCode is wrapped when --since names a state this fetcher never
// shipped, or its check characters do not match.
var ErrStateCode = errors.New("unknown mirror state")

// ErrSinceSyntax is wrapped when --since is neither a sequence number nor a
// state code (a usage error).
var ErrSinceSyntax = errors.New("not a sequence number or state code")

// Export writes the next bundle: the full catalog state of every source,
// with the artifacts the mirror does not have yet (all of them for a full
// bundle). Without Since and Full it is a delta on the last bundle.
//
// A bundle with nothing to carry is never written, and uses up no
// sequence number: when it would hold no artifact and its catalog equals
// the one the mirror has at its base (the base bundle's catalog; for a
// full bundle, the empty catalog of a new mirror), Export writes nothing
// and says NothingNew, with Sequence, Base and StateCode those of the last
// bundle written (zero before the first). A delta that holds no artifact
// but changes the catalog (a product removed, files retired, a version
// going back to files the mirror has) is written: the mirror must learn
// it.
//
// Out must be an existing directory (CheckOut): nothing is written, and
// no sequence used up, when it is not.
func Export(ctx context.Context, st *State, cache *Cache, o ExportOptions) (*ExportResult, error) {
	if err := CheckOut(o.Out); err != nil {
		return nil, err
	}
	shipments, err := st.Shipments()
	if err != nil {
		return nil, err
	}
	var last *Shipment
	if len(shipments) > 0 {
		last = &shipments[len(shipments)-1]
	}
	current, catalog, err := currentState(st, cache, append(append([]string{}, o.Sources...), ManualSource))
	if err != nil {
		return nil, err
	}
	res := &ExportResult{Sequence: 1, New: []string{}}
	if last != nil {
		res.Sequence = last.Sequence + 1
	}
	var base *Shipment
	switch {
	case o.Full || (last == nil && o.Since == ""):
	case o.Since != "":
		if base, err = findShipment(shipments, o.Since); err != nil {
			return nil, err
		}
	default:
		base = last
	}
	var baseCatalog media.Catalog // the mirror's catalog at base: empty for a full bundle
	if base != nil {
		baseCatalog = base.Catalog
	}
	have := make(map[string]bool)
	if base != nil {
		res.Base = base.Sequence
		for _, c := range base.Catalog {
			for _, sha := range c.Artifacts {
				have[sha] = true
			}
		}
	}
	var c media.Contents
	var shown []*media.Artifact
	metas := make(map[string]string) // name → sha
	for _, a := range current {
		if have[a.SHA256] {
			continue
		}
		c.Inputs = append(c.Inputs, media.Input{Path: cache.BlobPath(a.SHA256), Artifact: a.Artifact})
		shown = append(shown, &a.Artifact)
		res.Bytes += a.Size
		for _, ev := range a.Evidence {
			if prev, ok := metas[ev.Name]; ok && prev != ev.SHA256 {
				return nil, fmt.Errorf("two different evidence files are named %s; run fetch again", ev.Name)
			}
			if _, ok := metas[ev.Name]; !ok {
				metas[ev.Name] = ev.SHA256
				c.Meta = append(c.Meta, media.MetaInput{Name: ev.Name, Path: cache.BlobPath(ev.SHA256)})
			}
		}
	}
	if len(c.Inputs) == 0 && sameCatalog(baseCatalog, catalog) {
		res = &ExportResult{NothingNew: true, New: []string{}}
		if last != nil {
			res.Sequence, res.Base, res.StateCode = last.Sequence, last.Base, last.StateCode
		}
		return res, nil
	}
	slices.SortStableFunc(shown, Order)
	for _, a := range shown {
		res.New = append(res.New, a.Label())
	}
	c.Catalog = catalog
	// Retire what the mirror has and no longer needs: with --since the
	// mirror is at base, not at the last bundle written.
	if base != nil {
		c.Retired = retired(base.Catalog, catalog)
	} else if last != nil {
		c.Retired = retired(last.Catalog, catalog)
	}
	if o.Key == nil && o.LoadKey != nil {
		if o.Key, err = o.LoadKey(); err != nil {
			return nil, err
		}
	}
	wo := media.WriteOptions{Out: o.Out, Site: o.Site, Sequence: res.Sequence, Base: res.Base, Created: o.Created,
		MaxFileSize: o.MaxFileSize, VolumeSize: o.VolumeSize, Key: o.Key, Progress: o.Progress, Zone: o.Zone}
	if o.Validity > 0 {
		wo.Expires = o.Created.Add(o.Validity)
	}
	w, err := media.Write(ctx, wo, c)
	if err != nil {
		return nil, err
	}
	res.Written, res.Dirs, res.Artifacts = w, w.Dirs, len(w.Manifest.Artifacts)
	// The state code as the mirror computes it: from the catalog of the
	// signed manifest as read back (an empty catalog reads back as nil,
	// which hashes differently from an empty list).
	signed, err := media.ParseManifest(w.Raw)
	if err != nil {
		return nil, err
	}
	catalog = signed.Catalog
	res.StateCode = media.StateCode(res.Sequence, catalog)
	var shipped []string
	for _, in := range c.Inputs {
		shipped = append(shipped, in.Artifact.SHA256)
	}
	err = st.RecordShipment(&Shipment{Sequence: res.Sequence, Base: res.Base, Created: o.Created, Artifacts: shipped,
		Catalog: catalog, StateCode: res.StateCode})
	return res, err
}

// currentState collects the current artifacts of the sources and builds
// the catalog: one entry per vendor/product/channel, in a fixed order.
func currentState(st *State, cache *Cache, sources []string) ([]*Artifact, media.Catalog, error) {
	var arts []*Artifact
	seen := make(map[string]bool)
	versions := make(map[string]string)
	for _, src := range sources {
		cur, err := st.Current(src)
		if err != nil {
			return nil, nil, err
		}
		if cur == nil {
			continue
		}
		for k, v := range cur.Versions {
			versions[k] = v
		}
		for _, sha := range cur.Artifacts {
			if seen[sha] {
				continue
			}
			seen[sha] = true
			a, err := st.Artifact(sha)
			if err != nil {
				return nil, nil, err
			}
			if a == nil || !cache.Has(sha) {
				return nil, nil, fmt.Errorf("the cache has lost %s (%s); run `patchferry fetch` again", sha, src)
			}
			for _, ev := range a.Evidence {
				if !cache.Has(ev.SHA256) {
					return nil, nil, fmt.Errorf("the cache has lost the evidence %s; run `patchferry fetch` again", ev.Name)
				}
			}
			arts = append(arts, a)
		}
	}
	sort.Slice(arts, func(i, j int) bool {
		a, b := arts[i], arts[j]
		if a.Vendor+"/"+a.Product != b.Vendor+"/"+b.Product {
			return a.Vendor+"/"+a.Product < b.Vendor+"/"+b.Product
		}
		return a.SHA256 < b.SHA256
	})
	tree := make([]*media.Artifact, len(arts))
	for i, a := range arts {
		tree[i] = &a.Artifact
	}
	if err := media.CheckTreePaths(tree); err != nil {
		return nil, nil, fmt.Errorf("the current files cannot all be served by a mirror: %w", err)
	}
	var cat media.Catalog
	index := make(map[[3]string]int)
	for _, a := range arts {
		k := [3]string{a.Vendor, a.Product, a.Channel}
		i, ok := index[k]
		if !ok {
			v := versions[a.Vendor+"/"+a.Product]
			if v == "" {
				v = a.Version
			}
			i = len(cat)
			index[k] = i
			cat = append(cat, media.CatalogEntry{Vendor: a.Vendor, Product: a.Product, Channel: a.Channel, Version: v, Artifacts: []string{}})
		}
		cat[i].Artifacts = append(cat[i].Artifacts, a.SHA256)
	}
	if cat == nil {
		cat = media.Catalog{}
	}
	return arts, cat, nil
}

// CheckSince reports whether since (a sequence or a state code) names a
// bundle this fetcher wrote, with a matching check, without writing
// anything: export checks it before it asks for the key's password.
func CheckSince(st *State, since string) error {
	shipments, err := st.Shipments()
	if err != nil {
		return err
	}
	_, err = findShipment(shipments, since)
	return err
}

// findShipment resolves --since: a sequence number or a state code whose
// check must match what that bundle carried.
func findShipment(shipments []Shipment, since string) (*Shipment, error) {
	seqText := since
	if i := strings.IndexByte(since, '-'); i >= 0 {
		seqText = since[:i]
	}
	seq, err := strconv.ParseUint(seqText, 10, 64)
	if err != nil || seq == 0 {
		return nil, fmt.Errorf("--since %q: %w; want a sequence number or the mirror's state code (e.g. 42-K7QF)", since, ErrSinceSyntax)
	}
	for i := range shipments {
		sh := &shipments[i]
		if sh.Sequence != seq {
			continue
		}
		if strings.Contains(since, "-") {
			if err := media.CheckStateCode(since, sh.Sequence, sh.Catalog); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrStateCode, err)
			}
		}
		return sh, nil
	}
	return nil, fmt.Errorf("%w: this fetcher never wrote bundle %d; use --full", ErrStateCode, seq)
}

// sameCatalog reports whether two catalogs list the same state; an empty
// catalog may be nil (read back from JSON) or an empty list.
func sameCatalog(a, b media.Catalog) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// retired lists artifacts of the last catalog that are no longer current.
func retired(last, now media.Catalog) media.RetiredSet {
	cur := make(map[string]bool)
	for _, c := range now {
		for _, sha := range c.Artifacts {
			cur[sha] = true
		}
	}
	var out media.RetiredSet
	for _, c := range last {
		for _, sha := range c.Artifacts {
			if !cur[sha] {
				out = append(out, media.Retired{Vendor: c.Vendor, Product: c.Product, Version: c.Version, SHA256: sha})
			}
		}
	}
	return out
}
