// Package vendorstest is test support: every vendor's sample files, good
// and tampered, made by the vendors' fakes, for tests of the checks outside
// a fetch (media/evidence, mirror/ingest). A vendor adds its samples here
// when such tests need them.
//
//	samples.go    Samples, Get, ESRVersion
//	artifacts.go  the samples' records: CVDArtifact, CdiffArtifact, SignArtifact,
//	              ESRArtifact, ESREntry, SumsName, AscName
package vendorstest
