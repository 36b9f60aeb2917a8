package evidence_test

// Each method against real vendor files: ClamAV CVDs, cdiffs and .sign
// files and Mozilla SHA512SUMS(.asc) made by the vendors' fakes (test keys,
// signed exactly as the vendors sign; no HTTP, just their files), checked
// with the anchors of the artifact's vendor only.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher/vendors/vendorstest"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
	"github.com/patchferry/patchferry/verify/verifytest"
)

var at = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) // after the fakes' releases

// cvdHeader is the header evidence the fetcher keeps of a CVD.
func cvdHeader(cvd []byte) []byte {
	return bytes.TrimRight(cvd[:verify.CVDHeaderSize], "\x00")
}

// file is one artifact and its bytes.
type file struct {
	data []byte
	art  media.Artifact
}

// subject reads the first of files: its bytes (checked against its
// SHA-256 at EOF, as the stores do), meta by name, and the other files as
// related ones.
func subject(files []file, meta map[string][]byte) *evidence.Subject {
	var subj func(i int) *evidence.Subject
	subj = func(i int) *evidence.Subject {
		f := files[i]
		a := f.art
		sum := sha256.Sum256(f.data)
		a.Size, a.SHA256 = int64(len(f.data)), hex.EncodeToString(sum[:])
		return &evidence.Subject{
			Artifact: &a,
			Open: func(context.Context) (io.ReadCloser, error) {
				return io.NopCloser(verify.NewReader(bytes.NewReader(f.data), a.Size, a.SHA256)), nil
			},
			Meta: func(_ context.Context, name string, max int64) ([]byte, error) {
				b, ok := meta[name]
				if !ok {
					return nil, fmt.Errorf("no meta %s", name)
				}
				return verify.ReadLimited(bytes.NewReader(b), max, name)
			},
			Related: func(_ context.Context, match func(*media.Artifact) bool) (*evidence.Subject, error) {
				for j := range files {
					if j != i && match(&files[j].art) {
						return subj(j), nil
					}
				}
				return nil, nil
			},
		}
	}
	return subj(0)
}

// rescoped moves the anchors of vendor from under to another vendor name.
func rescoped(vt *verify.VendorTrust, from, to string) *verify.VendorTrust {
	out := *vt
	out.Vendors = nil
	for _, a := range vt.Vendors {
		if a.Vendor == from {
			a.Vendor = to
		}
		out.Vendors = append(out.Vendors, a)
	}
	return &out
}

