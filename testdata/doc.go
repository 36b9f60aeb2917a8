// Package testdata holds fixtures shared by end-to-end tests across
// packages (the go tool ignores this directory when building). Fixtures of
// one package stay in that package's own testdata/. Real vendor-signed
// samples are not copied here: tests read them from ../shared/fixtures/.
package testdata
