package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Scanner runs a virus scanner over payload files: the command's words,
// then the paths. Exit 0 = clean, 1 = detected, anything else = scanner
// error.
type Scanner struct {
	Argv []string
}

// ParseScanCommand splits a command line into words without a shell.
// Double or single quotes group words with spaces ("C:\Program Files\…");
// there are no other special characters, so a backslash is an ordinary
// character (Windows paths). It works on bytes, not runes, so a path that
// is not UTF-8 is passed on unchanged (the special characters are ASCII).
func ParseScanCommand(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("scan command %q: unclosed quote", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, errors.New("scan command is empty")
	}
	return words, nil
}

// Name is the scanner's program as given.
func (s *Scanner) Name() string { return strings.Join(s.Argv, " ") }

// Version runs the program with --version and returns the first line of
// its output, for the ledger.
func (s *Scanner) Version(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, s.Argv[0], "--version").CombinedOutput()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if line == "" && err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return truncate(line, 200)
}

// batch keeps every command line well below Windows' 32 767 characters.
const batchChars = 16 << 10

// Scan runs the scanner over paths in batches. It returns "clean",
// "detected" with the scanner's report, or an error for a scanner failure.
func (s *Scanner) Scan(ctx context.Context, paths []string) (verdict, report string, err error) {
	for len(paths) > 0 {
		n, size := 0, 0
		for n < len(paths) && (n == 0 || size+len(paths[n]) < batchChars) {
			size += len(paths[n]) + 1
			n++
		}
		args := append(append([]string{}, s.Argv[1:]...), paths[:n]...)
		cmd := exec.CommandContext(ctx, s.Argv[0], args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &limited{&out, 64 << 10}, &limited{&out, 64 << 10}
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee) && ee.ExitCode() == 1:
			return "detected", truncate(strings.TrimSpace(out.String()), 2000), nil
		default:
			return "error", truncate(strings.TrimSpace(out.String()), 2000), fmt.Errorf("virus scanner %s failed: %v: %s", s.Argv[0], err, truncate(strings.TrimSpace(out.String()), 500))
		}
		paths = paths[n:]
	}
	return "clean", "", nil
}

// limited keeps at most n bytes and discards the rest.
type limited struct {
	b *bytes.Buffer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
