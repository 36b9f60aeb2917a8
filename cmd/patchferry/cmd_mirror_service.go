package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"
)

const serviceName = "patchferry-mirror"

type serviceOptions struct {
	data, listen, user string
	print              bool
}

func newMirrorServiceCommand(a *app) *cobra.Command {
	var o serviceOptions
	install := &cobra.Command{
		Use:   a.msg(helpUseServiceInstall),
		Short: a.msg(helpShortServiceInstall),
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return installService(a, o) },
	}
	install.Flags().StringVar(&o.data, "data", "", a.msg(helpFlagServiceData))
	install.Flags().StringVar(&o.listen, "listen", ":8080", a.msg(helpFlagServiceListen))
	install.Flags().StringVar(&o.user, "user", "", a.msg(helpFlagServiceUser))
	install.Flags().BoolVar(&o.print, "print", false, a.msg(helpFlagServicePrint))
	uninstall := &cobra.Command{
		Use:   "uninstall",
		Short: a.msg(helpShortServiceUninstall),
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return uninstallService(a) },
	}
	return newGroupCommand("service", a.msg(helpShortMirrorService), install, uninstall)
}

// serviceArgs is the command line the service runs.
func (a *app) serviceArgs(o serviceOptions) (exe string, args []string, err error) {
	exe, err = os.Executable()
	if err != nil {
		return "", nil, err
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return "", nil, err
	}
	dir, err := filepath.Abs(a.dataDir(o.data))
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "mirror.db")); err != nil {
		return "", nil, userErr(msgUsageNoMirror, dir, dir).because(err).fix(hintUsageNoMirror).usage()
	}
	args = []string{"mirror", "serve", "--data", dir, "--listen", o.listen}
	if runtime.GOOS == "windows" { // a service has no stderr: log beside the data
		args = append(args, "--log-file", filepath.Join(dir, "serve.log"))
	}
	return exe, args, nil
}

func (a *app) printf(format string, args ...any) { fmt.Fprintf(a.stdout, format, args...) }
