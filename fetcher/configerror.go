package fetcher

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigError is an error in the configuration file Path. Err is one of
// the types below, a value's own error ("line N: …"), a vendor's
// Validate error, or the error reading the file.
type ConfigError struct {
	Path string
	Err  error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("config %s: %v", e.Path, e.Err) }
func (e *ConfigError) Unwrap() error { return e.Err }

// UnknownKeyError is a key its section does not have: a typing error, a
// key of another section, or a key indented to the wrong section.
type UnknownKeyError struct {
	Section    string // dotted: "" (the top level), "sources", "sources.clamav"
	Key        string
	Line       int
	Known      []string // the section's keys, sorted
	Suggestion string   // the known key closest to Key, or ""
	// Under is the section (dotted) that has Key and ends just above it:
	// Key is indented too little to belong to it. "" when there is none.
	Under string
}

func (e *UnknownKeyError) Error() string {
	what := "key"
	if e.Section == "sources" {
		what = "source"
	}
	msg := fmt.Sprintf("unknown %s %q (line %d)", what, e.Key, e.Line)
	if e.Section != "" {
		msg = e.Section + ": " + msg
	}
	switch {
	case e.Under != "":
		return msg + fmt.Sprintf("; %q is a key of %s: indent it below %s", e.Key, e.Under, e.Under)
	case e.Suggestion != "":
		return msg + fmt.Sprintf("; did you mean %q?", e.Suggestion)
	}
	return msg + "; known: " + strings.Join(e.Known, ", ")
}

// DuplicateKeyError is a key set twice in one section.
type DuplicateKeyError struct {
	Key         string // dotted
	Line, First int
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("line %d: %s is already set on line %d; set it once", e.Line, e.Key, e.First)
}

// Kinds of YAML values, for KindError.
const (
	KindMapping = "mapping" // key: value lines
	KindList    = "list"
	KindValue   = "value" // a single value
)

// KindError is a value of the wrong kind: a list where one value belongs,
// a value where a section (key: value lines) belongs, ….
type KindError struct {
	Key       string // dotted; "" for the whole file
	Line      int
	Want, Got string // KindMapping, KindList or KindValue
}

func (e *KindError) Error() string {
	key := e.Key
	if key == "" {
		key = "the file"
	}
	return fmt.Sprintf("line %d: %s: want a %s, got a %s", e.Line, key, kindText(e.Want), kindText(e.Got))
}

func kindText(k string) string {
	if k == KindMapping {
		return "mapping (key: value lines)"
	}
	return k
}

// ValueError is a value its key does not take.
type ValueError struct {
	Line  int
	Value string
	Want  Want  // what the key takes
	Err   error // the check's own error, when it has one (site, size)
	// WantOneOf: what the value names, and the values it may be.
	What  string
	OneOf []string
}

// Want says what a key takes, for ValueError.
type Want int

// What the value types of a configuration take.
const (
	WantSite        Want = iota + 1 // a site name (media.ValidSite)
	WantConcurrency                 // a whole number from 1 to 64
	WantCount                       // a whole number from 0 to 10000
	WantSize                        // a size such as 10M (media.ParseSize)
	WantURL                         // an http:// or https:// URL
	WantProxy                       // a proxy URL
	WantHostPort                    // host:port
	WantWord                        // letters, digits, '.', '_', '-'
	WantOneOf                       // one of ValueError.OneOf
)

func (e *ValueError) Error() string {
	switch e.Want {
	case WantSite:
		return fmt.Sprintf("line %d: site: %v", e.Line, e.Err)
	case WantConcurrency:
		return fmt.Sprintf("line %d: want a whole number from 1 to 64, got %q", e.Line, e.Value)
	case WantCount:
		return fmt.Sprintf("line %d: want a whole number from 0 to 10000, got %q", e.Line, e.Value)
	case WantURL:
		return fmt.Sprintf("line %d: want an http:// or https:// URL, got %q", e.Line, e.Value)
	case WantProxy:
		return fmt.Sprintf("line %d: proxy: want http://[user:password@]host:port, got %q", e.Line, e.Value)
	case WantHostPort:
		return fmt.Sprintf("line %d: want host:port, got %q", e.Line, e.Value)
	case WantWord:
		return fmt.Sprintf("line %d: %q: use letters, digits, '.', '_' or '-'", e.Line, e.Value)
	case WantOneOf:
		return fmt.Sprintf("line %d: %s %q: want %s", e.Line, e.What, e.Value, oneOf(e.OneOf, "or"))
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *ValueError) Unwrap() error { return e.Err }

// oneOf lists choices: "a, b or c".
func oneOf(choices []string, or string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " " + or + " " + choices[len(choices)-1]
}

// SyntaxError is a file that is not YAML. Line is the line that breaks
// it, not the start of the enclosing block that the YAML parser names
// (see syntaxLine). Problem is the parser's description.
type SyntaxError struct {
	Line    int
	Problem string // e.g. "did not find expected key"
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d: not valid YAML: %s", e.Line, e.Problem)
}

var yamlErrorRE = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// syntaxError describes an error of yaml.Unmarshal on b, which is not a
// *yaml.TypeError; nil when it has no line.
func syntaxError(b []byte, err error) *SyntaxError {
	m := yamlErrorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	line, _ := strconv.Atoi(m[1])
	return &SyntaxError{Line: syntaxLine(b, line, m[2]), Problem: m[2]}
}

// Bounds of the search of syntaxLine: configuration files are a few
// hundred lines.
const (
	maxSyntaxScanBytes = 256 << 10
	maxSyntaxScanLines = 500
)

// syntaxLine finds the line that breaks a YAML document. The parser names
// the line where the enclosing block starts, for an indentation error often
// lines above the one that is wrong; the broken line is the last line of
// the shortest prefix of b, from that line on, that fails with the same
// problem.
func syntaxLine(b []byte, line int, problem string) int {
	if len(b) > maxSyntaxScanBytes || line < 1 {
		return line
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	for k := line; k <= len(lines) && k < line+maxSyntaxScanLines; k++ {
		var n yaml.Node
		err := yaml.Unmarshal(bytes.Join(lines[:k], nil), &n)
		if err == nil {
			continue
		}
		if m := yamlErrorRE.FindStringSubmatch(err.Error()); m != nil && m[2] == problem {
			return k
		}
	}
	return line
}

// keyCheck walks a configuration document along the Go types its sections
// decode into. It collects each unknown or repeated key and each value of
// the wrong kind — the decoder would find them too, but name Go types
// instead of keys and suggest nothing — and the line of every key the file
// sets. Aliases are left to the decoder; a merge key ("<<") is unknown, as
// the list of sources must be read off the file.
type keyCheck struct {
	errs    []error
	lines   map[string]int          // dotted key → the line that sets it
	sources map[string]reflect.Type // vendor name → its section's type
}

// document checks a whole file: the settings, and under "sources" each
// vendor's section against its configuration type (w.sources).
func (w *keyCheck) document(doc *yaml.Node) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return // an empty file
	}
	root := doc.Content[0]
	if root.Tag == "!!null" {
		return
	}
	if root.Kind != yaml.MappingNode {
		w.errs = append(w.errs, &KindError{Line: root.Line, Want: KindMapping, Got: nodeKind(root)})
		return
	}
	top := yamlFields(reflect.TypeFor[Settings]())
	top["sources"] = nil
	w.mapping(root, "", top, func(k, v *yaml.Node, path string) {
		if path != "sources" {
			w.value(v, top[k.Value], path)
			return
		}
		if v.Kind == yaml.AliasNode || v.Tag == "!!null" {
			return
		}
		if v.Kind != yaml.MappingNode {
			w.errs = append(w.errs, &KindError{Key: path, Line: v.Line, Want: KindMapping, Got: nodeKind(v)})
			return
		}
		w.mapping(v, path, w.sources, func(k, v *yaml.Node, path string) { w.value(v, w.sources[k.Value], path) })
	})
}

