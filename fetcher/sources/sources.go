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
	for _, sha := range cur.Artifacts {
		a, err := env.State.Artifact(sha)
		if err != nil {
			return err
		}
		if a != nil && a.Vendor == vendor && a.Product == product && env.Cache.Has(sha) {
			if err := env.Keep(a, false); err != nil {
				return err
			}
		}
	}
	return nil
}
