package fetcher_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
)

// nameSource is a source whose feed reports the versions it is given: each
// a small file, admitted through env.Admit like every vendor's.
type nameSource struct {
	versions []string
}

func (s *nameSource) Name() string { return "names" }

func (s *nameSource) Fetch(ctx context.Context, env *fetcher.Env) error {
	for _, v := range s.versions {
		body := []byte("tool " + v)
		sha, err := env.Cache.PutBytes(body)
		if err != nil {
			return err
		}
		a := &fetcher.Artifact{Artifact: media.Artifact{Vendor: "acme", Product: "tool", Version: v, FileName: "tool.exe",
			Size: int64(len(body)), SHA256: sha, Verification: media.Verification{Method: evidence.MethodManual}}}
		if _, err := env.Admit(ctx, "tool "+v, &fetcher.Candidate{Artifact: a}); err != nil {
			return err
		}
	}
	return nil
}

// A source that reports a version (or any name that becomes a path
// segment) breaking the path rules gets that file refused before it is
// checked or kept: named in the summary, never recorded; the source's
// other files stand.
func TestAdmitRefusesUnsafeNames(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	base := fetcher.Env{Cache: e.cache, State: e.st, Trust: evidence.DefaultTrust(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return exportNow }}
	sum, err := fetcher.Run(t.Context(), base, []fetcher.Source{&nameSource{versions: []string{"../x", "2.0", "..", ".1"}}})
	if err != nil {
		t.Fatal(err)
	}
	rep := sum.Sources[0]
	if len(rep.New) != 1 || !strings.Contains(rep.New[0], "2.0") {
		t.Errorf("new %q, want only version 2.0", rep.New)
	}
	if len(rep.Refused) != 3 {
		t.Fatalf("refused %+v, want the three unsafe versions", rep.Refused)
	}
	for i, bad := range []string{"..", "../x", ".1"} { // sorted by what, not in the order admitted
		r := rep.Refused[i]
		if r.What != "tool "+bad || !strings.Contains(r.Reason, "version: ") || !strings.Contains(r.Reason, `"`+bad+`"`) {
			t.Errorf("refusal %+v: want it to name version %q", r, bad)
		}
		rec, err := e.st.Find(func(a *fetcher.Artifact) bool { return a.Version == bad })
		if err != nil || rec != nil {
			t.Errorf("version %q was recorded: %+v, %v", bad, rec, err)
		}
	}
}

// Files added by hand obey the same rule, for every file, before any is
// recorded.
func TestAddManualRefusesUnsafeNames(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "setup.exe")
	if err := os.WriteFile(good, []byte("setup"), 0o644); err != nil {
		t.Fatal(err)
	}
	hidden := filepath.Join(dir, ".setup.exe")
	if err := os.WriteFile(hidden, []byte("hidden"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		a     media.Artifact
		files []string
	}{
		{"version", media.Artifact{Vendor: "justsystems", Product: "ichitaro", Version: "../x"}, []string{good}},
		{"product", media.Artifact{Vendor: "justsystems", Product: "..", Version: "1"}, []string{good}},
		{"platform", media.Artifact{Vendor: "justsystems", Product: "ichitaro", Version: "1", Platform: "a/b"}, []string{good}},
		{"file_name", media.Artifact{Vendor: "justsystems", Product: "ichitaro", Version: "1"}, []string{good, hidden}},
	} {
		if _, err := fetcher.AddManual(e.st, e.cache, tc.a, tc.files, exportNow); err == nil || !strings.Contains(err.Error(), tc.field+": ") {
			t.Errorf("AddManual with a bad %s: %v, want a refusal naming it", tc.field, err)
		}
	}
	if cur, err := e.st.Current(fetcher.ManualSource); err != nil || cur != nil {
		t.Errorf("refused manual files were recorded: %+v, %v", cur, err)
	}
}
