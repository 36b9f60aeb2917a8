// Package vendors is the registry of vendors: one package each under it,
// listed once in All. A vendor's package holds its configuration type and
// default section, its source (discovery and downloads; every file goes
// through fetcher.Env.Admit and so through the vendor's evidence method in
// media/evidence) and its part of the fake upstream (vendortest.Fake).
// Commands hand the list to fetcher.LoadConfig and fetcher.EnabledSources;
// the demo and the tests make the fake upstream from it. Adding a vendor:
// its package, its evidence file in media/evidence (and its line in
// evidence.Methods), and one line in All.
//
//	vendors.go    Vendor, All, Fetcher
//	clamav/       ClamAV signature databases (.cvd, cdiffs, .sign)
//	mozilla/      Firefox ESR, Firefox, Thunderbird (SHA512SUMS + OpenPGP)
//	vendorstest/  test support: the vendors' sample files, good and bad
package vendors
