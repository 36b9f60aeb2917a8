package mediatest

import (
	"errors"
	"sync"
	"testing"

	"github.com/patchferry/patchferry/verify"
)

// Keys are test signing keys: a publisher, another publisher nobody
// trusts, and two approvers.
type Keys struct {
	Publisher, Other, Approver1, Approver2 *verify.PrivateKey
}

// Password is the password of every test key file this package writes.
const Password = "test-password"

var keys = sync.OnceValues(func() (*Keys, error) {
	out := make([]*verify.PrivateKey, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range out { // scrypt: about 0.4 s of CPU each, side by side
		wg.Go(func() {
			privPEM, _, err := verify.GenerateKeyPair([]byte(Password))
			if err == nil {
				out[i], err = verify.ParsePrivateKey(privPEM, []byte(Password))
			}
			errs[i] = err
		})
	}
	wg.Wait()
	return &Keys{Publisher: out[0], Other: out[1], Approver1: out[2], Approver2: out[3]}, errors.Join(errs...)
})

// TestKeys returns the test keys, made once per test binary (scrypt makes
// each key cost about 0.4 s of CPU).
func TestKeys(t testing.TB) *Keys {
	t.Helper()
	k, err := keys()
	if err != nil {
		t.Fatalf("mediatest: make test keys: %v", err)
	}
	return k
}
