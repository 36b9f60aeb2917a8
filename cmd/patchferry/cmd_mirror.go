package main

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/mirror/store"
)

const envData = "PATCHFERRY_DATA"

func newMirrorCommand(a *app) *cobra.Command {
	return newGroupCommand("mirror", "The LGWAN-side mirror: init, import, serve, status, ledger, trust, scrub, gc, service",
		newMirrorInitCommand(a), newMirrorImportCommand(a), newMirrorStatusCommand(a),
		newMirrorLedgerCommand(a), newMirrorTrustCommand(a), newMirrorServeCommand(a),
		newMirrorScrubCommand(a), newMirrorGCCommand(a), newMirrorServiceCommand(a))
}

// addDataFlag adds --data to a mirror command.
func addDataFlag(cmd *cobra.Command, data *string) {
	cmd.Flags().StringVar(data, "data", "", "mirror data directory (default $PATCHFERRY_DATA, else /var/lib/patchferry or %ProgramData%\\patchferry)")
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

// openStore opens the mirror store for a command; release closes it. Inside
// `mirror serve` it is the server's own store, which stays open.
func (a *app) openStore(flag string, readOnly bool) (st *store.Store, release func(), err error) {
	if a.owned != nil {
		return a.owned, func() {}, nil
	}
	st, err = store.Open(a.dataDir(flag), store.Options{ReadOnly: readOnly})
	if errors.Is(err, store.ErrNoStore) {
		return nil, nil, &usageError{err}
	}
	if err != nil {
		return nil, nil, err
	}
	return st, func() { st.Close() }, nil
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
