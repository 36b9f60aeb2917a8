package media

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/patchferry/patchferry/verify"
)

// A validly signed manifest claiming a size beyond MaxArtifactSize (up to
// 2^63−1, where sums overflowed and the reader said "0 bytes, expected
// 9223372036854775807") is refused when it is read, naming the file and
// the limit, before any payload is read; parts that add up past the file's
// size are refused without overflow.
func TestRefuseHugeSizes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(a *Artifact)
		want   []string
		limit  bool
	}{
		{"2^63-1", func(a *Artifact) { a.Size = math.MaxInt64 }, []string{"9223372036854775807", "1099511627776"}, true},
		{"limit+1", func(a *Artifact) { a.Size = MaxArtifactSize + 1 }, []string{"1099511627777"}, true},
		{"parts overflowing int64", func(a *Artifact) {
			a.Size = MaxArtifactSize
			a.Parts = Parts{{Size: MaxArtifactSize, SHA256: a.SHA256}, {Size: MaxArtifactSize, SHA256: a.SHA256}}
		}, []string{"parts add up to more than"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, _ := smallBundle(t)
			var name string
			resignManifest(t, dir, func(m *Manifest) {
				tc.mutate(&m.Artifacts[0])
				name = m.Artifacts[0].FileName
			})
			_, err := Open(dir)
			mustFail(t, err, nil, ManifestName, fmt.Sprintf("artifacts[0] (%q)", name))
			for _, w := range tc.want {
				mustFail(t, err, nil, w)
			}
			var le *verify.LimitError
			if tc.limit && (!errors.As(err, &le) || le.Limit != MaxArtifactSize) {
				t.Errorf("error %v: want a *verify.LimitError of MaxArtifactSize", err)
			}
		})
	}
}

// Exactly MaxArtifactSize is still a valid size.
func TestMaxArtifactSizeAllowed(t *testing.T) {
	a := Artifact{Vendor: "v", Product: "p", Version: "1", FileName: "f", Size: MaxArtifactSize,
		SHA256: verify.SHA256Hex(nil), Verification: Verification{Method: MethodManual}}
	if err := a.validate(); err != nil {
		t.Fatalf("a file of exactly MaxArtifactSize: %v", err)
	}
}
