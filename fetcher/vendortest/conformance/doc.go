// Package conformance is the suite every vendor runs (Run), and the fetch
// rig it and the vendors' own tests use: a fetcher set up from a
// configuration file against the fake upstream, with a real cache and fetch
// state. The mirror side is handed in (Mirror), since the fetcher may not
// import the mirror.
//
//	suite.go  Run, Vendor, Mirror: fetch (every file dated), refetch with
//	          zero payload bytes, release dates filled in for records
//	          without them, each tamper refused by the fetcher and by the
//	          mirror, the vendor's anchors useless under another vendor's
//	          name
//	rig.go    Rig, NewRig, Fetch, Report, WantOK, SyncBuffer
package conformance
