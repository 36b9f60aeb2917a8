// Package mirror is the LGWAN-side half of patchferry: the store (bbolt
// index + content-addressed blobs), all-or-nothing import of bundles read
// through package media, the HTTP server with native-client layouts
// (freshclam, Firefox update.xml, Defender file share), the inventory of
// terminals and the stale-patch report.
//
// It may import media, verify and mirror/wire; never fetcher or clients
// (DESIGN.md). Nothing lives here yet: it arrives with the mirror issues.
package mirror
