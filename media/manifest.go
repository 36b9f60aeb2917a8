package media

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// FormatVersion is the manifest format this package reads and writes.
const FormatVersion = 1

// Limits of format v1. A reader refuses anything beyond them before it
// allocates for it.
const (
	MaxManifestSize = 32 << 20  // bytes of bundle.json
	MaxArtifacts    = 100_000   // artifacts in one manifest
	MaxParts        = 10_000    // parts of one artifact
	MaxMeta         = 10_000    // meta files in one manifest
	MaxCatalog      = 100_000   // catalog entries
	MaxRetired      = 100_000   // retired artifacts
	MaxMetaExpanded = 256 << 20 // uncompressed bytes of one meta file
	// MaxArtifactSize bounds one payload (1 TiB: far above any real
	// update, far below where sums of sizes could overflow — MaxArtifacts
	// files of this size add up to about 2^57 bytes).
	MaxArtifactSize = 1 << 40
	maxField        = 1024 // bytes of one text field
)

// MethodManual is the verification method of an artifact whose only
// evidence is its publisher-signed SHA-256 (added by staff by hand,
// "manually added"): what Write records when an input names no method.
// Vendors' methods are named and checked in media/evidence.
const MethodManual = "manual"

// Manifest is bundle.json. Field meanings are documented in doc.go.
type Manifest struct {
	Format    int        `json:"format"`
	Site      string     `json:"site"`
	Sequence  uint64     `json:"sequence"`
	Base      uint64     `json:"base"`
	Created   time.Time  `json:"created"`
	Expires   time.Time  `json:"expires,omitzero"`
	Catalog   Catalog    `json:"catalog"`
	Artifacts Artifacts  `json:"artifacts"`
	Retired   RetiredSet `json:"retired"`
	Meta      MetaFiles  `json:"meta"`
}

// Artifact is one payload file and what is known about it.
type Artifact struct {
	Vendor       string       `json:"vendor"`
	Product      string       `json:"product"`
	Channel      string       `json:"channel,omitempty"`
	Version      string       `json:"version"`
	Platform     string       `json:"platform,omitempty"`
	Language     string       `json:"language,omitempty"`
	Kind         string       `json:"kind,omitempty"`
	BuildID      string       `json:"build_id,omitempty"`
	FileName     string       `json:"file_name"`
	Size         int64        `json:"size"`
	SHA256       string       `json:"sha256"`
	Parts        Parts        `json:"parts,omitempty"`
	Released     time.Time    `json:"released,omitzero"`
	URL          string       `json:"url,omitempty"`
	Verification Verification `json:"verification"`
}

// Part is one piece of an artifact split to fit --max-file-size.
type Part struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Verification is the record of how the fetcher checked an artifact with the
// vendor's own mechanism.
type Verification struct {
	Method   string    `json:"method"`
	Signer   string    `json:"signer,omitempty"`
	KeyID    string    `json:"key_id,omitempty"`
	Time     time.Time `json:"time,omitzero"`
	Evidence []string  `json:"evidence,omitempty"` // names in Manifest.Meta
	Entry    string    `json:"entry,omitempty"`    // the file's line in the evidence, e.g. its path in SHA512SUMS
}

// CatalogEntry is the latest version of one product, and the artifacts
// (by SHA-256) that make it up. A delta bundle still lists every product.
type CatalogEntry struct {
	Vendor    string   `json:"vendor"`
	Product   string   `json:"product"`
	Channel   string   `json:"channel,omitempty"`
	Version   string   `json:"version"`
	Artifacts []string `json:"artifacts"`
}

