package sources

import (
	"github.com/patchferry/patchferry/fetcher"
)

// Enabled returns the sources the configuration enables, in a fixed order.
func Enabled(cfg *fetcher.Config) []fetcher.Source {
	var out []fetcher.Source
	if cfg.Sources.ClamAV.Enabled {
		out = append(out, NewClamAV(cfg.Sources.ClamAV))
	}
	if cfg.Sources.Mozilla.Enabled {
		out = append(out, NewMozilla(cfg.Sources.Mozilla))
	}
	return out
}

// keepPrevious keeps what a source had current for a product last time,
// when this run refused the new version: the catalog must not lose the
// product.
func keepPrevious(env *fetcher.Env, source, vendor, product string) error {
	cur, err := env.State.Current(source)
	if err != nil || cur == nil {
		return err
	}
	// The files of the version that was current go first: the first kept
	// sets the product's version (fetcher.Env.Keep), and a ClamAV
	// database's cdiffs carry older versions than its CVD.
	prev := cur.Versions[vendor+"/"+product]
	var first, rest []*fetcher.Artifact
	for _, sha := range cur.Artifacts {
		a, err := env.State.Artifact(sha)
		if err != nil {
			return err
		}
		if a != nil && a.Vendor == vendor && a.Product == product && env.Cache.Has(sha) {
			if a.Version == prev {
				first = append(first, a)
			} else {
				rest = append(rest, a)
			}
		}
	}
	for _, a := range append(first, rest...) {
		if err := env.Keep(a, false); err != nil {
			return err
		}
	}
	return nil
}
