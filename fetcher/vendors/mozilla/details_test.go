package mozilla

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// firefoxVersions is shaped like product-details.mozilla.org/1.0/firefox_versions.json.
const firefoxVersions = `{
  "FIREFOX_AURORA": "",
  "FIREFOX_DEVEDITION": "134.0b10",
  "FIREFOX_ESR": "128.5.0esr",
  "FIREFOX_ESR115": "115.18.0esr",
  "FIREFOX_ESR_NEXT": "",
  "FIREFOX_NIGHTLY": "135.0a1",
  "FIREFOX_PINEBUILD": "",
  "FIREFOX_PINEBUILD_BUILD": "",
  "LAST_MERGE_DATE": "2024-11-25",
  "LAST_RELEASE_DATE": "2024-11-26",
  "LAST_SOFTFREEZE_DATE": "2024-11-21",
  "LATEST_FIREFOX_DEVEL_VERSION": "134.0b10",
  "LATEST_FIREFOX_OLDER_VERSION": "3.6.28",
  "LATEST_FIREFOX_RELEASED_DEVEL_VERSION": "134.0b10",
  "LATEST_FIREFOX_VERSION": "133.0",
  "NEXT_MERGE_DATE": "2025-01-06",
  "NEXT_RELEASE_DATE": "2025-01-07",
  "NEXT_SOFTFREEZE_DATE": "2024-12-30"
}
`

const thunderbirdVersions = `{
  "LATEST_THUNDERBIRD_ALPHA_VERSION": "54.0a2",
  "LATEST_THUNDERBIRD_DEVEL_VERSION": "134.0b5",
  "LATEST_THUNDERBIRD_NIGHTLY_VERSION": "135.0a1",
  "LATEST_THUNDERBIRD_VERSION": "128.5.0esr",
  "THUNDERBIRD_ESR": "128.5.0esr",
  "THUNDERBIRD_ESR_NEXT": null
}`

func TestParseProductDetails(t *testing.T) {
	got, err := ParseProductDetails([]byte(firefoxVersions))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"FIREFOX_ESR":            "128.5.0esr",
		"LATEST_FIREFOX_VERSION": "133.0",
		"FIREFOX_ESR115":         "115.18.0esr",
		"FIREFOX_NIGHTLY":        "135.0a1",
		"NEXT_RELEASE_DATE":      "2025-01-07",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	for _, k := range []string{"FIREFOX_ESR_NEXT", "FIREFOX_AURORA", "FIREFOX_PINEBUILD"} {
		if v, ok := got[k]; ok {
			t.Errorf("%s = %q, want it left out (empty means absent)", k, v)
		}
	}
	tb, err := ParseProductDetails([]byte(thunderbirdVersions))
	if err != nil {
		t.Fatal(err)
	}
	if tb["THUNDERBIRD_ESR"] != "128.5.0esr" || len(tb) != 5 {
		t.Errorf("thunderbird: %v", tb)
	}
	// Older snapshots lack the ESR keys; that is not an error.
	old, err := ParseProductDetails([]byte(`{"LATEST_FIREFOX_VERSION":"113.0.1"}`))
	if err != nil || len(old) != 1 {
		t.Fatalf("old snapshot: %v %v", old, err)
	}
	// Unknown keys with odd values and bad dates are left out.
	odd, err := ParseProductDetails([]byte(`{"FIREFOX_PINEBUILD_BUILD":"build3","NEXT_RELEASE_DATE":"TBD","FIREFOX_ESR":"128.5.0esr"}`))
	if err != nil || len(odd) != 1 {
		t.Fatalf("odd values: %v %v", odd, err)
	}
}

