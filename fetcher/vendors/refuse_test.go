package vendors_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendors/clamav"
	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/fetcher/vendortest/conformance"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
	"github.com/patchferry/patchferry/verify/verifytest"
)

const clamavDailyConfig = `
cache_dir: cache
sources:
  clamav:
    url: UPSTREAM
    databases: [daily]
    dns: ""
`

const mozillaESRConfig = `
cache_dir: cache
sources:
  mozilla:
    url: UPSTREAM
    product_details_url: UPSTREAM/1.0
    products: [firefox-esr]
    languages: [ja, en-US]
`

// wantRefused fails unless the summary refused exactly what (in source),
// for a reason containing reason, and nothing else.
func wantRefused(t *testing.T, sum *fetcher.Summary, source, what, reason string) {
	t.Helper()
	if sum.OK() {
		t.Errorf("Summary.OK() is true after a refusal")
	}
	rep := conformance.Report(t, sum, source)
	if rep.Error != "" {
		t.Errorf("source error %q: a refusal is not a source failure", rep.Error)
	}
	if len(rep.Refused) != 1 || rep.Refused[0].What != what || !strings.Contains(rep.Refused[0].Reason, reason) {
		t.Fatalf("refused %+v, want only %q for %q", rep.Refused, what, reason)
	}
}

