package mozilla

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/verify"
)

// The fake Mozilla upstream, laid out like product-details.mozilla.org and
// archive.mozilla.org (FEEDS.md, section 2), all on one server:
//
//	/1.0/firefox_versions.json        LATEST_FIREFOX_VERSION (product "firefox"),
//	                                  FIREFOX_ESR (product "firefox-esr"), …
//	/1.0/thunderbird_versions.json    LATEST_THUNDERBIRD_VERSION and, for an
//	                                  ESR version, THUNDERBIRD_ESR ("thunderbird")
//	/1.0/firefox.json                 "releases": "firefox-<ver>" → category,
//	/1.0/thunderbird.json             date, version, … of every version released
//	                                  (and two historic ones), dated the day
//	                                  of its first Release
//	/pub/<firefox|thunderbird>/releases/<ver>/
//	    win64/<lang>/<Firefox|Thunderbird> Setup <ver>.exe and .msi   lang: en-US, ja
//	    update/win64/<lang>/<firefox|thunderbird>-<ver>.complete.mar
//	    win64_info.txt                "buildID=<14 digits>\n"
//	    SHA512SUMS                    "<128 hex>  <path relative to <ver>/>", sorted
//	    SHA512SUMS.asc                armored detached signature by the signing SUBKEY
//	    KEY                           the armored public key, after a text preamble
//
// Installers and MARs are small deterministic fake bytes ("MZ", the OLE
// header, "MAR1" at the start), not Authenticode- or MAR-signed yet.
//
// Unverified against the real archive: that <ver>/win64_info.txt holds the
// build ID (FEEDS.md says so, unverified), and whether the real SHA512SUMS
// lists win64_info.txt; here it is listed, so the build ID is covered by the
// signature. The real release directory also has SHA256SUMS, partial MARs
// and other platforms and locales; the fake has none of them.

var mozillaLangs = []string{"en-US", "ja"}

// mozillaSubkeyLife is how long a signing subkey lives (Mozilla: two years);
// a new one is made mozillaRotateBefore its expiry, as Mozilla does.
const (
	mozillaSubkeyLife   = 2 * 365 * 24 * time.Hour
	mozillaRotateBefore = 60 * 24 * time.Hour
	mozillaKeyName      = "TEST Mozilla Software Releases"
)

var mozillaVersionRE = regexp.MustCompile(`^(0|[1-9][0-9]{0,3})(\.(0|[1-9][0-9]{0,3})){1,3}(esr|[ab][1-9][0-9]{0,2})?$`)

// Fake is the fake Mozilla vendor, Mozilla's part of a
// vendortest.Upstream. Its methods are safe for concurrent use.
type Fake struct {
	u        *vendortest.Upstream
	mu       sync.Mutex
	key      *openpgp.Entity // primary key + signing subkeys, with private parts
	subkey   int             // index in key.Subkeys of the current signing subkey
	other    *openpgp.Entity // a key nobody trusts, made on first use
	current  map[string]string
	buildIDs map[string]string // product + " " + version → build ID
	dates    map[string]string // release key "<dir>-<version>" → YYYY-MM-DD; "" left out
}

// AddFake makes Mozilla's part of u on first use (and returns it after): a
// test OpenPGP key ("TEST Mozilla Software Releases", a primary key and a
// signing subkey valid for two years) added to u's vendor trust under
// vendor mozilla, and the releases firefox-esr 128.5.0esr, firefox 133.0
// and thunderbird 128.5.0esr with their product-details.
func AddFake(u *vendortest.Upstream) *Fake {
	return u.Fake("mozilla", func() vendortest.Fake { return newFake(u) }).(*Fake)
}