func TestParseProductDetailsRefuses(t *testing.T) {
	cases := map[string]string{
		"empty":              ``,
		"not an object":      `["133.0"]`,
		"string":             `"133.0"`,
		"number value":       `{"LATEST_FIREFOX_VERSION": 133}`,
		"bool value":         `{"FIREFOX_ESR": true}`,
		"object value":       `{"FIREFOX_ESR": {"v": "128.5.0esr"}}`,
		"array value":        `{"FIREFOX_ESR": ["128.5.0esr"]}`,
		"bad version":        `{"FIREFOX_ESR": "128.5.0esr/../../x"}`,
		"bad latest":         `{"LATEST_FIREFOX_VERSION": "latest"}`,
		"version leading 0":  `{"LATEST_FIREFOX_VERSION": "0133.0"}`,
		"esr next garbage":   `{"FIREFOX_ESR_NEXT": "next"}`,
		"duplicate key":      `{"FIREFOX_ESR": "128.5.0esr", "FIREFOX_ESR": "115.18.0esr"}`,
		"trailing data":      `{"FIREFOX_ESR": "128.5.0esr"} {}`,
		"unterminated":       `{"FIREFOX_ESR": "128.5.0esr"`,
		"trailing comma":     `{"FIREFOX_ESR": "128.5.0esr",}`,
		"long key":           `{"` + strings.Repeat("K", 65) + `": "1.0"}`,
		"long value":         `{"X": "` + strings.Repeat("1", 65) + `"}`,
		"control in value":   `{"X": "1.0\u0007"}`,
		"non-ASCII value":    `{"X": "1.0\u00e9"}`,
		"space in key":       `{"FIREFOX ESR": "128.5.0esr"}`,
		"empty key":          `{"": "1.0"}`,
		"too many keys":      manyKeys(maxProductDetailsKeys + 1),
		"invalid UTF-8":      "{\"X\": \"1.0\xff\"}",
		"comment":            `{"FIREFOX_ESR": "128.5.0esr" /* */}`,
		"single quotes":      `{'FIREFOX_ESR': '128.5.0esr'}`,
		"bare value":         `{"FIREFOX_ESR": 128.5.0esr}`,
		"null top level":     `null`,
		"unterminated value": `{"FIREFOX_ESR": "128.5.0esr`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if got, err := ParseProductDetails([]byte(in)); err == nil {
				t.Fatalf("accepted: %v", got)
			} else {
				t.Log(err)
			}
		})
	}
	big := []byte(`{"X":"` + strings.Repeat(" ", MaxProductDetails) + `"}`)
	var le *verify.LimitError
	if _, err := ParseProductDetails(big); !errors.As(err, &le) {
		t.Fatalf("oversized: err = %v, want LimitError", err)
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"K` + strings.Repeat("x", i%50) + string(rune('A'+i%26)) + itoa(i) + `":"1.0"`)
	}
	b.WriteString("}")
	return b.String()
}

func itoa(i int) string {
	s, _ := json.Marshal(i)
	return string(s)
}

func TestValidVersion(t *testing.T) {
	for _, v := range []string{"133.0", "133.0.3", "128.5.0esr", "128.0esr", "115.18.0esr", "134.0b10", "135.0a1", "3.6.28", "1.5.0.12", "54.0a2"} {
		if !ValidVersion(v) {
			t.Errorf("%q refused", v)
		}
	}
	for _, v := range []string{"", "133", "133.", ".0", "133..0", "133.0.0.0.0", "0133.0", "133.0esr1", "133.0b", "133.0b0",
		"133.0rc1", "133.0-esr", "133.0 ", " 133.0", "133.0/..", "1.2.3.4.5", "133.0ESR", "99999.0", "133.0b1234"} {
		if ValidVersion(v) {
			t.Errorf("%q accepted", v)
		}
	}
}

func FuzzParseProductDetails(f *testing.F) {
	f.Add([]byte(firefoxVersions))
	f.Add([]byte(thunderbirdVersions))
	f.Add([]byte(`{"FIREFOX_ESR":"128.5.0esr","FIREFOX_ESR_NEXT":"","LATEST_FIREFOX_VERSION":"133.0"}`))
	f.Add([]byte(`{"FIREFOX_ESR":null,"LAST_RELEASE_DATE":"2024-02-30","X":"a b"}`))
	f.Add([]byte(`{"FIREFOX_ESR":"128.5.0esr","FIREFOX_ESR":"128.5.0esr"}`))
	f.Add([]byte(`{"LATEST_FIREFOX_VERSION":133.0}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseProductDetails(b)
		if err != nil {
			return
		}
		for k, v := range m {
			if IsDateKey(k) {
				if !validDate(v) {
					t.Fatalf("%s = %q is not a date", k, v)
				}
			} else if !ValidVersion(v) {
				t.Fatalf("%s = %q is not a Mozilla version", k, v)
			}
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseProductDetails(out)
		if err != nil {
			t.Fatalf("re-encoded details do not parse: %v\n%s", err, out)
		}
		if !maps.Equal(m, back) {
			t.Fatalf("round trip changed the map:\n%v\n%v", m, back)
		}
	})
}

