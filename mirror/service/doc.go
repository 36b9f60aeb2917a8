// Package service is the one typed interface through which the mirror
// commands reach a mirror: import, status, trust, ledger, scrub and gc, as
// Service. Two implementations exist: Local, on a store this process opens
// (or `mirror serve` owns), and the admin socket's client (mirror/admin),
// which hands each operation to the running server's Local. Commands pick
// one and only render the typed results; no command opens a database
// transaction, so the inventory can move to another backend behind Local.
//
// Requests carry data, not paths the serving process must read: a trust
// change brings the key PEMs and the vendor trust file's bytes as the
// caller read them; an import is streamed from the caller's media
// (ImportRequest.Paths stays with the caller). Errors keep their classes
// across the socket: EncodeError and DecodeError (a WireError holds the
// message, the sentinel errors, and a FileError's path, a refusal's reason
// and the like), so the caller's errors.Is and errors.As answer as they
// would without a server.
//
//	service.go     Service; requests and results (JSON)
//	local.go       Local: Open, New, import (and repair), ledger (and its
//	               codes), scrub, gc, status (with the imports that started
//	               and never ended); Options.Forward: new ledger rows copied
//	               to the system log; InvalidError (a request refused as it
//	               stands: exit 2)
//	trust.go       showing and changing trust, each change a ledger row;
//	               Create (mirror init) with its first ledger row; both
//	               refuse a key that is publisher and approver at once
//	wireerror.go   WireError, EncodeError, DecodeError
//	servicetest/   the conformance suite every implementation runs
package service
