// Package testdata holds fixtures shared by tests across packages (the go
// tool ignores this directory when building). Fixtures of one package stay
// in that package's own testdata/.
//
//	fixtures/   public vendor samples, each folder with a README giving
//	            every file's origin: clamav/ (ClamAV's Talos-signed test
//	            database), openpgp/ (Debian archive keys and InRelease files,
//	            Mozilla's release key), authenticode-roots/. Tests read them
//	            through package verify/verifytest, never from outside the
//	            repository.
package testdata
