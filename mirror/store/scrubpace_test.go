package store_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/mirror/store"
)

// A resumable scrub stopped half-way goes on from where it stopped, and a
// finished pass is recorded, so that the next one starts afresh.
func TestScrubResumes(t *testing.T) {
	st, contents := catalogStore(t)
	shas := []string{sha(contents[0]), sha(contents[1])}
	slices.Sort(shas) // scrub order
	sizes := map[string]int64{sha(contents[0]): int64(len(contents[0])), sha(contents[1]): int64(len(contents[1]))}
	now := func() time.Time { return scrubTime }

	ctx, cancel := context.WithCancel(t.Context())
	var read int64
	rep, err := st.ScrubWith(ctx, store.ScrubOptions{Now: now, Resume: true, Progress: func(n int64) {
		if read += n; read >= sizes[shas[0]] {
			cancel() // during the first blob
		}
	}})
	if !errors.Is(err, context.Canceled) || rep.Checked != 1 {
		t.Fatalf("stopped scrub: %+v, %v", rep, err)
	}
	state, err := st.ScrubState()
	if err != nil || state.After != shas[0] || !state.Finished.IsZero() || !state.Started.Equal(scrubTime) {
		t.Fatalf("state after a stop: %+v, %v", state, err)
	}

	later := func() time.Time { return scrubTime.Add(time.Hour) }
	rep, err = st.ScrubWith(t.Context(), store.ScrubOptions{Now: later, Resume: true})
	if err != nil || rep.Checked != 1 {
		t.Fatalf("resumed scrub: %+v, %v (want only the second blob)", rep, err)
	}
	state, err = st.ScrubState()
	if err != nil || state.After != "" || !state.Finished.Equal(later()) || !state.Started.Equal(scrubTime) {
		t.Fatalf("state after the pass: %+v, %v", state, err)
	}
	rep, err = st.ScrubWith(t.Context(), store.ScrubOptions{Now: later, Resume: true})
	if err != nil || rep.Checked != 2 {
		t.Fatalf("next pass: %+v, %v", rep, err)
	}
	if state, _ := st.ScrubState(); !state.Started.Equal(later()) {
		t.Errorf("next pass state %+v", state)
	}
}

// Rate caps the reading speed; Spread stretches a pass to about its length.
func TestScrubPaced(t *testing.T) {
	st, contents := catalogStore(t)
	total := int64(len(contents[0]) + len(contents[1]))
	for _, tc := range []struct {
		name string
		o    store.ScrubOptions
		min  time.Duration
	}{
		{"rate", store.ScrubOptions{Rate: total * 4}, 200 * time.Millisecond}, // 250 ms
		{"spread", store.ScrubOptions{Spread: 1200 * time.Millisecond}, 1000 * time.Millisecond},
		{"rate slower than spread", store.ScrubOptions{Spread: 1100 * time.Millisecond, Rate: total * 2 / 3}, 1300 * time.Millisecond}, // 1.5 s
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			rep, err := st.ScrubWith(t.Context(), tc.o)
			d := time.Since(start)
			if err != nil || rep.Checked != 2 {
				t.Fatalf("%+v, %v", rep, err)
			}
			if d < tc.min || d > tc.min+3*time.Second {
				t.Errorf("took %v, want about %v", d, tc.min)
			}
		})
	}
	// A paced scrub stops at once when its context ends.
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := st.ScrubWith(ctx, store.ScrubOptions{Rate: 1}); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("paced scrub after its context ended: %v after %v", err, time.Since(start))
	}
}

// QuarantineDamaged ignores a finding that is stale: the file read is no
// longer the blob (replaced by a good copy), or no record refers to the
// blob any more.
func TestQuarantineDamagedStale(t *testing.T) {
	st, contents := catalogStore(t)
	a, b := sha(contents[0]), sha(contents[1])
	old, err := os.Stat(st.BlobPath(a))
	if err != nil {
		t.Fatal(err)
	}
	// A good copy renamed into place, as an import restores a blob: a new
	// file at the path.
	tmp := st.BlobPath(a) + ".new"
	if err := os.WriteFile(tmp, contents[0], 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, st.BlobPath(a)); err != nil {
		t.Fatal(err)
	}
	if done, err := st.QuarantineDamaged(a, "SHA-256 mismatch", old, scrubTime); err != nil || done {
		t.Errorf("replaced file: quarantined %v, %v", done, err)
	}
	// b: the record is gone (as after gc), the file still there.
	fi, err := os.Stat(st.BlobPath(b))
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(func(tx *bolt.Tx) error {
		r, err := store.GetArtifact(tx, b)
		if err != nil {
			return err
		}
		return store.DeleteArtifact(tx, &r.Artifact)
	})
	if err != nil {
		t.Fatal(err)
	}
	if done, err := st.QuarantineDamaged(b, "SHA-256 mismatch", fi, scrubTime); err != nil || done {
		t.Errorf("forgotten blob: quarantined %v, %v", done, err)
	}
	if q := quarantined(t, st); len(q) != 0 {
		t.Errorf("quarantine records %v", q)
	}
	// The real thing: the same file, still recorded.
	fi, _ = os.Stat(st.BlobPath(a))
	if done, err := st.QuarantineDamaged(a, "SHA-256 mismatch", fi, scrubTime); err != nil || !done {
		t.Errorf("damaged blob: quarantined %v, %v", done, err)
	}
}