// Each method accepts genuine vendor evidence and refuses evidence that
// does not hold under the anchors of its vendor.
func TestMethods(t *testing.T) {
	t.Parallel()
	f := vendorstest.Get()
	var withoutSignRoots verify.VendorTrust
	for _, a := range f.Trust.Vendors {
		a.ClamAVSignRoots = nil
		withoutSignRoots.Vendors = append(withoutSignRoots.Vendors, a)
	}
	header := "clamav-daily-2.cvd-header"
	altered := bytes.Replace(cvdHeader(f.CVD), []byte(":vendortest:"), []byte(":vendortesT:"), 1)
	if bytes.Equal(altered, cvdHeader(f.CVD)) {
		t.Fatalf("the CVD header names no builder vendortest: %q", cvdHeader(f.CVD))
	}
	badSums := bytes.Clone(f.Sums)
	badSums[0] ^= 0x01
	withDate := vendorstest.CVDArtifact("2", header)
	withDate.Released = f.Built
	otherDate := vendorstest.CVDArtifact("2", header)
	otherDate.Released = f.Built.Add(time.Hour)
	cases := []struct {
		name   string
		files  []file // the method checks the first
		meta   map[string][]byte
		vt     *verify.VendorTrust // nil: f.Trust
		want   error               // nil: accepted unless refuse is set
		refuse string              // in the error
		signer string              // of an accepted file
	}{
		{name: "cvd", files: []file{{f.CVD, vendorstest.CVDArtifact("2", header)}}, meta: map[string][]byte{header: cvdHeader(f.CVD)}, signer: "vendortest"},
		{name: "cvd with its build date", files: []file{{f.CVD, withDate}}, meta: map[string][]byte{header: cvdHeader(f.CVD)}},
		{name: "cvd with another date", files: []file{{f.CVD, otherDate}}, meta: map[string][]byte{header: cvdHeader(f.CVD)}, refuse: "was built"},
		{name: "cvd signed by an unknown key", files: []file{{f.CVDBad, vendorstest.CVDArtifact("2", header)}},
			meta: map[string][]byte{header: cvdHeader(f.CVDBad)}, want: verify.ErrBadSignature},
		{name: "cvd trusted by nobody here", files: []file{{f.CVD, vendorstest.CVDArtifact("2", header)}},
			meta: map[string][]byte{header: cvdHeader(f.CVD)}, vt: evidence.DefaultTrust(), want: verify.ErrBadSignature},
		{name: "cvd with ClamAV's keys under another vendor", files: []file{{f.CVD, vendorstest.CVDArtifact("2", header)}},
			meta: map[string][]byte{header: cvdHeader(f.CVD)}, vt: rescoped(f.Trust, "clamav", "mozilla"), refuse: "no ClamAV cvd key in the vendor trust of clamav"},
		{name: "cvd body damaged", files: []file{{f.CVDDamaged, vendorstest.CVDArtifact("2", header)}},
			meta: map[string][]byte{header: cvdHeader(f.CVDDamaged)}, want: verify.ErrMismatch},
		{name: "cvd of another version", files: []file{{f.CVD, vendorstest.CVDArtifact("3", header)}},
			meta: map[string][]byte{header: cvdHeader(f.CVD)}, refuse: "the record says 3"},
		{name: "cvd header evidence of another version", files: []file{{f.CVD, vendorstest.CVDArtifact("2", header)}},
			meta: map[string][]byte{header: cvdHeader(f.CVD1)}, refuse: "does not match the CVD's header"},
		{name: "cvd header evidence altered", files: []file{{f.CVD, vendorstest.CVDArtifact("2", header)}},
			meta: map[string][]byte{header: altered}, refuse: "does not match the CVD's header"},
		{name: "cvd header evidence not a header", files: []file{{f.CVD, vendorstest.CVDArtifact("2", header)}},
			meta: map[string][]byte{header: []byte("ClamAV-VDB:garbage")}, refuse: "evidence " + header},

		{name: "cdiff", files: []file{{f.Cdiff, vendorstest.CdiffArtifact("2")}}},
		{name: "cdiff signed by an unknown key", files: []file{{f.CdiffBad, vendorstest.CdiffArtifact("2")}}, want: verify.ErrBadSignature},
		{name: "cdiff trusted by nobody here", files: []file{{f.Cdiff, vendorstest.CdiffArtifact("2")}}, vt: evidence.DefaultTrust(), want: verify.ErrBadSignature},
		{name: "cdiff of another version", files: []file{{f.Cdiff, vendorstest.CdiffArtifact("3")}}, refuse: "the record says 3"},
		{name: "cdiff with its own build time", files: []file{{f.Cdiff, released(vendorstest.CdiffArtifact("2"), cdiffBuilt(t, f.Cdiff))}}},
		{name: "cdiff with another release date", files: []file{{f.Cdiff, released(vendorstest.CdiffArtifact("2"), cdiffBuilt(t, f.Cdiff).Add(time.Hour))}},
			refuse: "the record says"},

		{name: "cvd .sign", files: []file{{f.CVDSign, vendorstest.SignArtifact("2", "daily-2.cvd.sign")}, {f.CVD, vendorstest.CVDArtifact("2")}}},
		{name: "cdiff .sign", files: []file{{f.CdiffSign, vendorstest.SignArtifact("2", "daily-2.cdiff.sign")}, {f.Cdiff, vendorstest.CdiffArtifact("2")}}},
		{name: ".sign of another file", files: []file{{f.CVD1Sign, vendorstest.SignArtifact("2", "daily-2.cvd.sign")}, {f.CVD, vendorstest.CVDArtifact("2")}},
			want: verify.ErrBadSignature},
		{name: ".sign without its file", files: []file{{f.CVDSign, vendorstest.SignArtifact("2", "daily-2.cvd.sign")}, {f.CVD1, vendorstest.CVDArtifact("1")}},
			refuse: "is not here"},
		// A .sign whose root is not trusted here is unusable, not bad: as
		// in ClamAV, the database file's own signature decides.
		{name: ".sign under an untrusted root", files: []file{{f.CVDSign, vendorstest.SignArtifact("2", "daily-2.cvd.sign")}, {f.CVD, vendorstest.CVDArtifact("2")}},
			vt: &withoutSignRoots, want: evidence.ErrUnusable},

		{name: "mozilla", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName, vendorstest.AscName)}},
			meta: map[string][]byte{vendorstest.SumsName: f.Sums, vendorstest.AscName: f.Asc}, signer: "TEST Mozilla Software Releases"},
		{name: "mozilla sums signature over other bytes", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName, vendorstest.AscName)}},
			meta: map[string][]byte{vendorstest.SumsName: f.Sums, vendorstest.AscName: f.AscBad}, want: verify.ErrBadSignature},
		{name: "mozilla sums altered", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName, vendorstest.AscName)}},
			meta: map[string][]byte{vendorstest.SumsName: badSums, vendorstest.AscName: f.Asc}, want: verify.ErrBadSignature},
		{name: "mozilla sums signed by an unknown key", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName, vendorstest.AscName)}},
			meta: map[string][]byte{vendorstest.SumsName: f.Sums, vendorstest.AscName: f.AscOther}, want: verify.ErrUntrusted},
		{name: "mozilla sums signature not armored", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName, vendorstest.AscName)}},
			meta:   map[string][]byte{vendorstest.SumsName: f.Sums, vendorstest.AscName: []byte("-----BEGIN PGP SIGNATURE-----\n\ngarbage\n-----END PGP SIGNATURE-----\n")},
			refuse: "SHA512SUMS.asc"},
		{name: "mozilla key trusted by nobody here", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName, vendorstest.AscName)}},
			meta: map[string][]byte{vendorstest.SumsName: f.Sums, vendorstest.AscName: f.Asc}, vt: evidence.DefaultTrust(), want: verify.ErrUntrusted},
		{name: "mozilla's key under another vendor", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName, vendorstest.AscName)}},
			meta: map[string][]byte{vendorstest.SumsName: f.Sums, vendorstest.AscName: f.Asc}, vt: rescoped(f.Trust, "mozilla", "debian"), want: verify.ErrUntrusted},
		{name: "mozilla file under another entry", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact("win64/en-US/Firefox Setup "+vendorstest.ESRVersion+".exe", vendorstest.SumsName, vendorstest.AscName)}},
			meta: map[string][]byte{vendorstest.SumsName: f.Sums, vendorstest.AscName: f.Asc}, want: verify.ErrMismatch},
		{name: "mozilla file not in the sums", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact("win64/ja/Firefox Setup 999.0.exe", vendorstest.SumsName, vendorstest.AscName)}},
			meta: map[string][]byte{vendorstest.SumsName: f.Sums, vendorstest.AscName: f.Asc}, want: verify.ErrNotInSums},
		{name: "mozilla evidence without the signature", files: []file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName)}},
			meta: map[string][]byte{vendorstest.SumsName: f.Sums}, refuse: "lacks"},

		{name: "manual", files: []file{{[]byte("ichitaro update"), media.Artifact{Vendor: "justsystems", Product: "ichitaro",
			Version: "2026.1", FileName: "ichitaro.exe", Verification: media.Verification{Method: evidence.MethodManual}}}}},
		{name: "unknown method", files: []file{{[]byte("x"), media.Artifact{Vendor: "example", Product: "tool", Version: "1",
			FileName: "tool.exe", Verification: media.Verification{Method: "authenticode-2"}}}}, want: evidence.ErrUnknownMethod},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vt := tc.vt
			if vt == nil {
				vt = f.Trust
			}
			found, err := evidence.Check(t.Context(), subject(tc.files, tc.meta), vt, at)
			switch {
			case tc.want == nil && tc.refuse == "":
				if err != nil {
					t.Fatalf("genuine evidence refused: %v", err)
				}
				if tc.signer != "" && found.Signer != tc.signer {
					t.Errorf("signer %q, want %q", found.Signer, tc.signer)
				}
			case err == nil:
				t.Fatalf("accepted, want refused (%v %q)", tc.want, tc.refuse)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("refused with %v, want %v", err, tc.want)
			case !strings.Contains(err.Error(), tc.refuse):
				t.Fatalf("refused with %v, want it to say %q", err, tc.refuse)
			}
		})
	}
}

