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

// ValidityError is a bundle used outside its validity period: after it
// expired (Expired) or created too far in the future. It wraps ErrExpired
// or ErrNotYetValid.
type ValidityError struct {
	Expired          bool
	Created, Expires time.Time
	Now              time.Time
}

func (e *ValidityError) Error() string {
	if e.Expired {
		return fmt.Sprintf("%v: it expired at %s, it is now %s", ErrExpired,
			e.Expires.UTC().Format(time.RFC3339), e.Now.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("%v: created %s, it is now %s; check this computer's clock",
		ErrNotYetValid, e.Created.UTC().Format(time.RFC3339), e.Now.UTC().Format(time.RFC3339))
}

// Unwrap makes errors.Is(err, ErrExpired) or errors.Is(err, ErrNotYetValid) true.
func (e *ValidityError) Unwrap() error {
	if e.Expired {
		return ErrExpired
	}
	return ErrNotYetValid
}

// CheckValidity judges created and expires against now. A zero expires
// means "does not expire". The error is a *ValidityError.
func CheckValidity(created, expires, now time.Time) error {
	if !expires.IsZero() && !now.Before(expires) {
		return &ValidityError{Expired: true, Created: created, Expires: expires, Now: now}
	}
	if created.After(now.Add(ClockSkew)) {
		return &ValidityError{Created: created, Expires: expires, Now: now}
	}
	return nil
}
