package storetest

import (
	"path/filepath"
	"testing"

	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/mirror/store"
)

// New creates a mirror store with trust in a temporary directory, closed
// when the test ends.
func New(t testing.TB, trust store.Trust) *store.Store {
	t.Helper()
	st, err := store.Create(filepath.Join(t.TempDir(), "mirror"), trust)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Trust trusts the test publisher of mediatest, and no approvers.
func Trust(t testing.TB) store.Trust {
	return store.Trust{Publishers: []string{string(mediatest.TestKeys(t).Publisher.Public().PEM())}}
}
