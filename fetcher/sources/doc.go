// Package sources holds one file per vendor source behind fetcher.Source:
// adding a vendor is one file.
//
//	sources.go          Enabled (the sources a configuration turns on),
//	                    keepPrevious (a refused new version keeps the old one)
//	clamav.go           ClamAV: DNS TXT or .cvd header discovery, .cvd, cdiff
//	                    chain, .sign files
//	mozilla.go          Firefox ESR, Firefox, Thunderbird: product-details,
//	                    SHA512SUMS(.asc), installers and complete MARs
//	mozilla_details.go  ParseProductDetails, ValidMozillaVersion: Mozilla's
//	                    product-details JSON (firefox_versions.json, …)
package sources
