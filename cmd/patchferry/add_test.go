package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
)

// add --released dates the files as told (a date, or an RFC 3339 time);
// without it each file carries its modification time. A bad date is a
// usage error naming the flag and the formats, and records nothing.
func TestAddReleased(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "patchferry.yaml")
	if err := os.WriteFile(config, []byte("cache_dir: cache\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2026, 10, 1, 21, 30, 15, 500_000_000, time.FixedZone("JST", 9*60*60))
	add := func(t *testing.T, version string, flags ...string) (time.Time, string, int) {
		t.Helper()
		p := filepath.Join(t.TempDir(), "ichitaro-"+version+".exe")
		if err := os.WriteFile(p, []byte("update "+version), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"add", "--json", "--config", config, "--product", "justsystems/ichitaro", "--version", version}, flags...)
		stdout, stderr, code := runCLI(t, nil, append(args, p)...)
		var out struct {
			Added []struct {
				Released time.Time `json:"released"`
			} `json:"added"`
		}
		if code == exitOK {
			if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out.Added) != 1 {
				t.Fatalf("add --json: %v\n%s", err, stdout)
			}
			return out.Added[0].Released, stderr, code
		}
		return time.Time{}, stdout + stderr, code // --json: the error is on stdout
	}
	for i, tc := range []struct {
		name  string
		flags []string
		want  time.Time
	}{
		{"default: modification time", nil, time.Date(2026, 10, 1, 12, 30, 15, 0, time.UTC)},
		{"date", []string{"--released", "2026-09-30"}, time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)},
		{"RFC 3339", []string{"--released", "2026-09-30T09:00:00+09:00"}, time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, stderr, code := add(t, fmt.Sprint(i+1), tc.flags...)
			if code != exitOK || !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("exit %d, released %v, want %v in UTC\n%s", code, got, tc.want, stderr)
			}
		})
	}
	for _, bad := range []string{"2026/09/30", "2026-02-30", "30.09.2026", "2026-09-30 09:00", "yesterday"} {
		t.Run("bad "+bad, func(t *testing.T) {
			_, out, code := add(t, "9", "--released", bad)
			if code != exitUsage {
				t.Errorf("--released %q: exit %d, want %d", bad, code, exitUsage)
			}
			wantContains(t, "output", out, "--released", bad, "YYYY-MM-DD", "RFC 3339")
		})
	}
	st, err := fetcher.OpenState(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	if _, err := st.Find(func(*fetcher.Artifact) bool { n++; return false }); err != nil || n != 3 {
		t.Errorf("%d files recorded (%v), want the 3 with good dates", n, err)
	}
	if stdout := mustRun(t, nil, "add", "--json", "--config", config, "--product", "justsystems/ichitaro", "--version", "x", "--help"); !strings.Contains(stdout, "--released") ||
		!strings.Contains(stdout, "default: each file's modification time") {
		t.Errorf("add --help does not explain --released and its default:\n%s", stdout)
	}
}