// Each file that fails its vendor check is refused, named in the summary,
// never recorded or cached; when a new version is refused as a whole, the
// previous one stays current.
func TestFetchRefuses(t *testing.T) {
	t.Parallel()
	t.Run("clamav", func(t *testing.T) {
		t.Parallel()
		cases := []struct {
			name   string
			spoil  func(c *clamav.Fake)
			what   string // in Summary.Refused
			reason string
			bad    string // the refused path
			whole  bool   // the new version is refused as a whole
		}{
			{"CVD signed by an unknown key", func(c *clamav.Fake) { c.PutBadCVD("daily") },
				"daily.cvd 4", verify.ErrBadSignature.Error(), "/daily.cvd", true},
			{"CVD body damaged", func(c *clamav.Fake) { c.PutDamagedCVD("daily") },
				"daily.cvd 4", verify.ErrMismatch.Error(), "/daily.cvd", true},
			{"cdiff signed by an unknown key", func(c *clamav.Fake) { c.PutBadCdiff("daily", 4) },
				"daily-4.cdiff", verify.ErrBadSignature.Error(), "/daily-4.cdiff", false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				u := vendortest.New()
				u.Start()
				t.Cleanup(u.Close)
				c := clamav.AddFake(u, "daily")
				c.Release("daily")
				c.Release("daily") // version 3 with two cdiffs
				r := newRig(t, u, clamavDailyConfig)
				conformance.WantOK(t, r.Fetch(t))
				before := current(t, r.State, "clamav")

				c.Release("daily")
				tc.spoil(c)
				sum := r.Fetch(t)
				wantRefused(t, sum, "clamav", tc.what, tc.reason)
				bad := published(t, u, tc.bad)
				checkNotRecorded(t, r, tc.bad, bad)
				if a, _ := r.State.FindArtifact("clamav", urlOf(u, tc.bad), "4"); a != nil {
					t.Errorf("%s version 4 recorded", tc.bad)
				}
				cur := current(t, r.State, "clamav")
				if tc.whole {
					if !slices.Equal(cur.Artifacts, before.Artifacts) || cur.Versions["clamav/daily"] != "3" {
						t.Errorf("after the refused version 4: current %v (%v), want version 3 unchanged (%v)",
							cur.Versions, cur.Artifacts, before.Artifacts)
					}
					if rep := conformance.Report(t, sum, "clamav"); len(rep.New) != 0 || rep.Unchanged != len(before.Artifacts) {
						t.Errorf("%d new, %d unchanged; want the %d previous artifacts kept", len(rep.New), rep.Unchanged, len(before.Artifacts))
					}
				} else {
					// Only the cdiff is refused: version 4 itself is good.
					if cur.Versions["clamav/daily"] != "4" || slices.Contains(cur.Artifacts, sha256Hex(bad)) {
						t.Errorf("current %v %v", cur.Versions, cur.Artifacts)
					}
					checkRecorded(t, r, []want{{"clamav", "/daily.cvd", "4", "cvd"}, {"clamav", "/daily-3.cdiff", "3", "cdiff"}})
				}

				// Once the upstream publishes good files again, they are fetched.
				c.Release("daily")
				r.Fetch(t) // a bad cdiff still published upstream is refused again: only the new files matter here
				checkRecorded(t, r, []want{{"clamav", "/daily.cvd", "5", "cvd"}, {"clamav", "/daily-5.cdiff", "5", "cdiff"}})
				if v := current(t, r.State, "clamav").Versions["clamav/daily"]; v != "5" {
					t.Errorf("after the repair: current version %q, want 5", v)
				}
			})
		}
	})
	t.Run("mozilla", func(t *testing.T) {
		t.Parallel()
		const next = "128.6.0esr"
		exe := "win64/ja/Firefox Setup " + next + ".exe"
		cases := []struct {
			name   string
			spoil  func(m *mozilla.Fake)
			what   string
			reason string
			whole  bool
		}{
			{"file not matching SHA512SUMS", func(m *mozilla.Fake) { m.TamperFile("firefox-esr", next, exe) },
				"firefox-esr " + next + " " + exe, "the signed checksum file says", false},
			{"SHA512SUMS with a bad signature", func(m *mozilla.Fake) { m.BadSumsSignature("firefox-esr", next) },
				"firefox-esr " + next + " SHA512SUMS", "SHA512SUMS.asc", true},
			{"SHA512SUMS signed by an unknown key", func(m *mozilla.Fake) { m.UnknownKeySums("firefox-esr", next) },
				"firefox-esr " + next + " SHA512SUMS", "SHA512SUMS.asc", true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				u := vendortest.New()
				u.Start()
				t.Cleanup(u.Close)
				m := mozilla.AddFake(u)
				r := newRig(t, u, mozillaESRConfig)
				conformance.WantOK(t, r.Fetch(t))
				before := current(t, r.State, "mozilla")

				u.Advance(7 * 24 * time.Hour)
				m.Release("firefox-esr", next)
				tc.spoil(m)
				u.ResetLog()
				sum := r.Fetch(t)
				wantRefused(t, sum, "mozilla", tc.what, tc.reason)
				dir := m.Dir("firefox-esr", next)
				cur := current(t, r.State, "mozilla")
				if tc.whole {
					// Nothing of the new version is downloaded, recorded or current.
					for _, w := range mozillaWants(m, "firefox-esr", "ja", "en-US") {
						checkNotRecorded(t, r, w.path, published(t, u, w.path))
					}
					for _, req := range u.Requests() {
						if rel, ok := strings.CutPrefix(req.Path, dir+"/"); ok && !strings.HasPrefix(rel, "SHA512SUMS") {
							t.Errorf("%s requested although its SHA512SUMS was refused", req.Path)
						}
					}
					if !slices.Equal(cur.Artifacts, before.Artifacts) || cur.Versions["mozilla/firefox-esr"] != "128.5.0esr" {
						t.Errorf("after the refused %s: current %v, want 128.5.0esr unchanged", next, cur.Versions)
					}
				} else {
					checkNotRecorded(t, r, exe, published(t, u, dir+"/"+exe))
					var others []want
					for _, w := range mozillaWants(m, "firefox-esr", "ja", "en-US") {
						if !strings.HasSuffix(w.path, exe) {
							others = append(others, w)
						}
					}
					checkRecorded(t, r, others)
					if len(cur.Artifacts) != 5 {
						t.Errorf("%d current artifacts, want the 5 that checked out", len(cur.Artifacts))
					}
				}

				// Republished correctly, the version is fetched.
				m.Release("firefox-esr", next)
				conformance.WantOK(t, r.Fetch(t))
				checkRecorded(t, r, mozillaWants(m, "firefox-esr", "ja", "en-US"))
				if v := current(t, r.State, "mozilla").Versions["mozilla/firefox-esr"]; v != next {
					t.Errorf("after the repair: current version %q", v)
				}
			})
		}
	})
}

