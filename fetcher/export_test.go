package fetcher_test

// Export against a real fetch state and cache in t.TempDir: full, delta,
// nothing new, --since (sequence and state code), retired, manual files,
// and a product whose new version was refused by a real source.

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendors"
	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/verify"
)

// exportNow is when the test bundles are written.
var exportNow = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

// exportEnv is a fetch state and cache with hand-recorded artifacts, as
// sources leave them after a fetch.
type exportEnv struct {
	dir   string
	st    *fetcher.State
	cache *fetcher.Cache
	out   string
	key   *verify.PrivateKey
}

func newExportEnv(t *testing.T) *exportEnv {
	t.Helper()
	key := mediatest.TestKeys(t).Publisher
	dir := t.TempDir()
	cache, err := fetcher.OpenCache(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := fetcher.OpenState(cache.Dir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	out := filepath.Join(dir, "media")
	if err := os.Mkdir(out, 0o755); err != nil { // the medium, mounted
		t.Fatal(err)
	}
	return &exportEnv{dir: dir, st: st, cache: cache, out: out, key: key}
}

// evidence stores a vendor metadata file in the cache.
func (e *exportEnv) evidence(t *testing.T, name, content string) fetcher.Evidence {
	t.Helper()
	sha, err := e.cache.PutBytes([]byte(content))
	if err != nil {
		t.Fatal(err)
	}
	return fetcher.Evidence{Name: name, SHA256: sha, Size: int64(len(content))}
}

// artifact caches content and records it as a verified artifact of source.
func (e *exportEnv) artifact(t *testing.T, source string, a media.Artifact, content string, ev ...fetcher.Evidence) *fetcher.Artifact {
	t.Helper()
	sha, err := e.cache.PutBytes([]byte(content))
	if err != nil {
		t.Fatal(err)
	}
	a.SHA256, a.Size = sha, int64(len(content))
	if a.Verification.Method == "" {
		a.Verification = media.Verification{Method: evidence.MethodClamAVCdiff, Time: exportNow}
	}
	for _, x := range ev {
		a.Verification.Evidence = append(a.Verification.Evidence, x.Name)
	}
	rec := &fetcher.Artifact{Artifact: a, Source: source, Evidence: ev, FetchedAt: exportNow}
	if err := e.st.Record(rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// current records what source found current: these artifacts, each
// product at the version of its first artifact.
func (e *exportEnv) current(t *testing.T, source string, arts ...*fetcher.Artifact) {
	t.Helper()
	cur := &fetcher.SourceState{Versions: map[string]string{}, Checked: exportNow}
	for _, a := range arts {
		cur.Artifacts = append(cur.Artifacts, a.SHA256)
		if k := a.Vendor + "/" + a.Product; cur.Versions[k] == "" {
			cur.Versions[k] = a.Version
		}
	}
	sort.Strings(cur.Artifacts)
	if err := e.st.SetCurrent(source, cur); err != nil {
		t.Fatal(err)
	}
}

// export runs Export for the sources clamav and mozilla; o may set Since
// and Full.
func (e *exportEnv) export(t *testing.T, o fetcher.ExportOptions) (*fetcher.ExportResult, error) {
	t.Helper()
	o.Out, o.Site, o.Key, o.Created, o.Validity = e.out, "city", e.key, exportNow, 30*24*time.Hour
	if o.Sources == nil {
		o.Sources = []string{"clamav", "mozilla"}
	}
	return fetcher.Export(t.Context(), e.st, e.cache, o)
}

func (e *exportEnv) mustExport(t *testing.T, o fetcher.ExportOptions) *fetcher.ExportResult {
	t.Helper()
	res, err := e.export(t, o)
	if err != nil {
		t.Fatalf("Export(since %q, full %v): %v", o.Since, o.Full, err)
	}
	return res
}

// open opens, verifies and fully reads the bundle res wrote.
func (e *exportEnv) open(t *testing.T, res *fetcher.ExportResult) *media.Bundle {
	t.Helper()
	if res.NothingNew || len(res.Dirs) == 0 {
		t.Fatalf("no bundle written: %+v", res)
	}
	b, err := media.Open(res.Dirs...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(media.Trust{Publishers: []*verify.PublicKey{e.key.Public()}}, exportNow); err != nil {
		t.Fatalf("the written bundle does not verify: %v", err)
	}
	if err := b.CheckFiles(t.Context(), nil); err != nil {
		t.Fatalf("the written bundle's files: %v", err)
	}
	m := b.Manifest
	if m.Sequence != res.Sequence || m.Base != res.Base || len(m.Artifacts) != res.Artifacts {
		t.Errorf("manifest sequence %d base %d with %d artifacts, result says %d, %d, %d",
			m.Sequence, m.Base, len(m.Artifacts), res.Sequence, res.Base, res.Artifacts)
	}
	if want := media.StateCode(m.Sequence, m.Catalog); res.StateCode != want {
		t.Errorf("state code %s, the mirror will compute %s", res.StateCode, want)
	}
	return b
}

// bundles lists the bundle directories under the media root.
func (e *exportEnv) bundles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(e.out)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, d := range entries {
		out = append(out, d.Name())
	}
	return out
}

func shas(arts ...*fetcher.Artifact) []string {
	var out []string
	for _, a := range arts {
		out = append(out, a.SHA256)
	}
	sort.Strings(out)
	return out
}

func manifestSHAs(m *media.Manifest) []string {
	var out []string
	for _, a := range m.Artifacts {
		out = append(out, a.SHA256)
	}
	sort.Strings(out)
	return out
}

func retiredSHAs(m *media.Manifest) []string {
	var out []string
	for _, r := range m.Retired {
		out = append(out, r.SHA256)
	}
	sort.Strings(out)
	return out
}

func metaNames(m *media.Manifest) []string {
	var out []string
	for _, mf := range m.Meta {
		out = append(out, mf.Name)
	}
	sort.Strings(out)
	return out
}

// catalogVersions maps vendor/product to the catalog's version.
func catalogVersions(c media.Catalog) map[string]string {
	out := make(map[string]string)
	for _, e := range c {
		out[e.Vendor+"/"+e.Product] = e.Version
	}
	return out
}

// week is the vendors' state in one week: ClamAV daily and a Firefox ESR
// version with its SHA512SUMS evidence.
type week struct {
	daily, esr []*fetcher.Artifact
	all        []*fetcher.Artifact
}

func (e *exportEnv) week(t *testing.T, daily, esr string) week {
	t.Helper()
	header := e.evidence(t, "clamav-daily-"+daily+".cvd-header", "ClamAV-VDB:"+daily)
	cvd := e.artifact(t, "clamav", media.Artifact{Vendor: "clamav", Product: "daily", Version: daily, Kind: "cvd",
		FileName: "daily.cvd", Verification: media.Verification{Method: evidence.MethodClamAVCVD, Time: exportNow}},
		"daily cvd "+daily, header)
	sums := e.evidence(t, "mozilla-firefox-esr-"+esr+"-SHA512SUMS", "sums of "+esr)
	asc := e.evidence(t, "mozilla-firefox-esr-"+esr+"-SHA512SUMS.asc", "signature of "+esr)
	var w week
	w.daily = []*fetcher.Artifact{cvd}
	for _, lang := range []string{"ja", "en-US"} {
		w.esr = append(w.esr, e.artifact(t, "mozilla", media.Artifact{Vendor: "mozilla", Product: "firefox-esr", Channel: "esr",
			Version: esr, Platform: "win64", Language: lang, Kind: "installer-exe", FileName: "Firefox Setup " + esr + ".exe",
			Verification: media.Verification{Method: evidence.MethodMozillaSums, Time: exportNow, Entry: "win64/" + lang + "/Firefox Setup " + esr + ".exe"}},
			"firefox "+esr+" "+lang, sums, asc))
	}
	w.all = append(append([]*fetcher.Artifact{}, w.daily...), w.esr...)
	e.current(t, "clamav", w.daily...)
	e.current(t, "mozilla", w.esr...)
	return w
}

// The weekly cycle: a full bundle first, then nothing new, then a delta
// with only the new artifacts, the full catalog and what it retires, then
// a full bundle again on request.
func TestExportCycle(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	w1 := e.week(t, "1", "128.5.0esr")

	res := e.mustExport(t, fetcher.ExportOptions{})
	b := e.open(t, res)
	m := b.Manifest
	if res.Sequence != 1 || res.Base != 0 || res.NothingNew {
		t.Fatalf("first export: %+v, want full sequence 1", res)
	}
	if got := manifestSHAs(m); !slices.Equal(got, shas(w1.all...)) {
		t.Errorf("full bundle holds %v, want %v", got, shas(w1.all...))
	}
	if len(res.New) != 3 || res.Bytes != w1.all[0].Size+w1.all[1].Size+w1.all[2].Size {
		t.Errorf("New %q, Bytes %d", res.New, res.Bytes)
	}
	wantMeta := []string{"clamav-daily-1.cvd-header", "mozilla-firefox-esr-128.5.0esr-SHA512SUMS", "mozilla-firefox-esr-128.5.0esr-SHA512SUMS.asc"}
	if got := metaNames(m); !slices.Equal(got, wantMeta) {
		t.Errorf("meta %v, want %v (each evidence file once)", got, wantMeta)
	}
	if got := catalogVersions(m.Catalog); len(got) != 2 || got["clamav/daily"] != "1" || got["mozilla/firefox-esr"] != "128.5.0esr" {
		t.Errorf("catalog %v", got)
	}
	if len(m.Retired) != 0 {
		t.Errorf("a first bundle retires %v", m.Retired)
	}
	if !m.Expires.Equal(exportNow.Add(30 * 24 * time.Hour)) {
		t.Errorf("expires %s", m.Expires)
	}

	// Nothing changed: nothing is written, the result names the last bundle.
	again := e.mustExport(t, fetcher.ExportOptions{})
	if !again.NothingNew || again.Sequence != 1 || again.StateCode != res.StateCode || len(again.Dirs) != 0 {
		t.Errorf("second export: %+v, want nothing new at sequence 1", again)
	}
	if got := e.bundles(t); !slices.Equal(got, []string{"patchferry-city-1"}) {
		t.Errorf("media root holds %v after nothing new", got)
	}

	// A new Firefox ESR: the delta holds only its files and evidence.
	w2 := e.week(t, "1", "128.6.0esr")
	delta := e.mustExport(t, fetcher.ExportOptions{})
	m = e.open(t, delta).Manifest
	if delta.Sequence != 2 || delta.Base != 1 {
		t.Fatalf("delta: sequence %d base %d, want 2 on 1", delta.Sequence, delta.Base)
	}
	if got := manifestSHAs(m); !slices.Equal(got, shas(w2.esr...)) {
		t.Errorf("delta holds %v, want only the new Firefox ESR files %v", got, shas(w2.esr...))
	}
	if got := metaNames(m); !slices.Equal(got, []string{"mozilla-firefox-esr-128.6.0esr-SHA512SUMS", "mozilla-firefox-esr-128.6.0esr-SHA512SUMS.asc"}) {
		t.Errorf("delta meta %v", got)
	}
	if got := catalogVersions(m.Catalog); got["clamav/daily"] != "1" || got["mozilla/firefox-esr"] != "128.6.0esr" {
		t.Errorf("delta catalog %v: a delta carries the full catalog", got)
	}
	if got := retiredSHAs(m); !slices.Equal(got, shas(w1.esr...)) {
		t.Errorf("delta retires %v, want the old Firefox ESR files %v", got, shas(w1.esr...))
	}
	for _, r := range m.Retired {
		if r.Vendor != "mozilla" || r.Product != "firefox-esr" || r.Version != "128.5.0esr" {
			t.Errorf("retired %+v", r)
		}
	}

	// --full: everything current again, on nothing.
	full := e.mustExport(t, fetcher.ExportOptions{Full: true})
	m = e.open(t, full).Manifest
	if full.Sequence != 3 || full.Base != 0 {
		t.Errorf("full: sequence %d base %d", full.Sequence, full.Base)
	}
	if got := manifestSHAs(m); !slices.Equal(got, shas(append(w2.daily, w2.esr...)...)) {
		t.Errorf("full bundle holds %v", got)
	}
	if len(m.Retired) != 0 {
		t.Errorf("full bundle after an unchanged catalog retires %v", m.Retired)
	}
}

// --since: a delta on an older bundle, for a mirror that missed some; by
// sequence or by the mirror's state code, whose check must match.
func TestExportSince(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)

	// Before any bundle, every --since is unknown.
	if _, err := e.export(t, fetcher.ExportOptions{Since: "1"}); !errors.Is(err, fetcher.ErrStateCode) {
		t.Fatalf("--since 1 before any bundle: %v, want ErrStateCode", err)
	}

	w1 := e.week(t, "1", "128.5.0esr")
	r1 := e.mustExport(t, fetcher.ExportOptions{})
	w2 := e.week(t, "2", "128.5.0esr")
	r2 := e.mustExport(t, fetcher.ExportOptions{})
	w3 := e.week(t, "3", "128.6.0esr")
	r3 := e.mustExport(t, fetcher.ExportOptions{})
	if r1.Sequence != 1 || r2.Sequence != 2 || r3.Sequence != 3 {
		t.Fatalf("sequences %d %d %d", r1.Sequence, r2.Sequence, r3.Sequence)
	}

	// The mirror is still at 1 (bundles 2 and 3 were lost): a delta on 1
	// carries what 1 lacks and retires what 1 had and is gone now.
	since1 := e.mustExport(t, fetcher.ExportOptions{Since: r1.StateCode})
	m := e.open(t, since1).Manifest
	if since1.Sequence != 4 || since1.Base != 1 {
		t.Fatalf("--since %s: sequence %d base %d, want 4 on 1", r1.StateCode, since1.Sequence, since1.Base)
	}
	if got := manifestSHAs(m); !slices.Equal(got, shas(w3.all...)) {
		t.Errorf("--since 1 holds %v, want the current files %v", got, shas(w3.all...))
	}
	if got := retiredSHAs(m); !slices.Equal(got, shas(w1.all...)) {
		t.Errorf("--since 1 retires %v, want what bundle 1 had: %v (daily 2 never reached the mirror: %v)",
			got, shas(w1.all...), shas(w2.daily...))
	}

	// By sequence, and by a state code read with the usual slips (lower
	// case, O for 0, I or L for 1) on the second bundle.
	seq2, chk2, _ := strings.Cut(r2.StateCode, "-")
	sloppy := seq2 + "-" + strings.NewReplacer("0", "o", "1", "l").Replace(strings.ToLower(chk2))
	for _, since := range []string{"2", sloppy} {
		res := e.mustExport(t, fetcher.ExportOptions{Since: since})
		m := e.open(t, res).Manifest
		if res.Base != 2 {
			t.Errorf("--since %s: base %d, want 2", since, res.Base)
		}
		if got := manifestSHAs(m); !slices.Equal(got, shas(w3.all...)) {
			t.Errorf("--since %s holds %v, want %v", since, got, shas(w3.all...))
		}
		if got := retiredSHAs(m); !slices.Equal(got, shas(w2.all...)) {
			t.Errorf("--since %s retires %v, want %v", since, got, shas(w2.all...))
		}
	}
	// On the last bundle: nothing to carry, so nothing is written, even
	// though a bundle was asked for; no sequence number is used up.
	written := e.bundles(t)
	last := e.mustExport(t, fetcher.ExportOptions{Since: "6"})
	if !last.NothingNew || last.Sequence != 6 || len(last.Dirs) != 0 {
		t.Errorf("--since the last bundle: %+v, want nothing new at 6", last)
	}
	// On bundle 3, whose catalog is the current one (4, 5 and 6 were
	// written on older bundles and carried nothing bundle 3 lacks).
	if r := e.mustExport(t, fetcher.ExportOptions{Since: "3"}); !r.NothingNew {
		t.Errorf("--since 3, the current catalog: %+v, want nothing new", r)
	}
	if got := e.bundles(t); !slices.Equal(got, written) {
		t.Errorf("nothing new wrote bundles: %v → %v", written, got)
	}

	if err := fetcher.CheckSince(e.st, r2.StateCode); err != nil {
		t.Errorf("CheckSince(%s): %v", r2.StateCode, err)
	}
	if err := fetcher.CheckSince(e.st, wrongCheck(r2.StateCode)); !errors.Is(err, fetcher.ErrStateCode) {
		t.Errorf("CheckSince(%s): %v, want ErrStateCode", wrongCheck(r2.StateCode), err)
	}
	before := e.bundles(t)
	wrong := wrongCheck(r2.StateCode)
	for _, tc := range []struct {
		since    string
		sentinel bool
		want     string
	}{
		{wrong, true, "does not match"},
		{"99", true, "never wrote bundle 99"},
		{"99-" + r2.StateCode[2:], true, "never wrote bundle 99"},
		{"2-K7Q", true, "4 characters"},
		{"2-K7QU", true, "not a valid check character"},
		{"0", false, "--since"},
		{"latest", false, "--since"},
	} {
		_, err := e.export(t, fetcher.ExportOptions{Since: tc.since})
		if err == nil || errors.Is(err, fetcher.ErrStateCode) != tc.sentinel || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--since %q: %v, want an error saying %q (ErrStateCode: %v)", tc.since, err, tc.want, tc.sentinel)
		}
	}
	if got := e.bundles(t); !slices.Equal(got, before) {
		t.Errorf("refused --since wrote bundles: %v → %v", before, got)
	}
	// A refused --since uses up no sequence number.
	if next := e.mustExport(t, fetcher.ExportOptions{Full: true}); next.Sequence != 7 {
		t.Errorf("after refusals the next sequence is %d, want 7", next.Sequence)
	}
}

// wrongCheck returns code with its first check character changed.
func wrongCheck(code string) string {
	seq, chk, _ := strings.Cut(code, "-")
	c := byte('A')
	if chk[0] == 'A' {
		c = 'B'
	}
	return seq + "-" + string(c) + chk[1:]
}

// Files added by hand ship with the next export whatever the sources are,
// and a new version of the product replaces the old one in the catalog.
func TestExportManual(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	add := func(version, content string) *fetcher.Artifact {
		p := filepath.Join(t.TempDir(), "ichitaro-"+version+".exe")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		added, err := fetcher.AddManual(e.st, e.cache, media.Artifact{Vendor: "justsystems", Product: "ichitaro", Version: version}, []string{p}, exportNow)
		if err != nil {
			t.Fatal(err)
		}
		return added[0]
	}
	v1 := add("2026.1", "ichitaro 2026.1 update")
	res := e.mustExport(t, fetcher.ExportOptions{Sources: []string{}})
	m := e.open(t, res).Manifest
	if len(m.Artifacts) != 1 || m.Artifacts[0].SHA256 != v1.SHA256 || m.Artifacts[0].Verification.Method != evidence.MethodManual {
		t.Fatalf("artifacts %+v, want the manual file", m.Artifacts)
	}
	if got := catalogVersions(m.Catalog); len(got) != 1 || got["justsystems/ichitaro"] != "2026.1" {
		t.Errorf("catalog %v", got)
	}

	v2 := add("2026.2", "ichitaro 2026.2 update")
	res = e.mustExport(t, fetcher.ExportOptions{Sources: []string{}})
	m = e.open(t, res).Manifest
	if got := manifestSHAs(m); !slices.Equal(got, shas(v2)) {
		t.Errorf("second bundle holds %v, want only 2026.2", got)
	}
	if got := catalogVersions(m.Catalog); len(got) != 1 || got["justsystems/ichitaro"] != "2026.2" {
		t.Errorf("catalog %v, want 2026.2 to replace 2026.1", got)
	}
	if got := retiredSHAs(m); !slices.Equal(got, shas(v1)) || m.Retired[0].Version != "2026.1" {
		t.Errorf("retired %+v, want 2026.1", m.Retired)
	}
}

// With nothing to ship at all, no export writes a bundle — not the first,
// not --full, not --since — and none uses up a sequence number: the first
// bundle with something in it is sequence 1.
func TestExportEmpty(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	for _, o := range []fetcher.ExportOptions{{}, {Full: true}, {}} {
		res := e.mustExport(t, o)
		if !res.NothingNew || res.Sequence != 0 || res.Base != 0 || res.Artifacts != 0 || len(res.Dirs) != 0 || res.New == nil {
			t.Errorf("export of nothing (full %v): %+v, want nothing new, no sequence", o.Full, res)
		}
	}
	if got := e.bundles(t); len(got) != 0 {
		t.Fatalf("media root holds %v", got)
	}
	w := e.week(t, "1", "128.5.0esr")
	first := e.mustExport(t, fetcher.ExportOptions{})
	if m := e.open(t, first).Manifest; first.Sequence != 1 || len(m.Artifacts) != len(w.all) {
		t.Errorf("first export with files: sequence %d, %d files", first.Sequence, len(m.Artifacts))
	}
}

// A delta whose only change is the catalog — a product no longer
// current, its files retired — holds no file but is written: the mirror
// must stop offering them. After it, the same state is nothing new.
func TestExportCatalogOnly(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	w := e.week(t, "1", "128.5.0esr")
	e.open(t, e.mustExport(t, fetcher.ExportOptions{}))
	e.current(t, "mozilla") // Firefox ESR is no longer offered
	res := e.mustExport(t, fetcher.ExportOptions{})
	m := e.open(t, res).Manifest
	if res.NothingNew || res.Sequence != 2 || res.Base != 1 || len(m.Artifacts) != 0 {
		t.Fatalf("catalog-only delta: %+v, %d files; want sequence 2 on 1 without files", res, len(m.Artifacts))
	}
	if got := retiredSHAs(m); !slices.Equal(got, shas(w.esr...)) {
		t.Errorf("retired %v, want the Firefox ESR files %v", got, shas(w.esr...))
	}
	if got := catalogVersions(m.Catalog); len(got) != 1 || got["clamav/daily"] != "1" {
		t.Errorf("catalog %v, want clamav/daily alone", got)
	}
	if again := e.mustExport(t, fetcher.ExportOptions{}); !again.NothingNew || again.Sequence != 2 {
		t.Errorf("after the catalog-only delta: %+v, want nothing new at 2", again)
	}
}

// An export to a media folder that does not exist (a stick that is not
// mounted) writes nothing, creates no folder, and uses up no sequence
// number; the same export once the folder is there gets the next one.
func TestExportNoMedia(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	e.week(t, "1", "128.5.0esr")
	e.open(t, e.mustExport(t, fetcher.ExportOptions{}))
	e.week(t, "2", "128.5.0esr")
	missing := filepath.Join(e.dir, "usb")
	file := filepath.Join(e.dir, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{missing, file} {
		o := fetcher.ExportOptions{Out: out, Site: "city", Key: e.key, Created: exportNow, Sources: []string{"clamav", "mozilla"}}
		if _, err := fetcher.Export(t.Context(), e.st, e.cache, o); !errors.Is(err, fetcher.ErrNoMedia) || !strings.Contains(err.Error(), out) {
			t.Errorf("export to %s: %v, want ErrNoMedia naming it", out, err)
		}
		if err := fetcher.CheckOut(out); !errors.Is(err, fetcher.ErrNoMedia) {
			t.Errorf("CheckOut(%s): %v", out, err)
		}
	}
	if exists(missing) {
		t.Error("the export created the missing media folder")
	}
	if err := fetcher.CheckOut(e.out); err != nil {
		t.Errorf("CheckOut(%s): %v", e.out, err)
	}
	if res := e.mustExport(t, fetcher.ExportOptions{}); res.Sequence != 2 {
		t.Errorf("the next export: sequence %d, want 2", res.Sequence)
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// What the cache lost, or two evidence files under one name, stop the
// export with what to do next, and nothing is written.
func TestExportRefuses(t *testing.T) {
	t.Parallel()
	t.Run("lost blob", func(t *testing.T) {
		t.Parallel()
		e := newExportEnv(t)
		w := e.week(t, "1", "128.5.0esr")
		if err := os.Remove(e.cache.BlobPath(w.esr[0].SHA256)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.export(t, fetcher.ExportOptions{}); err == nil || !strings.Contains(err.Error(), "fetch` again") {
			t.Errorf("lost blob: %v", err)
		}
		if got := e.bundles(t); len(got) != 0 {
			t.Errorf("wrote %v", got)
		}
	})
	t.Run("lost evidence", func(t *testing.T) {
		t.Parallel()
		e := newExportEnv(t)
		w := e.week(t, "1", "128.5.0esr")
		if err := os.Remove(e.cache.BlobPath(w.daily[0].Evidence[0].SHA256)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.export(t, fetcher.ExportOptions{}); err == nil || !strings.Contains(err.Error(), "clamav-daily-1.cvd-header") {
			t.Errorf("lost evidence: %v", err)
		}
	})
	t.Run("evidence name clash", func(t *testing.T) {
		t.Parallel()
		e := newExportEnv(t)
		a := e.artifact(t, "clamav", media.Artifact{Vendor: "clamav", Product: "main", Version: "1", FileName: "main.cvd"},
			"main", e.evidence(t, "header", "one"))
		b := e.artifact(t, "clamav", media.Artifact{Vendor: "clamav", Product: "daily", Version: "1", FileName: "daily.cvd"},
			"daily", e.evidence(t, "header", "two"))
		e.current(t, "clamav", a, b)
		if _, err := e.export(t, fetcher.ExportOptions{}); err == nil || !strings.Contains(err.Error(), "header") {
			t.Errorf("two evidence files named header: %v", err)
		}
	})
	t.Run("two files at one address", func(t *testing.T) {
		t.Parallel()
		e := newExportEnv(t)
		a := e.artifact(t, "clamav", media.Artifact{Vendor: "clamav", Product: "main", Version: "1", FileName: "main.cvd"}, "one")
		b := e.artifact(t, "clamav", media.Artifact{Vendor: "clamav", Product: "main", Version: "1", FileName: "main.cvd"}, "two")
		e.current(t, "clamav", a, b)
		if _, err := e.export(t, fetcher.ExportOptions{}); err == nil || !strings.Contains(err.Error(), "/files/clamav/main/1/main.cvd") {
			t.Errorf("two files at one address: %v", err)
		}
		if got := e.bundles(t); len(got) != 0 {
			t.Errorf("wrote %v", got)
		}
	})
}

// A product whose new version a source refused keeps its old version in
// the catalog: the next bundle must not drop it from the mirror.
func TestExportKeepsRefusedProduct(t *testing.T) {
	t.Parallel()
	up := vendortest.New()
	up.SetNow(exportNow.Add(-14 * 24 * time.Hour))
	moz := mozilla.AddFake(up)
	up.Start()
	t.Cleanup(up.Close)
	e := newExportEnv(t)
	config := filepath.Join(e.dir, "patchferry.yaml")
	text := fmt.Sprintf(`cache_dir: cache
sources:
  mozilla:
    url: %[1]s
    product_details_url: %[1]s/1.0
    products: [firefox-esr, thunderbird]
    platforms: [win64]
    languages: [ja]
`, up.URL())
	if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := fetcher.LoadConfig(config, vendors.Fetcher())
	if err != nil {
		t.Fatal(err)
	}
	fetch := func() *fetcher.Summary {
		t.Helper()
		log := slog.New(slog.DiscardHandler)
		d, err := fetcher.NewDownloader(cfg, e.cache, e.st, log)
		if err != nil {
			t.Fatal(err)
		}
		env := fetcher.Env{Config: cfg, Downloader: d, Cache: e.cache, State: e.st, Trust: up.VendorTrust(), Log: log,
			Now: func() time.Time { return exportNow }}
		sum, err := fetcher.Run(t.Context(), env, fetcher.EnabledSources(cfg, vendors.Fetcher()))
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if sum := fetch(); !sum.OK() || sum.NewCount() != 6 {
		t.Fatalf("first fetch: ok %v, %d new: %+v", sum.OK(), sum.NewCount(), sum.Sources[0])
	}
	first := e.open(t, e.mustExport(t, fetcher.ExportOptions{Sources: cfg.Enabled()})).Manifest
	var esr128 []string
	for _, a := range first.Artifacts {
		if a.Product == "firefox-esr" {
			esr128 = append(esr128, a.SHA256)
		}
	}
	sort.Strings(esr128)

	// A week later: Firefox ESR 128.6.0esr with a bad SHA512SUMS signature
	// (refused as a whole), and a good Thunderbird 128.6.0esr.
	up.Advance(7 * 24 * time.Hour)
	moz.Release("firefox-esr", "128.6.0esr")
	moz.BadSumsSignature("firefox-esr", "128.6.0esr")
	moz.Release("thunderbird", "128.6.0esr")
	sum := fetch()
	if sum.OK() || len(sum.Sources[0].Refused) != 1 || !strings.Contains(sum.Sources[0].Refused[0].What, "firefox-esr 128.6.0esr") {
		t.Fatalf("second fetch: %+v, want firefox-esr 128.6.0esr refused", sum.Sources[0])
	}
	res := e.mustExport(t, fetcher.ExportOptions{Sources: cfg.Enabled()})
	m := e.open(t, res).Manifest
	got := catalogVersions(m.Catalog)
	if got["mozilla/firefox-esr"] != "128.5.0esr" || got["mozilla/thunderbird"] != "128.6.0esr" {
		t.Errorf("catalog %v, want firefox-esr kept at 128.5.0esr and thunderbird at 128.6.0esr", got)
	}
	for _, c := range m.Catalog {
		if c.Product == "firefox-esr" && !slices.Equal(c.Artifacts, esr128) {
			t.Errorf("firefox-esr catalog files %v, want the 128.5.0esr files %v", c.Artifacts, esr128)
		}
	}
	for _, a := range m.Artifacts {
		if a.Product != "thunderbird" || a.Version != "128.6.0esr" {
			t.Errorf("the delta holds %s %s %s; only the new Thunderbird is new", a.Product, a.Version, a.FileName)
		}
	}
	for _, r := range m.Retired {
		if r.Product == "firefox-esr" {
			t.Errorf("the delta retires %+v, a file of the version still current", r)
		}
	}
}
