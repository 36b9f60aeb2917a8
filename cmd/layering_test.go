package cmd

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// The dependency direction of DESIGN.md, checked on non-test imports:
//
//	cmd/patchferry        → fetcher, mirror, media, verify   (nothing imports cmd)
//	cmd/patchferry-agent  → clients
//	fetcher               → media → verify
//	mirror                → media, verify, mirror/wire        (never fetcher)
//	clients               → media, verify, mirror/wire
//	verify, mirror/wire   → the standard library and chosen dependencies only
const module = "github.com/patchferry/patchferry"

type pkgInfo struct {
	ImportPath string
	Imports    []string // direct, non-test
	Deps       []string // transitive, non-test
	Standard   bool
}

// rule: packages under From must not depend (transitively) on packages
// under any of Not, except those under Except.
type rule struct {
	from   string
	not    []string
	except []string
}

var rules = []rule{
	{from: "verify", not: []string{""}}, // no project package at all
	{from: "mirror/wire", not: []string{""}},
	{from: "media", not: []string{"fetcher", "mirror", "clients", "cmd"}},
	{from: "fetcher", not: []string{"mirror", "clients", "cmd"}},
	{from: "mirror", not: []string{"fetcher", "clients", "cmd"}},
	{from: "clients", not: []string{"fetcher", "mirror", "cmd"}, except: []string{"mirror/wire"}},
	{from: "cmd/patchferry-agent", not: []string{"fetcher", "mirror", "cmd/patchferry"}, except: []string{"mirror/wire"}},
	{from: "cmd/patchferry", not: []string{"cmd/patchferry-agent"}},
}

// verify is pure: no disk, network or logging (STYLE.md, practice 8).
// verify/verifytest is test support (it reads the fixtures), not a check.
var verifyForbiddenStd = []string{"os", "net/http", "log/slog", "log"}

const verifyTestSupport = "verify/verifytest"

// Commands reach the mirror's index only through mirror/service: nothing
// under cmd imports the embedded database (DESIGN.md, the mirror row).
const bbolt = "go.etcd.io/bbolt"

func under(pkg, prefix string) bool {
	p := module
	if prefix != "" {
		p += "/" + prefix
	}
	return pkg == p || strings.HasPrefix(pkg, p+"/")
}

func violations(pkgs []pkgInfo) []string {
	var out []string
	for _, p := range pkgs {
		if !under(p.ImportPath, "") {
			continue
		}
		for _, r := range rules {
			if !under(p.ImportPath, r.from) || (r.from == "mirror" && under(p.ImportPath, "mirror/wire")) {
				continue
			}
			for _, d := range p.Deps {
				if !under(d, "") || d == p.ImportPath || under(d, r.from) {
					continue
				}
				for _, n := range r.not {
					if under(d, n) && !anyUnder(d, r.except) {
						out = append(out, p.ImportPath+" depends on "+d)
					}
				}
			}
		}
		if under(p.ImportPath, "mirror/wire") {
			for _, d := range p.Deps {
				if !isStd(d, pkgs) {
					out = append(out, p.ImportPath+" (standard library only) depends on "+d)
				}
			}
		}
		if under(p.ImportPath, "cmd") {
			for _, d := range p.Imports {
				if d == bbolt || strings.HasPrefix(d, bbolt+"/") {
					out = append(out, p.ImportPath+" imports "+d+" (go through mirror/service)")
				}
			}
		}
		if under(p.ImportPath, "verify") && !under(p.ImportPath, verifyTestSupport) {
			for _, d := range p.Imports {
				for _, f := range verifyForbiddenStd {
					if d == f {
						out = append(out, p.ImportPath+" (pure) imports "+d)
					}
				}
			}
		}
	}
	return out
}

func anyUnder(pkg string, prefixes []string) bool {
	for _, p := range prefixes {
		if under(pkg, p) {
			return true
		}
	}
	return false
}

func isStd(pkg string, pkgs []pkgInfo) bool {
	for _, p := range pkgs {
		if p.ImportPath == pkg {
			return p.Standard
		}
	}
	return !strings.Contains(strings.SplitN(pkg, "/", 2)[0], ".")
}

func TestDependencyDirection(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports,Deps,Standard", "./...")
	cmd.Dir = ".."
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(out)
	for {
		var p pkgInfo
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, v := range violations(pkgs) {
		t.Errorf("dependency rule broken: %s (see DESIGN.md, Components and dependency direction)", v)
	}
}

// The checker itself must catch each kind of violation.
func TestViolationsDetected(t *testing.T) {
	m := func(s string) string { return module + "/" + s }
	pkgs := []pkgInfo{
		{ImportPath: m("mirror/store"), Deps: []string{m("fetcher"), m("media"), m("mirror/wire")}},
		{ImportPath: m("verify"), Imports: []string{"os"}, Deps: []string{"os", m("media")}},
		{ImportPath: m("mirror/wire"), Deps: []string{"encoding/json", "github.com/x/y"}},
		{ImportPath: m("clients"), Deps: []string{m("mirror/wire"), m("mirror")}},
		{ImportPath: m("media"), Deps: []string{m("verify")}},
		{ImportPath: m("cmd/patchferry"), Imports: []string{m("mirror/service"), "go.etcd.io/bbolt/errors"}, Deps: []string{m("mirror/service"), m("mirror/store"), "go.etcd.io/bbolt"}},
		{ImportPath: m("mirror/store"), Imports: []string{"go.etcd.io/bbolt"}, Deps: []string{"go.etcd.io/bbolt"}},
		{ImportPath: "encoding/json", Standard: true},
	}
	got := strings.Join(violations(pkgs), "\n")
	for _, want := range []string{
		"mirror/store depends on " + m("fetcher"),
		"verify depends on " + m("media"),
		"verify (pure) imports os",
		"(standard library only) depends on github.com/x/y",
		"clients depends on " + m("mirror"),
		"cmd/patchferry imports go.etcd.io/bbolt/errors (go through mirror/service)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("violation %q not reported; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, "clients depends on "+m("mirror/wire")) || strings.Contains(got, m("media")+" depends") ||
		strings.Contains(got, "mirror/store imports") || strings.Count(got, "imports go.etcd.io/bbolt") != 1 {
		t.Errorf("allowed dependency reported:\n%s", got)
	}
}
