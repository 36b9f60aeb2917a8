// Package storetest is test support for packages that work on a mirror
// store: a new store in a temporary directory that trusts the test
// publisher.
//
//	storetest.go  New, Trust
//	tmpfs.go      SmallDisk: a test run again on a small real disk (tmpfs)
package storetest
