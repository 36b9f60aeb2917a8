package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media/escape"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/mirror/store"
)

// Exit codes, the same for every command.
const (
	exitOK      = 0
	exitFailed  = 1 // refused or failed
	exitUsage   = 2 // usage or configuration error
	appName     = "patchferry"
	envLang     = "PATCHFERRY_LANG"
	envPassword = "PATCHFERRY_KEY_PASSWORD"
)

// app is everything a command touches outside its arguments, so tests run
// commands in-process with their own streams, environment and clock.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer // escaped by run: see escapeStreams
	barOut         io.Writer // the raw stderr, for progress bars
	getenv         func(string) string
	now            func() time.Time
	stdinTerminal  bool
	stderrTerminal bool
	readPassword   func() ([]byte, error)
	systemLang     func(getenv func(string) string) string
	// systemLog receives a copy of every new ledger row (main: the OS
	// log; nil: none, as in tests).
	systemLog ledger.Sink

	// set from global flags
	lang     string
	jsonOut  bool
	langFlag string
	syslog   bool // mirror --syslog
}

// usageError marks a usage or configuration error (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitError ends a command with an exit code after its output has been
// printed (a scrub that found damage, a fetch with failed sources).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// isUsage reports whether err is a usage or configuration error: the
// command's own checks, cobra's, a request the mirror service refused as
// it stands, or a data directory that holds no mirror.
func isUsage(err error) bool {
	var ue *usageError
	var ie *service.InvalidError
	return errors.As(err, &ue) || errors.As(err, &ie) || errors.Is(err, store.ErrNoStore) || isCobraUsage(err)
}

func newRootCommand(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           appName,
		Short:         a.msg(helpShortRoot),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return a.resolveLang()
		},
	}
	root.PersistentFlags().StringVar(&a.langFlag, "lang", "", a.msg(helpFlagLang))
	root.PersistentFlags().BoolVar(&a.jsonOut, "json", false, a.msg(helpFlagJSON))
	root.SetFlagErrorFunc(a.flagError)
	root.AddCommand(newKeysCommand(a), newBundleCommand(a), newMirrorCommand(a), newFetchCommand(a), newConfigCommand(a), newExportCommand(a), newAddCommand(a), newRunCommand(a), newDemoCommand(a))
	return root
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, a *app, args []string) int {
	defer a.escapeStreams()()
	a.preResolveLang(args) // the help texts are made with the commands
	root := newRootCommand(a)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	a.localizeHelp(root)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	err = cobraError(cmd, err)
	var fe *exitError
	if errors.As(err, &fe) {
		return fe.code // the command printed what happened
	}
	code := exitFailed
	if isUsage(err) {
		code = exitUsage
	}
	a.reportError(err, code)
	return code
}

// escapeStreams makes stdout and stderr escape what reaches them (see
// media/escape): whatever a command prints — a name from a manifest, a
// vendor's version string, an error quoting either — no control character
// reaches the operator's terminal, a log or a script raw. Progress bars,
// which draw with CR and terminal codes, get the raw stderr. It returns the
// function that flushes the streams at the end of the command.
func (a *app) escapeStreams() (flush func()) {
	if a.barOut == nil {
		a.barOut = a.stderr
	}
	var flushes []func() error
	for _, w := range []*io.Writer{&a.stdout, &a.stderr} {
		if _, ok := (*w).(*escape.Writer); !ok {
			e := escape.NewWriter(*w)
			*w = e
			flushes = append(flushes, e.Flush)
		}
	}
	return func() {
		for _, f := range flushes {
			_ = f()
		}
	}
}

// newGroupCommand makes a command that only holds subcommands. Cobra would
// print the help and exit 0 for an unknown subcommand ("bundle verfy"), so a
// typo in a script would pass; groupArgs turns it into a usage error that
// names the subcommands it resembles. Cobra parses the group's flags before
// it checks its arguments, so `mirror improt --data DIR` fails on --data,
// which only the subcommands know: the flag error function (flagError)
// reports the unknown subcommand first.
func newGroupCommand(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  groupArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(subs...)
	return cmd
}

// isCobraUsage recognises cobra's own argument errors (unknown command,
// wrong number of arguments).
func isCobraUsage(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "unknown command") || strings.Contains(s, "arg(s)") ||
		strings.HasPrefix(s, "required flag") || strings.HasPrefix(s, "unknown flag") ||
		strings.HasPrefix(s, "invalid argument")
}

// reportError prints the error (describe) and what to do next, in the
// user's language; as JSON on stdout with --json, where "error" stays the
// English text for scripts and "message" is what the operator reads. The
// generic pointer to --help comes only after a usage error that has no
// better "→" line.
func (a *app) reportError(err error, code int) {
	hint := a.hint(err)
	text := a.describe(err)
	if a.jsonOut {
		out := map[string]any{"ok": false, "exit_code": code, "error": err.Error(), "message": text}
		if hint != "" {
			out["hint"] = hint
		}
		if f := failedFile(err); f != "" {
			out["file"] = f
		}
		a.printJSON(out)
		return
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", a.msg(msgError), strings.ReplaceAll(text, "\n", "\n  "))
	if hint != "" {
		fmt.Fprintf(a.stderr, "  → %s\n", hint)
	}
	if code == exitUsage && hint == "" {
		fmt.Fprintf(a.stderr, "  %s\n", a.msg(msgSeeHelp))
	}
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// resolveLang picks the message language: --lang, $PATCHFERRY_LANG, the OS
// locale, English.
func (a *app) resolveLang() error {
	for _, l := range []string{a.langFlag, a.getenv(envLang)} {
		if l == "" {
			continue
		}
		switch strings.ToLower(l) {
		case "ja", "jp", "japanese":
			a.lang = "ja"
		case "en", "english":
			a.lang = "en"
		default:
			a.lang = "en"
			return userErr(msgErrLang, l).usage()
		}
		return nil
	}
	a.lang = "en"
	if l := a.systemLang(a.getenv); l != "" {
		a.lang = l
	}
	return nil
}
