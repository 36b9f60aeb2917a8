package server

import (
	"context"
	"time"

	"github.com/patchferry/patchferry/mirror/store"
)

// scrubRetry is how long the background scrub waits after a failed pass.
const scrubRetry = time.Minute

// Scrub re-hashes every blob of the store in the background until ctx
// ends: one pass every `every`, its reading spread so that it takes about
// `every`, and never faster than rate bytes a second (0: no cap). Where a
// pass stands is kept in the store, so a restart resumes it. Damaged blobs
// are quarantined (store.Store.ScrubWith) and the snapshot is reloaded at
// once; what each pass found is logged. It returns when ctx ends.
func (s *Server) Scrub(ctx context.Context, every time.Duration, rate int64) {
	for {
		state, err := s.st.ScrubState()
		if err == nil && !state.Finished.IsZero() && !sleep(ctx, time.Until(state.Started.Add(every))) {
			return
		}
		if ctx.Err() != nil {
			return
		}
		resumed := err == nil && !state.Started.IsZero() && state.Finished.IsZero()
		var rep *store.ScrubReport
		if err == nil {
			rep, err = s.st.ScrubWith(ctx, store.ScrubOptions{Now: s.opts.Now, Rate: rate, Spread: every, Resume: true,
				Quarantined: func(sha, reason string) {
					s.log.Error("background scrub: blob damaged, quarantined; restore it with `patchferry mirror import --repair`",
						"sha256", sha, "reason", reason)
					s.refresh()
				}})
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Error("background scrub failed; retrying", "err", err, "retry_in", scrubRetry)
			if !sleep(ctx, scrubRetry) {
				return
			}
			continue
		}
		state, _ = s.st.ScrubState()
		took := state.Finished.Sub(state.Started)
		s.log.Info("background scrub pass finished", "checked", rep.Checked, "bytes", rep.Bytes,
			"quarantined", len(rep.Quarantined), "pass_started", state.Started, "took", took.Round(time.Second))
		if !resumed && took > every+every/10 {
			s.log.Warn("background scrub pass took longer than its interval; raise the rate cap (--scrub-rate)",
				"took", took.Round(time.Second), "every", every)
		}
	}
}

// sleep waits d; it reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
