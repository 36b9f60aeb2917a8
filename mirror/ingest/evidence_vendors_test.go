package ingest_test

// The evidence hooks against real vendor files: ClamAV CVDs, cdiffs and
// .sign files and Mozilla SHA512SUMS(.asc) made by the fake vendor upstream
// (fetcher/vendortest, test-only here: no HTTP, just its files and keys),
// put into bundles with media.Write, each hook run against the mirror's
// vendor trust.

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// vendorFiles are made once per test binary: the fake ClamAV makes eight
// RSA keys.
type vendorFiles struct {
	vt                            *verify.VendorTrust
	cvd1, cvd, cvdDamaged, cvdBad []byte            // daily.cvd: version 1, version 2, 2 damaged, 2 signed by an unknown key
	cvd1Sign, cvdSign             []byte            // daily-1.cvd.sign, daily-2.cvd.sign
	cdiff, cdiffBad, cdiffSign    []byte            // daily-2.cdiff, signed by an unknown key, its .sign
	esr                           map[string][]byte // Firefox ESR 128.5.0esr: path in SHA512SUMS → bytes
	sums, asc, ascBad, ascOther   []byte            // SHA512SUMS, .asc, .asc over other bytes, .asc by an unknown key
}

const esrVersion = "128.5.0esr"

var vendorFilesOnce = sync.OnceValue(func() *vendorFiles {
	up := vendortest.New() // its clock, 2026-11-20, is before created
	get := func(p string) []byte {
		b, ok := up.Get(p)
		if !ok {
			panic("vendortest published no " + p)
		}
		return b
	}
	f := &vendorFiles{esr: map[string][]byte{}}
	clam := up.AddClamAV("daily")
	f.cvd1, f.cvd1Sign = get("/daily.cvd"), get("/daily-1.cvd.sign")
	clam.Release("daily")
	f.cvd, f.cvdSign = get("/daily.cvd"), get("/daily-2.cvd.sign")
	f.cdiff, f.cdiffSign = get("/daily-2.cdiff"), get("/daily-2.cdiff.sign")
	clam.PutDamagedCVD("daily")
	f.cvdDamaged = get("/daily.cvd")
	clam.PutBadCVD("daily")
	f.cvdBad = get("/daily.cvd")
	clam.PutBadCdiff("daily", 2)
	f.cdiffBad = get("/daily-2.cdiff")

	moz := up.AddMozilla()
	dir := moz.Dir("firefox-esr", esrVersion)
	f.sums, f.asc = get(dir+"/SHA512SUMS"), get(dir+"/SHA512SUMS.asc")
	for _, rel := range moz.Files("firefox-esr", esrVersion) {
		f.esr[rel] = get(dir + "/" + rel)
	}
	moz.BadSumsSignature("firefox-esr", esrVersion)
	f.ascBad = get(dir + "/SHA512SUMS.asc")
	moz.UnknownKeySums("firefox-esr", esrVersion)
	f.ascOther = get(dir + "/SHA512SUMS.asc")
	f.vt = up.VendorTrust()
	return f
})

// cvdHeader is the header evidence the fetcher keeps of a CVD.
func cvdHeader(cvd []byte) []byte {
	return bytes.TrimRight(cvd[:verify.CVDHeaderSize], "\x00")
}

// vendorInput is one payload of a vendor bundle.
type vendorInput struct {
	data []byte
	art  media.Artifact
}

