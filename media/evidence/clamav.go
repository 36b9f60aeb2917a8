package evidence

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// ClamAV's methods.
const (
	MethodClamAVCVD   = "clamav-cvd"   // header MD5 + ClamAV's legacy RSA signature
	MethodClamAVCdiff = "clamav-cdiff" // ClamAV's PSS-like cdiff signature
	MethodClamAVSign  = "clamav-sign"  // a ClamAV .sign file (PKCS#7) over another artifact
)

// ClamAV's production keys (libclamav/dsig.c, libclamav_rust/src/cdiff.rs,
// libclamav/readdb.c).
const (
	clamavCVDN   = "118640995551645342603070001658453189751527774412027743746599405743243142607464144767361060640655844749760788890022283424922762488917565551002467771109669598189410434699034532232228621591089508178591428456220796841621637175567590476666928698770143328137383952820383197532047771780196576957695822641224262693037"
	clamavCdiffN = "14783905874077467090262228516557917570254599638376203532031989214105552847269687489771975792123442185817287694951949800908791527542017115600501303394778618535864845235700041590056318230102449612217458549016089313306591388590790796515819654102320725712300822356348724011232654837503241736177907784198700834440681124727060540035754699658105895050096576226753008596881698828185652424901921668758326578462003247906470982092298106789657211905488986281078346361469524484829559560886227198091995498440676639639830463593211386055065360288422394053998134458623712540683294034953818412458362198117811990006021989844180721010947"
	clamavInfoN  = "11088894983048545473659556106627194923928941791795047620591658697413581043322715912172496806525381055880964520618400224333320534660299233983755341740679502866829909679955734391392668378361221524205396631090105151641270857277080310734320951653700508941717419168723942507890702904702707587451621691050754307850383399865346487203798464178537392211402786481359824461197231102895415093770394216666324484593935762408468516826633192140826667923494822045805347809932848454845886971706424360558667862775876072059437703365380209101697738577515476935085469455279994113145977994084618328482151013142393373316337519977244732747977"
)

// clamav: a .cvd's header MD5 and legacy RSA signature, a cdiff's PSS-like
// signature, a .sign file over another artifact; ClamAV's CVD, cdiff and
// info keys and its .sign root (Cisco).
func clamav() vendor {
	return vendor{
		methods: map[string]Method{MethodClamAVCVD: clamavCVD, MethodClamAVCdiff: clamavCdiff, MethodClamAVSign: clamavSign},
		anchors: func() []verify.Anchors {
			return []verify.Anchors{{
				Vendor: "clamav",
				ClamAVKeys: []verify.ClamAVKey{
					{Name: "ClamAV CVD signing key (legacy dsig)", Use: "cvd", N: clamavCVDN, E: 100001027},
					{Name: "ClamAV cdiff signing key", Use: "cdiff", N: clamavCdiffN, E: 100002053},
					{Name: "ClamAV .info signing key", Use: "info", N: clamavInfoN, E: 100002049},
				},
				ClamAVSignRoots: []verify.NamedPEM{{Name: "Cisco Software Identity Root CA RSA 4096 SHA512 2099", PEM: root("clamav-sign-root.pem")}},
			}}
		},
	}
}

// Limits of the ClamAV files a check reads into memory.
const (
	MaxCdiff = 64 << 20
	MaxSign  = 1 << 20
	// SignFLevel is the engine functionality level .sign lines are
	// selected for (Talos' lines start at 230).
	SignFLevel = 230
)

