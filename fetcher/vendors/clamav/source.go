package clamav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
)

// Source fetches ClamAV's signature databases as a private mirror does:
// the versions from the DNS TXT record (or from the .cvd headers over HTTP),
// then <db>.cvd and the cdiff chain of each database, with .sign files when
// the CDN has them (also when it publishes one after its file was fetched).
// Every CVD's MD5 and signature, every cdiff's signature and every .sign
// are checked (media/evidence) with ClamAV's anchors from the vendor trust.
type Source struct {
	cfg Config
}

// Name implements fetcher.Source.
func (*Source) Name() string { return "clamav" }

const maxCVD = 2 << 30

// Fetch implements fetcher.Source.
func (c *Source) Fetch(ctx context.Context, env *fetcher.Env) error {
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
func (c *Source) lookupTXT(ctx context.Context) (*verify.ClamAVTXT, error) {
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
	recs, lerr := r.LookupTXT(ctx, c.cfg.DNS)
	if lerr != nil || len(recs) == 0 {
		err := fmt.Errorf("DNS TXT %s: %v; set sources.clamav.dns to \"\" to read versions over HTTP", c.cfg.DNS, lerr)
		var de *net.DNSError
		if errors.As(lerr, &de) && !de.IsNotFound {
			// No answer at all (no network, no resolver): said like any
			// vendor that cannot be reached, with the same hint.
			return nil, &fetcher.UnreachableError{URL: "dns:" + c.cfg.DNS, Host: c.cfg.DNS, DNS: true, Err: err}
		}
		return nil, err
	}
	return verify.ParseClamAVTXT(recs[0])
}

// version returns the advertised version of db.
func (c *Source) version(ctx context.Context, env *fetcher.Env, db string, txt *verify.ClamAVTXT) (uint64, error) {
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

func (c *Source) url(name string) string { return string(c.cfg.URL) + "/" + name }

func (c *Source) fetchDB(ctx context.Context, env *fetcher.Env, db string, txt *verify.ClamAVTXT) error {
	v, err := c.version(ctx, env, db, txt)
	if err != nil {
		return err
	}
	cvd, err := c.fetchCVD(ctx, env, db, v)
	if err != nil {
		return err
	}
	if cvd == nil { // refused: keep serving what we had
		return env.KeepPrevious("clamav", db)
	}
	first := uint64(2)
	if n := uint64(c.cfg.Cdiffs); v > n {
		first = v - n + 1
	}
	for n := first; n <= v && c.cfg.Cdiffs > 0; n++ {
		if err := c.fetchCdiff(ctx, env, db, n, cvd); err != nil {
			return err
		}
	}
	return nil
}

// fetchCVD fetches <db>.cvd at version v with its .sign, or keeps it when
// already fetched. It returns nil when the file was refused.
func (c *Source) fetchCVD(ctx context.Context, env *fetcher.Env, db string, v uint64) (*fetcher.Artifact, error) {
	u := c.url(db + ".cvd")
	version := fmt.Sprint(v)
	if old, err := env.State.FindArtifact("clamav", u, version); err != nil {
		return nil, err
	} else if old != nil && env.Cache.Has(old.SHA256) {
		if err := env.Unchanged(old); err != nil {
			return nil, err
		}
		if old.Released.IsZero() { // recorded before release dates
			h, err := readHead(env.Cache.BlobPath(old.SHA256), verify.CVDHeaderSize)
			if err != nil {
				return nil, err
			}
			if hh, err := verify.ParseCVDHeader(h); err != nil {
				env.Log.Warn("no release date: the cached CVD header does not parse", "source", "clamav", "file", old.FileName, "err", err)
			} else if err := setReleased(env, old, time.Unix(hh.BuildUnix, 0).UTC()); err != nil {
				return nil, err
			}
		}
		return old, c.lateSign(ctx, env, db, db+"-"+version+".cvd.sign", version, old.Released)
	}
	dl, err := env.Downloader.File(ctx, u, db+".cvd", maxCVD)
	if err != nil {
		return nil, err
	}
	header, err := readHead(dl.Path, verify.CVDHeaderSize)
	if err != nil {
		return nil, err
	}
	h, err := verify.ParseCVDHeader(header)
	if err == nil && h.Version != v {
		err = fmt.Errorf("the server has version %d, the advertised version is %d (mirror not synchronised yet; run again later)", h.Version, v)
	}
	if err != nil {
		env.Cache.Discard(dl)
		env.Refuse(db+".cvd "+version, err)
		return nil, nil
	}
	ev, err := env.KeepEvidence(fmt.Sprintf("clamav-%s-%d.cvd-header", db, v), "", header)
	if err != nil {
		return nil, err
	}
	a := &fetcher.Artifact{Artifact: media.Artifact{
		Vendor: "clamav", Product: db, Version: version, Kind: "cvd", FileName: db + ".cvd", URL: u,
		Released:     time.Unix(h.BuildUnix, 0).UTC(),
		Verification: media.Verification{Method: evidence.MethodClamAVCVD, Evidence: []string{ev.Name}},
	}, Evidence: []fetcher.Evidence{ev}}
	group := []*fetcher.Candidate{{Artifact: a, Download: dl}}
	if sign, err := c.sign(ctx, env, db, db+"-"+version+".cvd.sign", version, a.Released); err != nil {
		env.Cache.Discard(dl)
		return nil, err
	} else if sign != nil {
		group = append(group, sign)
	}
	if kept, err := env.Admit(ctx, db+".cvd "+version, group...); !kept || err != nil {
		return nil, err
	}
	return a, nil
}

// fetchCdiff fetches <db>-<n>.cdiff with its .sign; a missing one is
// skipped, as freshclam does. Its release date is the build time of the
// version it makes (cdiffReleased).
func (c *Source) fetchCdiff(ctx context.Context, env *fetcher.Env, db string, n uint64, cvd *fetcher.Artifact) error {
	name := fmt.Sprintf("%s-%d.cdiff", db, n)
	u := c.url(name)
	version := fmt.Sprint(n)
	if old, err := env.State.FindArtifact("clamav", u, version); err != nil {
		return err
	} else if old != nil && env.Cache.Has(old.SHA256) {
		if err := env.Unchanged(old); err != nil {
			return err
		}
		if old.Released.IsZero() { // recorded before release dates: the cached file has it
			b, err := readChecked(env.Cache.BlobPath(old.SHA256), old.Size, old.SHA256, evidence.MaxCdiff)
			if err != nil {
				return err
			}
			if t, err := cdiffReleased(b, cvd); err != nil {
				env.Log.Warn("cdiff without a release date", "source", "clamav", "file", name, "err", err)
			} else if err := setReleased(env, old, t); err != nil {
				return err
			}
		}
		return c.lateSign(ctx, env, db, name+".sign", version, old.Released)
	}
	dl, err := env.Downloader.File(ctx, u, name, evidence.MaxCdiff)
	var he *fetcher.HTTPError
	if errors.As(err, &he) && he.Status == 404 {
		env.Log.Info("cdiff not on the server, skipped", "file", name)
		return nil
	}
	if err != nil {
		return err
	}
	// Dated before the check: Admit keeps the cdiff with its date, or
	// refuses both (a date only ever comes from a cdiff that verified).
	b, err := readChecked(dl.Path, dl.Size, dl.SHA256, evidence.MaxCdiff)
	if err != nil {
		env.Cache.Discard(dl)
		return err
	}
	released, dateErr := cdiffReleased(b, cvd)
	group := []*fetcher.Candidate{{Download: dl, Artifact: &fetcher.Artifact{Artifact: media.Artifact{
		Vendor: "clamav", Product: db, Version: version, Kind: "cdiff", FileName: name, URL: u, Released: released,
		Verification: media.Verification{Method: evidence.MethodClamAVCdiff},
	}}}}
	if sign, err := c.sign(ctx, env, db, name+".sign", version, released); err != nil {
		env.Cache.Discard(dl)
		return err
	} else if sign != nil {
		group = append(group, sign)
	}
	kept, err := env.Admit(ctx, name, group...)
	if kept && dateErr != nil {
		env.Log.Warn("cdiff without a release date", "source", "clamav", "file", name, "err", dateErr)
	}
	return err
}

// cdiffReleased is the release date of a cdiff: the build time in the new
// .info header its script writes (verify.CdiffBuildTime), or, when that
// cannot be read, the build time of the CVD of the same version.
func cdiffReleased(b []byte, cvd *fetcher.Artifact) (time.Time, error) {
	t, err := verify.CdiffBuildTime(b)
	if err == nil {
		return t, nil
	}
	if p, perr := verify.ParseCdiff(b); perr == nil && cvd != nil && cvd.Version == fmt.Sprint(p.Version) && !cvd.Released.IsZero() {
		return cvd.Released, nil
	}
	return time.Time{}, err
}

// setReleased records the release date of an artifact that an earlier run
// (a patchferry before release dates) recorded without one: the record is
// what exports read.
func setReleased(env *fetcher.Env, a *fetcher.Artifact, t time.Time) error {
	a.Released = t
	return env.State.Record(a)
}

// sign fetches the .sign file name when the server has one and returns it
// as a candidate checked after the file it signs; nil when there is none
// (ClamAV < 1.5 CDNs, private mirrors: the legacy signature stands). Its
// release date is that of the file it signs.
func (c *Source) sign(ctx context.Context, env *fetcher.Env, db, name, version string, released time.Time) (*fetcher.Candidate, error) {
	u := c.url(name)
	b, _, err := env.Downloader.Meta(ctx, u, evidence.MaxSign)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, nil
	}
	sha, err := env.Cache.PutBytes(b)
	if err != nil {
		return nil, err
	}
	return &fetcher.Candidate{Artifact: &fetcher.Artifact{Artifact: media.Artifact{
		Vendor: "clamav", Product: db, Version: version, Kind: "sign", FileName: name, URL: u, Size: int64(len(b)), SHA256: sha,
		Released: released, Verification: media.Verification{Method: evidence.MethodClamAVSign},
	}}, Note: "invalid .sign file refuses its database file"}, nil
}

// lateSign keeps the .sign file of a database file fetched before: the one
// recorded then, or one the server published since, checked against the
// kept file. A late .sign that does not hold is refused; the database file
// keeps standing on its legacy signature. released is the kept file's
// release date, the .sign's too.
func (c *Source) lateSign(ctx context.Context, env *fetcher.Env, db, name, version string, released time.Time) error {
	if old, err := env.State.FindArtifact("clamav", c.url(name), version); err != nil {
		return err
	} else if old != nil && env.Cache.Has(old.SHA256) {
		if err := env.Unchanged(old); err != nil {
			return err
		}
		if old.Released.IsZero() && !released.IsZero() { // recorded before release dates
			return setReleased(env, old, released)
		}
		return nil
	}
	sign, err := c.sign(ctx, env, db, name, version, released)
	if err != nil || sign == nil {
		return err
	}
	sign.Note = "invalid .sign file, published after its database file (which stands on its legacy signature)"
	_, err = env.Admit(ctx, name, sign)
	return err
}

// readChecked reads a small file whose size and SHA-256 are known (at most
// max bytes); a file changed on disk since is an error.
func readChecked(path string, size int64, sha string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return verify.ReadLimited(verify.NewReader(f, size, sha), max, path)
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	_, err = f.ReadAt(b, 0)
	if errors.Is(err, io.EOF) {
		err = nil // shorter than a header: ParseCVDHeader says so
	}
	return bytes.TrimRight(b, "\x00"), err
}