// Retired names an artifact the mirror should stop offering.
type Retired struct {
	Vendor  string `json:"vendor"`
	Product string `json:"product"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// MetaFile is vendor metadata or evidence stored as meta/<Name>.xz.
type MetaFile struct {
	Name     string `json:"name"`     // without ".xz"
	Size     int64  `json:"size"`     // of the .xz file
	SHA256   string `json:"sha256"`   // of the .xz file
	Expanded int64  `json:"expanded"` // bytes after decompression
}

// Artifacts, Parts, Catalog, RetiredSet and MetaFiles are JSON lists that
// refuse more elements than their limit while decoding, before allocating.
type (
	Artifacts  []Artifact
	Parts      []Part
	Catalog    []CatalogEntry
	RetiredSet []Retired
	MetaFiles  []MetaFile
)

// UnmarshalJSON implements json.Unmarshaler with the MaxArtifacts limit.
func (l *Artifacts) UnmarshalJSON(b []byte) error {
	return decodeList(b, (*[]Artifact)(l), MaxArtifacts, "artifacts")
}

// UnmarshalJSON implements json.Unmarshaler with the MaxParts limit.
func (l *Parts) UnmarshalJSON(b []byte) error {
	return decodeList(b, (*[]Part)(l), MaxParts, "parts")
}

// UnmarshalJSON implements json.Unmarshaler with the MaxCatalog limit.
func (l *Catalog) UnmarshalJSON(b []byte) error {
	return decodeList(b, (*[]CatalogEntry)(l), MaxCatalog, "catalog")
}

// UnmarshalJSON implements json.Unmarshaler with the MaxRetired limit.
func (l *RetiredSet) UnmarshalJSON(b []byte) error {
	return decodeList(b, (*[]Retired)(l), MaxRetired, "retired")
}

// UnmarshalJSON implements json.Unmarshaler with the MaxMeta limit.
func (l *MetaFiles) UnmarshalJSON(b []byte) error {
	return decodeList(b, (*[]MetaFile)(l), MaxMeta, "meta")
}

// decodeList decodes a JSON array element by element, refusing unknown
// fields and more than max elements.
func decodeList[T any](b []byte, out *[]T, max int, what string) error {
	if string(b) == "null" {
		*out = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("%s: want a JSON array", what)
	}
	var list []T
	for dec.More() {
		if len(list) >= max {
			return fmt.Errorf("%s: more than the limit of %d entries", what, max)
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s[%d]: %w", what, len(list), err)
		}
		list = append(list, v)
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	*out = list
	return nil
}

// ManifestError reports a manifest that breaks format v1.
type ManifestError struct{ Err error }

func (e *ManifestError) Error() string { return e.Err.Error() } // FileError names bundle.json
func (e *ManifestError) Unwrap() error { return e.Err }

// ParseManifest reads and checks a manifest: at most MaxManifestSize bytes,
// strict JSON (unknown fields refused, nothing after the object), and every
// rule of Validate. Any valid JSON encoding is accepted: only the signature
// over the exact bytes matters.
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) > MaxManifestSize {
		return nil, &ManifestError{&verify.LimitError{What: "manifest", Limit: MaxManifestSize}}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, &ManifestError{fmt.Errorf("not a valid format-%d manifest: %w", FormatVersion, err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ManifestError{errors.New("data after the manifest object")}
	}
	if err := m.Validate(); err != nil {
		return nil, &ManifestError{err}
	}
	return &m, nil
}

// Marshal encodes m the way the writer stores it: indented JSON with a
// final newline. The same manifest always gives the same bytes.
func (m *Manifest) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var siteRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidSite checks a site name: 1–63 of a–z, 0–9 and '-', not starting with
// '-'. It is part of directory names on media.
func ValidSite(s string) error {
	if !siteRE.MatchString(s) {
		return fmt.Errorf("site %q: use 1 to 63 lower-case letters, digits and '-', e.g. kofu-city", s)
	}
	return nil
}

// Validate checks every rule of format v1 that does not need the files.
func (m *Manifest) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if m.Format != FormatVersion {
		add("format %d is not supported (this patchferry reads format %d); update patchferry on this side", m.Format, FormatVersion)
		return errors.Join(errs...)
	}
	if err := ValidSite(m.Site); err != nil {
		errs = append(errs, err)
	}
	if m.Sequence == 0 {
		add("sequence must be 1 or more")
	}
	if m.Base >= m.Sequence && m.Sequence > 0 {
		add("base %d must be below sequence %d", m.Base, m.Sequence)
	}
	if m.Created.IsZero() {
		add("created is missing")
	}
	if !m.Expires.IsZero() && !m.Expires.After(m.Created) {
		add("expires %s is not after created %s", m.Expires.Format(time.RFC3339), m.Created.Format(time.RFC3339))
	}
	// The list limits that ParseManifest enforces while decoding, so that
	// a manifest that validates can always be read back.
	for _, l := range []struct {
		what     string
		n, limit int
	}{
		{"artifacts", len(m.Artifacts), MaxArtifacts}, {"catalog", len(m.Catalog), MaxCatalog},
		{"retired", len(m.Retired), MaxRetired}, {"meta", len(m.Meta), MaxMeta},
	} {
		if l.n > l.limit {
			add("%s: more than the limit of %d entries", l.what, l.limit)
		}
	}
	shas := make(map[string]bool, len(m.Artifacts))
	for i := range m.Artifacts {
		a := &m.Artifacts[i]
		shas[a.SHA256] = true // also when invalid: no second error about the catalog
		if err := a.validate(); err != nil {
			add("artifacts[%d] (%q): %w", i, a.FileName, err)
		}
	}
	if len(errs) == 0 {
		arts := make([]*Artifact, len(m.Artifacts))
		for i := range m.Artifacts {
			arts[i] = &m.Artifacts[i]
		}
		if err := CheckTreePaths(arts); err != nil {
			add("artifacts: %w", err)
		}
	}
	metaNames := make(map[string]bool, len(m.Meta))
	for i, mf := range m.Meta {
		if err := mf.validate(); err != nil {
			add("meta[%d]: %w", i, err)
			continue
		}
		if metaNames[mf.Name] {
			add("meta[%d]: %q is listed twice", i, mf.Name)
		}
		metaNames[mf.Name] = true
	}
	for i := range m.Artifacts {
		for _, ev := range m.Artifacts[i].Verification.Evidence {
			if !metaNames[ev] {
				add("artifacts[%d]: evidence %q is not in meta", i, ev)
			}
		}
	}
	for i, c := range m.Catalog {
		if err := c.validate(); err != nil {
			add("catalog[%d]: %w", i, err)
			continue
		}
		if m.Base == 0 {
			for _, s := range c.Artifacts {
				if !shas[s] {
					add("catalog[%d] (%q): artifact %s is not in this full bundle", i, c.Vendor+"/"+c.Product, s)
				} else if len(m.Lists(&c, s)) == 0 {
					add("catalog[%d] (%q): artifact %s is in this full bundle only under another product", i, c.Vendor+"/"+c.Product, s)
				}
			}
		}
	}
	for i, r := range m.Retired {
		if err := verify.ParseSHA256(r.SHA256); err != nil {
			add("retired[%d]: %w", i, err)
		}
		if err := CheckSegments(required("vendor", r.Vendor), required("product", r.Product), required("version", r.Version)); err != nil {
			add("retired[%d]: %w", i, err)
		}
	}
	return errors.Join(errs...)
}

func (a *Artifact) validate() error {
	if a.Vendor == "" || a.Product == "" || a.Version == "" {
		return errors.New("vendor, product and version are required")
	}
	if err := a.ValidNames(); err != nil {
		return err
	}
	if err := textFields(a.Kind, a.BuildID, a.URL,
		a.Verification.Method, a.Verification.Signer, a.Verification.KeyID, a.Verification.Entry); err != nil {
		return err
	}
	if err := verify.ParseSHA256(a.SHA256); err != nil {
		return err
	}
	if a.Size < 0 {
		return errors.New("size is negative")
	}
	if a.Size > MaxArtifactSize {
		return fmt.Errorf("size %d: %w", a.Size, &verify.LimitError{What: "file", Limit: MaxArtifactSize})
	}
	if a.Verification.Method == "" {
		return errors.New("verification method is missing")
	}
	if len(a.Parts) == 1 {
		return errors.New("one part: a file that is not split has no parts")
	}
	if len(a.Parts) > MaxParts {
		return fmt.Errorf("parts: more than the limit of %d entries", MaxParts)
	}
	var sum int64
	for j, p := range a.Parts {
		if err := verify.ParseSHA256(p.SHA256); err != nil {
			return fmt.Errorf("part %d: %w", j+1, err)
		}
		if p.Size <= 0 || p.Size > a.Size {
			return fmt.Errorf("part %d: size %d out of range", j+1, p.Size)
		}
		if sum > a.Size-p.Size { // sum+p.Size > a.Size, without overflow
			return fmt.Errorf("parts add up to more than the file's %d bytes", a.Size)
		}
		sum += p.Size
	}
	if len(a.Parts) > 0 && sum != a.Size {
		return fmt.Errorf("parts add up to %d bytes, the file has %d", sum, a.Size)
	}
	return nil
}

// ValidNames checks every field of a that becomes a path segment with
// ValidSegment: vendor, product, version and file_name, and channel,
// platform and language when set (they are optional). The error names the
// field. Every writer and reader of a bundle runs it (Validate), and the
// fetcher before it keeps a file.
func (a *Artifact) ValidNames() error {
	return CheckSegments(required("vendor", a.Vendor), required("product", a.Product), required("version", a.Version),
		optional("channel", a.Channel), optional("platform", a.Platform),
		optional("language", a.Language), required("file_name", a.FileName))
}

// Segment is a named value that becomes a path segment: a manifest field,
// or the command-line flag it comes from.
type Segment struct {
	Name, Value string
	Optional    bool // may be empty
}

func required(name, value string) Segment { return Segment{Name: name, Value: value} }
func optional(name, value string) Segment { return Segment{Name: name, Value: value, Optional: true} }

// CheckSegments checks each segment with ValidSegment (an optional one
// only when set); the error names the segment.
func CheckSegments(segs ...Segment) error {
	for _, s := range segs {
		if s.Optional && s.Value == "" {
			continue
		}
		if err := ValidSegment(s.Value); err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	return nil
}

func (c *CatalogEntry) validate() error {
	if c.Vendor == "" || c.Product == "" || c.Version == "" {
		return errors.New("vendor, product and version are required")
	}
	if err := CheckSegments(required("vendor", c.Vendor), required("product", c.Product), required("version", c.Version),
		optional("channel", c.Channel)); err != nil {
		return err
	}
	if len(c.Artifacts) > MaxArtifacts {
		return fmt.Errorf("more than %d artifacts", MaxArtifacts)
	}
	for _, s := range c.Artifacts {
		if err := verify.ParseSHA256(s); err != nil {
			return err
		}
	}
	return nil
}

func (mf *MetaFile) validate() error {
	if err := validMetaName(mf.Name); err != nil {
		return err
	}
	if err := verify.ParseSHA256(mf.SHA256); err != nil {
		return fmt.Errorf("%s: %w", mf.Name, err)
	}
	if mf.Size <= 0 || mf.Size > MaxMetaExpanded {
		return fmt.Errorf("%s: size %d out of range", mf.Name, mf.Size)
	}
	if mf.Expanded < 0 || mf.Expanded > MaxMetaExpanded {
		return fmt.Errorf("%s: expanded size %d out of range (limit %d)", mf.Name, mf.Expanded, MaxMetaExpanded)
	}
	return nil
}

// validMetaName checks a meta name: the name itself (consumers store and
// look up meta files by it: "..", "" or "." must not pass just because
// "...xz", ".xz" or "..xz" are harmless file names) and its file name.
func validMetaName(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	return ValidName(name + ".xz")
}

// textFields checks that free-text fields are valid and short: no control
// characters that could forge lines in logs or the ledger.
func textFields(fields ...string) error {
	for _, f := range fields {
		if len(f) > maxField {
			return fmt.Errorf("field %.20q… is longer than %d bytes", f, maxField)
		}
		if strings.ContainsFunc(f, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\uFFFD' }) {
			return fmt.Errorf("field %q contains a control or invalid character", f)
		}
	}
	return nil
}

// Payloads returns the artifacts whose files a bundle stores, in the order
// in which readers take them: manifest order, one artifact per distinct
// SHA-256 (the same bytes are stored once). An import stream carries the
// payload files in exactly this order, each artifact's Files in turn.
func (m *Manifest) Payloads() []*Artifact {
	seen := make(map[string]bool, len(m.Artifacts))
	var out []*Artifact
	for i := range m.Artifacts {
		a := &m.Artifacts[i]
		if !seen[a.SHA256] {
			seen[a.SHA256] = true
			out = append(out, a)
		}
	}
	return out
}

// Files returns the files that hold an artifact on media: the whole
// payload, or its parts in order.
func (a *Artifact) Files() []FileRef {
	if len(a.Parts) == 0 {
		return []FileRef{{Path: PayloadPath(a.SHA256), Size: a.Size, SHA256: a.SHA256}}
	}
	out := make([]FileRef, len(a.Parts))
	for j, p := range a.Parts {
		out[j] = FileRef{Path: PartPath(a.SHA256, j+1), Size: p.Size, SHA256: p.SHA256}
	}
	return out
}

// Paths returns the relative path of every file the manifest lists, in a
// fixed order: the files of Payloads, then meta files.
func (m *Manifest) Paths() []FileRef {
	var out []FileRef
	for _, a := range m.Payloads() {
		out = append(out, a.Files()...)
	}
	for _, mf := range m.Meta {
		out = append(out, FileRef{Path: MetaPath(mf.Name), Size: mf.Size, SHA256: mf.SHA256})
	}
	return out
}

// FileRef is one file of a bundle with its expected size and SHA-256.
type FileRef struct {
	Path   string // relative, slash-separated
	Size   int64
	SHA256 string
}

// PayloadPath is where a whole payload lives: files/sha256/ab/<sha256>.
func PayloadPath(sha string) string { return "files/sha256/" + sha[:2] + "/" + sha }

// PartPath is where part n (1-based) of a split payload lives.
func PartPath(sha string, n int) string { return fmt.Sprintf("%s.part-%04d", PayloadPath(sha), n) }

// MetaPath is where a meta file lives: meta/<name>.xz.
func MetaPath(name string) string { return "meta/" + name + ".xz" }
