// Package verifytest gives tests of any package the public vendor samples
// in the repository's testdata/fixtures (ClamAV's signed test database, the
// Debian and Mozilla OpenPGP keys, Debian InRelease files, Authenticode
// roots; each folder's README says where every file comes from). Tests read
// them only through this package, never from outside the repository.
//
//	fixture.go  FixtureDir, FixturePath, Fixture
package verifytest
