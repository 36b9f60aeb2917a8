package mozilla

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
)

// Source fetches Firefox ESR, Firefox and Thunderbird: product-details for
// the versions and their release dates, SHA512SUMS verified against
// SHA512SUMS.asc with Mozilla's release key, then the installers (EXE, MSI)
// and complete MARs of the configured platforms and languages, each checked
// against the sums (media/evidence).
type Source struct {
	cfg Config
}

// Name implements fetcher.Source.
func (*Source) Name() string { return "mozilla" }

// maxFile bounds one Mozilla file.
const maxFile = 1 << 30

// product describes one product track. Its release dates are in
// product-details <dir>.json under "<dir>-<version>".
type product struct {
	name, dir, display, channel, detailsFile string
	keys                                     []string // product-details keys, first present wins
}

var products = map[string]product{
	"firefox-esr": {name: "firefox-esr", dir: "firefox", display: "Firefox", channel: "esr", detailsFile: "firefox_versions.json", keys: []string{"FIREFOX_ESR"}},
	"firefox":     {name: "firefox", dir: "firefox", display: "Firefox", channel: "release", detailsFile: "firefox_versions.json", keys: []string{"LATEST_FIREFOX_VERSION"}},
	"thunderbird": {name: "thunderbird", dir: "thunderbird", display: "Thunderbird", channel: "release", detailsFile: "thunderbird_versions.json", keys: []string{"THUNDERBIRD_ESR", "LATEST_THUNDERBIRD_VERSION"}},
}

// releasesFile is the product-details file with the release dates of p.
func (p product) releasesFile() string { return p.dir + ".json" }

// Fetch implements fetcher.Source.
func (m *Source) Fetch(ctx context.Context, env *fetcher.Env) error {
	details := make(map[string]map[string]string)
	releases := make(map[string]Releases) // by file; nil: not available
	for _, name := range m.cfg.Products {
		p := products[string(name)]
		if details[p.detailsFile] == nil {
			b, _, err := env.Downloader.Meta(ctx, string(m.cfg.ProductDetailsURL)+"/"+p.detailsFile, MaxProductDetails)
			if err != nil {
				return fmt.Errorf("product-details: %w", err)
			}
			if details[p.detailsFile], err = ParseProductDetails(b); err != nil {
				return fmt.Errorf("product-details %s: %w", p.detailsFile, err)
			}
		}
		version := ""
		for _, k := range p.keys {
			if v := details[p.detailsFile][k]; v != "" {
				version = v
				break
			}
		}
		if version == "" {
			return fmt.Errorf("product-details %s has none of %v", p.detailsFile, p.keys)
		}
		if _, ok := releases[p.releasesFile()]; !ok {
			releases[p.releasesFile()] = m.releases(ctx, env, p.releasesFile())
		}
		released, ok := releases[p.releasesFile()].Date(p.dir, version)
		if !ok && releases[p.releasesFile()] != nil { // else warned already
			env.Log.Warn("no release date: the version is not in product-details", "source", "mozilla",
				"product", p.name, "version", version, "file", p.releasesFile())
		}
		if err := m.fetchVersion(ctx, env, p, version, released); err != nil {
			return err
		}
	}
	return nil
}

// releases fetches and reads a product-details releases file; nil, with a
// warning, when it cannot: release dates are worth no failed fetch.
func (m *Source) releases(ctx context.Context, env *fetcher.Env, file string) Releases {
	b, _, err := env.Downloader.Meta(ctx, string(m.cfg.ProductDetailsURL)+"/"+file, MaxProductReleases)
	var r Releases
	if err == nil {
		r, err = ParseReleases(b)
	}
	if err != nil {
		env.Log.Warn("no release dates: product-details releases file unavailable", "source", "mozilla", "file", file, "err", err)
		return nil
	}
	return r
}

