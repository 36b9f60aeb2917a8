package ingest_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/store"
)

// The test binary doubles as an import process for the SIGKILL tests: with
// childStore set it imports childMedia into that store and exits.
const (
	childStore = "PATCHFERRY_TEST_IMPORT_CHILD" // data dir
	childMedia = "PATCHFERRY_TEST_IMPORT_MEDIA" // bundle dir
	childScan  = "PATCHFERRY_TEST_IMPORT_SCAN"  // --scan-command, may be empty
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childStore); dir != "" {
		os.Exit(importChild(dir, os.Getenv(childMedia), os.Getenv(childScan)))
	}
	os.Exit(m.Run())
}

// importChild imports like `patchferry mirror import` would, printing
// "total N" and then "read N" (bytes read so far) as it goes, so that the
// parent can kill it at a chosen point.
func importChild(dir, bundle, scan string) int {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer st.Close()
	var read int64
	o := ingest.Options{
		Operator: "child", Label: "USB-KILL", Now: func() time.Time { return now },
		Total:    func(n int64) { fmt.Printf("total %d\n", n) },
		Progress: func(n int64) { read += n; fmt.Printf("read %d\n", read) },
	}
	if scan != "" {
		argv, err := ingest.ParseScanCommand(scan)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		o.Scanner = &ingest.Scanner{Argv: argv}
	}
	res, err := ingest.Import(context.Background(), st, []string{bundle}, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("done %s\n", res.Status)
	return 0
}
