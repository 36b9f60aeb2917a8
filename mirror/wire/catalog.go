package wire

import "time"

// Catalog is the body of GET /v1/catalog: what the mirror serves now. Its
// bytes change only when an import succeeds; it carries the publisher-signed
// manifest so a terminal can verify it with the publisher key it trusts.
type Catalog struct {
	Site      string            `json:"site"`
	Sequence  uint64            `json:"sequence"`
	StateCode string            `json:"state_code"`
	Created   time.Time         `json:"created"`
	Expires   *time.Time        `json:"expires"`
	Artifacts []CatalogArtifact `json:"artifacts"`
	// Manifest is the exact bundle.json (base64 in JSON); Signature and
	// Approvals are base64 DER signatures over it, as on the media.
	Manifest  []byte     `json:"manifest"`
	Signature []byte     `json:"signature"`
	Approvals []Approval `json:"approvals"`
}

// CatalogArtifact is one current file.
type CatalogArtifact struct {
	Vendor   string    `json:"vendor"`
	Product  string    `json:"product"`
	Channel  string    `json:"channel,omitempty"`
	Version  string    `json:"version"`
	Platform string    `json:"platform,omitempty"`
	Language string    `json:"language,omitempty"`
	Kind     string    `json:"kind,omitempty"`
	FileName string    `json:"file_name"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	Released time.Time `json:"released,omitzero"`
	URL      string    `json:"url"`       // /blobs/sha256/<sha256>, immutable
	FilesURL string    `json:"files_url"` // /files/<vendor>/<product>/<version>/<file name>
	Method   string    `json:"verification"`
}

// Approval is one approver countersignature.
type Approval struct {
	Name      string `json:"name"`
	Signature []byte `json:"signature"`
}