// fetchVersion fetches every file of one product version, released then
// (zero: not known). A refused SUMS refuses the whole version; a refused
// file refuses that file.
func (m *Source) fetchVersion(ctx context.Context, env *fetcher.Env, p product, version string, released time.Time) error {
	base := fmt.Sprintf("%s/pub/%s/releases/%s", m.cfg.URL, p.dir, url.PathEscape(version))
	what := fmt.Sprintf("%s %s", p.name, version)
	rawSums, asc, err := fetchPair(ctx, env, base+"/SHA512SUMS")
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	sums, _, err := evidence.MozillaSums(rawSums, asc, env.Trust.For("mozilla", p.name), env.Now())
	if err != nil {
		env.Refuse(what+" SHA512SUMS", err)
		return env.KeepPrevious("mozilla", p.name)
	}
	kept := make([]fetcher.Evidence, 0, 2)
	for _, f := range []struct {
		name string
		b    []byte
	}{{"SHA512SUMS", rawSums}, {"SHA512SUMS.asc", asc}} {
		ev, err := env.KeepEvidence(fmt.Sprintf("mozilla-%s-%s-%s", p.name, version, f.name), base+"/"+f.name, f.b)
		if err != nil {
			return err
		}
		kept = append(kept, ev)
	}
	buildID := m.buildID(ctx, env, base, sums)
	var wg sync.WaitGroup
	errs := make(chan error, len(m.cfg.Platforms)*len(m.cfg.Languages)*3)
	for _, platform := range m.cfg.Platforms {
		for _, lang := range m.cfg.Languages {
			for _, f := range []struct{ rel, kind string }{
				{fmt.Sprintf("%s/%s/%s Setup %s.exe", platform, lang, p.display, version), "installer-exe"},
				{fmt.Sprintf("%s/%s/%s Setup %s.msi", platform, lang, p.display, version), "installer-msi"},
				{fmt.Sprintf("update/%s/%s/%s-%s.complete.mar", platform, lang, p.dir, version), "mar-complete"},
			} {
				a := fetcher.Artifact{Artifact: media.Artifact{
					Vendor: "mozilla", Product: p.name, Channel: p.channel, Version: version,
					Platform: string(platform), Language: string(lang), Kind: f.kind, BuildID: buildID, Released: released,
					FileName: f.rel[strings.LastIndexByte(f.rel, '/')+1:], URL: base + "/" + escapePath(f.rel),
				}, Evidence: kept}
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := m.fetchFile(ctx, env, &a, f.rel, sums); err != nil {
						errs <- err
					}
				}()
			}
		}
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// fetchPair downloads a SUMS file and its armored signature.
func fetchPair(ctx context.Context, env *fetcher.Env, u string) (sums, asc []byte, err error) {
	if sums, _, err = env.Downloader.Meta(ctx, u, verify.MaxSumsFile); err != nil {
		return nil, nil, err
	}
	if asc, _, err = env.Downloader.Meta(ctx, u+".asc", verify.MaxArmoredSignature); err != nil {
		return nil, nil, err
	}
	return sums, asc, nil
}

// buildID reads <platform>_info.txt (listed in the signed sums) for the
// build ID that Firefox's updater compares; "" when absent.
func (m *Source) buildID(ctx context.Context, env *fetcher.Env, base string, sums map[string]string) string {
	for _, platform := range m.cfg.Platforms {
		rel := string(platform) + "_info.txt"
		want, ok := sums[rel]
		if !ok {
			continue
		}
		b, _, err := env.Downloader.Meta(ctx, base+"/"+rel, 4096)
		if err != nil || verify.SHA512Hex(b) != want {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if id, ok := strings.CutPrefix(strings.TrimSpace(line), "buildID="); ok && len(id) == 14 {
				return id
			}
		}
	}
	return ""
}

// fetchFile downloads one file unless it is already fetched and hands it
// to the check against the signed sums. A file an earlier run recorded
// without a release date (a patchferry before release dates, or a version
// product-details did not list yet) gets a's.
func (m *Source) fetchFile(ctx context.Context, env *fetcher.Env, a *fetcher.Artifact, rel string, sums map[string]string) error {
	what := fmt.Sprintf("%s %s %s", a.Product, a.Version, rel)
	if _, ok := sums[rel]; !ok {
		env.Refuse(what, errors.New("not listed in the signed SHA512SUMS"))
		return nil
	}
	if old, err := env.State.FindArtifact("mozilla", a.URL, a.Version); err != nil {
		return err
	} else if old != nil && env.Cache.Has(old.SHA256) {
		if err := env.Unchanged(old); err != nil {
			return err
		}
		if old.Released.IsZero() && !a.Released.IsZero() {
			old.Released = a.Released
			return env.State.Record(old) // what exports read
		}
		return nil
	}
	dl, err := env.Downloader.File(ctx, a.URL, a.FileName, maxFile)
	if err != nil {
		var he *fetcher.HTTPError
		if errors.As(err, &he) && he.Status == 404 {
			env.Refuse(what, err)
			return nil
		}
		return err
	}
	a.Verification = media.Verification{Method: evidence.MethodMozillaSums,
		Evidence: []string{a.Evidence[0].Name, a.Evidence[1].Name}, Entry: rel}
	_, err = env.Admit(ctx, what, &fetcher.Candidate{Artifact: a, Download: dl})
	return err
}

// escapePath escapes each segment of a relative path for a URL.
func escapePath(rel string) string {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
