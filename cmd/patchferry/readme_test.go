package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestReadmeListsEveryConfigKey: every key that `config init` writes is in
// the README's key table — top-level keys in a row of their own (or shared),
// each source's keys in the row of `sources.<vendor>`.
func TestReadmeListsEveryConfigKey(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := make(map[string]string) // first cell → the row
	for _, line := range strings.Split(string(readme), "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 2 && strings.HasPrefix(line, "| `") {
			for _, k := range strings.Split(cells[1], ",") {
				rows[strings.Trim(strings.TrimSpace(k), "`")] = line
			}
		}
	}
	out := filepath.Join(t.TempDir(), "patchferry.yaml")
	mustRun(t, nil, "config", "init", "--out", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	top := doc.Content[0]
	n := 0
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i].Value, top.Content[i+1]
		if key != "sources" {
			n++
			if _, ok := rows[key]; !ok {
				t.Errorf("config key %q is not in the README's key table", key)
			}
			continue
		}
		for j := 0; j+1 < len(val.Content); j += 2 {
			vendor, section := val.Content[j].Value, val.Content[j+1]
			row, ok := rows["sources."+vendor]
			if !ok {
				t.Errorf("source %q has no row sources.%s in the README's key table", vendor, vendor)
				continue
			}
			for k := 0; k+1 < len(section.Content); k += 2 {
				n++
				if key := section.Content[k].Value; !strings.Contains(row, "`"+key+"`") {
					t.Errorf("sources.%s.%s is not in the README's row of sources.%s", vendor, key, vendor)
				}
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d config keys checked", n)
	}
}
