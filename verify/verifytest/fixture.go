package verifytest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// FixtureDir is the repository's folder of public vendor samples:
// <repository>/testdata/fixtures. It is found from this file's own place in
// the source tree, so a test reads it from any package, in any clone.
func FixtureDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("verifytest: cannot locate the source tree")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "fixtures")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("verifytest: fixtures: %v", err)
	}
	return dir
}

// FixturePath is the path of a fixture, rel being slash-separated under
// testdata/fixtures (e.g. "clamav/test-6.cvd"). The file must exist.
func FixturePath(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(FixtureDir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("verifytest: fixture %s: %v", rel, err)
	}
	return p
}

// Fixture returns the content of a fixture (see FixturePath).
func Fixture(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(FixturePath(t, rel))
	if err != nil {
		t.Fatalf("verifytest: fixture %s: %v", rel, err)
	}
	return b
}
