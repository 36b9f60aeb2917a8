package verify

import (
	"errors"
	"fmt"
	"time"
)

// ErrExpired is wrapped when a bundle is used after its expiry time.
var ErrExpired = errors.New("bundle has expired")

// ErrNotYetValid is wrapped when a bundle claims to be created in the future.
var ErrNotYetValid = errors.New("bundle is dated in the future")

// ClockSkew is how far in the future a creation time may lie before it is
// refused: the clocks of the two networks are set by hand.
const ClockSkew = 24 * time.Hour

// CheckValidity judges created and expires against now. A zero expires
// means "does not expire".
func CheckValidity(created, expires, now time.Time) error {
	if !expires.IsZero() && !now.Before(expires) {
		return fmt.Errorf("%w: it expired at %s, it is now %s", ErrExpired,
			expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if created.After(now.Add(ClockSkew)) {
		return fmt.Errorf("%w: created %s, it is now %s; check this computer's clock",
			ErrNotYetValid, created.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}
