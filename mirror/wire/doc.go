// Package wire holds the JSON types that the mirror serves and the agent
// reads (catalog; later check-in and report rows). Standard library only,
// so the agent can import it without pulling in the mirror.
//
//	catalog.go  Catalog, CatalogArtifact, Approval: GET /v1/catalog
package wire
