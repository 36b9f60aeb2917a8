// Package fetcher is the internet-side half of patchferry: vendor sources
// (one file per vendor: ClamAV, Mozilla, Windows, Defender, Chrome, Edge,
// Adobe), the download engine (resume, parallel, conditional GET, retry), the
// content-addressed cache and fetch state, and export of full and delta
// bundles through package media.
//
// It may import media and verify; never mirror or clients (DESIGN.md).
// Nothing lives here yet: it arrives with the fetcher issues.
package fetcher
