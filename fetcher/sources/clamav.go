package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// ClamAV fetches ClamAV's signature databases as a private mirror does:
// the versions from the DNS TXT record (or from the .cvd headers over HTTP),
// then <db>.cvd and the cdiff chain of each database, with .sign files when
// the CDN has them (also when it publishes one after its file was fetched).
// Every CVD's MD5 and signature and every cdiff's signature are checked with
// ClamAV's keys from the vendor trust.
type ClamAV struct {
	cfg fetcher.ClamAVConfig
}

// NewClamAV returns the ClamAV source.
func NewClamAV(cfg fetcher.ClamAVConfig) *ClamAV { return &ClamAV{cfg: cfg} }

// Name implements fetcher.Source.
func (*ClamAV) Name() string { return "clamav" }

const (
	maxCVD   = 2 << 30
	maxCdiff = 64 << 20
	maxSign  = 1 << 20
	// signFLevel is the functionality level .sign lines are selected for.
	signFLevel = 230
)

// Fetch implements fetcher.Source.
func (c *ClamAV) Fetch(ctx context.Context, env *fetcher.Env) error {
	txt, err := c.lookupTXT(ctx)
	if err != nil {
		return err
	}
	for _, db := range c.cfg.Databases {
		if err := c.fetchDB(ctx, env, string(db), txt); err != nil {
			return fmt.Errorf("%s: %w", db, err)
		}
	}
	return nil
}

// lookupTXT reads the version record, or returns nil when versions come
// from the .cvd headers.
func (c *ClamAV) lookupTXT(ctx context.Context) (*verify.ClamAVTXT, error) {
	if c.cfg.DNS == "" {
		return nil, nil
	}
	r := &net.Resolver{}
	if c.cfg.DNSServer != "" {
		r = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, string(c.cfg.DNSServer))
		}}
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	recs, err := r.LookupTXT(ctx, c.cfg.DNS)
	if err != nil || len(recs) == 0 {
		return nil, fmt.Errorf("DNS TXT %s: %v; set sources.clamav.dns to \"\" to read versions over HTTP", c.cfg.DNS, err)
	}
	return verify.ParseClamAVTXT(recs[0])
}

// version returns the advertised version of db.
func (c *ClamAV) version(ctx context.Context, env *fetcher.Env, db string, txt *verify.ClamAVTXT) (uint64, error) {
	if txt != nil {
		if v, ok := txt.Version(db); ok {
			return v, nil
		}
	}
	head, _, err := env.Downloader.Head(ctx, c.url(db+".cvd"), verify.CVDHeaderSize)
	if err != nil {
		return 0, err
	}
	h, err := verify.ParseCVDHeader(head)
	if err != nil {
		return 0, fmt.Errorf("%s.cvd header: %w", db, err)
	}
	return h.Version, nil
}

func (c *ClamAV) url(name string) string { return string(c.cfg.URL) + "/" + name }

func (c *ClamAV) fetchDB(ctx context.Context, env *fetcher.Env, db string, txt *verify.ClamAVTXT) error {
	v, err := c.version(ctx, env, db, txt)
	if err != nil {
		return err
	}
	cvd, err := c.fetchCVD(ctx, env, db, v)
	if err != nil {
		return err
	}
	if cvd == nil { // refused: keep serving what we had
		return keepPrevious(env, "clamav", "clamav", db)
	}
	first := uint64(2)
	if n := uint64(c.cfg.Cdiffs); v > n {
		first = v - n + 1
	}
	for n := first; n <= v && c.cfg.Cdiffs > 0; n++ {
		if err := c.fetchCdiff(ctx, env, db, n, v); err != nil {
			return err
		}
	}
	return nil
}

// fetchCVD fetches <db>.cvd at version v, or keeps it when already fetched.
// It returns nil when the file was refused.
func (c *ClamAV) fetchCVD(ctx context.Context, env *fetcher.Env, db string, v uint64) (*fetcher.Artifact, error) {
	u := c.url(db + ".cvd")
	version := fmt.Sprint(v)
	if old, err := env.State.FindArtifact("clamav", u, version); err != nil {
		return nil, err
	} else if old != nil && env.Cache.Has(old.SHA256) {
		c.keepOldSign(ctx, env, db, db+"-"+version+".cvd.sign", version, env.Cache.BlobPath(old.SHA256))
		return old, env.Keep(old, false)
	}
	dl, err := env.Downloader.File(ctx, u, db+".cvd", maxCVD)
	if err != nil {
		return nil, err
	}
	h, err := verifyFile(dl.Path, func(f *os.File) (*verify.CVDHeader, error) { return verify.VerifyCVD(f, env.Trust) })
	if err == nil && h.Version != v {
		err = fmt.Errorf("the server has version %d, the advertised version is %d (mirror not synchronised yet; run again later)", h.Version, v)
	}
	if err != nil {
		env.Cache.Discard(dl)
		env.Refuse(db+".cvd "+version, err)
		return nil, nil
	}
	header, err := readHead(dl.Path, verify.CVDHeaderSize)
	if err != nil {
		return nil, err
	}
	ev, err := env.KeepEvidence(fmt.Sprintf("clamav-%s-%d.cvd-header", db, v), header)
	if err != nil {
		return nil, err
	}
	a := &fetcher.Artifact{Artifact: media.Artifact{
		Vendor: "clamav", Product: db, Version: version, Kind: "cvd", FileName: db + ".cvd", URL: u,
		Released: time.Unix(h.BuildUnix, 0).UTC(),
		Verification: media.Verification{Method: media.MethodClamAVCVD, Signer: h.Builder, Time: env.Now().UTC(),
			Evidence: []string{ev.Name}},
	}, Evidence: []fetcher.Evidence{ev}}
	if !c.keepSign(ctx, env, db, db+"-"+version+".cvd.sign", version, dl.Path) {
		env.Cache.Discard(dl)
		return nil, nil
	}
	if _, err := env.Cache.Commit(dl); err != nil {
		return nil, err
	}
	a.Size, a.SHA256 = dl.Size, dl.SHA256
	return a, env.Keep(a, true)
}

