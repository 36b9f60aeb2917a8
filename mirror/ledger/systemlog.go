package ledger

import "time"

// SystemLog is the Sink of the operating system's log. On Linux (and other
// Unix systems) each line is one syslog datagram to the local syslog socket,
// /dev/log, where journald or rsyslog listens (`journalctl -t patchferry`);
// forward that log to a remote log server to keep a copy that root on the
// mirror cannot change. On Windows each line is an entry in the Application
// event log (source "patchferry", event ID 1; warnings for refused and
// failed attempts).
type SystemLog struct {
	// Socket is the syslog socket (Unix only); "": /dev/log, else
	// /var/run/syslog. Tests point it at a socket of their own.
	Socket string
	// Tag is the syslog tag or the event log source; "": "patchferry".
	Tag string
}

// systemLogTimeout bounds one send: a system log that does not take a line
// within it is reported, and the operation goes on.
const systemLogTimeout = 2 * time.Second

// Source is the syslog tag and the event log source: Tag, or "patchferry".
func (s SystemLog) Source() string {
	if s.Tag == "" {
		return "patchferry"
	}
	return s.Tag
}
