//go:build windows

package ledger

import (
	"fmt"

	"golang.org/x/sys/windows/svc/eventlog"
)

// eventID of every forwarded row.
const eventID = 1

// Send writes line as an entry of the Application event log. The source
// is registered by `patchferry mirror service install`
// (RegisterEventSource); without it the entry is still written, and Event
// Viewer shows its text with a note that the source is unknown.
func (s SystemLog) Send(line string, warn bool) error {
	l, err := eventlog.Open(s.Source())
	if err != nil {
		return fmt.Errorf("event log: %w", err)
	}
	defer l.Close()
	if warn {
		err = l.Warning(eventID, line)
	} else {
		err = l.Info(eventID, line)
	}
	if err != nil {
		return fmt.Errorf("event log: %w", err)
	}
	return nil
}
