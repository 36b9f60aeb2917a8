package media

import (
	"fmt"
	"strings"
)

// plan picks the part size and assigns every piece to a volume. The manifest
// length does not depend on hash values (fixed-width hex), so it is known
// before copying.
func (w *writer) plan() error {
	var metaTotal int64
	for _, mf := range w.m.Meta {
		metaTotal += mf.Size
	}
	part := w.o.MaxFileSize
	for range 16 {
		overhead, err := w.overhead(part)
		if err != nil {
			return err
		}
		if w.o.VolumeSize == 0 {
			break
		}
		capacity := w.o.VolumeSize - overhead - metaTotal
		if capacity < 1 {
			return fmt.Errorf("--volume-size %d is too small: the manifest, README and metadata alone need %d bytes", w.o.VolumeSize, overhead+metaTotal)
		}
		if capacity >= part {
			break
		}
		part = capacity
	}
	w.planPart = part
	w.assign = make([][]int, len(w.c.Inputs))
	for i, size := range w.sizes {
		if n := (size + part - 1) / part; n > MaxParts {
			return fmt.Errorf("%s would be split into %d parts, more than the limit of %d; use a larger --max-file-size or --volume-size",
				w.c.Inputs[i].Path, n, MaxParts)
		}
	}
	// The overhead is the same for every volume: work it out once, not
	// once per piece (it marshals the whole manifest).
	var ov int64
	if w.o.VolumeSize != 0 {
		var err error
		if ov, err = w.overhead(part); err != nil {
			return err
		}
	}
	vol, used := 1, int64(0)
	capacity := func(v int) int64 {
		if w.o.VolumeSize == 0 {
			return 1<<62 - 1
		}
		if v == 1 {
			return w.o.VolumeSize - ov - metaTotal
		}
		return w.o.VolumeSize - ov
	}
	for i, size := range w.sizes {
		for _, p := range splitSizes(size, part) {
			if used+p > capacity(vol) {
				vol, used = vol+1, 0
			}
			used += p
			w.assign[i] = append(w.assign[i], vol)
		}
	}
	w.volumes = vol
	if vol > MaxVolumes {
		return fmt.Errorf("the bundle needs %d volumes, more than %d; use a larger --volume-size", vol, MaxVolumes)
	}
	return nil
}

// overhead is what every volume holds besides payloads.
func (w *writer) overhead(part int64) (int64, error) {
	m := w.m
	m.Artifacts = make(Artifacts, len(w.c.Inputs))
	placeholder := strings.Repeat("0", 64)
	var indexLen int64 = 256
	for i, in := range w.c.Inputs {
		a := in.Artifact
		a.Size, a.SHA256 = w.sizes[i], placeholder
		sizes := splitSizes(w.sizes[i], part)
		a.Parts = nil
		if len(sizes) > 1 {
			for _, s := range sizes {
				a.Parts = append(a.Parts, Part{Size: s, SHA256: placeholder})
				indexLen += int64(len(PartPath(placeholder, len(a.Parts)))) + 8
			}
		} else {
			indexLen += int64(len(PayloadPath(placeholder))) + 8
		}
		m.Artifacts[i] = a
	}
	if w.c.Catalog != nil {
		m.Catalog = w.c.Catalog
	} else {
		m.Catalog = CatalogOf(m.Artifacts)
	}
	raw, err := m.Marshal()
	if err != nil {
		return 0, err
	}
	if int64(len(raw)) > MaxManifestSize {
		return 0, fmt.Errorf("the manifest would be %d bytes, above the limit of %d: split the files over several bundles", len(raw), MaxManifestSize)
	}
	// The longest README: the one of a volume with a four-digit number.
	readme := Readme(&m, DirName{Site: w.o.Site, Sequence: w.o.Sequence, Volume: MaxVolumes, Volumes: MaxVolumes}, w.o.Zone)
	return int64(len(raw)) + int64(len(readme)) + 64 + indexLen + approvalReserve, nil
}

// splitSizes returns the sizes of the parts of a file of size n; a file of
// at most part bytes is one piece.
func splitSizes(n, part int64) []int64 {
	if n <= part {
		return []int64{n}
	}
	var out []int64
	for n > 0 {
		p := min(n, part)
		out = append(out, p)
		n -= p
	}
	return out
}

// CatalogOf groups artifacts into one catalog entry per
// vendor/product/channel/version, in first-seen order.
func CatalogOf(arts []Artifact) Catalog {
	var cat Catalog
	index := make(map[[4]string]int)
	for _, a := range arts {
		k := [4]string{a.Vendor, a.Product, a.Channel, a.Version}
		i, ok := index[k]
		if !ok {
			i = len(cat)
			index[k] = i
			cat = append(cat, CatalogEntry{Vendor: a.Vendor, Product: a.Product, Channel: a.Channel, Version: a.Version, Artifacts: []string{}})
		}
		if !containsString(cat[i].Artifacts, a.SHA256) {
			cat[i].Artifacts = append(cat[i].Artifacts, a.SHA256)
		}
	}
	return cat
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