// firefoxReleases is shaped like product-details.mozilla.org/1.0/firefox.json
// (a few of its entries; the real file has thousands).
const firefoxReleases = `{
  "releases": {
    "firefox-0.1": {"build_number": 1, "category": "major", "date": "2002-09-23", "description": null, "is_security_driven": false, "product": "firefox", "version": "0.1"},
    "firefox-1.0rc1": {"build_number": 1, "category": "dev", "date": "2004-10-27", "description": "", "is_security_driven": false, "product": "firefox", "version": "1.0rc1"},
    "firefox-115.18.0esr": {"build_number": 1, "category": "esr", "date": "2024-11-26", "description": "", "is_security_driven": false, "product": "firefox", "version": "115.18.0esr"},
    "firefox-128.5.0esr": {"build_number": 1, "category": "esr", "date": "2024-11-26", "description": "", "is_security_driven": false, "product": "firefox", "version": "128.5.0esr"},
    "firefox-133.0": {"build_number": 2, "category": "major", "date": "2024-11-26", "description": "", "is_security_driven": false, "product": "firefox", "version": "133.0"},
    "firefox-133.0.3": {"build_number": 1, "category": "stability", "date": "2024-12-10", "description": "", "is_security_driven": true, "product": "firefox", "version": "133.0.3"},
    "firefox-134.0b10": {"build_number": 1, "category": "dev", "date": "2024-12-20", "description": "", "is_security_driven": false, "product": "firefox", "version": "134.0b10"},
    "firefox-3.6.28": {"build_number": 1, "category": "stability", "date": "2012-03-13", "description": null, "is_security_driven": false, "product": "firefox", "version": "3.6.28", "extra": {"nested": [1, 2.5e3, {"x": [true, null]}]}}
  }
}
`

func TestParseReleases(t *testing.T) {
	got, err := ParseReleases([]byte(firefoxReleases))
	if err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	want := Releases{
		"firefox-0.1":         day(2002, 9, 23),
		"firefox-115.18.0esr": day(2024, 11, 26),
		"firefox-128.5.0esr":  day(2024, 11, 26),
		"firefox-133.0":       day(2024, 11, 26),
		"firefox-133.0.3":     day(2024, 12, 10),
		"firefox-134.0b10":    day(2024, 12, 20),
		"firefox-3.6.28":      day(2012, 3, 13),
	}
	if !maps.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if d, ok := got.Date("firefox", "128.5.0esr"); !ok || d.Location() != time.UTC || !d.Equal(want["firefox-128.5.0esr"]) {
		t.Errorf("Date(firefox, 128.5.0esr) = %v, %v", d, ok)
	}
	if _, ok := got.Date("thunderbird", "128.5.0esr"); ok {
		t.Error("a Firefox entry found for Thunderbird")
	}
	// Entries that cannot count are left out; the file stands.
	for name, entry := range map[string]string{
		"bad version":        `"firefox-1.0rc1": {"date": "2004-10-27", "version": "1.0rc1"}`,
		"key of another":     `"firefox-133.0": {"date": "2024-11-26", "version": "133.0.3"}`,
		"no product in key":  `"-133.0": {"date": "2024-11-26", "version": "133.0"}`,
		"bad product in key": `"Firefox-133.0": {"date": "2024-11-26", "version": "133.0"}`,
		"no date":            `"firefox-133.0": {"version": "133.0"}`,
		"null date":          `"firefox-133.0": {"date": null, "version": "133.0"}`,
		"bad date":           `"firefox-133.0": {"date": "2024-02-30", "version": "133.0"}`,
		"date with time":     `"firefox-133.0": {"date": "2024-11-26T00:00:00Z", "version": "133.0"}`,
		"no version":         `"firefox-": {"date": "2024-11-26"}`,
		"Date, not date":     `"firefox-133.0": {"Date": "2024-11-26", "version": "133.0"}`,
	} {
		r, err := ParseReleases([]byte(`{"releases": {` + entry + `}}`))
		if err != nil || len(r) != 0 {
			t.Errorf("%s: %v, %v; want the entry left out", name, r, err)
		}
	}
	if r, err := ParseReleases([]byte(`{"releases": {}, "other": [1, {"a": "b"}]}`)); err != nil || r == nil || len(r) != 0 {
		t.Errorf("empty releases: %v, %v", r, err)
	}
}

