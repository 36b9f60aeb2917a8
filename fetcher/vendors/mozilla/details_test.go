package mozilla

import (
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

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