// ClamAV's real, Talos-signed test database (testdata/fixtures/clamav) checks out
// with the real keys built into patchferry. Its .sign files chain to
// Talos' TEST root, which the built-in trust lacks: unusable, skipped with
// a warning, the legacy signatures stand; with the TEST root trusted they
// are kept. One flipped byte refuses the database.
func TestFetchRealClamAVTestDatabase(t *testing.T) {
	t.Parallel()
	read := func(name string) []byte { return verifytest.Fixture(t, "clamav/"+name) }
	// Inside the TEST root's validity (2025-03-26 → 2027-03-26).
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	serve := func(t *testing.T, cvd []byte) *vendortest.Upstream {
		u := vendortest.New()
		u.Start()
		t.Cleanup(u.Close)
		u.Put("/test.cvd", cvd, now.Add(-24*time.Hour))
		u.Put("/test-6.cvd.sign", read("test-6.cvd.sign"), now)
		for n := 2; n <= 6; n++ {
			name := fmt.Sprintf("test-%d.cdiff", n)
			u.Put("/"+name, read(name), now)
			u.Put("/"+name+".sign", read(name+".sign"), now)
		}
		return u
	}
	config := `
cache_dir: cache
sources:
  clamav:
    url: UPSTREAM
    databases: [test]
    dns: ""
`
	cvd := read("test-6.cvd")
	wants := []want{{"clamav", "/test.cvd", "6", "cvd"}}
	var signs []want
	for n := 2; n <= 6; n++ {
		wants = append(wants, want{"clamav", fmt.Sprintf("/test-%d.cdiff", n), fmt.Sprint(n), "cdiff"})
		signs = append(signs, want{"clamav", fmt.Sprintf("/test-%d.cdiff.sign", n), fmt.Sprint(n), "sign"})
	}
	signs = append(signs, want{"clamav", "/test-6.cvd.sign", "6", "sign"})

	t.Run("built-in trust", func(t *testing.T) {
		t.Parallel()
		u := serve(t, cvd)
		r := newRig(t, u, config)
		r.Trust, r.Now = evidence.DefaultTrust(), func() time.Time { return now }
		sum := r.Fetch(t)
		conformance.WantOK(t, sum)
		got := checkRecorded(t, r, wants)
		if len(got) > 0 && (got[0].SHA256 != "3ac78063d9b428b27060b8bc9bad1fd63445a7c8e39ca91e21edda37eb15a99e" ||
			got[0].Verification.Signer != "micasnyd") {
			t.Errorf("test.cvd: %+v", got[0])
		}
		if rep := conformance.Report(t, sum, "clamav"); len(rep.New) != len(wants) || rep.Versions["clamav/test"] != "6" {
			t.Errorf("new %v, versions %v", rep.New, rep.Versions)
		}
		for _, w := range signs {
			if a, _ := r.State.FindArtifact("clamav", urlOf(u, w.path), w.version); a != nil {
				t.Errorf("%s kept although it chains to a root the built-in trust lacks", w.path)
			}
		}
		if n := strings.Count(r.Log.String(), "vendor evidence unusable here"); n != len(signs) {
			t.Errorf("%d warnings about unusable .sign files, want %d:\n%s", n, len(signs), r.Log)
		}
	})
	t.Run("TEST root trusted", func(t *testing.T) {
		t.Parallel()
		u := serve(t, cvd)
		r := newRig(t, u, config)
		trust := evidence.DefaultTrust()
		trust.Vendors = append(trust.Vendors, verify.Anchors{Vendor: "clamav",
			ClamAVSignRoots: []verify.NamedPEM{{Name: "ClamAV TEST Root CA", PEM: string(read("clamav-test.crt"))}}})
		r.Trust, r.Now = trust, func() time.Time { return now }
		sum := r.Fetch(t)
		conformance.WantOK(t, sum)
		checkRecorded(t, r, append(append([]want{}, wants...), signs...))
		if n := len(conformance.Report(t, sum, "clamav").New); n != len(wants)+len(signs) {
			t.Errorf("%d new, want %d", n, len(wants)+len(signs))
		}
		if strings.Contains(r.Log.String(), "unusable") {
			t.Errorf("warned about unusable .sign files:\n%s", r.Log)
		}
	})
	t.Run("one flipped byte", func(t *testing.T) {
		t.Parallel()
		for _, flip := range []struct {
			off    int
			reason error
		}{{100, verify.ErrBadSignature}, {5000, verify.ErrMismatch}} { // header signature, gzip body
			off := flip.off
			flipped := append([]byte{}, cvd...)
			flipped[off] ^= 0x01
			u := serve(t, flipped)
			r := newRig(t, u, config)
			r.Trust, r.Now = evidence.DefaultTrust(), func() time.Time { return now }
			sum := r.Fetch(t)
			rep := conformance.Report(t, sum, "clamav")
			if len(rep.Refused) != 1 || rep.Refused[0].What != "test.cvd 6" || rep.Error != "" ||
				!strings.Contains(rep.Refused[0].Reason, flip.reason.Error()) {
				t.Errorf("byte %d flipped: refused %+v, error %q; want %q", off, rep.Refused, rep.Error, flip.reason)
			}
			checkNotRecorded(t, r, "flipped test.cvd", flipped)
			if cur := current(t, r.State, "clamav"); len(cur.Artifacts) != 0 {
				t.Errorf("byte %d flipped: current %v", off, cur.Artifacts)
			}
		}
	})
}
