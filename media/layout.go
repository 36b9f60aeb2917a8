package media

import (
	"fmt"
	"regexp"
	"strconv"
)

// Fixed names inside a bundle directory.
const (
	ManifestName  = "bundle.json"
	SignatureName = "bundle.json.sig"
	ApprovalsDir  = "approvals"
	ReadmeName    = "README.txt"
	VolumeName    = "volume.json"
	maxReadme     = 1 << 20
)

// DirName identifies a bundle directory on media:
// patchferry-<site>-<seq> or patchferry-<site>-<seq>-volNNofMM.
type DirName struct {
	Site     string
	Sequence uint64
	Volume   int // 0 for a single-directory bundle
	Volumes  int
}

var dirRE = regexp.MustCompile(`^patchferry-([a-z0-9][a-z0-9-]{0,62})-([0-9]{1,19})(?:-vol([0-9]{2,4})of([0-9]{2,4}))?$`)

// ParseDirName parses a bundle directory name. ok is false for any other name.
func ParseDirName(name string) (d DirName, ok bool) {
	m := dirRE.FindStringSubmatch(name)
	if m == nil {
		return d, false
	}
	seq, err := strconv.ParseUint(m[2], 10, 64)
	if err != nil || seq == 0 {
		return d, false
	}
	d = DirName{Site: m[1], Sequence: seq}
	if m[3] != "" {
		v, _ := strconv.Atoi(m[3])
		n, _ := strconv.Atoi(m[4])
		if len(m[3]) != len(m[4]) || v < 1 || n < 2 || v > n || n > MaxVolumes {
			return d, false
		}
		d.Volume, d.Volumes = v, n
	}
	if d.String() != name {
		// Only the one spelling the writer uses: no leading zeros, volume
		// numbers two digits wide (four above 99 volumes).
		return DirName{}, false
	}
	return d, true
}

// Bundle returns the name without the volume suffix.
func (d DirName) Bundle() string { return fmt.Sprintf("patchferry-%s-%d", d.Site, d.Sequence) }

// String returns the directory name.
func (d DirName) String() string {
	if d.Volumes == 0 {
		return d.Bundle()
	}
	w := 2
	if d.Volumes > 99 {
		w = 4
	}
	return fmt.Sprintf("%s-vol%0*dof%0*d", d.Bundle(), w, d.Volume, w, d.Volumes)
}