func newFake(u *vendortest.Upstream) *Fake {
	now := u.Now()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, DefaultHash: crypto.SHA512, Time: fixedClock(now.Add(-365 * 24 * time.Hour))}
	key, err := openpgp.NewEntity(mozillaKeyName, "", "release@mozilla.test", cfg)
	if err != nil {
		panic("mozilla fake: make the Mozilla test key: " + err.Error())
	}
	key.Subkeys = nil // like Mozilla's key: no encryption subkey, only [S] subkeys
	m := &Fake{u: u, key: key, current: make(map[string]string), buildIDs: make(map[string]string), dates: make(map[string]string)}
	m.mu.Lock()
	m.addSubkey(now.Add(-30 * 24 * time.Hour))
	m.mu.Unlock()
	m.Release("firefox-esr", "128.5.0esr")
	m.Release("firefox", "133.0")
	m.Release("thunderbird", "128.5.0esr")
	return m
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// addSubkey adds a signing subkey created at t, makes it the current one and
// publishes the new public key in the vendor trust. m.mu is held.
func (m *Fake) addSubkey(t time.Time) {
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, DefaultHash: crypto.SHA512, Time: fixedClock(t),
		KeyLifetimeSecs: uint32(mozillaSubkeyLife / time.Second)}
	if err := m.key.AddSigningSubkey(cfg); err != nil {
		panic("mozilla fake: add a Mozilla signing subkey: " + err.Error())
	}
	m.subkey = len(m.key.Subkeys) - 1
	entry := verify.NamedPGPKey{Name: mozillaKeyName, Fingerprint: m.fingerprint(), Armored: m.armoredKey()}
	m.u.Anchors("mozilla", func(a *verify.Anchors) {
		keys := make([]verify.NamedPGPKey, 0, len(a.OpenPGPKeys)+1) // a new slice: earlier copies stay as they were
		for _, k := range a.OpenPGPKeys {
			if k.Fingerprint != entry.Fingerprint {
				keys = append(keys, k)
			}
		}
		a.OpenPGPKeys = append(keys, entry)
	})
}

func (m *Fake) fingerprint() string {
	return strings.ToUpper(hex.EncodeToString(m.key.PrimaryKey.Fingerprint))
}

func (m *Fake) armoredKey() string {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err == nil {
		err = m.key.Serialize(w)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		panic("mozilla fake: export the Mozilla test key: " + err.Error())
	}
	return buf.String() + "\n"
}

// Fingerprint is the primary key's fingerprint (40 upper-case hex digits),
// the one pinned in the vendor trust.
func (m *Fake) Fingerprint() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fingerprint()
}

// SigningFingerprint is the fingerprint of the subkey that signs now.
func (m *Fake) SigningFingerprint() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.ToUpper(hex.EncodeToString(m.key.Subkeys[m.subkey].PublicKey.Fingerprint))
}

// RotateSubkey adds a new signing subkey, created now, and signs with it from
// then on. The vendor trust (u.VendorTrust) gets the new public key; a trust
// taken before still holds the old one, like a stale copy of Mozilla's KEY.
// Signing rotates by itself when the current subkey expires within 60 days.
func (m *Fake) RotateSubkey() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.addSubkey(m.u.Now())
}

// Version is the current version of a product ("firefox-esr", "firefox",
// "thunderbird"), or "" for another product.
func (m *Fake) Version(product string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.current[product]
}

// BuildID is the build ID published in <ver>/win64_info.txt.
func (m *Fake) BuildID(product, version string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.buildIDs[product+" "+version]
}

// Dir is the release directory of a version, e.g.
// /pub/firefox/releases/128.5.0esr.
func (m *Fake) Dir(product, version string) string {
	return "/pub/" + mozillaDirName(product) + "/releases/" + version
}

// Files lists the paths of a version's files relative to Dir, as they appear
// in SHA512SUMS.
func (m *Fake) Files(product, version string) []string {
	dir, name := mozillaDirName(product), mozillaDisplayName(product)
	var out []string
	for _, lang := range mozillaLangs {
		out = append(out,
			fmt.Sprintf("win64/%s/%s Setup %s.exe", lang, name, version),
			fmt.Sprintf("win64/%s/%s Setup %s.msi", lang, name, version),
			fmt.Sprintf("update/win64/%s/%s-%s.complete.mar", lang, dir, version))
	}
	out = append(out, "win64_info.txt")
	sort.Strings(out)
	return out
}

func mozillaDirName(product string) string {
	switch product {
	case "firefox", "firefox-esr":
		return "firefox"
	case "thunderbird":
		return "thunderbird"
	}
	panic(fmt.Sprintf("mozilla fake: unknown Mozilla product %q (want firefox-esr, firefox or thunderbird)", product))
}

func mozillaDisplayName(product string) string {
	if mozillaDirName(product) == "thunderbird" {
		return "Thunderbird"
	}
	return "Firefox"
}

