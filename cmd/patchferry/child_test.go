package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// cliChild, when set to a JSON array of arguments, makes the test binary
// run that command line in a process of its own and exit with its code:
// a real `patchferry` process that a test can kill.
const cliChild = "PATCHFERRY_TEST_CLI_CHILD"

func runChild(argsJSON string) int {
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	a, stdout, stderr := newTestApp(pwEnv)
	code := run(context.Background(), a, args)
	os.Stdout.Write(stdout.Bytes())
	os.Stderr.Write(stderr.Bytes())
	return code
}
