package media

import (
	"strings"
	"testing"
	"time"
)

// README.txt shows times in the zone it is given, with the zone's name, in
// both languages; without a zone, UTC. The same manifest and zone give the
// same text.
func TestReadmeZone(t *testing.T) {
	t.Parallel()
	m := &Manifest{Site: "city", Sequence: 7, Base: 6,
		Created: time.Date(2026, 12, 2, 10, 30, 45, 0, time.UTC), Expires: time.Date(2027, 1, 1, 10, 30, 0, 0, time.UTC)}
	d := DirName{Site: "city", Sequence: 7}
	jst := time.FixedZone("JST", 9*60*60)
	for _, tc := range []struct {
		zone    *time.Location
		created string
		expires string
	}{
		{nil, "2026-12-02 10:30 UTC", "2027-01-01 10:30 UTC"},
		{time.UTC, "2026-12-02 10:30 UTC", "2027-01-01 10:30 UTC"},
		{jst, "2026-12-02 19:30 JST", "2027-01-01 19:30 JST"},
		{time.FixedZone("", -3*60*60), "2026-12-02 07:30 -0300", "2027-01-01 07:30 -0300"},
	} {
		r := Readme(m, d, tc.zone)
		for _, want := range []string{"作成:     " + tc.created, "有効期限: " + tc.expires, "Created:  " + tc.created, "Expires:  " + tc.expires} {
			if !strings.Contains(r, want+"\n") {
				t.Errorf("zone %v: README.txt lacks %q:\n%s", tc.zone, want, r)
			}
		}
		if again := Readme(m, d, tc.zone); again != r {
			t.Errorf("zone %v: two READMEs of one manifest differ", tc.zone)
		}
	}
	if r := Readme(&Manifest{Site: "city", Sequence: 1, Created: m.Created}, DirName{Site: "city", Sequence: 1}, jst); !strings.Contains(r, "有効期限: なし") || !strings.Contains(r, "Expires:  never") {
		t.Errorf("README.txt of a bundle that never expires:\n%s", r)
	}
}