// Release publishes a version of a product ("firefox-esr": version ends in
// "esr"; "firefox": it does not; "thunderbird": either) with all its files,
// signed SHA512SUMS and KEY, then updates product-details, where its release
// date is the day of u.Now(). Files are dated u.Now(). Releasing a
// published version again republishes it from scratch (undoing TamperFile
// and the bad-signature helpers); its release date stays.
func (m *Fake) Release(product, version string) {
	dir := m.Dir(product, version)
	esr := strings.HasSuffix(version, "esr")
	switch {
	case !mozillaVersionRE.MatchString(version):
		panic(fmt.Sprintf("mozilla fake: %q is not a Mozilla version", version))
	case product == "firefox-esr" && !esr, product == "firefox" && esr:
		panic(fmt.Sprintf("mozilla fake: version %s does not fit product %s", version, product))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.u.Now()
	seed := sha256.Sum256([]byte(product + " " + version))
	buildID := now.Add(-24*time.Hour - time.Duration(seed[0])*time.Minute).UTC().Format("20060102150405")
	m.buildIDs[product+" "+version] = buildID

	var sums bytes.Buffer
	for _, rel := range m.Files(product, version) {
		var data []byte
		switch {
		case rel == "win64_info.txt":
			data = []byte("buildID=" + buildID + "\n")
		case strings.HasSuffix(rel, ".exe"):
			data = fakeBytes([]byte("MZ"), product+" "+rel, 3<<10)
		case strings.HasSuffix(rel, ".msi"):
			data = fakeBytes([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), product+" "+rel, 4<<10)
		default: // .complete.mar
			data = fakeBytes([]byte("MAR1"), product+" "+rel, 6<<10)
		}
		m.u.Put(dir+"/"+rel, data, now)
		fmt.Fprintf(&sums, "%s  %s\n", verify.SHA512Hex(data), rel)
	}
	m.u.Put(dir+"/SHA512SUMS", sums.Bytes(), now)
	m.u.Put(dir+"/SHA512SUMS.asc", m.sign(m.key, sums.Bytes(), now), now)
	m.u.Put(dir+"/KEY", []byte(mozillaKeyPreamble+m.armoredKey()), now)

	m.current[product] = version
	if key := releaseKey(product, version); m.dates[key] == "" {
		m.dates[key] = now.UTC().Format(time.DateOnly)
	}
	m.publishDetails(now)
}

func releaseKey(product, version string) string { return mozillaDirName(product) + "-" + version }

// ReleaseDate is the release date of a version in product-details (UTC
// midnight), or zero when it is not listed.
func (m *Fake) ReleaseDate(product, version string) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, _ := time.Parse(time.DateOnly, m.dates[releaseKey(product, version)])
	return t
}

// DropReleaseDate republishes product-details without the entry of a
// version in <dir>.json, as when product-details lags behind a release.
func (m *Fake) DropReleaseDate(product, version string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dates[releaseKey(product, version)] = ""
	m.publishDetails(m.u.Now())
}

const mozillaKeyPreamble = `This file contains the TEST public PGP key of patchferry's fake Mozilla
upstream (fetcher/vendors/mozilla). It is NOT Mozilla's key. Like Mozilla's KEY
file, it starts with text before the armored key, and the signatures over
SHA512SUMS come from a signing subkey.

`

