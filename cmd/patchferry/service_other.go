//go:build !windows

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/patchferry/patchferry/media/durable"
)

// runAsService runs fn; only Windows has a service manager to talk to.
func runAsService(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

const unitDir = "/etc/systemd/system"

// systemdUnit is the unit that runs `mirror serve`.
func systemdUnit(exe string, args []string, user, data string) string {
	quoted := make([]string, 0, len(args)+1)
	for _, s := range append([]string{exe}, args...) {
		if strings.ContainsAny(s, " \t\"'\\") {
			s = `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
		}
		quoted = append(quoted, s)
	}
	userLine := ""
	if user != "" {
		userLine = "User=" + user + "\n"
	}
	return fmt.Sprintf(`# patchferry LGWAN-side mirror — written by "patchferry mirror service install"
[Unit]
Description=patchferry mirror (LGWAN update mirror)
Documentation=https://github.com/patchferry/patchferry
After=network-online.target
Wants=network-online.target

[Service]
%sExecStart=%s
Restart=on-failure
RestartSec=5s
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths=%s
PrivateTmp=yes
AmbientCapabilities=CAP_NET_BIND_SERVICE

[Install]
WantedBy=multi-user.target
`, userLine, strings.Join(quoted, " "), data)
}

func installService(a *app, o serviceOptions) error {
	exe, args, err := a.serviceArgs(o)
	if err != nil {
		return err
	}
	unit := systemdUnit(exe, args, o.user, args[3])
	if o.print {
		a.printf("%s", unit)
		return nil
	}
	if err := durable.WriteFile(unitDir, serviceName+".service", []byte(unit), 0o644); err != nil {
		return fmt.Errorf("write the systemd unit (run as root, or use --print): %w", err)
	}
	a.printf("%s\n  systemctl daemon-reload && systemctl enable --now %s\n", filepath.Join(unitDir, serviceName+".service"), serviceName)
	return nil
}

func uninstallService(a *app) error {
	p := filepath.Join(unitDir, serviceName+".service")
	if err := os.Remove(p); err != nil {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	a.printf("removed %s\n  systemctl disable --now %s && systemctl daemon-reload\n", p, serviceName)
	return nil
}
