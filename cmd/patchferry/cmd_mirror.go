package main

import (
	"errors"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/service"
)

const envData = "PATCHFERRY_DATA"

func newMirrorCommand(a *app) *cobra.Command {
	cmd := newGroupCommand("mirror", a.msg(helpShortMirror),
		newMirrorInitCommand(a), newMirrorImportCommand(a), newMirrorStatusCommand(a),
		newMirrorLedgerCommand(a), newMirrorTrustCommand(a), newMirrorServeCommand(a),
		newMirrorScrubCommand(a), newMirrorGCCommand(a), newMirrorServiceCommand(a))
	cmd.PersistentFlags().BoolVar(&a.syslog, "syslog", true, a.msg(helpFlagSyslog))
	return cmd
}

// ledgerSink is where this process copies new ledger rows: the system log
// unless --syslog=false.
func (a *app) ledgerSink() ledger.Sink {
	if !a.syslog {
		return nil
	}
	return a.systemLog
}

// addDataFlag adds --data to a mirror command.
func addDataFlag(a *app, cmd *cobra.Command, data *string) {
	cmd.Flags().StringVar(data, "data", "", a.msg(helpFlagData))
}

// dataDir resolves --data: the flag, $PATCHFERRY_DATA, the OS default.
func (a *app) dataDir(flag string) string {
	if flag != "" {
		return flag
	}
	if d := a.getenv(envData); d != "" {
		return d
	}
	if runtime.GOOS == "windows" {
		pd := a.getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		return filepath.Join(pd, "patchferry")
	}
	return "/var/lib/patchferry"
}

// mirror returns the mirror service of the data directory: the running
// `mirror serve` through its admin socket when there is one (it owns the
// store), else the store opened here (read-only for commands that only
// read). The caller closes it.
func (a *app) mirror(dataFlag string, readOnly bool) (service.Service, error) {
	dir := a.dataDir(dataFlag)
	c, err := admin.Dial(filepath.Join(dir, admin.SocketName))
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, admin.ErrNoServer) {
		return nil, err
	}
	// Errors only: a refused import is said once, in the user's language,
	// by the command (and written in the ledger); the server logs it.
	return service.Open(dir, service.Options{ReadOnly: readOnly, Now: a.now, Forward: a.ledgerSink(),
		Log: slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
}

// operator returns --operator, else the OS user.
func operator(flag string) string {
	if flag != "" {
		return flag
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	if n := os.Getenv("USERNAME"); n != "" {
		return n
	}
	return os.Getenv("USER")
}