// sign makes an armored detached signature by key's current signing subkey
// (for m.key: rotating it first when it expires soon). m.mu is held.
func (m *Fake) sign(key *openpgp.Entity, data []byte, now time.Time) []byte {
	var keyID uint64
	if key == m.key {
		sk := m.key.Subkeys[m.subkey]
		expires := sk.PublicKey.CreationTime.Add(time.Duration(*sk.Sig.KeyLifetimeSecs) * time.Second)
		if !now.Before(expires.Add(-mozillaRotateBefore)) {
			m.addSubkey(now)
			sk = m.key.Subkeys[m.subkey]
		}
		keyID = sk.PublicKey.KeyId
	}
	var buf bytes.Buffer
	cfg := &packet.Config{DefaultHash: crypto.SHA512, Time: fixedClock(now), SigningKeyId: keyID}
	if err := openpgp.ArmoredDetachSign(&buf, key, bytes.NewReader(data), cfg); err != nil {
		panic("mozilla fake: sign SHA512SUMS: " + err.Error())
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// publishDetails writes both product-details files. m.mu is held.
func (m *Fake) publishDetails(now time.Time) {
	day := func(d int) string { return now.AddDate(0, 0, d).UTC().Format(time.DateOnly) }
	major := 0
	if v := m.current["firefox"]; v != "" {
		major, _ = strconv.Atoi(v[:strings.IndexByte(v, '.')])
	}
	devel, nightly := fmt.Sprintf("%d.0b9", major+1), fmt.Sprintf("%d.0a1", major+2)
	ff := map[string]string{
		"FIREFOX_AURORA":                        "",
		"FIREFOX_DEVEDITION":                    devel,
		"FIREFOX_ESR":                           m.current["firefox-esr"],
		"FIREFOX_ESR_NEXT":                      "",
		"FIREFOX_NIGHTLY":                       nightly,
		"LAST_MERGE_DATE":                       day(-1),
		"LAST_RELEASE_DATE":                     day(0),
		"LAST_SOFTFREEZE_DATE":                  day(-5),
		"LATEST_FIREFOX_DEVEL_VERSION":          devel,
		"LATEST_FIREFOX_OLDER_VERSION":          "3.6.28",
		"LATEST_FIREFOX_RELEASED_DEVEL_VERSION": devel,
		"LATEST_FIREFOX_VERSION":                m.current["firefox"],
		"NEXT_MERGE_DATE":                       day(27),
		"NEXT_RELEASE_DATE":                     day(28),
		"NEXT_SOFTFREEZE_DATE":                  day(23),
	}
	tb := m.current["thunderbird"]
	tbESR := ""
	if strings.HasSuffix(tb, "esr") {
		tbESR = tb
	}
	th := map[string]string{
		"LATEST_THUNDERBIRD_ALPHA_VERSION":   "54.0a2",
		"LATEST_THUNDERBIRD_DEVEL_VERSION":   fmt.Sprintf("%d.0b3", major+1),
		"LATEST_THUNDERBIRD_NIGHTLY_VERSION": nightly,
		"LATEST_THUNDERBIRD_VERSION":         tb,
		"THUNDERBIRD_ESR":                    tbESR,
		"THUNDERBIRD_ESR_NEXT":               "",
	}
	for path, v := range map[string]any{"/1.0/firefox_versions.json": ff, "/1.0/thunderbird_versions.json": th,
		"/1.0/firefox.json": m.releases("firefox"), "/1.0/thunderbird.json": m.releases("thunderbird")} {
		b, err := json.MarshalIndent(v, "", "  ") // sorted keys, as product-details
		if err != nil {
			panic(err)
		}
		m.u.Put(path, append(b, '\n'), now)
	}
}

// releases is product-details <dir>.json: every version released, with two
// historic entries in front (one, 1.0rc1, not a version the fetcher
// takes), in the real file's shape. m.mu is held.
func (m *Fake) releases(dir string) map[string]any {
	entry := func(version, date string) map[string]any {
		category := "stability"
		switch {
		case strings.HasSuffix(version, "esr"):
			category = "esr"
		case strings.ContainsAny(version, "abr"):
			category = "dev"
		case strings.HasSuffix(version, ".0") && strings.Count(version, ".") == 1:
			category = "major"
		}
		return map[string]any{"build_number": 1, "category": category, "date": date, "description": "",
			"is_security_driven": false, "product": dir, "version": version}
	}
	rel := map[string]any{
		dir + "-1.0rc1": entry("1.0rc1", "2004-10-27"),
		dir + "-3.6.28": entry("3.6.28", "2012-03-13"),
	}
	for key, date := range m.dates {
		if version, ok := strings.CutPrefix(key, dir+"-"); ok && date != "" {
			rel[key] = entry(version, date)
		}
	}
	return map[string]any{"releases": rel}
}

// fakeBytes is size deterministic bytes: magic, a line saying what they
// stand for, then a SHA-256 counter stream seeded by what.
func fakeBytes(magic []byte, what string, size int) []byte {
	b := append([]byte{}, magic...)
	b = append(b, "\nTEST "+what+" (fake, patchferry vendortest)\n"...)
	var ctr [8]byte
	for i := uint64(0); len(b) < size; i++ {
		binary.BigEndian.PutUint64(ctr[:], i)
		sum := sha256.Sum256(append([]byte(what), ctr[:]...))
		b = append(b, sum[:]...)
	}
	return b[:size]
}

// TamperFile changes one byte of a published file (path relative to the
// version's directory, as in SHA512SUMS) after SHA512SUMS was signed, so
// its SHA-512 no longer matches.
func (m *Fake) TamperFile(product, version, path string) {
	full := m.Dir(product, version) + "/" + path
	data, ok := m.u.Get(full)
	if !ok {
		panic("mozilla fake: TamperFile: nothing published at " + full)
	}
	changed := append([]byte{}, data...)
	changed[len(changed)-1] ^= 0x01
	m.u.Put(full, changed, m.u.Now())
}

// BadSumsSignature replaces SHA512SUMS.asc with a signature, by the trusted
// subkey, over different bytes: verification reports a bad signature.
func (m *Fake) BadSumsSignature(product, version string) {
	dir := m.Dir(product, version)
	sums, ok := m.u.Get(dir + "/SHA512SUMS")
	if !ok {
		panic("mozilla fake: BadSumsSignature: no SHA512SUMS in " + dir)
	}
	other := append([]byte{}, sums...)
	other[0] ^= 0x01 // one hex digit of the first line's digest
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.u.Now()
	m.u.Put(dir+"/SHA512SUMS.asc", m.sign(m.key, other, now), now)
}

// UnknownKeySums replaces SHA512SUMS.asc with a good signature by a key that
// is not in the vendor trust.
func (m *Fake) UnknownKeySums(product, version string) {
	dir := m.Dir(product, version)
	sums, ok := m.u.Get(dir + "/SHA512SUMS")
	if !ok {
		panic("mozilla fake: UnknownKeySums: no SHA512SUMS in " + dir)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.u.Now()
	if m.other == nil {
		cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, DefaultHash: crypto.SHA512, Time: fixedClock(now.Add(-24 * time.Hour))}
		k, err := openpgp.NewEntity("TEST Unknown Signer", "", "nobody@example.invalid", cfg)
		if err == nil {
			err = k.AddSigningSubkey(cfg)
		}
		if err != nil {
			panic("mozilla fake: make the unknown key: " + err.Error())
		}
		m.other = k
	}
	m.u.Put(dir+"/SHA512SUMS.asc", m.sign(m.other, sums, now), now)
}

// SourceYAML implements vendortest.Fake: Firefox ESR and Thunderbird for
// win64 in English and Japanese.
func (m *Fake) SourceYAML() string {
	return fmt.Sprintf(`    url: %[1]s
    product_details_url: %[1]s/1.0
    products: [firefox-esr, thunderbird]
    platforms: [win64]
    languages: [ja, en-US]
`, m.u.URL())
}

// Next implements vendortest.Fake: the next Firefox ESR dot release.
func (m *Fake) Next() string {
	next := nextESR(m.Version("firefox-esr"))
	m.Release("firefox-esr", next)
	return "Firefox ESR " + next
}

// nextESR is the next ESR dot release: 128.5.0esr → 128.6.0esr.
func nextESR(v string) string {
	parts := strings.Split(strings.TrimSuffix(v, "esr"), ".")
	minor, _ := strconv.Atoi(parts[1])
	parts[1] = strconv.Itoa(minor + 1)
	for i := 2; i < len(parts); i++ {
		parts[i] = "0"
	}
	return strings.Join(parts, ".") + "esr"
}

// Tampers implements vendortest.Fake, on the current Firefox ESR.
func (m *Fake) Tampers() []vendortest.Tamper {
	v := m.Version("firefox-esr")
	exe := fmt.Sprintf("win64/ja/Firefox Setup %s.exe", v)
	mar := fmt.Sprintf("update/win64/en-US/firefox-%s.complete.mar", v)
	return []vendortest.Tamper{
		{Name: "installer changed after SHA512SUMS was signed", Apply: func() { m.TamperFile("firefox-esr", v, exe) }},
		{Name: "complete MAR changed after SHA512SUMS was signed", Apply: func() { m.TamperFile("firefox-esr", v, mar) }},
		{Name: "SHA512SUMS.asc over other bytes", Apply: func() { m.BadSumsSignature("firefox-esr", v) }},
		{Name: "SHA512SUMS.asc by an unknown key", Apply: func() { m.UnknownKeySums("firefox-esr", v) }},
	}
}
