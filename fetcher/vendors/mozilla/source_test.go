package mozilla

import (
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/fetcher/vendortest/conformance"
	"github.com/patchferry/patchferry/media/mediatest"
)

func mustGet(t *testing.T, u *vendortest.Upstream, path string) []byte {
	t.Helper()
	b, ok := u.Get(path)
	if !ok {
		t.Fatalf("nothing at %s", path)
	}
	return b
}

const datesConfig = `cache_dir: cache
sources:
  mozilla:
    url: UPSTREAM
    product_details_url: UPSTREAM/1.0
    products: [firefox-esr, firefox, thunderbird]
    platforms: [win64]
    languages: [en-US]
`

// Every file of a version carries the version's date from product-details
// (firefox.json, thunderbird.json). A version not listed there is fetched
// undated with a warning, and dated by a later fetch once it is listed,
// without a download; exports carry the date.
func TestFetchDatesMozillaFiles(t *testing.T) {
	t.Parallel()
	u := vendortest.New()
	m := AddFake(u)
	u.Start()
	t.Cleanup(u.Close)
	u.Advance(3 * 24 * time.Hour)
	m.Release("firefox", "134.0")
	m.DropReleaseDate("thunderbird", "128.5.0esr")

	r := conformance.NewRig(t, u, []fetcher.Vendor{Vendor{}}, datesConfig)
	conformance.WantOK(t, r.Fetch(t))
	arts := r.Current(t, "mozilla")
	if len(arts) != 3*3 {
		t.Fatalf("%d current artifacts, want 3 of each product", len(arts))
	}
	for _, a := range arts {
		want := m.ReleaseDate(a.Product, a.Version)
		if a.Product == "thunderbird" {
			want = time.Time{}
		}
		if !a.Released.Equal(want) || (a.Product != "thunderbird" && a.Released.Location() != time.UTC) {
			t.Errorf("%s %s: released %v, want %v", a.Product, a.FileName, a.Released, want)
		}
	}
	if d := m.ReleaseDate("firefox", "134.0"); !d.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("test setup: firefox 134.0 released %v", d)
	}
	if log := r.Log.String(); !strings.Contains(log, "no release date: the version is not in product-details") ||
		!strings.Contains(log, "product=thunderbird version=128.5.0esr file=thunderbird.json") {
		t.Errorf("no warning for thunderbird 128.5.0esr:\n%s", log)
	}

	// product-details catches up: the next fetch dates the recorded files.
	m.Release("thunderbird", "128.5.0esr")
	u.ResetLog()
	sum := r.Fetch(t)
	conformance.WantOK(t, sum)
	if rep := conformance.Report(t, sum, "mozilla"); len(rep.New) != 0 {
		t.Errorf("%d new after product-details caught up: %v", len(rep.New), rep.New)
	}
	for _, req := range u.Requests() {
		if strings.Contains(req.Path, "/win64/") && req.Bytes > 0 {
			t.Errorf("%s downloaded again (%d bytes)", req.Path, req.Bytes)
		}
	}
	want := m.ReleaseDate("thunderbird", "128.5.0esr")
	if want.IsZero() {
		t.Fatal("test setup: thunderbird 128.5.0esr still undated")
	}
	for _, a := range r.Current(t, "mozilla") {
		if a.Product == "thunderbird" && !a.Released.Equal(want) {
			t.Errorf("%s: released %v after product-details listed it, want %v", a.FileName, a.Released, want)
		}
	}
	res, err := fetcher.Export(t.Context(), r.State, r.Cache, fetcher.ExportOptions{Out: t.TempDir(), Site: "test",
		Key: mediatest.TestKeys(t).Publisher, Sources: []string{"mozilla"}, Created: r.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Written.Manifest.Artifacts {
		if !a.Released.Equal(m.ReleaseDate(a.Product, a.Version)) {
			t.Errorf("exported %s %s: released %v, want %v", a.Product, a.FileName, a.Released, m.ReleaseDate(a.Product, a.Version))
		}
	}
}

// Without the releases file the fetch still succeeds, undated, with a
// warning.
func TestFetchWithoutReleasesFile(t *testing.T) {
	t.Parallel()
	u := vendortest.New()
	AddFake(u)
	u.Start()
	t.Cleanup(u.Close)
	u.Remove("/1.0/firefox.json")
	u.Put("/1.0/thunderbird.json", []byte(`{"releases": "not an object"}`), u.Now())

	r := conformance.NewRig(t, u, []fetcher.Vendor{Vendor{}}, datesConfig)
	conformance.WantOK(t, r.Fetch(t))
	for _, a := range r.Current(t, "mozilla") {
		if !a.Released.IsZero() {
			t.Errorf("%s: released %v without a releases file", a.FileName, a.Released)
		}
	}
	log := r.Log.String()
	for _, file := range []string{"firefox.json", "thunderbird.json"} {
		if !strings.Contains(log, "product-details releases file unavailable") || !strings.Contains(log, "file="+file) {
			t.Errorf("no warning for %s:\n%s", file, log)
		}
	}
	if n := strings.Count(log, "file=firefox.json"); n != 1 {
		t.Errorf("%d warnings for firefox.json, want one for both Firefox products:\n%s", n, log)
	}
}
