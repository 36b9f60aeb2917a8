package mozilla

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
)

var mozillaProducts = []string{"firefox-esr", "firefox", "thunderbird"}

// checkMozillaRelease verifies a release the way the fetcher will: the
// signature over SHA512SUMS with the vendor trust's keyring at the
// upstream's time, then every listed file against SHA512SUMS. It returns
// the first error.
func checkMozillaRelease(t *testing.T, u *vendortest.Upstream, m *Fake, ring openpgp.EntityList, product, version string) (*verify.PGPSigner, error) {
	t.Helper()
	dir := m.Dir(product, version)
	sums, ok1 := u.Get(dir + "/SHA512SUMS")
	asc, ok2 := u.Get(dir + "/SHA512SUMS.asc")
	if !ok1 || !ok2 {
		t.Fatalf("%s: SHA512SUMS or its .asc missing", dir)
	}
	signer, err := verify.VerifyDetachedArmored(bytes.NewReader(sums), asc, ring, u.Now())
	if err != nil {
		return nil, err
	}
	list, err := verify.ParseSums(sums)
	if err != nil {
		t.Fatalf("%s/SHA512SUMS: %v", dir, err)
	}
	paths := make([]string, 0, len(list))
	for p := range list {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if want := m.Files(product, version); !slices.Equal(paths, want) {
		t.Fatalf("%s/SHA512SUMS lists %q, want %q", dir, paths, want)
	}
	for _, p := range paths {
		data, ok := u.Get(dir + "/" + p)
		if !ok {
			t.Fatalf("%s/%s listed but not published", dir, p)
		}
		if err := verify.CheckSum(list, p, verify.SHA512Hex(data)); err != nil {
			return signer, err
		}
	}
	return signer, nil
}

func mozillaRing(t *testing.T, vt *verify.VendorTrust) openpgp.EntityList {
	t.Helper()
	ring, err := vt.For("mozilla", "firefox").Keyring()
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

func TestMozillaPublishedVerifies(t *testing.T) {
	u := vendortest.New()
	m := AddFake(u)
	vt := u.VendorTrust()
	if err := vt.Validate(); err != nil {
		t.Fatal(err)
	}
	if keys := vt.For("mozilla", "firefox").OpenPGPKeys; len(keys) != 1 || keys[0].Fingerprint != m.Fingerprint() || !strings.HasPrefix(keys[0].Name, "TEST Mozilla") {
		t.Fatalf("vendor trust: %+v", vt.Summary())
	}
	ring := mozillaRing(t, vt)
	want := map[string]string{"firefox-esr": "128.5.0esr", "firefox": "133.0", "thunderbird": "128.5.0esr"}
	buildID := regexp.MustCompile(`^buildID=([0-9]{14})\n$`)
	for _, product := range mozillaProducts {
		version := m.Version(product)
		if version != want[product] {
			t.Errorf("%s version %q, want %q", product, version, want[product])
		}
		signer, err := checkMozillaRelease(t, u, m, ring, product, version)
		if err != nil {
			t.Fatalf("%s %s: %v", product, version, err)
		}
		if signer.PrimaryFingerprint != m.Fingerprint() || signer.SigningKeyFingerprint != m.SigningFingerprint() ||
			signer.SigningKeyFingerprint == signer.PrimaryFingerprint || !signer.Created.Equal(u.Now()) {
			t.Errorf("%s: signer %+v; want subkey %s of %s at %s", product, signer, m.SigningFingerprint(), m.Fingerprint(), u.Now())
		}
		dir := m.Dir(product, version)
		name := map[string]string{"firefox-esr": "Firefox", "firefox": "Firefox", "thunderbird": "Thunderbird"}[product]
		lower := strings.ToLower(name)
		for _, lang := range []string{"ja", "en-US"} {
			for suffix, magic := range map[string]string{".exe": "MZ", ".msi": "\xd0\xcf\x11\xe0"} {
				p := dir + "/win64/" + lang + "/" + name + " Setup " + version + suffix
				b, ok := u.Get(p)
				if !ok || !bytes.HasPrefix(b, []byte(magic)) || len(b) < 2<<10 || len(b) > 16<<10 {
					t.Errorf("%s: %d bytes, published %v", p, len(b), ok)
				}
			}
			p := dir + "/update/win64/" + lang + "/" + lower + "-" + version + ".complete.mar"
			if b, ok := u.Get(p); !ok || !bytes.HasPrefix(b, []byte("MAR1")) {
				t.Errorf("%s: not a fake MAR", p)
			}
		}
		info, _ := u.Get(dir + "/win64_info.txt")
		if mm := buildID.FindSubmatch(info); mm == nil || string(mm[1]) != m.BuildID(product, version) {
			t.Errorf("%s/win64_info.txt = %q, want buildID=%s", dir, info, m.BuildID(product, version))
		}
		key, _ := u.Get(dir + "/KEY")
		if !strings.HasPrefix(string(key), "This file contains") {
			t.Errorf("%s/KEY has no text preamble", dir)
		}
		if _, err := (verify.NamedPGPKey{Name: "KEY", Fingerprint: m.Fingerprint(), Armored: string(key)}).Entities(); err != nil {
			t.Errorf("%s/KEY: %v", dir, err)
		}
	}
	if m.BuildID("firefox-esr", "128.5.0esr") == m.BuildID("thunderbird", "128.5.0esr") {
		t.Error("Firefox ESR and Thunderbird share a build ID")
	}
	// Installer bytes are deterministic across upstreams.
	u2 := vendortest.New()
	AddFake(u2)
	p := "/pub/firefox/releases/133.0/win64/ja/Firefox Setup 133.0.exe"
	a, _ := u.Get(p)
	b, _ := u2.Get(p)
	if !bytes.Equal(a, b) {
		t.Error("installer bytes differ between two upstreams")
	}
	// The test key is not Mozilla's: the real vendor trust refuses it.
	mozillaKey := mozillaRing(t, evidence.DefaultTrust())
	if _, err := checkMozillaRelease(t, u, m, mozillaKey, "firefox", "133.0"); !errors.Is(err, verify.ErrUntrusted) {
		t.Errorf("with the real Mozilla key: err = %v, want ErrUntrusted", err)
	}
}

func TestMozillaProductDetails(t *testing.T) {
	u := vendortest.New()
	m := AddFake(u)
	ff := details(t, u, "/1.0/firefox_versions.json")
	if ff["FIREFOX_ESR"] != "128.5.0esr" || ff["LATEST_FIREFOX_VERSION"] != "133.0" || ff["LAST_RELEASE_DATE"] != "2026-11-20" {
		t.Errorf("firefox_versions.json: %v", ff)
	}
	if _, ok := ff["FIREFOX_ESR_NEXT"]; ok {
		t.Error("FIREFOX_ESR_NEXT should be empty")
	}
	tb := details(t, u, "/1.0/thunderbird_versions.json")
	if tb["THUNDERBIRD_ESR"] != "128.5.0esr" || tb["LATEST_THUNDERBIRD_VERSION"] != "128.5.0esr" {
		t.Errorf("thunderbird_versions.json: %v", tb)
	}

	u.Advance(7 * 24 * time.Hour)
	m.Release("firefox", "133.0.3")
	m.Release("firefox-esr", "128.5.1esr")
	m.Release("thunderbird", "133.0")
	ff = details(t, u, "/1.0/firefox_versions.json")
	if ff["FIREFOX_ESR"] != "128.5.1esr" || ff["LATEST_FIREFOX_VERSION"] != "133.0.3" || ff["LAST_RELEASE_DATE"] != "2026-11-27" {
		t.Errorf("after the releases, firefox_versions.json: %v", ff)
	}
	tb = details(t, u, "/1.0/thunderbird_versions.json")
	if _, ok := tb["THUNDERBIRD_ESR"]; ok || tb["LATEST_THUNDERBIRD_VERSION"] != "133.0" {
		t.Errorf("after the releases, thunderbird_versions.json: %v", tb)
	}
	if m.Version("firefox") != "133.0.3" || m.Version("unknown") != "" {
		t.Errorf("Version: %q %q", m.Version("firefox"), m.Version("unknown"))
	}
	// The releases files list every version released, dated its first
	// release, under "<dir>-<version>".
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	for file, want := range map[string]Releases{
		"/1.0/firefox.json": {"firefox-3.6.28": time.Date(2012, 3, 13, 0, 0, 0, 0, time.UTC),
			"firefox-128.5.0esr": day(20), "firefox-133.0": day(20), "firefox-133.0.3": day(27), "firefox-128.5.1esr": day(27)},
		"/1.0/thunderbird.json": {"thunderbird-3.6.28": time.Date(2012, 3, 13, 0, 0, 0, 0, time.UTC),
			"thunderbird-128.5.0esr": day(20), "thunderbird-133.0": day(27)},
	} {
		b, _ := u.Get(file)
		if !bytes.Contains(b, []byte(`"category": "esr"`)) || !bytes.Contains(b, []byte(`"version": "1.0rc1"`)) {
			t.Errorf("%s is not shaped like product-details:\n%s", file, b)
		}
		got, err := ParseReleases(b)
		if err != nil || !maps.EqualFunc(got, want, time.Time.Equal) {
			t.Errorf("%s: %v, %v\nwant %v", file, got, err, want)
		}
	}
	m.Release("firefox", "133.0") // again: its date stays
	if d := m.ReleaseDate("firefox", "133.0"); !d.Equal(day(20)) {
		t.Errorf("ReleaseDate after a second Release: %v", d)
	}
	m.DropReleaseDate("firefox", "133.0")
	if r, _ := ParseReleases(mustGet(t, u, "/1.0/firefox.json")); len(r) != 4 || !m.ReleaseDate("firefox", "133.0").IsZero() {
		t.Errorf("after DropReleaseDate: %v", r)
	}
	ring := mozillaRing(t, u.VendorTrust())
	for _, rel := range [][2]string{{"firefox", "133.0.3"}, {"firefox-esr", "128.5.1esr"}, {"thunderbird", "133.0"}, {"firefox", "133.0"}} {
		if _, err := checkMozillaRelease(t, u, m, ring, rel[0], rel[1]); err != nil {
			t.Errorf("%s %s: %v", rel[0], rel[1], err)
		}
	}
}

func details(t *testing.T, u *vendortest.Upstream, path string) map[string]string {
	t.Helper()
	b, ok := u.Get(path)
	if !ok {
		t.Fatalf("%s not published", path)
	}
	m, err := ParseProductDetails(b)
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return m
}

func TestMozillaNegativeHelpers(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(m *Fake)
		want  error
	}{
		{"tampered installer", func(m *Fake) { m.TamperFile("firefox-esr", "128.5.0esr", "win64/ja/Firefox Setup 128.5.0esr.exe") }, verify.ErrMismatch},
		{"tampered build info", func(m *Fake) { m.TamperFile("firefox-esr", "128.5.0esr", "win64_info.txt") }, verify.ErrMismatch},
		{"bad signature", func(m *Fake) { m.BadSumsSignature("firefox-esr", "128.5.0esr") }, verify.ErrBadSignature},
		{"unknown key", func(m *Fake) { m.UnknownKeySums("firefox-esr", "128.5.0esr") }, verify.ErrUntrusted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := vendortest.New()
			m := AddFake(u)
			ring := mozillaRing(t, u.VendorTrust())
			tc.spoil(m)
			if _, err := checkMozillaRelease(t, u, m, ring, "firefox-esr", "128.5.0esr"); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			} else {
				t.Log(err)
			}
			// Other releases are untouched, and releasing again repairs it.
			if _, err := checkMozillaRelease(t, u, m, ring, "thunderbird", "128.5.0esr"); err != nil {
				t.Fatal(err)
			}
			m.Release("firefox-esr", "128.5.0esr")
			if _, err := checkMozillaRelease(t, u, m, ring, "firefox-esr", "128.5.0esr"); err != nil {
				t.Fatalf("after releasing again: %v", err)
			}
		})
	}
}

