// Package mediatest is test support for packages that write or read
// bundles: test signing keys made once per test binary, deterministic
// payload bytes, and bundles written from bytes. Package media's own
// (internal) tests cannot import it — it imports media — and keep their
// small twins of these helpers.
//
//	keys.go    Keys, TestKeys, Password
//	random.go  RandomBytes, SHA256
//	write.go   File, Contents, Write, Created
package mediatest
