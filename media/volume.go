package media

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/patchferry/patchferry/verify"
)

// MaxVolumes is the largest number of volumes one bundle may span.
const MaxVolumes = 9999

// maxVolumeIndex bounds volume.json.
const maxVolumeIndex = MaxManifestSize

// VolumeIndex is volume.json: which files of the bundle this volume holds.
// It is not signed; it only says where to look. Every file it names is
// still checked against the signed manifest, and ManifestSHA256 ties the
// volume to its bundle so volumes of two bundles cannot be mixed.
type VolumeIndex struct {
	Format         int      `json:"format"`
	Volume         int      `json:"volume"`
	Volumes        int      `json:"volumes"`
	ManifestSHA256 string   `json:"manifest_sha256"`
	Files          []string `json:"files"`
}

// ParseVolumeIndex reads and checks volume.json.
func ParseVolumeIndex(b []byte) (*VolumeIndex, error) {
	if len(b) > maxVolumeIndex {
		return nil, &verify.LimitError{What: VolumeName, Limit: maxVolumeIndex}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var v VolumeIndex
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", VolumeName, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: data after the object", VolumeName)
	}
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", VolumeName, err)
	}
	return &v, nil
}

// Validate checks the index on its own.
func (v *VolumeIndex) Validate() error {
	if v.Format != FormatVersion {
		return fmt.Errorf("format %d is not supported", v.Format)
	}
	if v.Volumes < 2 || v.Volumes > MaxVolumes || v.Volume < 1 || v.Volume > v.Volumes {
		return fmt.Errorf("volume %d of %d is out of range", v.Volume, v.Volumes)
	}
	if err := verify.ParseSHA256(v.ManifestSHA256); err != nil {
		return fmt.Errorf("manifest_sha256: %w", err)
	}
	if len(v.Files) > MaxArtifacts*2 {
		return errors.New("too many files")
	}
	seen := make(map[string]bool, len(v.Files))
	for _, f := range v.Files {
		if err := ValidPath(f); err != nil {
			return err
		}
		if seen[f] {
			return fmt.Errorf("%q is listed twice", f)
		}
		seen[f] = true
	}
	return nil
}

// Marshal encodes the index as the writer stores it.
func (v *VolumeIndex) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
