// Package clients is the terminal side of patchferry: the agent that
// inventories installed software, checks in with the mirror, and downloads,
// verifies (publisher-signed manifest, SHA-256) and installs updates.
//
// It may import media, verify and mirror/wire only (DESIGN.md). So far:
//
//	catalog/  read the mirror's catalog and prove it with the terminal's
//	          trust (publisher keys, approvers, threshold)
//
// The agent itself arrives with the check-in issue.
package clients
