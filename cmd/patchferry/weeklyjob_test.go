package main

// The weekly job never misfires: no bundle with nothing to carry, none to
// a media folder that is not there, none when every source failed — and
// no sequence number used up by any of them. Its terminal output is one
// line per outcome, in a fixed order; the log lines go to the log file
// (and to stderr with --verbose).

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
)

// emptySite is a fetcher configuration without sources (site city, cache
// and media beside it; the media folder exists, as a mounted stick).
func emptySite(t *testing.T) (dir, config string) {
	t.Helper()
	dir = t.TempDir()
	config = filepath.Join(dir, "patchferry.yaml")
	if err := os.WriteFile(config, []byte("cache_dir: cache\nout: media\nsite: city\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, config
}

// addFiles records n new files of version v of justsystems/ichitaro with
// `patchferry add`.
func addFiles(t *testing.T, config, version string, n int) {
	t.Helper()
	args := []string{"add", "--config", config, "--product", "justsystems/ichitaro", "--version", version}
	for i := range n {
		p := filepath.Join(t.TempDir(), "ichitaro-"+version+"-"+string(rune('a'+i))+".exe")
		if err := os.WriteFile(p, append([]byte(version+p), payload(1000)...), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	mustRun(t, nil, args...)
}

// wantBundles checks the folders in the media root.
func wantBundles(t *testing.T, mediaRoot string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(mediaRoot)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, want) {
		t.Errorf("the media root holds %v, want %v", got, want)
	}
}

// readLog returns the one log file logs/<kind>-*.log under cacheDir.
func readLog(t *testing.T, cacheDir, kind string) string {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(cacheDir, "logs", kind+"-*.log"))
	if len(logs) != 1 {
		t.Fatalf("%s logs: %v, want one (the tests' clock does not move)", kind, logs)
	}
	b, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Nothing to carry — a fresh cache, nothing new since the last bundle,
// nothing new since --since — writes no bundle and uses up no sequence
// number, in English and Japanese; the first bundle with something in it
// is 1, the next 2. The file counter reads naturally.
func TestWeeklyNothingToCarry(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir, config := emptySite(t)
	mediaRoot := filepath.Join(dir, "media")
	runArgs := []string{"run", "--config", config, "--key", f.publisher.priv}
	export := []string{"export", "--config", config, "--key", f.publisher.priv}
	check := func(cases []struct {
		lang string
		args []string
		want string
	}) {
		t.Helper()
		for _, tc := range cases {
			out := mustRun(t, pwEnv, append([]string{"--lang", tc.lang}, tc.args...)...)
			wantContains(t, strings.Join(tc.args[:1], " ")+" in "+tc.lang, out, tc.want)
		}
	}
	fresh := "nothing new: no bundle written (nothing has been fetched or added yet; no sequence number was used)."
	freshJA := "新しい更新はありません（バンドルは作成していません。まだ何も取得・登録されていないため、連番も使っていません）。"
	check([]struct {
		lang string
		args []string
		want string
	}{
		{"en", runArgs, fresh}, {"ja", runArgs, freshJA},
		{"en", export, fresh}, {"ja", export, freshJA},
		{"en", append(export, "--full"), fresh}, {"ja", append(export, "--full"), freshJA},
	})
	var res struct {
		Export struct {
			NothingNew bool   `json:"nothing_new"`
			Sequence   uint64 `json:"sequence"`
		} `json:"export"`
	}
	decodeJSON(t, mustRun(t, pwEnv, append([]string{"--json"}, export...)...), &res)
	if !res.Export.NothingNew || res.Export.Sequence != 0 {
		t.Errorf("export --json of nothing: %+v", res.Export)
	}
	wantBundles(t, mediaRoot)

	// The first bundle with something in it: sequence 1, written on a
	// machine in Japan (README.txt in its time, bundle.json in UTC).
	addFiles(t, config, "2026.1", 1)
	a, stdout, stderr := newTestApp(pwEnv)
	a.now = func() time.Time { return testNow.In(time.FixedZone("JST", 9*60*60)) }
	if code := run(t.Context(), a, export); code != exitOK {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	wantContains(t, "first export", stdout.String(), "Bundle written: Sequence 1 (full), 1 file, ")
	readme, err := os.ReadFile(filepath.Join(mediaRoot, "patchferry-city-1", media.ReadmeName))
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, "README.txt", string(readme), "作成:     2026-11-25 21:00 JST\n", "Created:  2026-11-25 21:00 JST\n", "Expires:  2026-12-25 21:00 JST\n")
	wantContains(t, "bundle.json", string(inspectRaw(t, filepath.Join(mediaRoot, "patchferry-city-1"))), `"created": "2026-11-25T12:00:00Z"`)

	// Nothing changed since: by default, and --since 1.
	check([]struct {
		lang string
		args []string
		want string
	}{
		{"en", export, "nothing new: no bundle written (the last bundle is sequence 1)."},
		{"ja", export, "新しい更新はありません（バンドルは作成していません。最新は連番 1）。"},
		{"en", runArgs, "nothing new: no bundle written (the last bundle is sequence 1)."},
		{"en", append(export, "--since", "1"), "nothing new since 1: no bundle written (a mirror at that state has everything current; the last bundle is sequence 1)."},
		{"ja", append(export, "--since", "1"), "新しい更新はありません（1 の状態のミラーは最新の内容をすべて持っています。バンドルは作成していません。最新は連番 1）。"},
	})
	wantBundles(t, mediaRoot, "patchferry-city-1")

	// The next real bundles get the next numbers.
	addFiles(t, config, "2026.2", 2)
	wantContains(t, "second export", mustRun(t, pwEnv, export...), "Bundle written: Sequence 2 (delta on 1), 2 files, ")
	addFiles(t, config, "2026.3", 1)
	wantContains(t, "third export in Japanese", mustRun(t, pwEnv, append([]string{"--lang", "ja"}, export...)...),
		"バンドルを書き出しました: 連番 3", "1 個のファイル")
	wantBundles(t, mediaRoot, "patchferry-city-1", "patchferry-city-2", "patchferry-city-3")
}

// inspectRaw returns the bytes of bundle.json in dir.
func inspectRaw(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, media.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A media folder that is not there — the stick is not connected or not
// mounted — is a usage error (exit 2) with the hint about mounting it, in
// both languages, before any fetch or password; nothing is created or
// written, and no sequence number is used up.
func TestWeeklyNoMedia(t *testing.T) {
	t.Parallel()
	f := shared(t)
	dir, config := emptySite(t)
	addFiles(t, config, "2026.1", 1)
	missing := filepath.Join(dir, "usb")
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	unmounted := filepath.Join(dir, "unmounted.yaml") // out: in the configuration
	if err := os.WriteFile(unmounted, []byte("cache_dir: cache\nout: usb\nsite: city\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	texts := map[string][]string{
		"en": {"error: the media folder ", " does not exist (or is not a folder): nothing was written and no sequence number was used",
			"→ Is the USB stick (or disk) connected and mounted?", `E:\`, "create it first (mkdir)"},
		"ja": {"エラー: 書き出し先のフォルダー ", " がありません（またはフォルダーではありません）。何も書き出しておらず、連番も使っていません",
			"→ USB メモリ（またはディスク）が接続・マウントされているか確認してください", `E:\`, "先に作成してください（mkdir）"},
	}
	for _, cmd := range []string{"run", "export"} {
		for _, lang := range []string{"en", "ja"} {
			for _, tc := range []struct{ config, out string }{{config, missing}, {config, file}, {unmounted, ""}} {
				args := []string{"--lang", lang, cmd, "--config", tc.config, "--key", f.publisher.priv}
				if tc.out != "" {
					args = append(args, "--out", tc.out)
				}
				stdout, stderr, code := runCLI(t, nil, args...) // no password: none may be asked for
				if code != exitUsage {
					t.Errorf("%s: exit %d, want 2\nstdout: %s\nstderr: %s", args, code, stdout, stderr)
					continue
				}
				wantContains(t, strings.Join(args, " "), stderr, texts[lang]...)
				want := tc.out
				if want == "" {
					want = missing
				}
				wantContains(t, strings.Join(args, " "), stderr, want)
			}
		}
	}
	stdout, _, code := runCLI(t, nil, "--json", "export", "--config", config, "--out", missing)
	var js struct {
		OK       bool   `json:"ok"`
		ExitCode int    `json:"exit_code"`
		Error    string `json:"error"`
		Hint     string `json:"hint"`
	}
	decodeJSON(t, stdout, &js)
	if code != exitUsage || js.OK || js.ExitCode != exitUsage || !strings.Contains(js.Error, missing) || !strings.Contains(js.Hint, "mkdir") {
		t.Errorf("export --json to a missing folder: exit %d, %+v", code, js)
	}
	if exists(missing) {
		t.Errorf("%s was created", missing)
	}
	if logs, _ := filepath.Glob(filepath.Join(dir, "cache", "logs", "*")); len(logs) != 0 {
		t.Errorf("a run refused for its media folder ran: logs %v", logs)
	}
	// Once the medium is there, the bundle is number 1.
	wantContains(t, "export", mustRun(t, pwEnv, "export", "--config", config, "--key", f.publisher.priv), "Bundle written: Sequence 1 (full)")
	wantBundles(t, filepath.Join(dir, "media"), "patchferry-city-1")
}

// Every vendor unreachable (a closed loopback port), on a fresh cache:
// `run` says so in one line per source with the hint about the proxy and
// the network, fast, writes nothing (exit 1), and keeps stderr quiet: the
// details are in the log, and on stderr only with --verbose. `fetch` says
// the same. No sequence number is used up.
func TestWeeklyUnreachable(t *testing.T) {
	t.Parallel()
	f := shared(t)
	s := newWeeklySite(t)
	s.up.Close()
	host := strings.TrimPrefix(s.up.URL(), "http://")
	cache := filepath.Join(s.dir, "cache")
	texts := map[string][]string{
		"en": {"clamav: could not reach " + host + " (connection refused or no route).\n",
			"mozilla: could not reach " + host + " (connection refused or no route).\n",
			"  → Check `proxy:` in the configuration (and the HTTPS_PROXY environment variable) and that this PC can reach the internet (network, firewall).",
			"No source could be fetched: no bundle written, no sequence number used.\n",
			"  → Remove the cause named above, then run `patchferry run` again", "log: "},
		"ja": {"clamav: " + host + " に接続できませんでした（接続を拒否されたか、経路がありません）。\n",
			"mozilla: " + host + " に接続できませんでした（接続を拒否されたか、経路がありません）。\n",
			"  → 設定ファイルの `proxy:`（と環境変数 HTTPS_PROXY）、およびこの PC からインターネットに接続できるか（ネットワーク、ファイアウォール）を確認してください。",
			"どのソースからも取得できませんでした。バンドルは作成しておらず、連番も使っていません。\n",
			"  → 上記の原因を取り除いてから、もう一度 `patchferry run` を実行してください。", "ログ: "},
	}
	start := time.Now()
	for _, lang := range []string{"en", "ja"} {
		stdout, stderr, code := runCLI(t, pwEnv, append([]string{"--lang", lang}, s.run(f)...)...)
		if code != exitFailed || stderr != "" {
			t.Errorf("run (%s): exit %d, want 1 with nothing on stderr\nstdout: %s\nstderr: %s", lang, code, stdout, stderr)
		}
		wantContains(t, "run in "+lang, stdout, texts[lang]...)
		if n := strings.Count(stdout, host); n != 2 {
			t.Errorf("run (%s) names the host %d times, want once per source:\n%s", lang, n, stdout)
		}
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("two runs against unreachable vendors took %s: an unreachable host must fail at once", took)
	}
	wantBundles(t, filepath.Join(s.dir, "media"))
	log := readLog(t, cache, "run")
	wantContains(t, "run log", log, `level=ERROR msg="source failed" source=clamav`, "connection refused", "http://"+host+"/",
		"No source could be fetched", "どのソースからも取得できませんでした")

	// --verbose: the log lines on stderr too, as they are written.
	_, stderr, code := runCLI(t, pwEnv, append(s.run(f), "--verbose")...)
	if code != exitFailed {
		t.Errorf("run --verbose: exit %d", code)
	}
	wantContains(t, "run --verbose stderr", stderr, `msg="run started"`, `level=ERROR msg="source failed" source=mozilla`)

	// --json: the same keys as ever, nothing exported.
	stdout, _, code := runCLI(t, pwEnv, append([]string{"--json"}, s.run(f)...)...)
	var raw map[string]any
	decodeJSON(t, stdout, &raw)
	if got := sortedKeys(raw); code != exitFailed || !slices.Equal(got, []string{"export", "fetch", "log", "ok"}) || raw["ok"] != false || raw["export"] != nil {
		t.Errorf("run --json: exit %d, %v", code, raw)
	}

	// fetch: the same lines, its own log.
	for _, lang := range []string{"en", "ja"} {
		stdout, stderr, code := runCLI(t, nil, "--lang", lang, "fetch", "--config", s.config)
		if code != exitFailed || stderr != "" {
			t.Errorf("fetch (%s): exit %d, want 1 with nothing on stderr\nstdout: %s\nstderr: %s", lang, code, stdout, stderr)
		}
		wantContains(t, "fetch in "+lang, stdout, texts[lang][0], texts[lang][1], texts[lang][2], texts[lang][5])
	}
	wantContains(t, "fetch log", readLog(t, cache, "fetch"), `msg="source failed" source=clamav`)

	// No sequence number was used: the first bundle is 1.
	addFiles(t, s.config, "2026.1", 1)
	wantContains(t, "export", mustRun(t, pwEnv, s.export(f)...), "Bundle written: Sequence 1 (full), 1 file")
}

// On a terminal or not, fetch prints one line per outcome; the WARN and
// INFO lines (here: a refused CVD) go to the log file, and to stderr only
// with --verbose.
func TestFetchLogQuiet(t *testing.T) {
	t.Parallel()
	s := newFetchSite(t, "")
	s.c.PutBadCVD("daily")
	for _, lang := range []string{"en", "ja"} {
		stdout, stderr, code := runCLI(t, nil, "--lang", lang, "fetch", "--config", s.config)
		if code != exitFailed || stderr != "" {
			t.Errorf("fetch (%s): exit %d, want 1 with nothing on stderr\nstdout: %s\nstderr: %s", lang, code, stdout, stderr)
		}
		wantContains(t, "fetch in "+lang, stdout, "  ! daily.cvd ", map[string]string{"en": "log: ", "ja": "ログ: "}[lang])
	}
	log := readLog(t, filepath.Join(s.dir, "cache"), "fetch")
	wantContains(t, "fetch log", log, `level=INFO msg="fetch started"`, "level=WARN msg=refused source=clamav", "clamav: new 0",
		"clamav: 新規 0", `level=INFO msg="fetch finished"`)
	_, stderr, _ := runCLI(t, nil, "fetch", "--verbose", "--config", s.config)
	wantContains(t, "fetch --verbose stderr", stderr, "level=WARN msg=refused source=clamav")
}

// describeArtifact is how fetch and export list a file.
func describeArtifact(a *media.Artifact) string {
	parts := []string{a.Vendor + "/" + a.Product, a.Version}
	for _, s := range []string{a.Platform, a.Language} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(append(parts, a.FileName), " ")
}

// plusLines lists the "  + file" lines of an output.
func plusLines(out string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(l, "  + "); ok {
			got = append(got, s)
		}
	}
	return got
}

// Fetch and export list files in one order, whatever order the parallel
// downloads finish in: vendor, product, version, platform, language, file
// name. Two runs print the same lines; --json lists them the same way.
func TestWeeklyOrder(t *testing.T) {
	t.Parallel()
	f := shared(t)
	var sites [3]*weeklySite
	var outs [3]string
	for i := range sites {
		sites[i] = newWeeklySite(t)
		args := sites[i].run(f)
		if i == 2 {
			args = append([]string{"--json"}, args...)
		}
		outs[i] = mustRun(t, pwEnv, args...)
	}
	b := inspectBundle(t, sites[0].bundle(1))
	slices.SortFunc(b.Artifacts, func(x, y media.Artifact) int { return fetcher.Order(&x, &y) })
	var want []string
	for i := range b.Artifacts {
		want = append(want, describeArtifact(&b.Artifacts[i]))
	}
	if len(want) < 10 {
		t.Fatalf("bundle 1 holds %d files; the test wants many", len(want))
	}
	// The sources run in the order of the vendors, clamav then mozilla: the
	// fetch lines, then the export lines, are both the sorted list.
	for i := range 2 {
		if got := plusLines(outs[i]); !slices.Equal(got, append(slices.Clone(want), want...)) {
			t.Errorf("run %d lists\n%s\nwant (fetch, then export)\n%s", i+1, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	var js struct {
		Fetch []struct {
			New []string `json:"new"`
		} `json:"fetch"`
		Export struct {
			New []string `json:"new"`
		} `json:"export"`
	}
	decodeJSON(t, outs[2], &js)
	var fetched []string
	for _, src := range js.Fetch {
		fetched = append(fetched, src.New...)
	}
	if !slices.Equal(fetched, want) || !slices.Equal(js.Export.New, want) {
		t.Errorf("run --json lists\n%s\nand exports\n%s\nwant\n%s", strings.Join(fetched, "\n"), strings.Join(js.Export.New, "\n"), strings.Join(want, "\n"))
	}
}

// TestExportNothingNewAsksNoPassword: an export with nothing to carry says
// so without the key's password (none is given here, and nobody could type
// one); one with something to carry still needs it.
func TestExportNothingNewAsksNoPassword(t *testing.T) {
	t.Parallel()
	_, config := emptySite(t)
	key := shared(t).publisher.priv
	out := mustRun(t, nil, "export", "--config", config, "--key", key)
	wantContains(t, "export of nothing, no password", out, textOf(msgNothingYet).en)
	addFiles(t, config, "2026.1", 1)
	_, stderr, code := runCLI(t, nil, "export", "--config", config, "--key", key)
	if code == exitOK || !strings.Contains(stderr, envPassword) {
		t.Errorf("export of a new file without a password: exit %d: %s", code, stderr)
	}
}
