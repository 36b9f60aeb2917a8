package sources

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// Mozilla fetches Firefox ESR, Firefox and Thunderbird: product-details for
// the versions, SHA512SUMS verified against SHA512SUMS.asc with Mozilla's
// release key, then the installers (EXE, MSI) and complete MARs of the
// configured platforms and languages, each checked against the sums.
type Mozilla struct {
	cfg fetcher.MozillaConfig
}

// NewMozilla returns the Mozilla source.
func NewMozilla(cfg fetcher.MozillaConfig) *Mozilla { return &Mozilla{cfg: cfg} }

// Name implements fetcher.Source.
func (*Mozilla) Name() string { return "mozilla" }

// Limits of Mozilla files.
const (
	maxMozillaFile = 1 << 30
	maxSumsFile    = verify.MaxSumsFile
)

// mozProduct describes one product track.
type mozProduct struct {
	name, dir, display, channel, detailsFile string
	keys                                     []string // product-details keys, first present wins
}

var mozProducts = map[string]mozProduct{
	"firefox-esr": {name: "firefox-esr", dir: "firefox", display: "Firefox", channel: "esr", detailsFile: "firefox_versions.json", keys: []string{"FIREFOX_ESR"}},
	"firefox":     {name: "firefox", dir: "firefox", display: "Firefox", channel: "release", detailsFile: "firefox_versions.json", keys: []string{"LATEST_FIREFOX_VERSION"}},
	"thunderbird": {name: "thunderbird", dir: "thunderbird", display: "Thunderbird", channel: "release", detailsFile: "thunderbird_versions.json", keys: []string{"THUNDERBIRD_ESR", "LATEST_THUNDERBIRD_VERSION"}},
}

// Fetch implements fetcher.Source.
func (m *Mozilla) Fetch(ctx context.Context, env *fetcher.Env) error {
	details := make(map[string]map[string]string)
	for _, name := range m.cfg.Products {
		p := mozProducts[string(name)]
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
		if err := m.fetchVersion(ctx, env, p, version); err != nil {
			return err
		}
	}
	return nil
}

// fetchVersion fetches every file of one product version. A refused SUMS
// refuses the whole version; a refused file refuses that file.
func (m *Mozilla) fetchVersion(ctx context.Context, env *fetcher.Env, p mozProduct, version string) error {
	base := fmt.Sprintf("%s/pub/%s/releases/%s", m.cfg.URL, p.dir, url.PathEscape(version))
	what := fmt.Sprintf("%s %s", p.name, version)
	rawSums, asc, err := fetchPair(ctx, env, base+"/SHA512SUMS")
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	sums, err := verifySums(env, rawSums, asc)
	if err != nil {
		env.Refuse(what+" SHA512SUMS", err)
		return keepPrevious(env, "mozilla", "mozilla", p.name)
	}
	evidence := make([]fetcher.Evidence, 0, 2)
	for _, f := range []struct {
		name string
		b    []byte
	}{{"SHA512SUMS", rawSums}, {"SHA512SUMS.asc", asc}} {
		ev, err := env.KeepEvidence(fmt.Sprintf("mozilla-%s-%s-%s", p.name, version, f.name), f.b)
		if err != nil {
			return err
		}
		evidence = append(evidence, ev)
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
					Platform: string(platform), Language: string(lang), Kind: f.kind, BuildID: buildID,
					FileName: f.rel[strings.LastIndexByte(f.rel, '/')+1:], URL: base + "/" + escapePath(f.rel),
				}, Evidence: evidence}
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
	if sums, _, err = env.Downloader.Meta(ctx, u, maxSumsFile); err != nil {
		return nil, nil, err
	}
	if asc, _, err = env.Downloader.Meta(ctx, u+".asc", verify.MaxArmoredSignature); err != nil {
		return nil, nil, err
	}
	return sums, asc, nil
}

// verifySums checks the signature of a SUMS file and parses it.
func verifySums(env *fetcher.Env, sums, asc []byte) (map[string]string, error) {
	keyring, err := env.Trust.Keyring()
	if err != nil {
		return nil, err
	}
	if _, err := verify.VerifyDetachedArmored(strings.NewReader(string(sums)), asc, keyring, env.Now()); err != nil {
		return nil, fmt.Errorf("SHA512SUMS.asc: %w", err)
	}
	return verify.ParseSums(sums)
}

// buildID reads <platform>_info.txt (listed in the signed sums) for the
// build ID that Firefox's updater compares; "" when absent.
func (m *Mozilla) buildID(ctx context.Context, env *fetcher.Env, base string, sums map[string]string) string {
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

// fetchFile downloads one file unless it is already fetched, checks it
// against the signed sums and keeps it.
func (m *Mozilla) fetchFile(ctx context.Context, env *fetcher.Env, a *fetcher.Artifact, rel string, sums map[string]string) error {
	what := fmt.Sprintf("%s %s %s", a.Product, a.Version, rel)
	want, ok := sums[rel]
	if !ok {
		env.Refuse(what, errors.New("not listed in the signed SHA512SUMS"))
		return nil
	}
	if old, err := env.State.FindArtifact("mozilla", a.URL, a.Version); err != nil {
		return err
	} else if old != nil && env.Cache.Has(old.SHA256) {
		return env.Keep(old, false)
	}
	dl, err := env.Downloader.File(ctx, a.URL, a.FileName, maxMozillaFile)
	if err != nil {
		var he *fetcher.HTTPError
		if errors.As(err, &he) && he.Status == 404 {
			env.Refuse(what, err)
			return nil
		}
		return err
	}
	got, err := sha512File(dl.Path)
	if err != nil {
		return err
	}
	if got != want {
		env.Cache.Discard(dl)
		env.Refuse(what, &verify.SumError{Path: rel, Want: want, Got: got})
		return nil
	}
	if _, err := env.Cache.Commit(dl); err != nil {
		return err
	}
	a.Size, a.SHA256 = dl.Size, dl.SHA256
	a.Verification = media.Verification{Method: media.MethodMozillaSums, Signer: "Mozilla Software Releases", Time: env.Now().UTC(),
		Evidence: []string{a.Evidence[0].Name, a.Evidence[1].Name}, Entry: rel}
	return env.Keep(a, true)
}

func sha512File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// escapePath escapes each segment of a relative path for a URL.
func escapePath(rel string) string {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