func TestMozillaSubkeyRotation(t *testing.T) {
	u := vendortest.New()
	m := AddFake(u)
	before := u.VendorTrust()
	first := m.SigningFingerprint()

	// Two years on, the subkey is about to expire: the next release is
	// signed by a new subkey, which only the updated trust knows.
	u.Advance(680 * 24 * time.Hour)
	m.Release("firefox", "150.0")
	if m.SigningFingerprint() == first {
		t.Fatal("the signing subkey was not rotated before its expiry")
	}
	signer, err := checkMozillaRelease(t, u, m, mozillaRing(t, u.VendorTrust()), "firefox", "150.0")
	if err != nil || signer.SigningKeyFingerprint != m.SigningFingerprint() {
		t.Fatalf("with the updated trust: %+v, %v", signer, err)
	}
	if _, err := checkMozillaRelease(t, u, m, mozillaRing(t, before), "firefox", "150.0"); !errors.Is(err, verify.ErrUntrusted) {
		t.Fatalf("with the stale trust: err = %v, want ErrUntrusted", err)
	}
	// The old release, signed by the old subkey, fails once it expires.
	u.Advance(60 * 24 * time.Hour)
	if _, err := checkMozillaRelease(t, u, m, mozillaRing(t, u.VendorTrust()), "firefox", "133.0"); !errors.Is(err, verify.ErrPGPExpired) {
		t.Fatalf("old release after the old subkey expired: err = %v, want ErrPGPExpired", err)
	}

	second := m.SigningFingerprint()
	m.RotateSubkey()
	m.Release("firefox", "151.0")
	if m.SigningFingerprint() == second {
		t.Fatal("RotateSubkey did not change the signing subkey")
	}
	if _, err := checkMozillaRelease(t, u, m, mozillaRing(t, u.VendorTrust()), "firefox", "151.0"); err != nil {
		t.Fatal(err)
	}
	if n := len(u.VendorTrust().For("mozilla", "").OpenPGPKeys); n != 1 {
		t.Fatalf("vendor trust has %d OpenPGP keys after rotations, want the one key updated", n)
	}
}

