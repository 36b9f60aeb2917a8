package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Catalog is the body of GET /v1/catalog: what the mirror serves now. Its
// bytes change only when an import succeeds or gc forgets old versions. A
// terminal proves it with the publisher key(s) and approval threshold it
// trusts: Manifest, Signature and Approvals are the current bundle's, and
// Bundles names every earlier bundle whose manifest still brings a current
// artifact (served under /v1/bundles/<sequence>/). History is the mirror's
// own record (not provable from the current manifests).
type Catalog struct {
	Site      string            `json:"site"`
	Sequence  uint64            `json:"sequence"`
	StateCode string            `json:"state_code"`
	Created   time.Time         `json:"created"`
	Expires   *time.Time        `json:"expires"`
	Artifacts []CatalogArtifact `json:"artifacts"`
	Products  []Product         `json:"products"`
	History   []HistoryVersion  `json:"history"`
	Bundles   []BundleRef       `json:"bundles"`
	// Manifest is the exact bundle.json (base64 in JSON); Signature and
	// Approvals are base64 DER signatures over it, as on the media.
	Manifest  []byte     `json:"manifest"`
	Signature []byte     `json:"signature"`
	Approvals []Approval `json:"approvals"`
}

// CatalogArtifact is one current file, with its own version (a cdiff of
// daily 6 is version 2); ProductVersion is the version of the product it
// belongs to.
type CatalogArtifact struct {
	Vendor         string    `json:"vendor"`
	Product        string    `json:"product"`
	Channel        string    `json:"channel,omitempty"`
	Version        string    `json:"version"`
	ProductVersion string    `json:"product_version"`
	Platform       string    `json:"platform,omitempty"`
	Language       string    `json:"language,omitempty"`
	Kind           string    `json:"kind,omitempty"`
	BuildID        string    `json:"build_id,omitempty"`
	FileName       string    `json:"file_name"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	Released       time.Time `json:"released,omitzero"`
	Sequence       uint64    `json:"sequence"`  // the bundle whose manifest lists it
	URL            string    `json:"url"`       // /blobs/sha256/<sha256>, immutable
	FilesURL       string    `json:"files_url"` // /files/… (FilesURL)
	Method         string    `json:"verification"`
}

// Product is the current version of one vendor / product / channel (and
// platform, where the product's files differ by it), its release date and
// the SHA-256s of its files.
type Product struct {
	Vendor   string    `json:"vendor"`
	Product  string    `json:"product"`
	Channel  string    `json:"channel,omitempty"`
	Platform string    `json:"platform,omitempty"`
	Version  string    `json:"version"`
	Released time.Time `json:"released,omitzero"`
	SHA256   []string  `json:"sha256"`
}

// HistoryVersion is a version of a product the mirror has carried at some
// time: kept after gc removed its files.
type HistoryVersion struct {
	Vendor        string    `json:"vendor"`
	Product       string    `json:"product"`
	Channel       string    `json:"channel,omitempty"`
	Version       string    `json:"version"`
	Released      time.Time `json:"released,omitzero"`
	FirstSequence uint64    `json:"first_sequence"`
	Current       bool      `json:"current,omitempty"` // files on the mirror now
}

// BundleRef names a bundle whose signed manifest the mirror serves:
// /v1/bundles/<sequence>/bundle.json, bundle.json.sig and
// approvals/<name>.sig.
type BundleRef struct {
	Sequence       uint64   `json:"sequence"`
	ManifestSHA256 string   `json:"manifest_sha256"`
	Approvals      []string `json:"approvals"`
}

// Approval is one approver countersignature.
type Approval struct {
	Name      string `json:"name"`
	Signature []byte `json:"signature"`
}

// FilesURL is the /files/ URL of a tree path (vendor, product, version,
// [platform,] [language,] file name), each segment escaped.
func FilesURL(segs ...string) string {
	var b strings.Builder
	b.WriteString("/files/")
	for i, s := range segs {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// BundleURL is the URL of a file of bundle seq: "bundle.json",
// "bundle.json.sig" or "approvals/<name>.sig".
func BundleURL(seq uint64, file string) string {
	return "/v1/bundles/" + strconv.FormatUint(seq, 10) + "/" + file
}

// MaxCatalogSize bounds the bytes of a catalog a terminal reads (about
// 100,000 artifacts).
const MaxCatalogSize = 128 << 20

// DecodeCatalog reads a catalog of at most MaxCatalogSize bytes: one JSON
// object and nothing after it. Unknown fields are allowed (a newer mirror
// may add some); what the catalog claims is proven elsewhere (the publisher
// signatures it carries).
func DecodeCatalog(r io.Reader) (*Catalog, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxCatalogSize+1))
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	if len(b) > MaxCatalogSize {
		return nil, fmt.Errorf("catalog: more than the limit of %d bytes", MaxCatalogSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("catalog: data after the JSON object")
	}
	return &c, nil
}

// Encode writes c as the mirror serves it: indented JSON, final newline.
func (c *Catalog) Encode() ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
