package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
)

// TestCreateReproducible: the same inputs and creation time give a
// byte-identical bundle, whether the time comes from --created or
// $SOURCE_DATE_EPOCH, and --created wins over the environment.
func TestCreateReproducible(t *testing.T) {
	t.Parallel()
	created, err := time.Parse(time.RFC3339, baseCreated)
	if err != nil {
		t.Fatal(err)
	}
	epoch := strconv.FormatInt(created.Unix(), 10)
	cases := []struct {
		name  string
		env   map[string]string
		extra []string
	}{
		{"--created", map[string]string{envPassword: testPassword, "SOURCE_DATE_EPOCH": "1"}, []string{"--created", baseCreated}},
		{"SOURCE_DATE_EPOCH", map[string]string{envPassword: testPassword, "SOURCE_DATE_EPOCH": epoch}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := shared(t)
			out := t.TempDir()
			mustRun(t, tc.env, createArgs(f, out, tc.extra...)...)
			// The shared bundle was made with --created baseCreated.
			n := compareTrees(t, f.bundle, filepath.Join(out, filepath.Base(f.bundle)))
			if n < 5 { // bundle.json, its signature, README.txt, two payloads
				t.Errorf("compared %d files, want at least 5", n)
			}
		})
	}
}

// TestVolumes spreads a bundle over volumes and splits its files, then
// verifies it from the volumes in any order and names a missing one.
func TestVolumes(t *testing.T) {
	t.Parallel()
	f := shared(t)
	media := t.TempDir()
	const maxFile = 10000
	stdout := mustRun(t, pwEnv, createArgs(f, media, "--json", "--volume-size", "40K", "--max-file-size", fmt.Sprint(maxFile))...)
	var written struct {
		Dirs []string `json:"dirs"`
	}
	decodeJSON(t, stdout, &written)
	n := len(written.Dirs)
	if n < 2 {
		t.Fatalf("%d volumes, want at least 2: %s", n, stdout)
	}
	parts := 0
	for i, d := range written.Dirs {
		if want := fmt.Sprintf("patchferry-default-1-vol%02dof%02d", i+1, n); filepath.Base(d) != want {
			t.Errorf("volume %d is %s, want %s", i+1, filepath.Base(d), want)
		}
		for _, p := range payloadFiles(t, d) {
			fi, err := os.Stat(filepath.Join(d, filepath.FromSlash(p)))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() > maxFile {
				t.Errorf("%s: %d bytes, above --max-file-size %d", p, fi.Size(), maxFile)
			}
			if strings.Contains(p, ".part-") {
				parts++
			}
		}
	}
	if parts < 3 { // the 30000-byte payload alone needs three parts
		t.Errorf("%d split parts, want at least 3", parts)
	}

	verify := []string{"bundle", "verify", "--trust", f.publisher.pub}
	reversed := slices.Clone(written.Dirs)
	slices.Reverse(reversed)
	stdout = mustRun(t, nil, append(append(verify, "--json"), reversed...)...)
	var verified struct {
		OK   bool     `json:"ok"`
		Dirs []string `json:"dirs"`
	}
	decodeJSON(t, stdout, &verified)
	if !verified.OK || !slices.Equal(verified.Dirs, written.Dirs) {
		t.Errorf("verify of reversed volumes: %s\nwant ok and the volumes in order %v", stdout, written.Dirs)
	}
	stdout = mustRun(t, nil, append(verify, media)...)
	wantContains(t, "verify of the media root", stdout, "OK: bundle verified", "Volumes:")

	missing := written.Dirs[1]
	rest := slices.Delete(slices.Clone(written.Dirs), 1, 2)
	stdout, stderr, code := runCLI(t, nil, append(verify, rest...)...)
	if code != exitFailed {
		t.Errorf("one volume missing: exit %d, want %d", code, exitFailed)
	}
	wantContains(t, "stderr with a volume missing", stderr,
		"missing volume(s) "+filepath.Base(missing), "→ "+generalMessages[hintLayout].en)
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
}

// TestCreateReleased: bundle create records --released, else each file's
// modification time, as the vendor's release date.
func TestCreateReleased(t *testing.T) {
	t.Parallel()
	f := shared(t)
	read := func(t *testing.T, out string) []time.Time {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(out, filepath.Base(f.bundle), "bundle.json"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := media.ParseManifest(raw)
		if err != nil {
			t.Fatal(err)
		}
		var out2 []time.Time
		for _, a := range m.Artifacts {
			out2 = append(out2, a.Released)
		}
		return out2
	}
	out := t.TempDir()
	mustRun(t, pwEnv, createArgs(f, out, "--created", baseCreated, "--released", "2026-11-20")...)
	for _, r := range read(t, out) {
		if !r.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("--released 2026-11-20: released %s", r)
		}
	}
	out = t.TempDir()
	mustRun(t, pwEnv, createArgs(f, out, "--created", baseCreated)...)
	fi, err := os.Stat(f.payloads[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, out); len(got) == 0 || !got[0].Equal(fi.ModTime().UTC().Truncate(time.Second)) {
		t.Errorf("default: released %v, want the file's modification time %s", got, fi.ModTime())
	}
	_, stderr, code := runCLI(t, pwEnv, createArgs(f, t.TempDir(), "--released", "20.11.2026")...)
	if code != exitUsage || !strings.Contains(stderr, "--released") {
		t.Errorf("a bad --released: exit %d, %s", code, stderr)
	}
}

// TestCreateNeedsMedia: bundle create never creates the media folder (an
// unmounted stick must not send the bundle to the internal disk).
func TestCreateNeedsMedia(t *testing.T) {
	t.Parallel()
	f := shared(t)
	for lang, want := range map[string]string{"en": "does not exist", "ja": "ありません"} {
		out := filepath.Join(t.TempDir(), "usb")
		args := []string{"--lang", lang, "bundle", "create", "--key", f.publisher.priv, "--out", out, "--sequence", "1",
			"--product", "justsystems/ichitaro", "--version", "2026.1"}
		_, stderr, code := runCLI(t, pwEnv, append(args, f.payloads...)...)
		if code != exitUsage || !strings.Contains(stderr, want) || !strings.Contains(stderr, "→ "+weeklyMessages[hintNoMedia].in(lang)) {
			t.Errorf("%s: exit %d, stderr %s", lang, code, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: the media folder was created: %v", lang, err)
		}
	}
}
