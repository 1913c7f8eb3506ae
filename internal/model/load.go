package model

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/csmm/csmm/internal/yamlguard"
	"gopkg.in/yaml.v3"
)

//go:embed csmm-2.0.0.yaml
var builtin200YAML []byte

//go:embed csmm-2.1.0.yaml
var builtin210YAML []byte

//go:embed schema.json
var schemaJSON []byte

// builtinFile is one embedded model file.
type builtinFile struct {
	ref  string // id@version
	file string // the name under which problems are reported
	data []byte
	once func() (*Model, error)
}

// builtins lists the embedded models, oldest first; the last is the default.
var builtins = func() []*builtinFile {
	out := []*builtinFile{
		{ref: "csmm@2.0.0", file: "builtin:csmm-2.0.0.yaml", data: builtin200YAML},
		{ref: "csmm@2.1.0", file: "builtin:csmm-2.1.0.yaml", data: builtin210YAML},
	}
	for _, b := range out {
		b.once = sync.OnceValues(func() (*Model, error) { return loadBuiltin(b) })
	}
	return out
}()

//go:generate sh -c "rm -f builtin_gen.go && go run ./genbuiltin"

// precompiledModel is a built-in model as a Go literal (builtin_gen.go,
// written by go generate) with the SHA-256 of the YAML it was made from,
// which TestBuiltinGenerated compares, and its size and CRC-32, which
// loadBuiltin compares at run time (hashing the YAML with SHA-256 at every
// start cost about 5 million instructions).
type precompiledModel struct {
	sha256 string
	size   int
	crc32  uint32
	model  *Model
}

// precompiled holds the literal of each built-in model by reference; the
// generated file fills it in its init.
var precompiled = map[string]precompiledModel{}

// loadBuiltin returns the built-in model b: its precompiled literal when
// that was made from the embedded YAML as it is, else (the YAML changed
// since the last go generate, which TestBuiltinGenerated reports) the YAML
// parsed and validated.
func loadBuiltin(b *builtinFile) (*Model, error) {
	if p, ok := precompiled[b.ref]; ok && len(b.data) == p.size && crc32.ChecksumIEEE(b.data) == p.crc32 {
		p.model.index()
		return p.model, nil
	}
	return Parse(b.file, b.data)
}

// BuiltinFile is the name under which problems in the default (newest)
// built-in model are reported.
const BuiltinFile = "builtin:csmm-2.1.0.yaml"

// Schema returns the JSON Schema (draft 2020-12) that every model file must satisfy.
func Schema() []byte { return bytes.Clone(schemaJSON) }

// BuiltinYAML returns the source of the default (newest) built-in model.
func BuiltinYAML() []byte { return bytes.Clone(builtins[len(builtins)-1].data) }

// Builtin returns the default built-in CSMM model, the newest version. It is
// parsed and validated once; an error means the embedded data is broken,
// which the tests prevent.
func Builtin() (*Model, error) { return builtins[len(builtins)-1].once() }

// BuiltinRefs returns the references (id@version) of every built-in model,
// oldest first; the last is the default.
func BuiltinRefs() []string {
	out := make([]string, len(builtins))
	for i, b := range builtins {
		out[i] = b.ref
	}
	return out
}

// IsBuiltinRef reports whether ref names a built-in model: id@version of
// one of them, or the bare id (the newest version).
func IsBuiltinRef(ref string) bool { return findBuiltin(ref) != nil }

func findBuiltin(ref string) *builtinFile {
	if ref == "" {
		return builtins[len(builtins)-1]
	}
	for i := len(builtins) - 1; i >= 0; i-- {
		b := builtins[i]
		if b.ref == ref || strings.SplitN(b.ref, "@", 2)[0] == ref {
			return b
		}
	}
	return nil
}

// BuiltinRef returns the built-in model named by ref: "csmm@2.0.0",
// "csmm@2.1.0", the bare id "csmm" or "" (both the newest).
func BuiltinRef(ref string) (*Model, error) {
	b := findBuiltin(ref)
	if b == nil {
		return nil, fmt.Errorf("no built-in model %q; built-in models are %s", ref, strings.Join(BuiltinRefs(), ", "))
	}
	return b.once()
}

// BuiltinRefYAML returns the source of the built-in model named by ref
// (see BuiltinRef).
func BuiltinRefYAML(ref string) ([]byte, error) {
	b := findBuiltin(ref)
	if b == nil {
		return nil, fmt.Errorf("no built-in model %q; built-in models are %s", ref, strings.Join(BuiltinRefs(), ", "))
	}
	return bytes.Clone(b.data), nil
}

