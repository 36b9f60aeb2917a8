package media

import (
	"strings"
	"testing"
	"time"
)

func treeArtifact(platform, lang, name, sha string) *Artifact {
	return &Artifact{Vendor: "mozilla", Product: "firefox", Version: "145.0", Platform: platform, Language: lang,
		FileName: name, SHA256: strings.Repeat(sha, 64)}
}

func TestCheckTreePaths(t *testing.T) {
	cases := []struct {
		name string
		arts []*Artifact
		err  string
	}{
		{"languages apart", []*Artifact{treeArtifact("win64", "ja", "setup.exe", "a"), treeArtifact("win64", "en-US", "setup.exe", "b")}, ""},
		{"platforms apart", []*Artifact{treeArtifact("win64", "", "setup.exe", "a"), treeArtifact("win32", "", "setup.exe", "b")}, ""},
		{"one file twice", []*Artifact{treeArtifact("win64", "ja", "setup.exe", "a"), treeArtifact("win64", "ja", "setup.exe", "a")}, ""},
		{"two files, one address", []*Artifact{treeArtifact("win64", "ja", "setup.exe", "a"), treeArtifact("win64", "ja", "setup.exe", "b")},
			"two different files (aaaaaaaaaaaa…, bbbbbbbbbbbb…) at one address, /files/mozilla/firefox/145.0/win64/ja/setup.exe"},
		{"platform or language", []*Artifact{treeArtifact("ja", "", "setup.exe", "a"), treeArtifact("", "ja", "setup.exe", "b")},
			"at one address, /files/mozilla/firefox/145.0/ja/setup.exe"},
		{"file where a folder is", []*Artifact{treeArtifact("", "", "win64", "a"), treeArtifact("win64", "", "setup.exe", "b")},
			"is at /files/mozilla/firefox/145.0/win64, which is a folder of"},
		{"folder where a file is", []*Artifact{treeArtifact("win64", "", "setup.exe", "b"), treeArtifact("", "", "win64", "a")},
			"is at /files/mozilla/firefox/145.0/win64, which is a folder of"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTreePaths(tc.arts)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("CheckTreePaths = %v, want %q", err, tc.err)
			}
		})
	}
}

func TestResolveAndProducts(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	m := &Manifest{Sequence: 7, Artifacts: Artifacts{
		{Vendor: "clamav", Product: "daily", Version: "6", FileName: "daily.cvd", SHA256: strings.Repeat("a", 64), Released: day(6)},
		{Vendor: "clamav", Product: "daily", Version: "5", FileName: "daily-5.cdiff", SHA256: strings.Repeat("b", 64), Released: day(5)},
		{Vendor: "mozilla", Product: "firefox", Version: "145.0", Platform: "win64", FileName: "a.exe", SHA256: strings.Repeat("c", 64), Released: day(3)},
		{Vendor: "mozilla", Product: "firefox", Version: "145.0", Platform: "win32", FileName: "a.exe", SHA256: strings.Repeat("d", 64)},
		{Vendor: "mozilla", Product: "thunderbird", Version: "1", FileName: "t.exe", SHA256: strings.Repeat("c", 64)},
	}}
	m.Catalog = Catalog{
		{Vendor: "clamav", Product: "daily", Version: "6", Artifacts: []string{strings.Repeat("a", 64), strings.Repeat("b", 64)}},
		{Vendor: "mozilla", Product: "firefox", Version: "145.0", Artifacts: []string{strings.Repeat("c", 64), strings.Repeat("d", 64)}},
	}
	cur, err := ResolveCatalog(m.Catalog, func(e *CatalogEntry, sha string) ([]Artifact, uint64, error) {
		return m.Lists(e, sha), m.Sequence, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != 4 || cur[1].Version != "5" || cur[1].ProductVersion != "6" || cur[2].Product != "firefox" || cur[3].Sequence != 7 {
		t.Errorf("ResolveCatalog = %+v", cur)
	}
	ps := Products(m.Catalog, cur)
	if len(ps) != 3 {
		t.Fatalf("Products = %+v", ps)
	}
	if ps[0].Product != "daily" || !ps[0].Released.Equal(day(6)) || len(ps[0].SHA256) != 2 {
		t.Errorf("daily: %+v", ps[0])
	}
	if ps[1].Platform != "win32" || !ps[1].Released.IsZero() || ps[2].Platform != "win64" || !ps[2].Released.Equal(day(3)) || len(ps[2].SHA256) != 1 {
		t.Errorf("firefox per platform: %+v %+v", ps[1], ps[2])
	}
	// A catalog artifact that no bundle lists under its product.
	_, err = ResolveCatalog(Catalog{{Vendor: "mozilla", Product: "firefox", Version: "1", Artifacts: []string{strings.Repeat("e", 64)}}},
		func(e *CatalogEntry, sha string) ([]Artifact, uint64, error) { return m.Lists(e, sha), 7, nil })
	if err == nil || !strings.Contains(err.Error(), "no bundle brought it") {
		t.Errorf("unresolvable catalog: %v", err)
	}
}
