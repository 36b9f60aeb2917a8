package store_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/store"
)

// catalogStore makes a store whose current catalog is one product with two
// artifacts, both stored and recorded. It returns their contents.
func catalogStore(t *testing.T) (*store.Store, [][]byte) {
	t.Helper()
	st := newStore(t)
	contents := [][]byte{mediatest.RandomBytes(10, 5000), mediatest.RandomBytes(11, 70_000)}
	entry := media.CatalogEntry{Vendor: "mozilla", Product: "firefox", Version: "145.0"}
	for i, c := range contents {
		if _, err := st.PutBlob(t.Context(), sha(c), int64(len(c)), bytes.NewReader(c), nil); err != nil {
			t.Fatal(err)
		}
		entry.Artifacts = append(entry.Artifacts, sha(c))
		err := st.Update(func(tx *bolt.Tx) error {
			return store.PutArtifact(tx, &store.ArtifactRecord{
				Artifact: media.Artifact{Vendor: "mozilla", Product: "firefox", Version: "145.0",
					FileName: []string{"a.exe", "b.msi"}[i], Size: int64(len(c)), SHA256: sha(c),
					Verification: media.Verification{Method: evidence.MethodManual}},
				FirstSequence: 1,
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err := st.Update(func(tx *bolt.Tx) error {
		return store.PutState(tx, &store.State{Site: "city", Sequence: 1, Catalog: media.Catalog{entry}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, contents
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, st *store.Store, contents [][]byte)
		want   []string // each problem must contain one of these, in order
	}{
		{name: "consistent", damage: func(*testing.T, *store.Store, [][]byte) {}},
		{
			name: "blob damaged",
			damage: func(t *testing.T, st *store.Store, c [][]byte) {
				p := st.BlobPath(sha(c[1]))
				bad := bytes.Clone(c[1])
				bad[1234] ^= 0x80
				os.Chmod(p, 0o644)
				if err := os.WriteFile(p, bad, 0o444); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"blob " + "%1" + ": SHA-256 is"},
		},
		{
			name: "blob truncated",
			damage: func(t *testing.T, st *store.Store, c [][]byte) {
				if err := os.Truncate(st.BlobPath(sha(c[0])), 10); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"blob " + "%0" + ": 10 bytes, expected 5000"},
		},
		{
			name: "blob missing",
			damage: func(t *testing.T, st *store.Store, c [][]byte) {
				if err := os.Remove(st.BlobPath(sha(c[0]))); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"blob " + "%0" + ": open"},
		},
		{
			name: "catalog names an artifact without a record",
			damage: func(t *testing.T, st *store.Store, c [][]byte) {
				err := st.Update(func(tx *bolt.Tx) error {
					s, err := store.GetState(tx)
					if err != nil {
						return err
					}
					s.Catalog[0].Artifacts = append(s.Catalog[0].Artifacts, strings.Repeat("ab", 32))
					return store.PutState(tx, s)
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"catalog mozilla/firefox 145.0: artifact " + strings.Repeat("ab", 32) + " has no record"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, contents := catalogStore(t)
			tc.damage(t, st, contents)
			problems, err := st.Check(t.Context())
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if len(problems) != len(tc.want) {
				t.Fatalf("Check found %q, want %d problem(s)", problems, len(tc.want))
			}
			for i, w := range tc.want {
				w = strings.ReplaceAll(w, "%0", sha(contents[0]))
				w = strings.ReplaceAll(w, "%1", sha(contents[1]))
				if !strings.Contains(problems[i], w) {
					t.Errorf("problem %q does not contain %q", problems[i], w)
				}
			}
		})
	}
}

func TestCheckEmptyStore(t *testing.T) {
	st := newStore(t)
	problems, err := st.Check(t.Context())
	if err != nil || len(problems) != 0 {
		t.Fatalf("Check of a new store = %q, %v", problems, err)
	}
	// An orphan blob (a write that no import committed) is not a problem.
	c := mediatest.RandomBytes(12, 100)
	if _, err := st.PutBlob(t.Context(), sha(c), 100, bytes.NewReader(c), nil); err != nil {
		t.Fatal(err)
	}
	if problems, err := st.Check(t.Context()); err != nil || len(problems) != 0 {
		t.Fatalf("Check with an orphan blob = %q, %v", problems, err)
	}
}

func TestStateRecords(t *testing.T) {
	st := newStore(t)
	a := media.Artifact{Vendor: "v", Product: "p", Version: "1", FileName: "f", SHA256: strings.Repeat("0", 64)}
	err := st.Update(func(tx *bolt.Tx) error {
		if s, err := store.GetState(tx); err != nil || s != nil {
			t.Errorf("GetState of a new store = %v, %v; want nil, nil", s, err)
		}
		if r, err := store.GetSequence(tx, 7); err != nil || r != nil {
			t.Errorf("GetSequence(7) of a new store = %v, %v", r, err)
		}
		if err := store.PutSequence(tx, 7, &store.SequenceRecord{ManifestSHA256: "m7"}); err != nil {
			return err
		}
		if err := store.PutArtifact(tx, &store.ArtifactRecord{Artifact: a, FirstSequence: 3}); err != nil {
			return err
		}
		// A later import of the same artifact keeps the first sequence.
		return store.PutArtifact(tx, &store.ArtifactRecord{Artifact: a, FirstSequence: 9})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(func(tx *bolt.Tx) error {
		if r, err := store.GetSequence(tx, 7); err != nil || r == nil || r.ManifestSHA256 != "m7" {
			t.Errorf("GetSequence(7) = %+v, %v", r, err)
		}
		r, err := store.GetArtifact(tx, a.SHA256)
		if err != nil || r == nil || r.FirstSequence != 3 {
			t.Errorf("GetArtifact = %+v, %v; want first sequence 3", r, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The same bytes under several identities: a record each, one blob.
func TestArtifactRecordsPerIdentity(t *testing.T) {
	st := newStore(t)
	data := mediatest.RandomBytes(5, 100)
	if _, err := st.PutBlob(t.Context(), sha(data), int64(len(data)), bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	base := media.Artifact{Vendor: "justsystems", Product: "ichitaro", Version: "2026.1", FileName: "readme.pdf", SHA256: sha(data), Size: 100}
	other := base
	other.Version = "2026.2"
	renamed := other
	renamed.FileName = "readme-copy.pdf"
	unrelated := media.Artifact{Vendor: "a", Product: "b", Version: "1", FileName: "c", SHA256: strings.Repeat("f", 64), Size: 1}
	err := st.Update(func(tx *bolt.Tx) error {
		for i, a := range []media.Artifact{base, other, renamed, other, unrelated} {
			if err := store.PutArtifact(tx, &store.ArtifactRecord{Artifact: a, FirstSequence: uint64(i + 1)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(func(tx *bolt.Tx) error {
		recs, err := store.ArtifactsOf(tx, sha(data))
		if err != nil || len(recs) != 3 {
			t.Fatalf("ArtifactsOf = %d records, %v; want 3", len(recs), err)
		}
		for _, r := range recs {
			if r.Version == "2026.2" && r.FileName == "readme.pdf" && r.FirstSequence != 2 {
				t.Errorf("the second put of an identity replaced the first: %+v", r)
			}
		}
		if r, err := store.GetArtifact(tx, sha(data)); err != nil || r == nil || r.SHA256 != sha(data) {
			t.Errorf("GetArtifact = %+v, %v", r, err)
		}
		if r, err := store.GetArtifact(tx, strings.Repeat("e", 64)); err != nil || r != nil {
			t.Errorf("GetArtifact of unknown bytes = %+v, %v", r, err)
		}
		var blobs []string
		if err := store.ForEachBlob(tx, func(s string, size int64) error { blobs = append(blobs, s); return nil }); err != nil {
			return err
		}
		if len(blobs) != 2 {
			t.Errorf("ForEachBlob visited %v, want each of the 2 blobs once", blobs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