// vendorBundle writes a full bundle (sequence 1) of the inputs and meta
// files and opens it; opt may change the options and contents.
func vendorBundle(t *testing.T, inputs []vendorInput, meta map[string][]byte, opt ...func(*media.WriteOptions, *media.Contents)) (string, *media.Bundle) {
	t.Helper()
	src := t.TempDir()
	var c media.Contents
	for i, in := range inputs {
		p := filepath.Join(src, "in", string(rune('a'+i)), in.art.FileName)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, in.data, 0o644); err != nil {
			t.Fatal(err)
		}
		c.Inputs = append(c.Inputs, media.Input{Path: p, Artifact: in.art})
	}
	for name, data := range meta {
		p := filepath.Join(src, "meta-"+name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c.Meta = append(c.Meta, media.MetaInput{Name: name, Path: p})
	}
	o := media.WriteOptions{Out: filepath.Join(t.TempDir(), "media"), Site: "city", Sequence: 1,
		Created: created, Key: keys(t).Publisher}
	for _, fn := range opt {
		fn(&o, &c)
	}
	w, err := media.Write(t.Context(), o, c)
	if err != nil {
		t.Fatalf("media.Write: %v", err)
	}
	b, err := media.Open(w.Dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	return w.Dirs[0], b
}

func cvdArtifact(version string, evidence ...string) media.Artifact {
	return media.Artifact{Vendor: "clamav", Product: "daily", Version: version, Kind: "cvd", FileName: "daily.cvd",
		Verification: media.Verification{Method: media.MethodClamAVCVD, Signer: "vendortest", Time: created, Evidence: evidence}}
}

func cdiffArtifact(version string) media.Artifact {
	return media.Artifact{Vendor: "clamav", Product: "daily", Version: version, Kind: "cdiff", FileName: "daily-" + version + ".cdiff",
		Verification: media.Verification{Method: media.MethodClamAVCdiff, Time: created}}
}

func signArtifact(version, file string) media.Artifact {
	return media.Artifact{Vendor: "clamav", Product: "daily", Version: version, Kind: "sign", FileName: file,
		Verification: media.Verification{Method: media.MethodClamAVSign, Time: created}}
}

const (
	esrEntry = "win64/ja/Firefox Setup " + esrVersion + ".exe"
	sumsName = "mozilla-firefox-esr-" + esrVersion + "-SHA512SUMS"
	ascName  = sumsName + ".asc"
)

func esrArtifact(entry string, evidence ...string) media.Artifact {
	return media.Artifact{Vendor: "mozilla", Product: "firefox-esr", Channel: "esr", Version: esrVersion, Platform: "win64",
		Language: "ja", Kind: "installer-exe", FileName: "Firefox Setup " + esrVersion + ".exe",
		Verification: media.Verification{Method: media.MethodMozillaSums, Signer: "Mozilla Software Releases", Time: created,
			Evidence: evidence, Entry: entry}}
}

// Each hook accepts genuine vendor evidence and refuses evidence that does
// not hold under the mirror's vendor trust.
func TestEvidenceHooks(t *testing.T) {
	t.Parallel()
	f := vendorFilesOnce()
	withoutSignRoots := *f.vt
	withoutSignRoots.ClamAVSignRoots = nil
	header := "clamav-daily-2.cvd-header"
	altered := bytes.Replace(cvdHeader(f.cvd), []byte(":vendortest:"), []byte(":vendortesT:"), 1)
	if bytes.Equal(altered, cvdHeader(f.cvd)) {
		t.Fatalf("the CVD header names no builder vendortest: %q", cvdHeader(f.cvd))
	}
	badSums := bytes.Clone(f.sums)
	badSums[0] ^= 0x01
	cases := []struct {
		name   string
		inputs []vendorInput // the hook checks the first
		meta   map[string][]byte
		vt     *verify.VendorTrust // nil: f.vt
		want   error               // nil: accepted unless refuse is set
		refuse string              // in the error
	}{
		{name: "cvd", inputs: []vendorInput{{f.cvd, cvdArtifact("2", header)}}, meta: map[string][]byte{header: cvdHeader(f.cvd)}},
		{name: "cvd signed by an unknown key", inputs: []vendorInput{{f.cvdBad, cvdArtifact("2", header)}},
			meta: map[string][]byte{header: cvdHeader(f.cvdBad)}, want: verify.ErrBadSignature},
		{name: "cvd trusted by nobody here", inputs: []vendorInput{{f.cvd, cvdArtifact("2", header)}},
			meta: map[string][]byte{header: cvdHeader(f.cvd)}, vt: verify.DefaultVendorTrust(), want: verify.ErrBadSignature},
		{name: "cvd body damaged", inputs: []vendorInput{{f.cvdDamaged, cvdArtifact("2", header)}},
			meta: map[string][]byte{header: cvdHeader(f.cvdDamaged)}, want: verify.ErrMismatch},
		{name: "cvd of another version", inputs: []vendorInput{{f.cvd, cvdArtifact("3", header)}},
			meta: map[string][]byte{header: cvdHeader(f.cvd)}, refuse: "the manifest says 3"},
		{name: "cvd header evidence of another version", inputs: []vendorInput{{f.cvd, cvdArtifact("2", header)}},
			meta: map[string][]byte{header: cvdHeader(f.cvd1)}, refuse: "does not match the CVD's header"},
		{name: "cvd header evidence altered", inputs: []vendorInput{{f.cvd, cvdArtifact("2", header)}},
			meta: map[string][]byte{header: altered}, refuse: "does not match the CVD's header"},
		{name: "cvd header evidence not a header", inputs: []vendorInput{{f.cvd, cvdArtifact("2", header)}},
			meta: map[string][]byte{header: []byte("ClamAV-VDB:garbage")}, refuse: "evidence " + header},

		{name: "cdiff", inputs: []vendorInput{{f.cdiff, cdiffArtifact("2")}}},
		{name: "cdiff signed by an unknown key", inputs: []vendorInput{{f.cdiffBad, cdiffArtifact("2")}}, want: verify.ErrBadSignature},
		{name: "cdiff trusted by nobody here", inputs: []vendorInput{{f.cdiff, cdiffArtifact("2")}}, vt: verify.DefaultVendorTrust(), want: verify.ErrBadSignature},
		{name: "cdiff of another version", inputs: []vendorInput{{f.cdiff, cdiffArtifact("3")}}, refuse: "the manifest says 3"},

		{name: "cvd .sign", inputs: []vendorInput{{f.cvdSign, signArtifact("2", "daily-2.cvd.sign")}, {f.cvd, cvdArtifact("2")}}},
		{name: "cdiff .sign", inputs: []vendorInput{{f.cdiffSign, signArtifact("2", "daily-2.cdiff.sign")}, {f.cdiff, cdiffArtifact("2")}}},
		{name: ".sign of another file", inputs: []vendorInput{{f.cvd1Sign, signArtifact("2", "daily-2.cvd.sign")}, {f.cvd, cvdArtifact("2")}},
			want: verify.ErrBadSignature},
		{name: ".sign without its file", inputs: []vendorInput{{f.cvdSign, signArtifact("2", "daily-2.cvd.sign")}, {f.cvd1, cvdArtifact("1")}},
			refuse: "neither in this bundle nor on this mirror"},
		// A .sign whose root this mirror does not trust is unusable, not
		// bad: as in ClamAV, the database file's own signature decides.
		{name: ".sign under an untrusted root", inputs: []vendorInput{{f.cvdSign, signArtifact("2", "daily-2.cvd.sign")}, {f.cvd, cvdArtifact("2")}},
			vt: &withoutSignRoots},

		{name: "mozilla", inputs: []vendorInput{{f.esr[esrEntry], esrArtifact(esrEntry, sumsName, ascName)}},
			meta: map[string][]byte{sumsName: f.sums, ascName: f.asc}},
		{name: "mozilla sums signature over other bytes", inputs: []vendorInput{{f.esr[esrEntry], esrArtifact(esrEntry, sumsName, ascName)}},
			meta: map[string][]byte{sumsName: f.sums, ascName: f.ascBad}, refuse: "SHA512SUMS.asc"},
		{name: "mozilla sums altered", inputs: []vendorInput{{f.esr[esrEntry], esrArtifact(esrEntry, sumsName, ascName)}},
			meta: map[string][]byte{sumsName: badSums, ascName: f.asc}, refuse: "SHA512SUMS.asc"},
		{name: "mozilla sums signed by an unknown key", inputs: []vendorInput{{f.esr[esrEntry], esrArtifact(esrEntry, sumsName, ascName)}},
			meta: map[string][]byte{sumsName: f.sums, ascName: f.ascOther}, refuse: "SHA512SUMS.asc"},
		{name: "mozilla sums signature not armored", inputs: []vendorInput{{f.esr[esrEntry], esrArtifact(esrEntry, sumsName, ascName)}},
			meta:   map[string][]byte{sumsName: f.sums, ascName: []byte("-----BEGIN PGP SIGNATURE-----\n\ngarbage\n-----END PGP SIGNATURE-----\n")},
			refuse: "SHA512SUMS.asc"},
		{name: "mozilla key trusted by nobody here", inputs: []vendorInput{{f.esr[esrEntry], esrArtifact(esrEntry, sumsName, ascName)}},
			meta: map[string][]byte{sumsName: f.sums, ascName: f.asc}, vt: verify.DefaultVendorTrust(), refuse: "SHA512SUMS.asc"},
		{name: "mozilla file under another entry", inputs: []vendorInput{{f.esr[esrEntry], esrArtifact("win64/en-US/Firefox Setup "+esrVersion+".exe", sumsName, ascName)}},
			meta: map[string][]byte{sumsName: f.sums, ascName: f.asc}, want: verify.ErrMismatch},
		{name: "mozilla file not in the sums", inputs: []vendorInput{{f.esr[esrEntry], esrArtifact("win64/ja/Firefox Setup 999.0.exe", sumsName, ascName)}},
			meta: map[string][]byte{sumsName: f.sums, ascName: f.asc}, refuse: "not listed in SHA512SUMS"},
		{name: "mozilla evidence without the signature", inputs: []vendorInput{{f.esr[esrEntry], esrArtifact(esrEntry, sumsName)}},
			meta: map[string][]byte{sumsName: f.sums}, refuse: "lacks"},

		{name: "manual", inputs: []vendorInput{{[]byte("ichitaro update"), media.Artifact{Vendor: "justsystems", Product: "ichitaro",
			Version: "2026.1", FileName: "ichitaro.exe", Verification: media.Verification{Method: media.MethodManual}}}}},
	}
	hooks := ingest.DefaultHooks()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, b := vendorBundle(t, tc.inputs, tc.meta)
			a := &b.Manifest.Artifacts[0]
			for i := range b.Manifest.Artifacts { // the writer sorts; find the first input
				if b.Manifest.Artifacts[i].FileName == tc.inputs[0].art.FileName {
					a = &b.Manifest.Artifacts[i]
				}
			}
			hook, ok := hooks[a.Verification.Method]
			if !ok {
				t.Fatalf("no hook for method %q", a.Verification.Method)
			}
			vt := tc.vt
			if vt == nil {
				vt = f.vt
			}
			err := hook(t.Context(), ingest.BundleEvidence(b), a, vt)
			switch {
			case tc.want == nil && tc.refuse == "":
				if err != nil {
					t.Fatalf("genuine evidence refused: %v", err)
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

// Every verification method the fetcher writes has a hook, and a method
// without one is refused by the import.
func TestEvidenceHooksCoverMethods(t *testing.T) {
	t.Parallel()
	hooks := ingest.DefaultHooks()
	for _, m := range []string{media.MethodManual, media.MethodClamAVCVD, media.MethodClamAVCdiff, media.MethodClamAVSign, media.MethodMozillaSums} {
		if hooks[m] == nil {
			t.Errorf("no hook for %q", m)
		}
	}
	dir, _ := vendorBundle(t, []vendorInput{{[]byte("x"), media.Artifact{Vendor: "example", Product: "tool", Version: "1",
		FileName: "tool.exe", Verification: media.Verification{Method: "authenticode"}}}}, nil)
	st := newStore(t)
	_, err := ingest.Import(t.Context(), st, []string{dir}, options())
	var re *ingest.RefusedError
	if !errors.As(err, &re) || re.Reason != ingest.ReasonUnknownMethod || !strings.Contains(err.Error(), `method "authenticode"`) {
		t.Fatalf("Import = %v, want refused for the unknown method", err)
	}
}

// Through Import: with the vendors in the mirror's vendor trust, genuine
// evidence imports; altered evidence is refused, written to the ledger, and
// changes nothing.
func TestImportVendorEvidence(t *testing.T) {
	t.Parallel()
	f := vendorFilesOnce()
	vtYAML, err := f.vt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	newVendorStore := func(t *testing.T) *store.Store {
		st, err := store.Create(filepath.Join(t.TempDir(), "mirror"), store.Trust{
			Publishers: []string{string(keys(t).Publisher.Public().PEM())}, VendorTrust: string(vtYAML)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	header := "clamav-daily-2.cvd-header"
	inputs := []vendorInput{
		{f.cvd, cvdArtifact("2", header)},
		{f.cvdSign, signArtifact("2", "daily-2.cvd.sign")},
		{f.cdiff, cdiffArtifact("2")},
		{f.esr[esrEntry], esrArtifact(esrEntry, sumsName, ascName)},
	}
	good := map[string][]byte{header: cvdHeader(f.cvd), sumsName: f.sums, ascName: f.asc}

	t.Run("genuine", func(t *testing.T) {
		t.Parallel()
		st := newVendorStore(t)
		dir, _ := vendorBundle(t, inputs, good)
		if res := mustImport(t, st, dir); res.Status != ingest.StatusImported || res.Files != 4 {
			t.Errorf("result %+v", res)
		}
		checkConsistent(t, st)
	})
	// A .sign the CDN published after the fetcher took its file: it comes
	// in a later delta, and is checked against the file on the mirror.
	t.Run("late .sign", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name string
			sign []byte
			ok   bool
		}{{"genuine", f.cvdSign, true}, {"of other bytes", f.cvd1Sign, false}} {
			st := newVendorStore(t)
			dir, _ := vendorBundle(t, inputs[:1], map[string][]byte{header: cvdHeader(f.cvd)})
			mustImport(t, st, dir)
			before := snapshot(t, st)
			delta, _ := vendorBundle(t, []vendorInput{{tc.sign, signArtifact("2", "daily-2.cvd.sign")}}, nil,
				func(o *media.WriteOptions, c *media.Contents) {
					o.Sequence, o.Base = 2, 1
					c.Catalog = media.Catalog{{Vendor: "clamav", Product: "daily", Version: "2",
						Artifacts: []string{sha(f.cvd), sha(tc.sign)}}}
				})
			_, err := ingest.Import(t.Context(), st, []string{delta}, options())
			var re *ingest.RefusedError
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s: Import of the late .sign: %v", tc.name, err)
			case !tc.ok && (!errors.As(err, &re) || re.Reason != ingest.ReasonVendorEvidence || !errors.Is(err, verify.ErrBadSignature)):
				t.Errorf("%s: Import = %v, want refused: the .sign does not sign the stored file", tc.name, err)
			case !tc.ok && snapshot(t, st) != before:
				t.Errorf("%s: the refused import changed the store", tc.name)
			}
			checkConsistent(t, st)
		}
	})
	for name, meta := range map[string]map[string][]byte{
		"cvd header":    {header: cvdHeader(f.cvd1), sumsName: f.sums, ascName: f.asc},
		"sums by other": {header: cvdHeader(f.cvd), sumsName: f.sums, ascName: f.ascOther},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := newVendorStore(t)
			before := snapshot(t, st)
			dir, _ := vendorBundle(t, inputs, meta)
			_, err := ingest.Import(t.Context(), st, []string{dir}, options())
			var re *ingest.RefusedError
			if !errors.As(err, &re) || re.Reason != ingest.ReasonVendorEvidence || !strings.Contains(err.Error(), "vendor evidence does not hold") {
				t.Fatalf("Import = %v, want refused for the evidence", err)
			}
			if snapshot(t, st) != before {
				t.Error("the refused import changed the store")
			}
			if row := lastRow(t, st); row.Result != ledger.ResultRefused || !strings.Contains(row.Reason, "vendor evidence") {
				t.Errorf("ledger row %q: %q", row.Result, row.Reason)
			}
			// Evidence is checked on the stored copies; the ones that
			// failed are not kept.
			if blobs := listFiles(t, filepath.Join(st.Dir(), "blobs")); len(blobs) != 0 {
				t.Errorf("blobs kept after refused evidence: %v", blobs)
			}
			checkConsistent(t, st)
		})
	}
}
