// Package sources holds one file per vendor source behind a small interface.
//
//	mozilla_details.go  ParseProductDetails, ValidMozillaVersion: Mozilla's
//	                    product-details JSON (firefox_versions.json, …)
package sources