// Every method the manifest can record has a check.
func TestMethodsCoverManifest(t *testing.T) {
	methods := evidence.Methods()
	for _, m := range []string{evidence.MethodManual, evidence.MethodClamAVCVD, evidence.MethodClamAVCdiff, evidence.MethodClamAVSign, evidence.MethodMozillaSums} {
		if methods[m] == nil {
			t.Errorf("no check for %q", m)
		}
	}
}

// A precomputed SHA-512 (the fetcher's, hashed while downloading) stands
// in for reading the file; a wrong one refuses it.
func TestMozillaPrecomputedSHA512(t *testing.T) {
	f := vendorstest.Get()
	s := subject([]file{{f.ESR[vendorstest.ESREntry], vendorstest.ESRArtifact(vendorstest.ESREntry, vendorstest.SumsName, vendorstest.AscName)}}, map[string][]byte{vendorstest.SumsName: f.Sums, vendorstest.AscName: f.Asc})
	s.Open = func(context.Context) (io.ReadCloser, error) { return nil, errors.New("must not be read") }
	sums, err := verify.ParseSums(f.Sums)
	if err != nil {
		t.Fatal(err)
	}
	s.SHA512 = sums[vendorstest.ESREntry]
	if _, err := evidence.Check(t.Context(), s, f.Trust, at); err != nil {
		t.Fatalf("with the right SHA-512: %v", err)
	}
	s.SHA512 = strings.Repeat("0", 128)
	if _, err := evidence.Check(t.Context(), s, f.Trust, at); !errors.Is(err, verify.ErrMismatch) {
		t.Fatalf("with a wrong SHA-512: %v", err)
	}
}

