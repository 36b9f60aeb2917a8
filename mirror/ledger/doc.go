// Package ledger is the import ledger (媒体持込台帳): one row for every
// import attempt, successful or not, and for every trust change. Rows are
// hash-chained — each holds the SHA-256 of the previous row — so Verify
// detects an edited, inserted or removed row. CSV writes the rows for Excel
// (UTF-8 with BOM, one header row).
//
//	ledger.go  Row, Append, All, Verify
//	csv.go     WriteCSV (Japanese or English header)
package ledger