// clamavCVD checks a .cvd from its own bytes: header MD5 and ClamAV's
// signature; the version and build time in the header must be the
// artifact's, and a header kept as evidence must be this header.
func clamavCVD(ctx context.Context, s *Subject, a *verify.Anchors, _ time.Time) (*Finding, error) {
	rc, err := s.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	h, err := verify.VerifyCVD(rc, a)
	if err != nil {
		return nil, err
	}
	if err := drain(rc); err != nil { // the payload's own hash check at EOF
		return nil, err
	}
	art := s.Artifact
	if fmt.Sprint(h.Version) != art.Version {
		return nil, fmt.Errorf("the CVD header says version %d, the record says %s", h.Version, art.Version)
	}
	if !art.Released.IsZero() && art.Released.Unix() != h.BuildUnix {
		return nil, fmt.Errorf("the CVD header says it was built %s, the record says %s", time.Unix(h.BuildUnix, 0).UTC().Format(time.RFC3339), art.Released.UTC().Format(time.RFC3339))
	}
	for _, name := range art.Verification.Evidence {
		b, err := s.Meta(ctx, name, verify.CVDHeaderSize)
		if err != nil {
			return nil, err
		}
		eh, err := verify.ParseCVDHeader(b)
		if err != nil {
			return nil, fmt.Errorf("evidence %s: %w", name, err)
		}
		if *eh != *h {
			return nil, fmt.Errorf("evidence %s does not match the CVD's header", name)
		}
	}
	return &Finding{Signer: h.Builder}, nil
}

// clamavCdiff checks a cdiff's signature; the version it makes must be the
// artifact's, and its build time the artifact's release date when both
// are known.
func clamavCdiff(ctx context.Context, s *Subject, a *verify.Anchors, _ time.Time) (*Finding, error) {
	b, err := readAll(ctx, s, MaxCdiff)
	if err != nil {
		return nil, err
	}
	cd, err := verify.VerifyCdiff(b, a)
	if err != nil {
		return nil, err
	}
	if fmt.Sprint(cd.Version) != s.Artifact.Version {
		return nil, fmt.Errorf("the cdiff makes version %d, the record says %s", cd.Version, s.Artifact.Version)
	}
	// The release date the record gives is the build time of the version
	// the cdiff makes, where the (signed) script names it.
	if rel := s.Artifact.Released; !rel.IsZero() {
		if built, err := verify.CdiffBuildTime(b); err == nil && !built.Equal(rel) {
			return nil, fmt.Errorf("the cdiff's new header says version %d was built %s, the record says %s",
				cd.Version, built.Format(time.RFC3339), rel.UTC().Format(time.RFC3339))
		}
	}
	return &Finding{}, nil
}

// clamavSign checks a .sign file against the database file it signs:
// <db>-<v>.cvd.sign signs the cvd of version v, <db>-<n>.cdiff.sign the
// cdiff n — found through Related (checked alongside it, or kept earlier:
// a .sign the CDN published after its file). An unusable .sign wraps
// ErrUnusable.
func clamavSign(ctx context.Context, s *Subject, a *verify.Anchors, at time.Time) (*Finding, error) {
	sign := s.Artifact
	kind := "cdiff"
	if strings.HasSuffix(sign.FileName, ".cvd.sign") {
		kind = "cvd"
	}
	var target *Subject
	var err error
	if s.Related != nil {
		target, err = s.Related(ctx, func(t *media.Artifact) bool {
			return t.Vendor == sign.Vendor && t.Product == sign.Product && t.Version == sign.Version && t.Kind == kind
		})
		if err != nil {
			return nil, err
		}
	}
	if target == nil {
		return nil, fmt.Errorf("the file %s signs is not here (neither checked with it nor kept before)", strings.TrimSuffix(sign.FileName, ".sign"))
	}
	b, err := readAll(ctx, s, MaxSign)
	if err != nil {
		return nil, err
	}
	pool, err := a.ClamAVSignPool()
	if err != nil {
		return nil, err
	}
	rc, err := target.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	err = verify.VerifyClamSign(b, rc, pool, SignFLevel, at)
	if errors.Is(err, verify.ErrClamSignUnusable) {
		return nil, fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	if err != nil {
		return nil, err
	}
	return &Finding{}, drain(rc)
}
