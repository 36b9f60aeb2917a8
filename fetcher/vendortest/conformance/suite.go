package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/verify"
)

// Vendor is what the suite runs: a vendor's fetcher side and its fake.
type Vendor interface {
	fetcher.Vendor
	vendortest.Vendor
}

// Mirror is the LGWAN side the suite imports bundles into. The fetcher may
// not import the mirror (DESIGN.md), so the vendor's test hands it in
// (mirror/ingest/ingesttest).
type Mirror struct {
	// Import makes a new mirror that trusts publisher and vt and imports
	// the bundle in dir, as `patchferry mirror import` does.
	Import func(t testing.TB, dir string, publisher *verify.PublicKey, vt *verify.VendorTrust) error
	// EvidenceRefused reports whether err refused the bundle because a
	// vendor's evidence did not hold.
	EvidenceRefused func(err error) bool
}

// Run is the conformance suite every vendor runs, on a fake upstream of
// that vendor alone (after one Next, so there is history):
//   - a fetch keeps every file the source finds, each through the vendor's
//     evidence method and with its release date, and a bundle of them
//     imports;
//   - a second fetch with nothing new downloads no payload byte;
//   - records of an older patchferry, without release dates, get them on
//     the next fetch, without a download, and an export carries them;
//   - each of the fake's tampers is refused by the fetcher, and a bundle
//     carrying the tampered files under a valid publisher signature (what a
//     fetcher that skipped its checks would write) is refused by the mirror;
//   - the vendor's anchors put under another vendor's name make every file
//     of the vendor fail, on both sides.
func Run(t *testing.T, v Vendor, m Mirror) {
	u := vendortest.New()
	fake := v.Fake(u)
	u.Start()
	t.Cleanup(u.Close)
	fake.Next()
	vendors := []fetcher.Vendor{v}
	config := "cache_dir: cache\nsources:\n  " + v.Name() + ":\n" + fake.SourceYAML()
	pub := mediatest.TestKeys(t).Publisher.Public()

	good := NewRig(t, u, vendors, config)
	t.Run("fetch and import", func(t *testing.T) {
		sum := good.Fetch(t)
		WantOK(t, sum)
		rep := Report(t, sum, v.Name())
		arts := good.Current(t, v.Name())
		if len(rep.New) == 0 || len(arts) != len(rep.New) {
			t.Fatalf("%d new, %d current artifacts", len(rep.New), len(arts))
		}
		for _, a := range arts {
			if a.Vendor != v.Name() || a.Verification.Method == "" || a.Verification.Method == evidence.MethodManual {
				t.Errorf("%s: vendor %q, method %q: every file of a vendor is checked by its evidence method", a.FileName, a.Vendor, a.Verification.Method)
			}
			if a.Released.IsZero() || a.Released.Location() != time.UTC {
				t.Errorf("%s %s: released %v; every file carries its release date, in UTC", a.FileName, a.Version, a.Released)
			}
		}
		if err := m.Import(t, good.bundle(t, v.Name(), nil), pub, u.VendorTrust()); err != nil {
			t.Fatalf("the mirror refused the fetcher's bundle: %v", err)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("refetch downloads no payload byte", func(t *testing.T) {
		u.ResetLog()
		sum := good.Fetch(t)
		WantOK(t, sum)
		rep := Report(t, sum, v.Name())
		current := good.Current(t, v.Name())
		if len(rep.New) != 0 || rep.Unchanged != len(current) {
			t.Errorf("second fetch: %d new, %d unchanged of %d current", len(rep.New), rep.Unchanged, len(current))
		}
		wantNoPayload(t, u, current)
	})

	t.Run("records without release dates get them", func(t *testing.T) {
		// As an older patchferry recorded them: no release dates.
		dated := map[string]time.Time{}
		for _, a := range good.Current(t, v.Name()) {
			dated[a.SHA256] = a.Released
			a.Released = time.Time{}
			if err := good.State.Record(a); err != nil {
				t.Fatal(err)
			}
		}
		u.ResetLog()
		sum := good.Fetch(t)
		WantOK(t, sum)
		current := good.Current(t, v.Name())
		if rep := Report(t, sum, v.Name()); len(rep.New) != 0 || rep.Unchanged != len(current) {
			t.Errorf("%d new, %d unchanged of %d current", len(rep.New), rep.Unchanged, len(current))
		}
		wantNoPayload(t, u, current)
		for _, a := range current {
			if !a.Released.Equal(dated[a.SHA256]) {
				t.Errorf("%s %s: released %v after the fetch, a fresh fetch gives %v", a.FileName, a.Version, a.Released, dated[a.SHA256])
			}
		}
		res, err := fetcher.Export(t.Context(), good.State, good.Cache, fetcher.ExportOptions{Out: t.TempDir(), Site: "conformance",
			Key: mediatest.TestKeys(t).Publisher, Sources: []string{v.Name()}, Full: true, Created: good.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Written.Manifest.Artifacts) != len(current) {
			t.Errorf("the export has %d artifacts, want %d", len(res.Written.Manifest.Artifacts), len(current))
		}
		for _, a := range res.Written.Manifest.Artifacts {
			if !a.Released.Equal(dated[a.SHA256]) {
				t.Errorf("%s %s: exported with release date %v, want %v", a.FileName, a.Version, a.Released, dated[a.SHA256])
			}
		}
	})

	for _, tamper := range fake.Tampers() {
		t.Run("tampered: "+tamper.Name, func(t *testing.T) {
			snap := u.Snapshot()
			defer u.Restore(snap)
			tamper.Apply()
			changed := u.Changed(snap)
			if len(changed) == 0 {
				t.Fatal("the tamper changed nothing upstream")
			}
			swap := map[string][]byte{} // nil: removed upstream
			for _, p := range changed {
				b, _ := u.Get(p)
				swap[p] = b
			}

			r := NewRig(t, u, vendors, config)
			rep := Report(t, r.Fetch(t), v.Name())
			if len(rep.Refused) == 0 {
				t.Errorf("the fetcher refused nothing (%d new)", len(rep.New))
			}
			r.wantNotKept(t, swap)

			err := m.Import(t, good.bundle(t, v.Name(), swap), pub, u.VendorTrust())
			if err == nil || !m.EvidenceRefused(err) {
				t.Errorf("the mirror imported a bundle with the tampered files, or refused it for another reason: %v", err)
			}
		})
	}

	t.Run("its anchors under another vendor's name", func(t *testing.T) {
		vt := u.VendorTrust()
		for i := range vt.Vendors {
			if vt.Vendors[i].Vendor == v.Name() {
				vt.Vendors[i].Vendor = "another-vendor"
			}
		}
		r := NewRig(t, u, vendors, config)
		r.Trust = vt
		rep := Report(t, r.Fetch(t), v.Name())
		if len(rep.New) != 0 || len(rep.Refused) == 0 {
			t.Errorf("with its anchors under another name: %d new, %d refused; want 0 new", len(rep.New), len(rep.Refused))
		}
		err := m.Import(t, good.bundle(t, v.Name(), nil), pub, vt)
		if err == nil || !m.EvidenceRefused(err) {
			t.Errorf("the mirror accepted the vendor's files with its anchors under another vendor, or refused for another reason: %v", err)
		}
	})
}

// wantNoPayload fails when the upstream sent any byte of the current
// artifacts (since its log was reset).
func wantNoPayload(t *testing.T, u *vendortest.Upstream, current []*fetcher.Artifact) {
	t.Helper()
	payload := map[string]bool{}
	for _, a := range current {
		payload[pathOf(u, a.URL)] = true
	}
	for _, req := range u.Requests() {
		if payload[req.Path] && req.Bytes > 0 {
			t.Errorf("%s %s (Range %q): %d payload bytes downloaded again", req.Method, req.Path, req.Range, req.Bytes)
		}
	}
}

// wantNotKept fails when a fetch kept any of the tampered bytes, as an
// artifact or as evidence.
func (r *Rig) wantNotKept(t *testing.T, swap map[string][]byte) {
	t.Helper()
	bad := map[string]string{}
	for p, b := range swap {
		sum := sha256.Sum256(b)
		bad[hex.EncodeToString(sum[:])] = p
	}
	_, err := r.State.Find(func(a *fetcher.Artifact) bool {
		if p, ok := bad[a.SHA256]; ok {
			t.Errorf("%s: the tampered file was kept as %s", p, a.FileName)
		}
		for _, ev := range a.Evidence {
			if p, ok := bad[ev.SHA256]; ok {
				t.Errorf("%s: the tampered file was kept as evidence %s of %s", p, ev.Name, a.FileName)
			}
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
}

// bundle writes a full bundle of a source's current artifacts and their
// evidence, signed with the test publisher key, as `patchferry export`
// does — but with the upstream files in swap (path → bytes) in place of
// what the fetcher kept, and without those swapped for nil (removed
// upstream): what a fetcher that skipped its checks would write. It
// returns the bundle's directory.
func (r *Rig) bundle(t testing.TB, source string, swap map[string][]byte) string {
	t.Helper()
	tmp := t.TempDir()
	file := func(b []byte) string {
		f, err := os.CreateTemp(tmp, "swapped-")
		if err == nil {
			_, err = f.Write(b)
		}
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		return f.Name()
	}
	var c media.Contents
	meta := map[string]bool{}
	for _, a := range r.Current(t, source) {
		in := media.Input{Path: r.Cache.BlobPath(a.SHA256), Artifact: a.Artifact}
		if b, ok := swap[pathOf(r.U, a.URL)]; ok && b == nil {
			continue
		} else if ok {
			in.Path, in.Artifact.SHA256, in.Artifact.Size = file(b), "", 0
		}
		c.Inputs = append(c.Inputs, in)
		for _, ev := range a.Evidence {
			if meta[ev.Name] {
				continue
			}
			meta[ev.Name] = true
			mi := media.MetaInput{Name: ev.Name, Path: r.Cache.BlobPath(ev.SHA256)}
			if b, ok := swap[pathOf(r.U, ev.URL)]; ok && b != nil && ev.URL != "" {
				mi.Path = file(b)
			}
			c.Meta = append(c.Meta, mi)
		}
	}
	out := filepath.Join(tmp, "media")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := media.Write(t.Context(), media.WriteOptions{Out: out, Site: "conformance", Sequence: 1, Created: r.Now(),
		Key: mediatest.TestKeys(t).Publisher}, c)
	if err != nil {
		t.Fatalf("write the bundle: %v", err)
	}
	return w.Dirs[0]
}

// pathOf is the upstream path of a URL on u ("" for another URL).
func pathOf(u *vendortest.Upstream, rawURL string) string {
	rest, ok := strings.CutPrefix(rawURL, u.URL())
	if !ok {
		return ""
	}
	p, err := url.PathUnescape(rest)
	if err != nil {
		return rest
	}
	return p
}
