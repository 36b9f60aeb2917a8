package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/patchferry/patchferry/mirror/ledger"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &app{
		stdin:          os.Stdin,
		stdout:         os.Stdout,
		stderr:         os.Stderr,
		getenv:         os.Getenv,
		now:            time.Now,
		stdinTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		stderrTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		readPassword:   func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) },
		systemLang:     systemLanguage,
		systemLog:      ledger.SystemLog{},
	}, os.Args[1:])
	stop()
	os.Exit(code)
}
