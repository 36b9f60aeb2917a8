// Package mediatest is test support for packages that write or read
// bundles: test signing keys made once per test binary.
//
//	keys.go  Keys, TestKeys, Password
package mediatest
