//go:build !windows

package ledger

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// Syslog priorities: facility daemon (3), severity notice (5) or warning (4).
const (
	prioNotice  = 3<<3 | 5
	prioWarning = 3<<3 | 4
)

// Send writes line as one syslog datagram in the local format
// (<PRI>Mmm dd hh:mm:ss TAG[PID]: line), as log/syslog does for a local
// socket, with a deadline. Each line dials again, so a restarted journald
// or rsyslog is picked up.
func (s SystemLog) Send(line string, warn bool) error {
	conn, err := s.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetWriteDeadline(time.Now().Add(systemLogTimeout)); err != nil {
		return err
	}
	prio := prioNotice
	if warn {
		prio = prioWarning
	}
	msg := fmt.Sprintf("<%d>%s %s[%d]: %s\n", prio, time.Now().Format(time.Stamp), s.Source(), os.Getpid(), line)
	if _, err := conn.Write([]byte(msg)); err != nil {
		return fmt.Errorf("system log %s: %w", conn.RemoteAddr(), err)
	}
	return nil
}

func (s SystemLog) dial() (net.Conn, error) {
	paths := []string{s.Socket}
	if s.Socket == "" {
		paths = []string{"/dev/log", "/var/run/syslog"}
	}
	var errs []error
	for _, p := range paths {
		for _, network := range []string{"unixgram", "unix"} {
			conn, err := net.DialTimeout(network, p, systemLogTimeout)
			if err == nil {
				return conn, nil
			}
			errs = append(errs, err)
		}
	}
	return nil, fmt.Errorf("no system log socket to write to: %w", errors.Join(errs...))
}
