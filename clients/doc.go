// Package clients is the terminal side of patchferry: the agent that
// inventories installed software, checks in with the mirror, and downloads,
// verifies (publisher-signed manifest, SHA-256) and installs updates.
//
// It may import media, verify and mirror/wire only (DESIGN.md). Nothing lives
// here yet: it arrives with the agent issue.
package clients
