package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/fetcher/vendors"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/media/durable"
)

type demoOptions struct {
	listen, dir, writeConfig string
	noServe, upstreamOnly    bool
}

func newDemoCommand(a *app) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseDemo),
		Short: a.msg(helpShortDemo),
		Long:  a.msg(helpLongDemo),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.upstreamOnly {
				if o.writeConfig == "" {
					return userErr(msgUsageUpstreamOnly).fix(hintUsageUpstreamOnly).usage()
				}
				return runUpstreamOnly(cmd.Context(), a, o)
			}
			return runDemo(cmd.Context(), a, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", a.msg(helpFlagDemoListen))
	f.BoolVar(&o.noServe, "no-serve", false, a.msg(helpFlagNoServe))
	f.BoolVar(&o.upstreamOnly, "upstream-only", false, a.msg(helpFlagUpstreamOnly))
	f.StringVar(&o.writeConfig, "write-config", "", a.msg(helpFlagWriteConfig))
	f.StringVar(&o.dir, "dir", "", a.msg(helpFlagDemoDir))
	return cmd
}

// demoUpstream starts the fake vendors of the registry on addr; their
// releases are dated two weeks before now, so that a simulated week later
// is still in the past.
func demoUpstream(addr string, now time.Time) (*vendortest.Upstream, []vendortest.Fake, error) {
	up := vendortest.New()
	up.SetNow(now.Add(-14 * 24 * time.Hour).Truncate(time.Hour))
	var fakes []vendortest.Fake
	for _, v := range vendors.All() {
		fakes = append(fakes, v.Fake(up))
	}
	if err := up.Listen(addr); err != nil {
		return nil, nil, listenError(addr, err)
	}
	return up, fakes, nil
}

// writeDemoConfig writes a fetcher configuration pointing every source at
// the upstream (each vendor's section from its fake on up), with cache_dir beside
// it, and vendor-trust.yaml beside it. It creates the media folder beside
// it too, on purpose: run and export never create one.
func writeDemoConfig(path string, up *vendortest.Upstream) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(filepath.Join(dir, "media"), 0o755); err != nil {
		return err
	}
	vt, err := up.VendorTrust().Marshal()
	if err != nil {
		return err
	}
	// Atomic writes, vendor trust first: whoever waits for the
	// configuration (a script, a test) never reads half a file.
	if err := durable.WriteFile(dir, "vendor-trust.yaml", vt, 0o644); err != nil {
		return err
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `# patchferry demo: every source points at the fake vendor upstream at %s
cache_dir: cache
vendor_trust: vendor-trust.yaml
key: publisher.key
out: media
site: demo
sources:
`, up.URL())
	for _, v := range vendors.All() {
		fmt.Fprintf(&cfg, "  %s:\n%s", v.Name(), v.Fake(up).SourceYAML()) // the fake made already
	}
	return durable.WriteFile(dir, filepath.Base(path), []byte(cfg.String()), 0o644)
}

func runUpstreamOnly(ctx context.Context, a *app, o demoOptions) error {
	up, _, err := demoUpstream(o.listen, a.now())
	if err != nil {
		return err
	}
	defer up.Close()
	if err := writeDemoConfig(o.writeConfig, up); err != nil {
		return err
	}
	dir := filepath.Dir(o.writeConfig)
	fmt.Fprintln(a.stdout, a.msg(msgDemoUpstream, up.URL(), o.writeConfig, filepath.Join(dir, "vendor-trust.yaml")))
	fmt.Fprintf(a.stdout, "  patchferry keys generate --out %s\n", filepath.Join(dir, "publisher"))
	fmt.Fprintf(a.stdout, "  patchferry run --config %s\n", o.writeConfig)
	fmt.Fprintf(a.stdout, "  patchferry mirror init --data %s --trust %s --vendor-trust %s\n", filepath.Join(dir, "mirror"),
		filepath.Join(dir, "publisher.pub"), filepath.Join(dir, "vendor-trust.yaml"))
	fmt.Fprintf(a.stdout, "  patchferry mirror import --data %s %s\n", filepath.Join(dir, "mirror"), filepath.Join(dir, "media"))
	<-ctx.Done()
	return nil
}

func runDemo(ctx context.Context, a *app, o demoOptions) error {
	start := time.Now()
	dir := o.dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "patchferry-demo-"); err != nil {
			return err
		}
	}
	up, fakes, err := demoUpstream("127.0.0.1:0", a.now())
	if err != nil {
		return err
	}
	defer up.Close()
	config := filepath.Join(dir, "patchferry.yaml")
	if err := writeDemoConfig(config, up); err != nil {
		return err
	}
	// The steps are the real commands, run in this process.
	sub := *a
	sub.stdinTerminal = false
	sub.systemLog = nil // the demo mirror's ledger rows stay out of the system log
	sub.getenv = func(k string) string {
		if k == envPassword {
			return "patchferry-demo"
		}
		return a.getenv(k)
	}
	data := filepath.Join(dir, "mirror")
	var names []string
	for _, v := range vendors.All() {
		names = append(names, v.Name())
	}
	steps := []struct {
		title msgID
		args  []string
	}{
		{msgDemoKeys, []string{"keys", "generate", "--out", filepath.Join(dir, "publisher")}},
		{msgDemoFetch, []string{"fetch", "--config", config}},
		{msgDemoExport, []string{"export", "--config", config, "--full"}},
		{msgDemoInit, []string{"mirror", "init", "--data", data, "--trust", filepath.Join(dir, "publisher.pub"),
			"--vendor-trust", filepath.Join(dir, "vendor-trust.yaml"), "--operator", "demo"}},
		{msgDemoImport, []string{"mirror", "import", "--data", data, "--operator", "demo", "--label", "DEMO-USB-1",
			filepath.Join(dir, "media", "patchferry-demo-1")}},
		{msgDemoWeek2, nil},
		{msgDemoRun, []string{"run", "--config", config}},
		{msgDemoImport2, []string{"mirror", "import", "--data", data, "--operator", "demo", "--label", "DEMO-USB-2",
			filepath.Join(dir, "media", "patchferry-demo-2")}},
		{msgDemoStatus, []string{"mirror", "status", "--data", data}},
	}
	for i, st := range steps {
		title := a.msg(st.title)
		if st.title == msgDemoFetch {
			title = a.msg(st.title, strings.Join(names, ", "))
		}
		fmt.Fprintf(a.stdout, "\n== %d/%d %s\n", i+1, len(steps)+1, title)
		if st.args == nil { // a week passes: the vendors publish updates
			up.Advance(7 * 24 * time.Hour)
			var news []string
			for _, f := range fakes {
				news = append(news, f.Next())
			}
			fmt.Fprintf(a.stdout, "   %s\n", strings.Join(news, ", "))
			continue
		}
		fmt.Fprintf(a.stdout, "$ patchferry %s\n", strings.Join(st.args, " "))
		if code := run(ctx, &sub, st.args); code != exitOK {
			return &exitError{code}
		}
	}
	fmt.Fprintf(a.stdout, "\n%s\n", a.msg(msgDemoDone, dir, time.Since(start).Round(time.Second)))
	if o.noServe {
		return nil
	}
	fmt.Fprintf(a.stdout, "\n== %d/%d %s\n$ patchferry mirror serve --data %s --listen %s\n", len(steps)+1, len(steps)+1, a.msg(msgDemoServe), data, o.listen)
	if code := run(ctx, &sub, []string{"mirror", "serve", "--data", data, "--listen", o.listen}); code != exitOK {
		return &exitError{code}
	}
	return nil
}