// looksLikeBuiltinRef reports whether s has the shape of a built-in model
// reference, id@version: an id of lower-case letters, digits, dots,
// underscores and hyphens that starts with a letter or digit, an @, and a
// version with no slash or backslash. It matches exactly what the regular
// expression ^[a-z0-9][a-z0-9._-]*@[^/\\]+$ does (TestLooksLikeBuiltinRef),
// without compiling one on every start.
func looksLikeBuiltinRef(s string) bool {
	at := strings.IndexByte(s, '@')
	if at < 1 || at == len(s)-1 {
		return false
	}
	for i := 0; i < at; i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return !strings.ContainsAny(s[at+1:], `/\`)
}

// Load reads a model: the default built-in model when path is empty, a
// built-in model when path is a reference such as csmm@2.0.0 (or the bare
// id) and no file of that name exists, else the
// model file at path on disk.
func Load(path string) (*Model, error) {
	if path == "" {
		return Builtin()
	}
	if looksLikeBuiltinRef(path) || IsBuiltinRef(path) {
		if _, err := os.Stat(path); err != nil {
			return BuiltinRef(path)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	return Parse(path, data)
}

// Problem is one thing wrong with a model file, located by line and path.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Path != "" {
		b.WriteString(": " + p.Path)
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// ValidationError lists every problem found in a model file.
type ValidationError struct {
	Problems []Problem
	// Limit names the yamlguard limit the file broke (yamlguard.LimitSize,
	// LimitNodes, LimitDepth, LimitAlias), "" for any other problem.
	Limit string
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("invalid model (%d problems):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// Parse reads a model from YAML (or JSON, which is YAML), validates it against
// the schema and the model's own rules, and returns every problem at once as a
// *ValidationError naming the file, line and path of each.
func Parse(file string, data []byte) (*Model, error) {
	root, err := yamlguard.Parse(file, data)
	if ye, ok := errors.AsType[*yamlguard.Error](err); ok {
		return nil, &ValidationError{Problems: []Problem{{File: file, Line: ye.Line, Message: ye.Message}}, Limit: ye.Limit}
	} else if err != nil {
		return nil, err
	}
	if len(root.Content) == 0 {
		return nil, &ValidationError{Problems: []Problem{{File: file, Line: 1, Message: "the file is empty; expected a model"}}}
	}
	doc := root.Content[0]
	v := &validator{file: file, root: doc}
	v.schema()
	if len(v.problems) > 0 {
		return nil, v.err()
	}
	var m Model
	if err := doc.Decode(&m); err != nil {
		return nil, &ValidationError{Problems: []Problem{{File: file, Line: doc.Line, Message: err.Error()}}}
	}
	m.applyDefaults()
	v.rules(&m)
	if len(v.problems) > 0 {
		return nil, v.err()
	}
	m.index()
	return &m, nil
}

func (m *Model) applyDefaults() {
	for i := range m.Domains {
		if m.Domains[i].Weight == 0 {
			m.Domains[i].Weight = 1
		}
	}
	for i := range m.Categories {
		if m.Categories[i].Weight == 0 {
			m.Categories[i].Weight = 1
		}
	}
	for i := range m.Objectives {
		o := &m.Objectives[i]
		if o.Threshold == 0 {
			o.Threshold = 1
		}
		if o.Checks == nil {
			o.Checks = []string{}
		}
		if o.Scale == "" {
			o.Scale = ScaleCoverage
		}
		if o.SupportingChecks == nil {
			o.SupportingChecks = []string{}
		}
		for _, l := range []*[]string{&o.References.CCM, &o.References.NISTCSF, &o.References.CIS} {
			if *l == nil {
				*l = []string{}
			}
		}
		for _, l := range []*[]string{&o.Controls.AWS, &o.Controls.Azure, &o.Controls.GCP} {
			if *l == nil {
				*l = []string{}
			}
		}
	}
}

type validator struct {
	file     string
	root     *yaml.Node
	problems []Problem
}

func (v *validator) err() error {
	sort.SliceStable(v.problems, func(i, j int) bool { return v.problems[i].Line < v.problems[j].Line })
	return &ValidationError{Problems: v.problems}
}

func (v *validator) add(path string, format string, args ...any) {
	v.problems = append(v.problems, Problem{File: v.file, Line: v.line(path), Path: path, Message: fmt.Sprintf(format, args...)})
}

// line finds the line of a dotted path such as objectives[3].mode, or of
// its nearest parent that exists.
func (v *validator) line(path string) int {
	n := v.root
	for _, tok := range splitPath(path) {
		next := child(n, tok)
		if next == nil {
			break
		}
		n = next
	}
	return n.Line
}

// node returns the node at a dotted path, or nil when there is none.
func (v *validator) node(path string) *yaml.Node {
	n := v.root
	for _, tok := range splitPath(path) {
		if n = child(n, tok); n == nil {
			return nil
		}
	}
	return n
}

func splitPath(path string) []string {
	var toks []string
	for _, part := range strings.Split(path, ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				toks = append(toks, part)
				break
			}
			if i > 0 {
				toks = append(toks, part[:i])
			}
			j := strings.IndexByte(part, ']')
			if j < i {
				toks = append(toks, part)
				break
			}
			toks = append(toks, part[i+1:j])
			part = part[j+1:]
		}
	}
	return toks
}

func child(n *yaml.Node, tok string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == tok {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

func pointerToPath(ptr []string) string {
	var b strings.Builder
	for _, t := range ptr {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}

func (v *validator) schema() {
	sch, err := modelSchema()
	if err != nil {
		v.add("", "internal error: model schema does not compile: %v", err)
		return
	}
	inst, err := jsonValue(v.root)
	if err != nil {
		v.add("", "%v", err)
		return
	}
	seen := map[string]bool{}
	for _, p := range sch.check(inst) {
		path := pointerToPath(p.at)
		msg := p.message
		if n := v.node(path); n != nil && n.Kind == yaml.ScalarNode && !strings.Contains(msg, "got ") {
			msg += fmt.Sprintf(" (got %q)", n.Value)
		}
		key := path + "\x00" + msg
		if !seen[key] {
			seen[key] = true
			v.add(path, "%s", msg)
		}
	}
}

// rules checks what the schema cannot: references, uniqueness, ID consistency
// and that every category has objectives at every level from 2 to 5.
func (v *validator) rules(m *Model) {
	levels := map[int]bool{}
	for i, l := range m.Levels {
		if levels[l.Level] {
			v.add(fmt.Sprintf("levels[%d].level", i), "duplicate level %d", l.Level)
		}
		levels[l.Level] = true
	}
	domains := map[string]bool{}
	for i, d := range m.Domains {
		if domains[d.ID] {
			v.add(fmt.Sprintf("domains[%d].id", i), "duplicate domain ID %q", d.ID)
		}
		domains[d.ID] = true
	}
	categories := map[string]bool{}
	for i, c := range m.Categories {
		if categories[c.ID] {
			v.add(fmt.Sprintf("categories[%d].id", i), "duplicate category ID %q", c.ID)
		}
		categories[c.ID] = true
		if !domains[c.Domain] {
			v.add(fmt.Sprintf("categories[%d].domain", i), "unknown domain %q; expected one of %s", c.Domain, keys(domains))
		}
		rungs := map[int]bool{}
		for j, l := range c.Levels {
			if rungs[l.Level] {
				v.add(fmt.Sprintf("categories[%d].levels[%d].level", i, j), "duplicate level %d in the ladder of category %s; expected each of 2 to 5 at most once", l.Level, c.ID)
			}
			rungs[l.Level] = true
		}
	}
	ids := map[string]int{}
	perLevel := map[string]map[int]int{}
	for i, o := range m.Objectives {
		p := fmt.Sprintf("objectives[%d]", i)
		if first, dup := ids[o.ID]; dup {
			v.add(p+".id", "duplicate objective ID %q (first at objectives[%d])", o.ID, first)
		} else {
			ids[o.ID] = i
		}
		if !categories[o.Category] {
			v.add(p+".category", "unknown category %q; expected one of %s", o.Category, keys(categories))
		}
		cat, level, _, ok := ParseObjectiveID(o.ID)
		if ok && (cat != o.Category || level != o.Level) {
			v.add(p+".id", "objective ID %q does not match its category %q and level %d; expected %s-%d.N", o.ID, o.Category, o.Level, o.Category, o.Level)
		}
		if o.Binary() && o.Threshold != 1 {
			v.add(p+".threshold", "objective %s is binary (a yes/no fact), so its threshold must be 1, got %v", o.ID, o.Threshold)
		}
		if o.Effort != nil && o.Effort.PersonWeeks[0] > o.Effort.PersonWeeks[1] {
			v.add(p+".effort.person_weeks", "person_weeks is [min, max]; got min %d greater than max %d", o.Effort.PersonWeeks[0], o.Effort.PersonWeeks[1])
		}
		deciding := map[string]bool{}
		for _, c := range o.Checks {
			deciding[c] = true
		}
		for j, c := range o.SupportingChecks {
			if deciding[c] {
				v.add(fmt.Sprintf("%s.supporting_checks[%d]", p, j), "check %q is listed both as deciding and as supporting; keep it in one list", c)
			}
		}
		for j, r := range o.Replaces {
			if _, _, _, ok := ParseObjectiveID(r); !ok {
				v.add(fmt.Sprintf("%s.replaces[%d]", p, j), "expected an objective ID of the form CAT-LEVEL.N, got %q", r)
			} else if r == o.ID {
				v.add(fmt.Sprintf("%s.replaces[%d]", p, j), "objective %s cannot replace itself; omit replaces when the ID keeps its meaning", o.ID)
			}
		}
		if perLevel[o.Category] == nil {
			perLevel[o.Category] = map[int]int{}
		}
		perLevel[o.Category][o.Level]++
	}
	for i, c := range m.Categories {
		for level := MinLevel + 1; level <= MaxLevel; level++ {
			if perLevel[c.ID][level] == 0 {
				v.add(fmt.Sprintf("categories[%d]", i), "category %s has no objectives at level %d; every level from 2 to 5 needs at least one", c.ID, level)
			}
		}
	}
}

func keys(m map[string]bool) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// jsonValue converts a YAML node to the value a JSON decoder would produce
// (numbers as json.Number), for schema validation.
func jsonValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return jsonValue(n.Content[0])
	case yaml.AliasNode:
		return jsonValue(n.Alias)
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: keys must be plain strings", k.Line)
			}
			val, err := jsonValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			val, err := jsonValue(c)
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, err
		}
		return b, nil
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, err
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return n.Value, nil
}
