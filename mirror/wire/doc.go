// Package wire holds the JSON types that the mirror serves and the agent
// reads (catalog; later check-in and report rows). Standard library only,
// so the agent can import it without pulling in the mirror.
//
//	catalog.go  Catalog, CatalogArtifact, Product, HistoryVersion, BundleRef,
//	            Approval: GET /v1/catalog; DecodeCatalog (bounded), Encode;
//	            FilesURL, BundleURL: the mirror's URLs of a file and of a
//	            bundle's signed manifest
package wire
