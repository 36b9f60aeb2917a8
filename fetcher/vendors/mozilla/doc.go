// Package mozilla is the Mozilla vendor: the section sources.mozilla, the
// source that fetches Firefox ESR, Firefox and Thunderbird, and Mozilla's
// part of the fake upstream.
//
//	vendor.go   Vendor (the registry entry), Config, Product, DefaultYAML
//	source.go   Source: product-details for the versions and release dates,
//	            SHA512SUMS and its signature (evidence.MozillaSums), the
//	            installers and complete MARs of the configured platforms and
//	            languages, each checked by evidence method
//	            openpgp-sha512sums and dated (also when recorded undated
//	            before)
//	details.go  ParseProductDetails, ValidVersion: Mozilla's product-details
//	            JSON (firefox_versions.json, …); ParseReleases, Releases:
//	            the release dates in firefox.json, thunderbird.json
//	fake.go     Fake: product-details (with release dates), installers,
//	            MARs, SHA512SUMS signed with a test OpenPGP key (subkey
//	            rotation), tampering
package mozilla