// fetchCdiff fetches <db>-<n>.cdiff; a missing one is skipped, as freshclam
// does.
func (c *ClamAV) fetchCdiff(ctx context.Context, env *fetcher.Env, db string, n, current uint64) error {
	name := fmt.Sprintf("%s-%d.cdiff", db, n)
	u := c.url(name)
	version := fmt.Sprint(n)
	if old, err := env.State.FindArtifact("clamav", u, version); err != nil {
		return err
	} else if old != nil && env.Cache.Has(old.SHA256) {
		c.keepOldSign(ctx, env, db, name+".sign", version, env.Cache.BlobPath(old.SHA256))
		return env.Keep(old, false)
	}
	dl, err := env.Downloader.File(ctx, u, name, maxCdiff)
	var he *fetcher.HTTPError
	if errors.As(err, &he) && he.Status == 404 {
		env.Log.Info("cdiff not on the server, skipped", "file", name)
		return nil
	}
	if err != nil {
		return err
	}
	b, err := os.ReadFile(dl.Path)
	if err != nil {
		return err
	}
	cd, err := verify.VerifyCdiff(b, env.Trust)
	if err == nil && cd.Version != n {
		err = fmt.Errorf("the cdiff says it makes version %d, its name says %d", cd.Version, n)
	}
	if err != nil {
		env.Cache.Discard(dl)
		env.Refuse(name, err)
		return nil
	}
	if !c.keepSign(ctx, env, db, name+".sign", version, dl.Path) {
		env.Cache.Discard(dl)
		return nil
	}
	if _, err := env.Cache.Commit(dl); err != nil {
		return err
	}
	return env.Keep(&fetcher.Artifact{Artifact: media.Artifact{
		Vendor: "clamav", Product: db, Version: version, Kind: "cdiff", FileName: name, URL: u, Size: dl.Size, SHA256: dl.SHA256,
		Verification: media.Verification{Method: media.MethodClamAVCdiff, Time: env.Now().UTC()},
	}}, true)
}

// keepOldSign keeps the .sign file of a database file fetched before (now
// at cached): the one recorded then, or one the server published since,
// checked against the cached file. A late .sign that does not hold is
// refused; the database file keeps standing on its legacy signature.
func (c *ClamAV) keepOldSign(ctx context.Context, env *fetcher.Env, db, name, version, cached string) {
	if old, err := env.State.FindArtifact("clamav", c.url(name), version); err == nil && old != nil && env.Cache.Has(old.SHA256) {
		env.Keep(old, false)
		return
	}
	c.checkSign(ctx, env, db, name, version, cached, true)
}

// keepSign fetches and checks the .sign file of a database file when the
// server has one, verifying it against the new file at path; an invalid
// .sign refuses the file (false), a missing one is fine.
func (c *ClamAV) keepSign(ctx context.Context, env *fetcher.Env, db, name, version, path string) bool {
	return c.checkSign(ctx, env, db, name, version, path, false)
}

// checkSign fetches, checks and keeps the .sign file name of the database
// file at path; false when the .sign is refused. late: the database file
// was kept before, and a refused .sign does not take it back.
func (c *ClamAV) checkSign(ctx context.Context, env *fetcher.Env, db, name, version, path string, late bool) bool {
	u := c.url(name)
	b, _, err := env.Downloader.Meta(ctx, u, maxSign)
	if err != nil {
		return true // no .sign (ClamAV < 1.5 CDNs, private mirrors): the legacy signature stands
	}
	pool, err := env.Trust.ClamAVSignPool()
	if err == nil {
		var f *os.File
		if f, err = os.Open(path); err == nil {
			err = verify.VerifyClamSign(b, f, pool, signFLevel, env.Now())
			f.Close()
		}
	}
	if errors.Is(err, verify.ErrClamSignUnusable) {
		// Unusable (no line for this f-level, a root we do not trust): as
		// ClamAV does, the legacy signature stands; the .sign is not kept.
		env.Log.Warn(".sign file unusable, the legacy signature stands", "file", name, "err", err)
		return true
	}
	if err != nil && late {
		env.Refuse(name, fmt.Errorf("invalid .sign file, published after its database file (which stands on its legacy signature): %w", err))
		return false
	}
	if err != nil {
		env.Refuse(name, fmt.Errorf("invalid .sign file refuses its database file: %w", err))
		return false
	}
	sha, err := env.Cache.PutBytes(b)
	if err == nil {
		err = env.Keep(&fetcher.Artifact{Artifact: media.Artifact{
			Vendor: "clamav", Product: db, Version: version, Kind: "sign", FileName: name, URL: u, Size: int64(len(b)), SHA256: sha,
			Verification: media.Verification{Method: media.MethodClamAVSign, Time: env.Now().UTC()},
		}}, true)
	}
	if err != nil {
		env.Refuse(name, fmt.Errorf("could not keep the .sign file: %w", err))
		return false
	}
	return true
}

func verifyFile[T any](path string, fn func(*os.File) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return fn(f)
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	_, err = f.ReadAt(b, 0)
	return bytes.TrimRight(b, "\x00"), err
}