func TestParseReleasesRefuses(t *testing.T) {
	deep := strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)
	cases := map[string]string{
		"empty":               ``,
		"not an object":       `[]`,
		"no releases":         `{"other": {}}`,
		"releases not object": `{"releases": []}`,
		"releases twice":      `{"releases": {}, "releases": {}}`,
		"entry not object":    `{"releases": {"firefox-133.0": "2024-11-26"}}`,
		"entry twice":         `{"releases": {"firefox-133.0": {}, "firefox-133.0": {}}}`,
		"field twice":         `{"releases": {"firefox-133.0": {"date": "2024-11-26", "date": "2024-11-27", "version": "133.0"}}}`,
		"date not string":     `{"releases": {"firefox-133.0": {"date": 20241126, "version": "133.0"}}}`,
		"version not string":  `{"releases": {"firefox-133.0": {"date": "2024-11-26", "version": 133.0}}}`,
		"long date":           `{"releases": {"firefox-133.0": {"date": "` + strings.Repeat("2", 65) + `"}}}`,
		"long key":            `{"releases": {"` + strings.Repeat("f", 65) + `": {}}}`,
		"space in key":        `{"releases": {"firefox 133.0": {}}}`,
		"control in key":      `{"releases": {"firefox-133.0\u0007": {}}}`,
		"too deep":            `{"releases": {}, "x": ` + deep + `}`,
		"too deep in entry":   `{"releases": {"firefox-133.0": {"x": ` + deep + `}}}`,
		"trailing data":       `{"releases": {}} {}`,
		"unterminated":        `{"releases": {"firefox-133.0": {}}`,
		"trailing comma":      `{"releases": {"firefox-133.0": {},}}`,
		"too many entries":    manyReleases(maxReleases + 1),
		"too many fields":     `{"releases": {"firefox-133.0": {` + manyFields(maxReleaseFields+1) + `}}}`,
		"too many top keys":   `{` + manyFields(maxReleaseFields+1) + `}`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if got, err := ParseReleases([]byte(in)); err == nil {
				t.Fatalf("accepted: %v", got)
			} else {
				t.Log(err)
			}
		})
	}
	big := []byte(`{"releases": {}, "x": "` + strings.Repeat(" ", MaxProductReleases) + `"}`)
	var le *verify.LimitError
	if _, err := ParseReleases(big); !errors.As(err, &le) {
		t.Fatalf("oversized: err = %v, want LimitError", err)
	}
	// At the limits it parses.
	if r, err := ParseReleases([]byte(manyReleases(maxReleases))); err != nil || len(r) != maxReleases {
		t.Fatalf("%d releases: %d parsed, %v", maxReleases, len(r), err)
	}
}

func manyReleases(n int) string {
	var b strings.Builder
	b.WriteString(`{"releases": {`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"firefox-%d.%d":{"date":"2024-11-26","version":"%d.%d"}`, i/1000+1, i%1000, i/1000+1, i%1000)
	}
	b.WriteString("}}")
	return b.String()
}

func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"f%d": 1`, i)
	}
	return b.String()
}

// FuzzParseReleases: what ParseReleases returns is exactly the usable
// entries as the standard decoder reads the file: each a key
// "<product>-<version>" whose entry's "version" is that ValidVersion and
// whose "date" is the returned day, a YYYY-MM-DD at UTC midnight.
func FuzzParseReleases(f *testing.F) {
	f.Add([]byte(firefoxReleases))
	f.Add([]byte(`{"releases": {"thunderbird-128.5.0esr": {"date": "2024-11-26", "version": "128.5.0esr"}}}`))
	f.Add([]byte(`{"releases": {"firefox-133.0": {"date": "2024-11-26", "version": "133.0.3"}}}`))
	f.Add([]byte(`{"releases": {"firefox-133.0": {"date": "2024-02-30", "version": "133.0"}}}`))
	f.Add([]byte(`{"releases": {"firefox-133.0": {"date": "2024-11-26", "date": "2024-11-27", "version": "133.0"}}}`))
	f.Add([]byte(`{"releases": {"firefox-133.0": {"date": 1, "version": "133.0"}}}`))
	f.Add([]byte(`{"releases": {}, "x": [[[[{"a": 1e400}]]]]}`))
	f.Add([]byte(`{"releases": {"a-b-1.0": {"version": "1.0", "date": "0001-01-01"}}}`))
	f.Add([]byte(`{"other": 1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReleases(b)
		if err != nil {
			return
		}
		var top map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&top); err != nil {
			t.Fatalf("ParseReleases accepted what encoding/json refuses: %v", err)
		}
		var entries map[string]map[string]any
		dec = json.NewDecoder(bytes.NewReader(top["releases"]))
		dec.UseNumber()
		if err := dec.Decode(&entries); err != nil {
			t.Fatalf("releases: %v", err)
		}
		usable := 0
		for k, e := range entries {
			version, _ := e["version"].(string)
			date, _ := e["date"].(string)
			product, ok := strings.CutSuffix(k, "-"+version)
			day, err := time.Parse(time.DateOnly, date)
			if !ok || err != nil || !ValidVersion(version) || !releaseKeyPrefix.MatchString(product) {
				if _, ok := r[k]; ok {
					t.Fatalf("%q (version %q, date %q) returned", k, version, date)
				}
				continue
			}
			usable++
			got, ok := r[k]
			if !ok || !got.Equal(day) || got.Location() != time.UTC || got.Format(time.DateOnly) != date ||
				got.Hour() != 0 || got.Minute() != 0 || got.Second() != 0 || got.Nanosecond() != 0 {
				t.Fatalf("%q: %v (%v), want %s at UTC midnight", k, got, ok, date)
			}
			if d, ok := r.Date(product, version); !ok || !d.Equal(got) {
				t.Fatalf("Date(%q, %q) = %v, %v", product, version, d, ok)
			}
		}
		if usable != len(r) {
			t.Fatalf("%d entries returned, %d usable", len(r), usable)
		}
	})
}
