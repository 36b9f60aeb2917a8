// Package clamav is the ClamAV vendor: the section sources.clamav, the
// source that fetches ClamAV's signature databases as a private mirror
// does, and ClamAV's part of the fake upstream.
//
//	vendor.go  Vendor (the registry entry), Config, DefaultYAML
//	source.go  Source: versions from the DNS TXT record (or the .cvd
//	           headers over HTTP), then <db>.cvd, the cdiff chain and the
//	           .sign files (also ones published after their file), each
//	           checked by evidence methods clamav-cvd, clamav-cdiff,
//	           clamav-sign; release dates: a CVD's and a cdiff's build
//	           time (header, new .info header in the script), a .sign's
//	           file's; filled in for records of older runs
//	fake.go    Fake: databases, cdiffs and .sign files signed with test keys
//	           exactly as ClamAV signs, the DNS TXT records, tampering
package clamav