// value checks n, the value of key, which decodes into t.
func (w *keyCheck) value(n *yaml.Node, t reflect.Type, key string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode || n.Tag == "!!null" || reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	want := KindValue
	switch t.Kind() {
	case reflect.Struct:
		want = KindMapping
	case reflect.Slice:
		want = KindList
	case reflect.Map, reflect.Interface:
		return
	}
	if got := nodeKind(n); got != want {
		w.errs = append(w.errs, &KindError{Key: key, Line: n.Line, Want: want, Got: got})
		return
	}
	switch want {
	case KindList:
		for _, e := range n.Content {
			w.value(e, t.Elem(), key)
		}
	case KindMapping:
		fields := yamlFields(t)
		w.mapping(n, key, fields, func(k, v *yaml.Node, path string) { w.value(v, fields[k.Value], path) })
	}
}

// keysOf returns the keys of section, which decodes into t; nil when it
// is not a section.
func (w *keyCheck) keysOf(section string, t reflect.Type) map[string]reflect.Type {
	if section == "sources" {
		return w.sources
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	return yamlFields(t)
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// mapping checks the keys of the mapping n, the section key, against known,
// records their lines, and calls found for each known key.
func (w *keyCheck) mapping(n *yaml.Node, key string, known map[string]reflect.Type, found func(k, v *yaml.Node, path string)) {
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		path := joinKey(key, k.Value)
		if first, ok := seen[k.Value]; ok {
			w.errs = append(w.errs, &DuplicateKeyError{Key: path, Line: k.Line, First: first})
			continue
		}
		seen[k.Value] = k.Line
		if _, ok := known[k.Value]; !ok {
			names := slices.Sorted(maps.Keys(known))
			e := &UnknownKeyError{Section: key, Key: k.Value, Line: k.Line, Known: names, Suggestion: suggest(k.Value, names)}
			if i >= 2 {
				if prev := n.Content[i-2]; prev.Kind == yaml.ScalarNode {
					if _, ok := w.keysOf(joinKey(key, prev.Value), known[prev.Value])[k.Value]; ok {
						e.Under = joinKey(key, prev.Value)
					}
				}
			}
			w.errs = append(w.errs, e)
			continue
		}
		if _, ok := w.lines[path]; !ok {
			w.lines[path] = k.Line
		}
		found(k, v, path)
	}
}

func joinKey(section, key string) string {
	if section == "" {
		return key
	}
	return section + "." + key
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return KindMapping
	case yaml.SequenceNode:
		return KindList
	}
	return KindValue
}

// yamlFields returns the keys a struct type decodes, with their types:
// the yaml tag's name (the lower-cased field name without one), inline
// structs flattened.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type)
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case strings.Contains(opts, "inline"):
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
		case name == "":
			out[strings.ToLower(f.Name)] = f.Type
		default:
			out[name] = f.Type
		}
	}
	return out
}

// suggest returns the element of known closest to s, when it is close
// enough to be a typing error: at most two edits (one for keys of up to
// four letters) that change less than half of s.
func suggest(s string, known []string) string {
	best, bestD := "", 0
	for _, k := range known {
		if d := editDistance(strings.ToLower(s), k); best == "" || d < bestD {
			best, bestD = k, d
		}
	}
	limit := 2
	if len(s) <= 4 {
		limit = 1
	}
	if best == "" || bestD > limit || 2*bestD >= len(s) {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b:
// insertions, deletions, substitutions and swaps of two neighbours count
// one each.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
