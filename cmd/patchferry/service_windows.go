//go:build windows

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/patchferry/patchferry/mirror/ledger"
)

// runAsService runs fn under the Windows service manager when the process
// was started by it (sc.exe start, services.msc), else directly.
func runAsService(ctx context.Context, fn func(context.Context) error) error {
	isService, err := svc.IsWindowsService()
	if err != nil || !isService {
		return fn(ctx)
	}
	h := &serviceHandler{ctx: ctx, fn: fn}
	if err := svc.Run(serviceName, h); err != nil {
		return err
	}
	return h.err
}

type serviceHandler struct {
	ctx context.Context
	fn  func(context.Context) error
	err error
}

// Execute implements svc.Handler: it runs the server until the service
// manager asks it to stop.
func (h *serviceHandler) Execute(_ []string, requests <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.fn(ctx) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case c := <-requests:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				cancel()
				h.err = <-done
				return false, 0
			}
		case h.err = <-done:
			if h.err != nil {
				return true, 1
			}
			return false, 0
		}
	}
}

func installService(a *app, o serviceOptions) error {
	exe, args, err := a.serviceArgs(o)
	if err != nil {
		return err
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect to the service manager (run as Administrator): %w", err)
	}
	defer m.Disconnect()
	if s, err := m.OpenService(serviceName); err == nil {
		s.Close()
		return userErr(msgUsageServiceExists, serviceName).fix(hintUsageServiceExists).usage()
	}
	s, err := m.CreateService(serviceName, exe, mgr.Config{
		DisplayName: "patchferry mirror",
		Description: "patchferry LGWAN-side update mirror (serves updates to terminals)",
		StartType:   mgr.StartAutomatic,
	}, args...)
	if err != nil {
		return fmt.Errorf("create service: %w", err)
	}
	defer s.Close()
	s.SetRecoveryActions([]mgr.RecoveryAction{{Type: mgr.ServiceRestart, Delay: 5 * time.Second}}, 86400)
	// The event source of the ledger rows copied to the Application log.
	if err := eventlog.InstallAsEventCreate(ledger.SystemLog{}.Source(), eventlog.Info|eventlog.Warning|eventlog.Error); err != nil {
		a.printf("note: event log source: %v\n", err) // already registered by an earlier install
	}
	a.printf("service %s installed: %s %v\n  sc.exe start %s\n", serviceName, exe, args, serviceName)
	return nil
}

func uninstallService(a *app) error {
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect to the service manager (run as Administrator): %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(serviceName)
	if err != nil {
		return fmt.Errorf("service %s is not installed: %w", serviceName, err)
	}
	defer s.Close()
	if st, err := s.Control(svc.Stop); err == nil {
		for i := 0; i < 30 && st.State != svc.Stopped; i++ {
			time.Sleep(time.Second)
			if st, err = s.Query(); err != nil {
				break
			}
		}
	}
	if err := s.Delete(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("delete service: %w", err)
	}
	eventlog.Remove(ledger.SystemLog{}.Source())
	a.printf("service %s removed\n", serviceName)
	return nil
}
