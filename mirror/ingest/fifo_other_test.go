//go:build !unix

package ingest_test

import "errors"

func mkfifo(string) error { return errors.ErrUnsupported }