func TestMozillaServedOverHTTP(t *testing.T) {
	u := vendortest.New()
	m := AddFake(u)
	u.Start()
	defer u.Close()
	dir := m.Dir("firefox-esr", "128.5.0esr")
	for _, rel := range []string{"win64/ja/Firefox Setup 128.5.0esr.exe", "SHA512SUMS", "SHA512SUMS.asc", "KEY"} {
		ref := &url.URL{Path: dir + "/" + rel} // escapes the spaces as %20
		resp, err := http.Get(u.URL() + ref.EscapedPath())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, _ := u.Get(dir + "/" + rel)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
			t.Fatalf("GET %s: %s, %d bytes", ref.EscapedPath(), resp.Status, len(body))
		}
		if lm := resp.Header.Get("Last-Modified"); lm != u.Now().Format(http.TimeFormat) {
			t.Errorf("GET %s: Last-Modified %q, want %q", rel, lm, u.Now().Format(http.TimeFormat))
		}
	}
}

func TestMozillaReleaseRefusesMisuse(t *testing.T) {
	u := vendortest.New()
	m := AddFake(u)
	for _, c := range [][2]string{{"firefox-esr", "133.0"}, {"firefox", "128.5.0esr"}, {"seamonkey", "2.53"}, {"firefox", "../133.0"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Release(%q, %q) did not panic", c[0], c[1])
				}
			}()
			m.Release(c[0], c[1])
		}()
	}
}
