package catalog_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/clients/catalog"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/server"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/mirror/store/storetest"
	"github.com/patchferry/patchferry/mirror/wire"
	"github.com/patchferry/patchferry/verify"
)

var (
	created = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	now     = created.Add(48 * time.Hour)
)

// file is a payload of a test bundle.
func file(vendor, product, version, platform, lang, kind, name string, released time.Time, seed uint64) mediatest.File {
	return mediatest.File{Data: mediatest.RandomBytes(seed, 3000+int(seed)), Artifact: media.Artifact{
		Vendor: vendor, Product: product, Version: version, Platform: platform, Language: lang, Kind: kind,
		FileName: name, Released: released}}
}

func shas(files ...mediatest.File) []string {
	var out []string
	for _, f := range files {
		out = append(out, mediatest.SHA256(f.Data))
	}
	return out
}

// fixture is a mirror that imported a full bundle and two deltas, each
// approved by one approver (threshold 1), served over loopback HTTP.
type fixture struct {
	trust media.Trust
	ts    *httptest.Server
	st    *store.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	k := mediatest.TestKeys(t)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	ja145 := file("mozilla", "firefox", "145.0", "win64", "ja", "installer-exe", "Firefox Setup 145.0.exe", day(10), 1)
	en145 := file("mozilla", "firefox", "145.0", "win64", "en-US", "installer-exe", "Firefox Setup 145.0.exe", day(10), 2)
	cvd := file("clamav", "daily", "1", "", "", "cvd", "daily.cvd", day(1), 3)
	cdiff2 := file("clamav", "daily", "2", "", "", "cdiff", "daily-2.cdiff", day(2), 4)
	cdiff3 := file("clamav", "daily", "3", "", "", "cdiff", "daily-3.cdiff", day(3), 5)
	ja146 := file("mozilla", "firefox", "146.0", "win64", "ja", "installer-exe", "Firefox Setup 146.0.exe", day(20), 6)
	en146 := file("mozilla", "firefox", "146.0", "win64", "en-US", "installer-exe", "Firefox Setup 146.0.exe", time.Time{}, 7)
	entry := func(vendor, product, version string, files ...mediatest.File) media.CatalogEntry {
		return media.CatalogEntry{Vendor: vendor, Product: product, Version: version, Artifacts: shas(files...)}
	}
	bundles := []struct {
		base  uint64
		files []mediatest.File
		cat   media.Catalog
	}{
		{0, []mediatest.File{ja145, en145, cvd}, media.Catalog{entry("mozilla", "firefox", "145.0", ja145, en145), entry("clamav", "daily", "1", cvd)}},
		{1, []mediatest.File{cdiff2}, media.Catalog{entry("mozilla", "firefox", "145.0", ja145, en145), entry("clamav", "daily", "2", cvd, cdiff2)}},
		{2, []mediatest.File{cdiff3, ja146, en146}, media.Catalog{entry("mozilla", "firefox", "146.0", ja146, en146), entry("clamav", "daily", "3", cvd, cdiff2, cdiff3)}},
	}
	st := storetest.New(t, store.Trust{
		Publishers: []string{string(k.Publisher.Public().PEM())},
		Approvers:  []string{string(k.Approver1.Public().PEM())}, Threshold: 1})
	for i, b := range bundles {
		w := mediatest.Write(t, media.WriteOptions{Sequence: uint64(i + 1), Base: b.base, Created: created.Add(time.Duration(i) * time.Hour)},
			mediatest.Contents{Files: b.files, Catalog: b.cat})
		bundle, err := media.Open(w.Dirs...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := media.Approve(bundle, k.Approver1, "kacho"); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.Import(t.Context(), st, w.Dirs, ingest.Options{Now: func() time.Time { return now }}); err != nil {
			t.Fatalf("import %d: %v", i+1, err)
		}
	}
	srv, err := server.New(st, server.Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &fixture{st: st, ts: ts, trust: media.Trust{Publishers: []*verify.PublicKey{k.Publisher.Public()},
		Approvers: []*verify.PublicKey{k.Approver1.Public()}, Threshold: 1}}
}

// fetched is what a terminal read from the mirror: the catalog's bytes and
// every manifest it names.
type fetched struct {
	raw     []byte
	bundles map[uint64]media.SignedManifest
}

func (f *fixture) fetch(t *testing.T) *fetched {
	t.Helper()
	c := &catalog.Client{Base: f.ts.URL}
	cat, err := c.Catalog(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(cat)
	if err != nil {
		t.Fatal(err)
	}
	out := &fetched{raw: raw, bundles: make(map[uint64]media.SignedManifest)}
	for _, ref := range cat.Bundles {
		if out.bundles[ref.Sequence], err = c.Bundle(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (f *fetched) verify(tr media.Trust) (*media.Proven, error) {
	cat, err := wire.DecodeCatalog(strings.NewReader(string(f.raw)))
	if err != nil {
		return nil, err
	}
	return catalog.Verify(cat, tr, func(ref wire.BundleRef) (media.SignedManifest, error) {
		s, ok := f.bundles[ref.Sequence]
		if !ok {
			return s, fmt.Errorf("no bundle %d", ref.Sequence)
		}
		return s, nil
	}, now)
}

func TestVerifyFullAndTwoDeltas(t *testing.T) {
	f := newFixture(t)
	got := f.fetch(t)
	proven, err := got.verify(f.trust)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var cat wire.Catalog
	if err := json.Unmarshal(got.raw, &cat); err != nil {
		t.Fatal(err)
	}
	// Three bundles bring current files: the full bundle the .cvd, each
	// delta its cdiff (and the second the new Firefox).
	seqs := map[string]uint64{}
	for _, a := range cat.Artifacts {
		seqs[a.FileName+" "+a.Language] = a.Sequence
		if a.Product == "daily" && a.ProductVersion != "3" {
			t.Errorf("%s: product_version %q, want 3", a.FileName, a.ProductVersion)
		}
	}
	want := map[string]uint64{"daily.cvd ": 1, "daily-2.cdiff ": 2, "daily-3.cdiff ": 3,
		"Firefox Setup 146.0.exe ja": 3, "Firefox Setup 146.0.exe en-US": 3}
	if fmt.Sprint(seqs) != fmt.Sprint(want) {
		t.Errorf("sequences %v, want %v", seqs, want)
	}
	if len(got.bundles) != 3 || len(proven.Current) != 5 {
		t.Errorf("%d bundles, %d proven artifacts; want 3, 5", len(got.bundles), len(proven.Current))
	}
	// The same check through the Client's own Earlier.
	c := &catalog.Client{Base: f.ts.URL}
	if _, err := catalog.Verify(&cat, f.trust, c.Earlier(t.Context()), now); err != nil {
		t.Errorf("Verify with Client.Earlier: %v", err)
	}
	// Another publisher's trust proves nothing.
	other := f.trust
	other.Publishers = []*verify.PublicKey{mediatest.TestKeys(t).Other.Public()}
	if _, err := got.verify(other); err == nil {
		t.Error("Verify with another publisher's key passed")
	}
}

// leaves lists the paths of every leaf (string, number, bool, null) of a
// JSON value.
func leaves(v any, path string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			leaves(c, path+"/"+k, out)
		}
	case []any:
		for i, c := range x {
			leaves(c, fmt.Sprintf("%s/%d", path, i), out)
		}
	default:
		*out = append(*out, path)
	}
	sort.Strings(*out)
}

// edit changes the leaf at path: a string gets one more character (a
// base64 string one more block), a number grows by one, a bool flips, a
// null becomes a time.
func edit(v any, path string) any {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var walk func(v any, segs []string) any
	walk = func(v any, segs []string) any {
		if len(segs) == 0 {
			switch x := v.(type) {
			case string:
				if t, err := time.Parse(time.RFC3339, x); err == nil {
					return t.Add(time.Second).Format(time.RFC3339)
				}
				return x + "AAAA"
			case float64:
				return x + 1
			case bool:
				return !x
			case nil:
				return created.Format(time.RFC3339)
			}
			panic(fmt.Sprintf("leaf %T", v))
		}
		switch x := v.(type) {
		case map[string]any:
			x[segs[0]] = walk(x[segs[0]], segs[1:])
		case []any:
			var i int
			fmt.Sscan(segs[0], &i)
			x[i] = walk(x[i], segs[1:])
		}
		return v
	}
	return walk(v, segs)
}

func TestVerifyRefusesAnyEditedManifestField(t *testing.T) {
	f := newFixture(t)
	got := f.fetch(t)
	for seq, s := range got.bundles {
		var doc any
		if err := json.Unmarshal(s.Raw, &doc); err != nil {
			t.Fatal(err)
		}
		var paths []string
		leaves(doc, "", &paths)
		if len(paths) < 20 {
			t.Fatalf("bundle %d: only %d fields", seq, len(paths))
		}
		for _, p := range paths {
			var d any
			json.Unmarshal(s.Raw, &d)
			raw, err := json.MarshalIndent(edit(d, p), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			edited := &fetched{raw: got.raw, bundles: map[uint64]media.SignedManifest{}}
			for k, v := range got.bundles {
				edited.bundles[k] = v
			}
			edited.bundles[seq] = media.SignedManifest{Raw: raw, Signature: s.Signature, Approvals: s.Approvals}
			if seq == 3 { // the current one travels in the catalog
				var cat map[string]any
				json.Unmarshal(got.raw, &cat)
				cat["manifest"] = raw
				edited.raw, _ = json.Marshal(cat)
			}
			if _, err := edited.verify(f.trust); err == nil {
				t.Errorf("bundle %d: %s edited: Verify passed", seq, p)
			}
		}
	}
}

func TestVerifyRefusesAnyEditedCatalogField(t *testing.T) {
	f := newFixture(t)
	got := f.fetch(t)
	var doc any
	if err := json.Unmarshal(got.raw, &doc); err != nil {
		t.Fatal(err)
	}
	var paths []string
	leaves(doc, "", &paths)
	n := 0
	for _, p := range paths {
		// Not proven, as documented: the mirror's own history, and the
		// file names approvals had on the media (approvals are proven by
		// their keys).
		if strings.HasPrefix(p, "/history/") || (strings.HasPrefix(p, "/approvals/") && strings.HasSuffix(p, "/name")) {
			continue
		}
		n++
		var d any
		json.Unmarshal(got.raw, &d)
		raw, err := json.Marshal(edit(d, p))
		if err != nil {
			t.Fatal(err)
		}
		// Manifests fetched as the edited catalog names them.
		cat, err := wire.DecodeCatalog(strings.NewReader(string(raw)))
		if err == nil {
			c := &catalog.Client{Base: f.ts.URL}
			_, err = catalog.Verify(cat, f.trust, c.Earlier(t.Context()), now)
		}
		if err == nil {
			t.Errorf("catalog %s edited: Verify passed", p)
		}
	}
	if n < 80 {
		t.Errorf("only %d catalog fields edited", n)
	}
	// Dropping an artifact, or a whole bundle the catalog needs, is
	// refused too.
	var cat wire.Catalog
	json.Unmarshal(got.raw, &cat)
	cat.Artifacts = cat.Artifacts[1:]
	raw, _ := json.Marshal(cat)
	if _, err := (&fetched{raw: raw, bundles: got.bundles}).verify(f.trust); err == nil {
		t.Error("a catalog without its first artifact passed")
	}
	delete(got.bundles, 2)
	if _, err := got.verify(f.trust); err == nil {
		t.Error("a catalog without bundle 2's manifest passed")
	}
}

// TestBundleFilesAsOnMedia: /v1/bundles/<seq>/ serves bundle.json and its
// signature byte for byte as written on the media.
func TestBundleFilesAsOnMedia(t *testing.T) {
	f := newFixture(t)
	c := &catalog.Client{Base: f.ts.URL}
	cat, err := c.Catalog(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Bundle(t.Context(), cat.Bundles[len(cat.Bundles)-1])
	if err != nil {
		t.Fatal(err)
	}
	if string(s.Raw) != string(cat.Manifest) {
		t.Error("the current bundle's bundle.json differs from the catalog's manifest")
	}
	if _, err := (&catalog.Client{Base: f.ts.URL}).Bundle(t.Context(), wire.BundleRef{Sequence: 99}); err == nil {
		t.Error("bundle 99 was served")
	}
}