// The built-in anchors are the real vendors' public files (the fixtures in
// testdata/fixtures, each with its origin), each under its vendor, and they
// read back from their file form.
func TestDefaultTrust(t *testing.T) {
	vt := evidence.DefaultTrust()
	if err := vt.Validate(); err != nil {
		t.Fatal(err)
	}
	fixture := func(rel string) string { return string(verifytest.Fixture(t, rel)) }
	clam, moz, ms := vt.For("clamav", "daily"), vt.For("mozilla", "firefox-esr"), vt.For("microsoft", "windows")
	if len(clam.ClamAVKeys) != 3 || len(clam.ClamAVSignRoots) != 1 || clam.ClamAVSignRoots[0].PEM != fixture("clamav/clamav.crt") {
		t.Errorf("clamav: %d keys, .sign roots %v", len(clam.ClamAVKeys), clam.ClamAVSignRoots)
	}
	legacy := fixture("clamav/clamav-legacy-public-keys.txt")
	for _, k := range clam.ClamAVKeys {
		if !strings.Contains(legacy, "_N="+k.N+"\n") || !strings.Contains(legacy, fmt.Sprintf("_E=%d\n", k.E)) {
			t.Errorf("ClamAV %s key is not the one in clamav-legacy-public-keys.txt", k.Use)
		}
	}
	if len(moz.OpenPGPKeys) != 1 || moz.OpenPGPKeys[0].Armored != fixture("openpgp/mozilla-KEY.asc") ||
		moz.OpenPGPKeys[0].Fingerprint != "14F26682D0916CDD81E37B6D61B7B526D98F0353" {
		t.Errorf("mozilla: %v", vt.Summary())
	}
	if len(ms.AuthenticodeRoots) != 2 || ms.AuthenticodeRoots[0].PEM != fixture("authenticode-roots/microsoft-root-ca-2010.pem") ||
		ms.AuthenticodeRoots[1].PEM != fixture("authenticode-roots/microsoft-root-ca-2011.pem") ||
		len(ms.AuthenticodeSigners) != 1 || ms.AuthenticodeSigners[0] != "Microsoft Corporation" {
		t.Errorf("microsoft: %v", vt.Summary())
	}
	// No vendor's anchors reach another vendor's checks.
	if len(moz.ClamAVKeys)+len(moz.AuthenticodeRoots)+len(clam.OpenPGPKeys)+len(ms.OpenPGPKeys) != 0 {
		t.Errorf("anchors cross vendors: %v", vt.Summary())
	}
	b, err := vt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := verify.ParseVendorTrust(b)
	if err != nil || len(back.Upgraded) != 0 || !slices.Equal(back.Summary(), vt.Summary()) {
		t.Fatalf("the built-in trust does not read back from its file form: %v", err)
	}
}

// released returns a with the release date at.
func released(a media.Artifact, at time.Time) media.Artifact {
	a.Released = at
	return a
}

// cdiffBuilt is the build time a cdiff's script gives its new version.
func cdiffBuilt(t *testing.T, b []byte) time.Time {
	t.Helper()
	at, err := verify.CdiffBuildTime(b)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
