package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

func newBundleCommand(a *app) *cobra.Command {
	return newGroupCommand("bundle", a.msg(helpShortBundle),
		newBundleCreateCommand(a), newBundleApproveCommand(a),
		newBundleVerifyCommand(a), newBundleInspectCommand(a))
}

// parseCreated reads --created (RFC 3339, or @unix-seconds), else
// $SOURCE_DATE_EPOCH, else now; always whole seconds in UTC.
func (a *app) parseCreated(s string) (time.Time, error) {
	if s == "" {
		if e := a.getenv("SOURCE_DATE_EPOCH"); e != "" {
			s = "@" + e
		}
	}
	if s == "" {
		return a.now().UTC().Truncate(time.Second), nil
	}
	if unix, ok := strings.CutPrefix(s, "@"); ok {
		n, err := strconv.ParseInt(unix, 10, 64)
		if err != nil {
			return time.Time{}, userErr(msgErrEpoch, s).usage()
		}
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, userErr(msgErrCreated, s).usage()
	}
	return t.UTC().Truncate(time.Second), nil
}

// parseExpiry reads a validity period such as 30d, 12h, 90m or 0 (never).
func parseExpiry(s string) (time.Duration, error) {
	if s == "0" || s == "never" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 3650 {
			return 0, userErr(msgErrExpiresDays, s).usage()
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, userErr(msgErrExpiresPeriod, s).usage()
	}
	return d, nil
}

// parseSizeFlag reads a size flag; an empty value means def.
func parseSizeFlag(name, s string, def int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := media.ParseSize(s)
	if err != nil {
		return 0, userErr(msgErrSizeFlag, name, s).because(err).usage()
	}
	return n, nil
}

// openBundle opens a bundle from directories given on the command line.
func openBundle(dirs []string) (*media.Bundle, error) {
	return media.Open(dirs...)
}

// keyIDs lists the IDs of keys for output.
func keyIDs(ks []*verify.PublicKey) []string {
	ids := make([]string, 0, len(ks))
	for _, k := range ks {
		ids = append(ids, k.ID())
	}
	return ids
}

// describeKind says "full" or "delta on N".
func (a *app) describeKind(m *media.Manifest) string {
	if m.Base == 0 {
		return a.msg(msgFull)
	}
	return a.msg(msgDelta, m.Base)
}

func (a *app) describeExpiry(m *media.Manifest) string {
	if m.Expires.IsZero() {
		return a.msg(msgNever)
	}
	return m.Expires.Format(time.RFC3339)
}

// jsonExpiry is the expiry for --json output: null for a bundle that never
// expires, not Go's zero time 0001-01-01, which a script reads as expired.
func jsonExpiry(m *media.Manifest) any {
	if m.Expires.IsZero() {
		return nil
	}
	return m.Expires
}

// humanBytes formats a byte count for people.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
