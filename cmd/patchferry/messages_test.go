package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// msgIDs lists every msgID constant declared in the package's non-test
// files (the const blocks of the message areas).
func msgIDs(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			isMsg := false // in a const block, a spec without a type repeats the one before
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if vs.Type != nil || len(vs.Values) > 0 {
					id, ok := vs.Type.(*ast.Ident)
					isMsg = ok && id.Name == "msgID"
				}
				if isMsg {
					for _, n := range vs.Names {
						if n.Name != "_" { // an area's first, unused ID
							ids = append(ids, n.Name)
						}
					}
				}
			}
		}
	}
	return ids
}

var verbRE = regexp.MustCompile(`%[-+# 0]*(\[([0-9]+)\])?[0-9]*(\.[0-9]+)?[a-zA-Z]`)

// verbs lists the arguments a format uses, by argument number: "1:d 2:s".
// Explicit indexes (%[2]s) count as the argument they name.
func verbs(format string) string {
	args := make(map[int]string)
	next := 1
	for _, m := range verbRE.FindAllStringSubmatch(strings.ReplaceAll(format, "%%", ""), -1) {
		if m[2] != "" {
			next, _ = strconv.Atoi(m[2])
		}
		args[next] += m[0][len(m[0])-1:]
		next++
	}
	var out []string
	for i := 1; i <= len(args); i++ {
		out = append(out, fmt.Sprintf("%d:%s", i, args[i]))
	}
	return strings.Join(out, " ")
}

// TestMessagesComplete: every message has every language, with the same
// format arguments, and no two messages share an ID.
func TestMessagesComplete(t *testing.T) {
	seen := make(map[msgID]int)
	for _, c := range catalogs() {
		for id, m := range c {
			seen[id]++
			if m.en == "" || m.ja == "" {
				t.Errorf("message %d: en %q, ja %q: a language is missing", id, m.en, m.ja)
			}
			if en, ja := verbs(m.en), verbs(m.ja); en != ja {
				t.Errorf("message %d: verbs %v in English, %v in Japanese\n  %s\n  %s", id, en, ja, m.en, m.ja)
			}
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("message %d is in %d catalogs", id, n)
		}
	}
	ids := msgIDs(t)
	if len(ids) < 50 {
		t.Fatalf("found only %d msgID constants", len(ids))
	}
	if len(ids) != len(seen) {
		t.Errorf("%d msgID constants, %d messages in the catalogs: a message has no text (or a catalog entry no constant)", len(ids), len(seen))
	}
}
