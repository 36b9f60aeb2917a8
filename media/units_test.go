package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/verify"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"4.7G", 4_700_000_000},
		{"4.7GB", 4_700_000_000},
		{"4Gi", 4_294_967_296},
		{"4GiB", 4_294_967_296},
		{"650M", 650_000_000},
		{"650MB", 650_000_000},
		{"25G", 25_000_000_000},
		{"1024", 1024},
		{"1024B", 1024},
		{"1K", 1000},
		{"1k", 1000},
		{"1Ki", 1024},
		{"1.5Ki", 1536},
		{"100Mi", 100 << 20},
		{"2T", 2_000_000_000_000},
		{"1Ti", 1 << 40},
		{" 8G ", 8_000_000_000},
		{"1.9", 1}, // rounded down to whole bytes
		{"0.5K", 500},
	} {
		got, err := ParseSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", " ", "G", "GiB", "B", "KiB", "abc", "4XB", "4 GiB please", "G4", "-1", "-4.7G", "0", "0.4", "0G", "NaN", "Inf", "+Inf", "1e400", "9e18", "8Ei"} {
		got, err := ParseSize(in)
		if err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("ParseSize(%q): error %q does not quote the input", in, err)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, name := range []string{
		"Firefox Setup 145.0.exe", "windows11.0-kb5068861-x64.msu", "main.cvd", "SHA512SUMS", "a", ".hidden",
		"..foo", "foo..bar", "ファイル.txt", "console.log", "COM10", "LPT", "nul-safe", strings.Repeat("x", 255),
	} {
		if err := ValidName(name); err != nil {
			t.Errorf("ValidName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{
		"", ".", "..", "../evil", "a/b", "/etc", `a\b`, `C:\evil.exe`, "C:", "c:evil", "file.txt:stream",
		"x\x00y", "a\nb", "tab\there", "del\x7f", "a<b", "a>b", `a"b`, "a|b", "a?b", "a*b",
		"trailing.", "trailing ", "CON", "con", "Con.txt", "NUL", "nul.tar.gz", "AUX", "PRN", "COM1", "com9.log", "LPT1", "CONIN$", "CONOUT$",
		strings.Repeat("x", 256), "bad\xffutf8",
	} {
		err := ValidName(name)
		if !errors.Is(err, ErrPath) {
			t.Errorf("ValidName(%q) = %v, want ErrPath", name, err)
			continue
		}
		if len(name) < 100 && !strings.Contains(err.Error(), fmt.Sprintf("%q", name)) {
			t.Errorf("ValidName(%q): error %q does not name it", name, err)
		}
	}
}

func TestValidPath(t *testing.T) {
	sha := verify.SHA256Hex([]byte("x"))
	for _, p := range []string{PayloadPath(sha), PartPath(sha, 1), PartPath(sha, 9999), MetaPath("SHA512SUMS"), "approvals/kacho.sig", "a"} {
		if err := ValidPath(p); err != nil {
			t.Errorf("ValidPath(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range []string{
		"", "/", "/etc/passwd", "//server/share", "files//x", "files/", "files/./x", "files/../x", "..", "../x", "x/..",
		`files\sha256`, "C:/x", "C:", `\\server\share`, "x\x00y/z", "files/a:b", "meta/NUL",
	} {
		if err := ValidPath(p); !errors.Is(err, ErrPath) {
			t.Errorf("ValidPath(%q) = %v, want ErrPath", p, err)
		}
	}
}

func TestDirName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want DirName
	}{
		{"patchferry-default-1", DirName{Site: "default", Sequence: 1}},
		{"patchferry-kofu-city-42", DirName{Site: "kofu-city", Sequence: 42}},
		{"patchferry-a-1-2", DirName{Site: "a-1", Sequence: 2}},
		{"patchferry-default-1-vol02of03", DirName{Site: "default", Sequence: 1, Volume: 2, Volumes: 3}},
		{"patchferry-x-9999999999999999999-vol99of99", DirName{Site: "x", Sequence: 9999999999999999999, Volume: 99, Volumes: 99}},
		{"patchferry-x-7-vol0001of0100", DirName{Site: "x", Sequence: 7, Volume: 1, Volumes: 100}},
		{"patchferry-x-7-vol9999of9999", DirName{Site: "x", Sequence: 7, Volume: 9999, Volumes: 9999}},
	} {
		got, ok := ParseDirName(tc.name)
		if !ok || got != tc.want {
			t.Errorf("ParseDirName(%q) = %+v, %v; want %+v", tc.name, got, ok, tc.want)
		}
		if s := tc.want.String(); s != tc.name {
			t.Errorf("%+v.String() = %q, want %q", tc.want, s, tc.name)
		}
		if b := tc.want.Bundle(); !strings.HasPrefix(tc.name, b) || strings.Contains(b, "vol") {
			t.Errorf("%+v.Bundle() = %q", tc.want, b)
		}
	}
	for _, name := range []string{
		"", "patchferry", "patchferry-default", "patchferry-default-0", "patchferry-Default-1", "patchferry--1",
		"patchferry-default-01", "patchferry-default-1-vol1of3", "patchferry-default-1-vol001of003",
		"patchferry-default-1-vol0001of0003", "patchferry-default-1-vol02of3", "patchferry-default-1-vol04of03",
		"patchferry-default-1-vol00of03", "patchferry-default-1-vol01of01", "patchferry-default-1-vol01of10000",
		"patchferry-default-18446744073709551616", "patchferry-default-1/", "xpatchferry-default-1", "patchferry-default-1.tmp-1",
		".patchferry-default-1.tmp-123",
	} {
		if d, ok := ParseDirName(name); ok {
			t.Errorf("ParseDirName(%q) = %+v, want not a bundle name", name, d)
		}
	}
	// Every name String makes parses back to the same DirName.
	for _, d := range []DirName{
		{Site: "s", Sequence: 1}, {Site: "s-1-vol01of02", Sequence: 3}, {Site: "s", Sequence: 1, Volume: 1, Volumes: 2},
		{Site: "0", Sequence: 10, Volume: 100, Volumes: 100}, {Site: strings.Repeat("z", 63), Sequence: 99},
	} {
		got, ok := ParseDirName(d.String())
		if !ok || got != d {
			t.Errorf("ParseDirName(%q) = %+v, %v; want %+v", d.String(), got, ok, d)
		}
	}
}

func TestSplitSizes(t *testing.T) {
	for _, tc := range []struct {
		n, part int64
		want    []int64
	}{
		{0, 10, []int64{0}},
		{1, 10, []int64{1}},
		{10, 10, []int64{10}},
		{11, 10, []int64{10, 1}},
		{30, 10, []int64{10, 10, 10}},
		{350 << 10, 100 << 10, []int64{100 << 10, 100 << 10, 100 << 10, 50 << 10}},
		{DefaultMaxFileSize + 1, DefaultMaxFileSize, []int64{DefaultMaxFileSize, 1}},
		{3, 1, []int64{1, 1, 1}},
	} {
		got := splitSizes(tc.n, tc.part)
		if !slices.Equal(got, tc.want) {
			t.Errorf("splitSizes(%d, %d) = %v, want %v", tc.n, tc.part, got, tc.want)
		}
	}
	// Property: the parts add up, none exceeds the limit, only the last is
	// short, none is empty unless the file is.
	for n := int64(0); n < 200; n++ {
		for part := int64(1); part < 40; part += 3 {
			got := splitSizes(n, part)
			var sum int64
			for i, p := range got {
				sum += p
				if p > part || (p == 0 && n > 0) || (i < len(got)-1 && p != part) {
					t.Fatalf("splitSizes(%d, %d) = %v", n, part, got)
				}
			}
			if sum != n {
				t.Fatalf("splitSizes(%d, %d) = %v adds up to %d", n, part, got, sum)
			}
		}
	}
}

// validManifest is a full manifest that passes Validate: parts, meta,
// evidence, catalog, retired, expiry.
func validManifest() *Manifest {
	sum := func(s string) string { return verify.SHA256Hex([]byte(s)) }
	return &Manifest{
		Format: FormatVersion, Site: "kofu-city", Sequence: 7, Base: 0,
		Created: created, Expires: created.AddDate(0, 1, 0),
		Artifacts: Artifacts{
			{
				Vendor: "mozilla", Product: "firefox", Channel: "release", Version: "145.0", Platform: "win64", Language: "ja",
				Kind: "installer", FileName: "Firefox Setup 145.0.exe", Size: 30, SHA256: sum("firefox"),
				Parts:    Parts{{Size: 20, SHA256: sum("p1")}, {Size: 10, SHA256: sum("p2")}},
				Released: created.Add(-24 * time.Hour), URL: "https://download.mozilla.org/?product=firefox-145.0",
				Verification: Verification{Method: "openpgp", Signer: "Mozilla Software Releases <release@mozilla.com>",
					KeyID: "E36D3B13F3D93274", Time: created, Evidence: []string{"firefox-145.0-SHA512SUMS"}},
			},
			{
				Vendor: "cisco", Product: "clamav", Version: "27812", Kind: "cvd", FileName: "daily.cvd", Size: 0,
				SHA256: sum(""), Verification: Verification{Method: "clamav-cvd"},
			},
		},
		Catalog: Catalog{
			{Vendor: "mozilla", Product: "firefox", Channel: "release", Version: "145.0", Artifacts: []string{sum("firefox")}},
			{Vendor: "cisco", Product: "clamav", Version: "27812", Artifacts: []string{sum("")}},
		},
		Retired: RetiredSet{{Vendor: "mozilla", Product: "firefox", Version: "144.0", SHA256: sum("old")}},
		Meta:    MetaFiles{{Name: "firefox-145.0-SHA512SUMS", Size: 400, SHA256: sum("meta"), Expanded: 2000}},
	}
}

func TestManifestValidate(t *testing.T) {
	if err := validManifest().Validate(); err != nil {
		t.Fatalf("validManifest: %v", err)
	}
	sum := verify.SHA256Hex([]byte("z"))
	for _, tc := range []struct {
		name   string
		change func(m *Manifest)
		want   string
	}{
		{"format 2", func(m *Manifest) { m.Format = 2 }, "format 2"},
		{"bad site", func(m *Manifest) { m.Site = "Kofu City" }, "Kofu City"},
		{"sequence 0", func(m *Manifest) { m.Sequence = 0 }, "sequence"},
		{"base not below sequence", func(m *Manifest) { m.Base = 7 }, "base 7"},
		{"no created", func(m *Manifest) { m.Created = time.Time{} }, "created"},
		{"expires before created", func(m *Manifest) { m.Expires = m.Created.Add(-time.Hour) }, "expires"},
		{"no vendor", func(m *Manifest) { m.Artifacts[1].Vendor = "" }, "vendor"},
		{"control character", func(m *Manifest) { m.Artifacts[1].Version = "1\r\nINFO forged" }, "control"},
		{"long field", func(m *Manifest) { m.Artifacts[1].URL = strings.Repeat("u", 2000) }, "longer than"},
		{"upper-case sha", func(m *Manifest) { m.Artifacts[1].SHA256 = strings.ToUpper(m.Artifacts[1].SHA256) }, "lower-case"},
		{"negative size", func(m *Manifest) { m.Artifacts[1].Size = -1 }, "negative"},
		{"no method", func(m *Manifest) { m.Artifacts[1].Verification.Method = "" }, "method"},
		{"one part", func(m *Manifest) { m.Artifacts[0].Parts = m.Artifacts[0].Parts[:1] }, "one part"},
		{"parts do not add up", func(m *Manifest) { m.Artifacts[0].Parts[1].Size = 9 }, "add up"},
		{"empty part", func(m *Manifest) { m.Artifacts[0].Parts[0].Size = 0 }, "part 1"},
		{"evidence missing", func(m *Manifest) { m.Meta = nil }, "evidence"},
		{"meta twice", func(m *Manifest) { m.Meta = append(m.Meta, m.Meta[0]) }, "listed twice"},
		{"meta too big", func(m *Manifest) { m.Meta[0].Expanded = MaxMetaExpanded + 1 }, "expanded size"},
		{"meta empty file", func(m *Manifest) { m.Meta[0].Size = 0 }, "size 0"},
		{"catalog names a missing artifact", func(m *Manifest) { m.Catalog[0].Artifacts = []string{sum} }, "not in this full bundle"},
		{"retired bad sha", func(m *Manifest) { m.Retired[0].SHA256 = "x" }, "retired[0]"},
		{"too many parts", func(m *Manifest) {
			a := &m.Artifacts[0]
			a.Parts = make(Parts, MaxParts+1)
			for i := range a.Parts {
				a.Parts[i] = Part{Size: 1, SHA256: sum}
			}
			a.Size = MaxParts + 1
		}, "parts: more than the limit of 10000"},
		{"too many meta files", func(m *Manifest) {
			for i := range MaxMeta {
				m.Meta = append(m.Meta, MetaFile{Name: fmt.Sprint("m", i), Size: 1, SHA256: sum})
			}
		}, "meta: more than the limit of 10000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := validManifest()
			tc.change(m)
			err := m.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error about %q", err, tc.want)
			}
			raw, merr := m.Marshal()
			if merr != nil {
				t.Fatal(merr)
			}
			_, perr := ParseManifest(raw)
			var me *ManifestError
			if !errors.As(perr, &me) || !strings.Contains(perr.Error(), tc.want) || strings.HasPrefix(perr.Error(), ManifestName+": ") { // the FileError around it names bundle.json, once
				t.Fatalf("ParseManifest: %v, want a *ManifestError about %q", perr, tc.want)
			}
		})
	}
	t.Run("delta may name artifacts of earlier bundles", func(t *testing.T) {
		m := validManifest()
		m.Base = 6
		m.Catalog[0].Artifacts = []string{sum}
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestParseManifestStrict(t *testing.T) {
	raw, err := validManifest().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		t.Fatalf("ParseManifest(Marshal(validManifest)): %v", err)
	}
	if again, _ := m.Marshal(); !bytes.Equal(again, raw) {
		t.Error("Marshal(ParseManifest(b)) differs from b")
	}
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, raw); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseManifest(compact.Bytes()); err != nil {
		t.Errorf("compact JSON of a valid manifest refused: %v", err)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"unknown top field", strings.Replace(string(raw), `"site"`, `"key": "x", "site"`, 1), "unknown field"},
		{"unknown artifact field", strings.Replace(string(raw), `"vendor": "mozilla"`, `"vendor": "mozilla", "exec": "rm"`, 1), "unknown field"},
		{"unknown verification field", strings.Replace(string(raw), `"method": "openpgp"`, `"method": "openpgp", "trusted": true`, 1), "unknown field"},
		{"unknown meta field", strings.Replace(string(raw), `"expanded": 2000`, `"expanded": 2000, "path": "/etc"`, 1), "unknown field"},
		{"data after the object", string(raw) + "{}", "data after"},
		{"two objects", string(raw) + string(raw), "data after"},
		{"not an object", `[]`, "not a valid"},
		{"empty", ``, "not a valid"},
		{"artifacts not a list", withField(t, raw, "artifacts", "x"), "artifacts: want a JSON array"},
		{"meta not a list", withField(t, raw, "meta", map[string]int{"a": 1}), "meta: want a JSON array"},
		{"sequence negative", withField(t, raw, "sequence", -1), "sequence"},
		{"created not a time", withField(t, raw, "created", "yesterday"), `"yesterday"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tc.in))
			var me *ManifestError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseManifest: %v, want a *ManifestError about %q", err, tc.want)
			}
		})
	}
}

// withField returns the manifest raw with one top-level field set to v.
func withField(t *testing.T, raw []byte, field string, v any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m[field] = v
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// countedItem counts in decodedItems how many list elements decodeList
// decoded.
type countedItem struct{}

var decodedItems int

func (c *countedItem) UnmarshalJSON([]byte) error { decodedItems++; return nil }

// jsonList is a JSON array of n copies of elem.
func jsonList(n int, elem string) []byte {
	var b bytes.Buffer
	b.Grow(n * (len(elem) + 1))
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(elem)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func TestDecodeListStopsAtLimit(t *testing.T) {
	for _, n := range []int{MaxArtifacts, MaxArtifacts + 1, 3 * MaxArtifacts} {
		decodedItems = 0
		var out []countedItem
		err := decodeList(jsonList(n, "{}"), &out, MaxArtifacts, "artifacts")
		if n <= MaxArtifacts {
			if err != nil || len(out) != n {
				t.Errorf("%d elements: %v, %d decoded; want all", n, err, len(out))
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "more than the limit of 100000") {
			t.Errorf("%d elements: %v, want a refusal at the limit", n, err)
		}
		if decodedItems != MaxArtifacts {
			t.Errorf("%d elements: decoded %d before refusing, want exactly the limit %d", n, decodedItems, MaxArtifacts)
		}
		if out != nil {
			t.Errorf("%d elements: the refused list was stored (%d elements)", n, len(out))
		}
	}
}

func TestListLimits(t *testing.T) {
	for _, tc := range []struct {
		what  string
		limit int
		parse func(b []byte) error
	}{
		{"artifacts", MaxArtifacts, func(b []byte) error { var l Artifacts; return l.UnmarshalJSON(b) }},
		{"parts", MaxParts, func(b []byte) error { var l Parts; return l.UnmarshalJSON(b) }},
		{"catalog", MaxCatalog, func(b []byte) error { var l Catalog; return l.UnmarshalJSON(b) }},
		{"retired", MaxRetired, func(b []byte) error { var l RetiredSet; return l.UnmarshalJSON(b) }},
		{"meta", MaxMeta, func(b []byte) error { var l MetaFiles; return l.UnmarshalJSON(b) }},
	} {
		t.Run(tc.what, func(t *testing.T) {
			// Elements are "{}": a small input, and memory for at most the
			// limit of empty elements.
			err := tc.parse(jsonList(tc.limit+1, "{}"))
			if want := fmt.Sprintf("%s: more than the limit of %d entries", tc.what, tc.limit); err == nil || err.Error() != want {
				t.Fatalf("%d elements: %v, want %q", tc.limit+1, err, want)
			}
			if err := tc.parse(jsonList(3, `{"unknown": 1}`)); err == nil || !strings.Contains(err.Error(), "unknown field") {
				t.Errorf("unknown field in an element: %v", err)
			}
			if err := tc.parse([]byte(`{}`)); err == nil {
				t.Error("an object instead of a list was accepted")
			}
			if err := tc.parse([]byte(`null`)); err != nil {
				t.Errorf("null: %v", err)
			}
		})
	}
	t.Run("through ParseManifest", func(t *testing.T) {
		raw, err := validManifest().Marshal()
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(raw, []byte(`"retired": [`))
		in := slices.Concat(raw[:i], []byte(`"retired": `), jsonList(MaxRetired+1, "{}"), []byte(",\n"), raw[bytes.Index(raw, []byte(`"meta"`)):])
		_, err = ParseManifest(in)
		var me *ManifestError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), "retired: more than the limit") {
			t.Fatalf("ParseManifest: %v", err)
		}
	})
}

func TestParseVolumeIndex(t *testing.T) {
	sha := verify.SHA256Hex([]byte("manifest"))
	good := &VolumeIndex{Format: 1, Volume: 2, Volumes: 3, ManifestSHA256: sha, Files: []string{MetaPath("a"), PayloadPath(sha)}}
	raw, err := good.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseVolumeIndex(raw)
	if err != nil || !slices.Equal(got.Files, good.Files) || got.Volume != 2 {
		t.Fatalf("ParseVolumeIndex(Marshal(x)) = %+v, %v", got, err)
	}
	for _, tc := range []struct {
		name   string
		change func(v *VolumeIndex)
		want   string
	}{
		{"format", func(v *VolumeIndex) { v.Format = 2 }, "format"},
		{"volume 0", func(v *VolumeIndex) { v.Volume = 0 }, "out of range"},
		{"volume above volumes", func(v *VolumeIndex) { v.Volume = 4 }, "out of range"},
		{"one volume", func(v *VolumeIndex) { v.Volume, v.Volumes = 1, 1 }, "out of range"},
		{"too many volumes", func(v *VolumeIndex) { v.Volumes = MaxVolumes + 1 }, "out of range"},
		{"bad manifest sha", func(v *VolumeIndex) { v.ManifestSHA256 = "abc" }, "manifest_sha256"},
		{"evil path", func(v *VolumeIndex) { v.Files = []string{"../../etc/passwd"} }, "path rules"},
		{"absolute path", func(v *VolumeIndex) { v.Files = []string{"/etc/passwd"} }, "absolute"},
		{"listed twice", func(v *VolumeIndex) { v.Files = []string{"a", "a"} }, "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := *good
			tc.change(&v)
			b, _ := v.Marshal()
			_, err := ParseVolumeIndex(b)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), VolumeName) {
				t.Fatalf("ParseVolumeIndex: %v, want an error about %q naming %s", err, tc.want, VolumeName)
			}
		})
	}
	for _, in := range []string{`{"format":1,"volume":2,"volumes":3,"manifest_sha256":"` + sha + `","files":[],"extra":1}`, string(raw) + "x", "", "[]"} {
		if _, err := ParseVolumeIndex([]byte(in)); err == nil {
			t.Errorf("ParseVolumeIndex(%.40q) succeeded", in)
		}
	}
	var le *verify.LimitError
	if _, err := ParseVolumeIndex(make([]byte, maxVolumeIndex+1)); !errors.As(err, &le) {
		t.Errorf("oversized volume.json: %v, want a *verify.LimitError", err)
	}
}

func TestWriteRefusesBadOptions(t *testing.T) {
	c, _ := smallContents(t)
	for _, tc := range []struct {
		name string
		opt  func(o *WriteOptions)
		c    func(c *Contents)
		want string
	}{
		{"bad site", func(o *WriteOptions) { o.Site = "Kofu" }, nil, "Kofu"},
		{"sequence 0", func(o *WriteOptions) { o.Sequence = 0 }, nil, "sequence"},
		{"no key", func(o *WriteOptions) { o.Key = nil }, nil, "key"},
		{"no created", func(o *WriteOptions) { o.Created = time.Time{} }, nil, "creation time"},
		{"expires before created", func(o *WriteOptions) { o.Expires = created.Add(-time.Hour) }, nil, "expiry"},
		{"volume too small", func(o *WriteOptions) { o.VolumeSize = 20 << 10 }, nil, "--volume-size"},
		{"evil file name", nil, func(c *Contents) { c.Inputs[0].Artifact.FileName = "../evil" }, "../evil"},
		{"evil meta name", nil, func(c *Contents) { c.Meta = []MetaInput{{Name: "..", Path: c.Inputs[0].Path}} }, `".."`},
		{"meta name twice", nil, func(c *Contents) {
			c.Meta = []MetaInput{{Name: "a", Path: c.Inputs[0].Path}, {Name: "a", Path: c.Inputs[1].Path}}
		}, "twice"},
		{"wrong sha256 given", nil, func(c *Contents) { c.Inputs[0].Artifact.SHA256 = verify.SHA256Hex([]byte("other")) }, "SHA-256"},
		{"missing input", nil, func(c *Contents) { c.Inputs[0].Path += ".missing" }, ".missing"},
		{"input is a folder", nil, func(c *Contents) { c.Inputs[0].Path = t.TempDir(); c.Inputs[0].Artifact.FileName = "x" }, "not a regular file"},
		{"too many parts", func(o *WriteOptions) { o.MaxFileSize = 1 }, func(c *Contents) {
			c.Inputs[0].Path = writeFile(t, t.TempDir(), "big", make([]byte, MaxParts+1))
		}, "10001 parts, more than the limit of 10000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc := c
			cc.Inputs = slices.Clone(c.Inputs)
			if tc.c != nil {
				tc.c(&cc)
			}
			root := t.TempDir()
			o := WriteOptions{Out: root, Sequence: 1, Created: created, Key: keys(t).Publisher}
			if tc.opt != nil {
				tc.opt(&o)
			}
			_, err := Write(t.Context(), o, cc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write: %v, want an error about %q", err, tc.want)
			}
			// Nothing is left behind: no bundle, no staging folder.
			if entries, _ := os.ReadDir(root); len(entries) != 0 {
				t.Errorf("a refused Write left %v in the output folder", entries)
			}
		})
	}
	t.Run("existing bundle", func(t *testing.T) {
		w, root := writeBundle(t, c, nil)
		o := WriteOptions{Out: root, Sequence: 1, Created: created, Key: keys(t).Publisher}
		_, err := Write(t.Context(), o, c)
		mustFail(t, err, nil, w.Dirs[0], "already exists")
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		root := t.TempDir()
		_, err := Write(ctx, WriteOptions{Out: root, Sequence: 1, Created: created, Key: keys(t).Publisher}, c)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Write with a cancelled context: %v", err)
		}
		if entries, _ := os.ReadDir(root); len(entries) != 0 {
			t.Errorf("a cancelled Write left %v in the output folder", entries)
		}
	})
}

func TestWritePlanScales(t *testing.T) {
	// Planning volumes for many files must not redo per file the work
	// that depends only on the whole manifest.
	const n = 1000
	p := writeFile(t, t.TempDir(), "setup.exe", randomBytes(90, 2000))
	var c Contents
	for i := range n {
		c.Inputs = append(c.Inputs, Input{Path: p, Artifact: Artifact{Vendor: "v", Product: fmt.Sprint("p", i), Version: "1", FileName: fmt.Sprintf("setup-%d.exe", i)}})
	}
	w, err := newWriter(WriteOptions{Out: t.TempDir(), Sequence: 1, Created: created, Key: keys(t).Publisher, VolumeSize: 2 << 20}, c)
	if err != nil {
		t.Fatal(err)
	}
	allocated := heapAllocated(func() { err = w.plan() })
	if err != nil {
		t.Fatal(err)
	}
	if w.volumes < 2 {
		t.Fatalf("planned %d volumes, the test needs several", w.volumes)
	}
	if allocated > 256<<20 {
		t.Errorf("planning %d files over %d volumes allocated %d MiB", n, w.volumes, allocated>>20)
	}
}

func TestStateCodeEmptyCatalog(t *testing.T) {
	if StateCode(3, nil) != StateCode(3, Catalog{}) {
		t.Fatal("a nil and an empty catalog give different state codes")
	}
	code := StateCode(3, Catalog{{Vendor: "v", Product: "p", Version: "1", Artifacts: []string{}}})
	if code == StateCode(3, nil) {
		t.Fatal("a non-empty catalog has the state code of an empty one")
	}
	if err := CheckStateCode(strings.ToLower(code), 3, Catalog{{Vendor: "v", Product: "p", Version: "1", Artifacts: []string{}}}); err != nil {
		t.Fatalf("lower-case code refused: %v", err)
	}
}
