// Package servicetest is the conformance suite of service.Service: every
// implementation runs it — the Local on a store, and the admin socket's
// client of a running server — with real stores, real bundles and (for the
// client) a real socket.
//
//	servicetest.go  Run: one mirror taken through every operation
//	fixture.go      keys and bundles the suite imports
package servicetest
