package assess

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/lazyregexp"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/yamlguard"
	"gopkg.in/yaml.v3"
)

// File is an answers file: an assessment kept as code (formats.md). Answer
// words are read as words, so yes and no are answers, never booleans.
type File struct {
	// Name is the path or name the file was read from, used in messages.
	Name string
	// Model is the model reference written in the file (id@version), or "".
	Model        string
	Organization string
	// Assessment is an optional name for the assessment.
	Assessment string
	// Date is the default date of every answer.
	Date         Date
	ValidityDays int
	// EvidenceValidityDays is how long scanner evidence stays valid; 0 when
	// the file does not say (the default applies).
	EvidenceValidityDays int
	Scopes               []Scope
	// Targets maps every category with a target to its level; a "default"
	// target in the file is already expanded to the categories it covers.
	Targets map[string]int
	// TargetDefault is the file's default target, 0 when it has none.
	TargetDefault int
	Answers       map[Key]Response
	Exemptions    map[string]Exemption

	model *model.Model
	// lines are the lines of the answers read from a file, for messages.
	lines map[Key]int
}

// NewFile returns an empty answers file for a model, with one default scope.
func NewFile(m *model.Model) *File {
	return &File{
		Model:      m.Ref(),
		Scopes:     []Scope{{ID: DefaultScope, Weight: 1}},
		Targets:    map[string]int{},
		Answers:    map[Key]Response{},
		Exemptions: map[string]Exemption{},
		model:      m,
		lines:      map[Key]int{},
	}
}

// Problem is one error in an answers file, located by line and key.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Key     string `json:"key"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	s := p.File
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
	}
	if p.Key != "" {
		s += ": " + p.Key
	}
	return s + ": " + p.Message
}

// FileError lists every problem found in an answers file. Nothing is scored
// from a file with problems.
type FileError struct {
	Problems []Problem
	// Limit names the yamlguard limit the file broke (yamlguard.LimitSize,
	// LimitNodes, LimitDepth, LimitAlias), "" for any other problem.
	Limit string
}

func (e *FileError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%d problems:\n%s", len(lines), strings.Join(lines, "\n"))
}

// ReadFile reads and parses an answers file from disk.
func ReadFile(path string, m *model.Model) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	return ParseFile(path, data, m)
}

// ReferencedModel returns the model reference (id@version) an answers file names, or
// "" when it names none, so that a caller can load the right model first.
// It parses the whole file: a caller that reads the file next should use
// ParseDocument, which parses it once for both.
func ReferencedModel(data []byte) string {
	return ParseDocument("", data).ReferencedModel()
}

// Document is an answers file parsed as YAML (within the yamlguard limits)
// but not yet read against a model, so that the model it names can be
// loaded first without parsing the file twice, which for a file of
// thousands of answers is most of the time spent.
type Document struct {
	name string
	root *yaml.Node
	err  error
}

// ParseDocument parses data as the YAML of the answers file name. A
// problem (a syntax error, a limit) is returned by Read.
func ParseDocument(name string, data []byte) *Document {
	root, err := yamlguard.Parse(name, data)
	return &Document{name: name, root: root, err: err}
}

// ReferencedModel returns the model reference (id@version) the file names,
// or "" when it names none or is not a YAML mapping.
func (d *Document) ReferencedModel() string {
	if d.err != nil || len(d.root.Content) == 0 || d.root.Content[0].Kind != yaml.MappingNode {
		return ""
	}
	doc := d.root.Content[0]
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if k, v := doc.Content[i], doc.Content[i+1]; k.Value == "model" && v.Kind == yaml.ScalarNode {
			return v.Value
		}
	}
	return ""
}

// ParseFile parses an answers file against a model. It returns a *FileError
// naming the file, line and key of every problem found.
func ParseFile(name string, data []byte, m *model.Model) (*File, error) {
	return ParseDocument(name, data).Read(m)
}

// Read reads the document against a model, as ParseFile does. It does not
// change the document, which can be read again.
func (d *Document) Read(m *model.Model) (*File, error) {
	name := d.name
	p := &parser{f: NewFile(m), name: name, m: m}
	p.f.Name = name
	p.f.Model = ""
	if ye, ok := errors.AsType[*yamlguard.Error](d.err); ok {
		return nil, &FileError{Problems: []Problem{{File: name, Line: ye.Line, Message: ye.Message}}, Limit: ye.Limit}
	} else if d.err != nil {
		return nil, d.err
	}
	root := d.root
	if len(root.Content) == 0 {
		return nil, &FileError{Problems: []Problem{{File: name, Line: 1, Message: "the file is empty; expected an answers file with at least an answers key"}}}
	}
	p.file(root.Content[0])
	if len(p.problems) > 0 {
		sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
		return nil, &FileError{Problems: p.problems}
	}
	return p.f, nil
}

type parser struct {
	f        *File
	name     string
	m        *model.Model
	problems []Problem
	scopeIDs map[string]bool
	// obj is the objective whose answer is being read.
	obj *model.Objective
}

func (p *parser) add(n *yaml.Node, key, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.problems = append(p.problems, Problem{File: p.name, Line: line, Key: key, Message: fmt.Sprintf(format, args...)})
}

// pairs returns the key/value nodes of a mapping, reporting duplicate keys.
func (p *parser) pairs(n *yaml.Node, key string) [][2]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		p.add(n, key, "expected a mapping, got %s", describe(n))
		return nil
	}
	// A small mapping (an answer's {answer, note, by, date}) is checked for
	// duplicates against the keys kept so far; a large one with a map.
	var seen map[string]bool
	if len(n.Content) > 32 {
		seen = make(map[string]bool, len(n.Content)/2)
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k, key, "expected a plain key, got %s", describe(k))
			continue
		}
		dup := false
		if seen != nil {
			dup = seen[k.Value]
			seen[k.Value] = true
		} else {
			for _, kv := range out {
				if kv[0].Value == k.Value {
					dup = true
					break
				}
			}
		}
		if dup {
			p.add(k, join(key, k.Value), "duplicate key")
			continue
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

// joinField is the key of field in the value at key, or key itself when
// field is "".
func joinField(key, field string) string {
	if field == "" {
		return key
	}
	return key + "." + field
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func (p *parser) scalar(n *yaml.Node, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.add(n, key, "expected a single value, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) date(n *yaml.Node, key string) (Date, bool) {
	s, ok := p.scalar(n, key)
	if !ok {
		return Date{}, false
	}
	d, err := ParseDate(s)
	if err != nil {
		p.add(n, key, "%v", err)
		return Date{}, false
	}
	return d, true
}

func (p *parser) number(n *yaml.Node, key string) (float64, bool) {
	s, ok := p.scalar(n, key)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || n.Tag == "!!str" {
		p.add(n, key, "expected a number, got %q", s)
		return 0, false
	}
	return v, true
}

func (p *parser) integer(n *yaml.Node, key string, lo, hi int) (int, bool) {
	s, ok := p.scalar(n, key)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		p.add(n, key, "expected a whole number from %d to %d, got %q", lo, hi, s)
		return 0, false
	}
	return v, true
}

func (p *parser) file(doc *yaml.Node) {
	top := map[string][2]*yaml.Node{}
	for _, kv := range p.pairs(doc, "") {
		switch kv[0].Value {
		case "model", "organization", "assessment", "date", "validity_days", "evidence_validity_days", "scopes", "targets", "answers", "exemptions":
			top[kv[0].Value] = kv
		default:
			p.add(kv[0], kv[0].Value, "unknown key; expected one of model, organization, assessment, date, validity_days, evidence_validity_days, scopes, targets, answers, exemptions")
		}
	}
	if kv, ok := top["model"]; ok {
		if s, ok := p.scalar(kv[1], "model"); ok && s != "" {
			if s != p.m.Ref() && s != p.m.ID {
				p.add(kv[1], "model", "the answers are for model %q but the model in use is %q; pass --model with that model's file", s, p.m.Ref())
			}
			p.f.Model = s
		}
	}
	for _, k := range []string{"organization", "assessment"} {
		if kv, ok := top[k]; ok && !isNull(kv[1]) {
			if s, ok := p.scalar(kv[1], k); ok {
				if k == "organization" {
					p.f.Organization = s
				} else {
					p.f.Assessment = s
				}
			}
		}
	}
	if kv, ok := top["date"]; ok {
		p.f.Date, _ = p.date(kv[1], "date")
	}
	if kv, ok := top["validity_days"]; ok {
		p.f.ValidityDays, _ = p.integer(kv[1], "validity_days", 1, 36500)
	}
	if kv, ok := top["evidence_validity_days"]; ok {
		p.f.EvidenceValidityDays, _ = p.integer(kv[1], "evidence_validity_days", 1, 36500)
	}
	p.scopes(top["scopes"][1])
	if kv, ok := top["targets"]; ok && !isNull(kv[1]) {
		p.targets(kv[1])
	}
	if kv, ok := top["answers"]; ok && !isNull(kv[1]) {
		// Sized for every objective listed answered in every scope, so that
		// a large file does not grow the maps step by step.
		if hint := len(kv[1].Content) / 2 * max(1, len(p.scopeIDs)); hint > len(p.f.Answers) && hint <= 1<<20 {
			p.f.Answers = make(map[Key]Response, hint)
			p.f.lines = make(map[Key]int, hint)
		}
		for _, a := range p.pairs(kv[1], "answers") {
			p.answer(a[0], a[1])
		}
	}
	if kv, ok := top["exemptions"]; ok && !isNull(kv[1]) {
		for _, e := range p.pairs(kv[1], "exemptions") {
			p.exemption(e[0], e[1])
		}
	}
	p.undated()
}

// undated refuses answers that have no date when the file has none either:
// such an answer could never go stale.
func (p *parser) undated() {
	if !p.f.Date.IsZero() {
		return
	}
	reported := map[int]bool{}
	keys := make([]Key, 0, len(p.f.Answers))
	for k, r := range p.f.Answers {
		if r.Date.IsZero() {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return p.f.lines[keys[i]] < p.f.lines[keys[j]] })
	for _, k := range keys {
		line := p.f.lines[k]
		if reported[line] {
			continue
		}
		reported[line] = true
		p.problems = append(p.problems, Problem{File: p.name, Line: line, Key: "answers." + k.Objective,
			Message: "the answer has no date and the file has none; add date: YYYY-MM-DD at the top of the file or to the answer (an undated answer could never go stale)"})
	}
}

func (p *parser) scopes(n *yaml.Node) {
	p.scopeIDs = map[string]bool{}
	if n == nil || isNull(n) {
		p.scopeIDs[DefaultScope] = true
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n, "scopes", "expected a list of scopes such as {id: production, weight: 2}, got %s", describe(n))
		p.scopeIDs[DefaultScope] = true
		return
	}
	p.f.Scopes = nil
	for i, item := range n.Content {
		key := fmt.Sprintf("scopes[%d]", i)
		var sc Scope
		sc.Weight = 1
		if item.Kind == yaml.ScalarNode {
			sc.ID = item.Value
		} else {
			for _, kv := range p.pairs(item, key) {
				switch kv[0].Value {
				case "id":
					sc.ID, _ = p.scalar(kv[1], key+".id")
				case "name":
					sc.Name, _ = p.scalar(kv[1], key+".name")
				case "weight":
					if w, ok := p.number(kv[1], key+".weight"); ok {
						if w <= 0 {
							p.add(kv[1], key+".weight", "expected a weight greater than 0, got %v", w)
						} else {
							sc.Weight = w
						}
					}
				default:
					p.add(kv[0], key+"."+kv[0].Value, "unknown key; expected id, name or weight")
				}
			}
		}
		if !ValidScopeID(sc.ID) {
			p.add(item, key+".id", "expected a scope ID of letters, digits, - or _, got %q", sc.ID)
			continue
		}
		if p.scopeIDs[sc.ID] {
			p.add(item, key+".id", "duplicate scope %q", sc.ID)
			continue
		}
		p.scopeIDs[sc.ID] = true
		p.f.Scopes = append(p.f.Scopes, sc)
	}
	if len(p.f.Scopes) == 0 {
		p.add(n, "scopes", "expected at least one scope")
	}
}

// ValidScopeID reports whether id is a valid scope ID: a letter or digit,
// then up to 63 letters, digits, underscores or hyphens. (A regular
// expression with a bounded repeat costs milliseconds to compile at start.)
func ValidScopeID(id string) bool { return validID(id, "_-") }

// validID reports whether id is 1 to 64 ASCII letters, digits or bytes of
// extra, starting with a letter or digit.
func validID(id, extra string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}

func (p *parser) targets(n *yaml.Node) {
	explicit := map[string]int{}
	for _, kv := range p.pairs(n, "targets") {
		key := "targets." + kv[0].Value
		level, ok := p.integer(kv[1], key, model.MinLevel, model.MaxLevel)
		if !ok {
			continue
		}
		if kv[0].Value == "default" {
			p.f.TargetDefault = level
			continue
		}
		if _, ok := p.m.Category(kv[0].Value); !ok {
			p.add(kv[0], key, "unknown category %q; expected default or a category of model %s", kv[0].Value, p.m.Ref())
			continue
		}
		explicit[kv[0].Value] = level
	}
	for _, c := range p.m.Categories {
		if t, ok := explicit[c.ID]; ok {
			p.f.Targets[c.ID] = t
		} else if p.f.TargetDefault > 0 {
			p.f.Targets[c.ID] = p.f.TargetDefault
		}
	}
}

var responseKeys = map[string]bool{"answer": true, "measured": true, "of": true, "note": true, "by": true, "date": true, "justification": true}

func (p *parser) answer(k, v *yaml.Node) {
	id := k.Value
	key := "answers." + id
	o, ok := p.m.Objective(id)
	p.obj = o
	if !ok {
		p.add(k, key, "unknown objective %q; it is not in model %s", id, p.m.Ref())
		return
	}
	if isNull(v) {
		return // listed but not answered yet
	}
	if v.Kind == yaml.MappingNode && !isResponse(v) {
		for _, kv := range p.pairs(v, key) {
			sc := kv[0].Value
			if !p.scopeIDs[sc] {
				p.add(kv[0], key+"."+sc, "scope %q is not declared; declared scopes: %s", sc, strings.Join(p.declared(), ", "))
				continue
			}
			if isNull(kv[1]) {
				continue
			}
			if r, ok := p.response(kv[1], key+"."+sc); ok {
				p.f.Answers[Key{id, sc}] = r
				p.f.lines[Key{id, sc}] = kv[1].Line
			}
		}
		return
	}
	if r, ok := p.response(v, key); ok {
		for _, sc := range p.declared() {
			p.f.Answers[Key{id, sc}] = r
			p.f.lines[Key{id, sc}] = v.Line
		}
	}
}

func isResponse(v *yaml.Node) bool {
	for i := 0; i < len(v.Content); i += 2 {
		if responseKeys[v.Content[i].Value] {
			return true
		}
	}
	return false
}

func (p *parser) declared() []string {
	if len(p.f.Scopes) == 0 {
		return []string{DefaultScope}
	}
	out := make([]string, len(p.f.Scopes))
	for i, s := range p.f.Scopes {
		out[i] = s.ID
	}
	return out
}

// expected names the answers the current objective accepts.
func (p *parser) expected() string {
	if p.obj != nil && p.obj.Binary() {
		return "no, yes or na"
	}
	return "no, some, half, most, yes or na, or a measure such as 87/120, {measured: 87, of: 120} or 72.5%"
}

// binaryOnly reports a coverage answer to a binary objective.
func (p *parser) binaryOnly(n *yaml.Node, key, got string) {
	p.add(n, key, "objective %s is binary (a yes/no fact): expected no, yes or na, got %s", p.obj.ID, got)
}

func (p *parser) word(n *yaml.Node, key, field string) (Answer, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.add(n, joinField(key, field), "expected an answer (%s), got %s", p.expected(), describe(n))
		return "", false
	}
	a := Answer(strings.ToLower(n.Value))
	if !a.Valid() {
		p.add(n, joinField(key, field), "unknown answer %q; expected %s", n.Value, p.expected())
		return "", false
	}
	if p.obj != nil && p.obj.Binary() && a != No && a != Yes && a != NA {
		p.binaryOnly(n, joinField(key, field), strconv.Quote(n.Value))
		return "", false
	}
	return a, true
}

var measureScalar = lazyregexp.New(`^\s*([0-9]+(?:\.[0-9]+)?)\s*(%|/\s*([0-9]+(?:\.[0-9]+)?))\s*$`)

// ParseMeasure reads a measured answer written as "87/120" or "72.5%". ok is
// false when s is neither; err says what is wrong with one that is.
func ParseMeasure(s string) (m Measure, ok bool, err error) {
	// A measure starts with a digit after blanks: words (yes, most) are
	// told apart without running the expression.
	if t := strings.TrimLeft(s, "\t\n\f\r "); t == "" || t[0] < '0' || t[0] > '9' {
		return Measure{}, false, nil
	}
	mm := measureScalar.FindStringSubmatch(s)
	if mm == nil {
		return Measure{}, false, nil
	}
	measured, _ := strconv.ParseFloat(mm[1], 64)
	if mm[2] == "%" {
		m = Measure{Measured: measured, Of: 100, Percent: true}
		if !m.Valid() {
			return m, true, fmt.Errorf("a percentage must be from 0%% to 100%%, got %s", strings.TrimSpace(s))
		}
		return m, true, nil
	}
	of, _ := strconv.ParseFloat(mm[3], 64)
	m = Measure{Measured: measured, Of: of}
	return m, true, m.check()
}

func (m Measure) check() error {
	switch {
	case m.Of <= 0:
		return fmt.Errorf("a measure needs of greater than 0, got %v", m.Of)
	case m.Measured < 0 || m.Measured > m.Of:
		return fmt.Errorf("a measure needs 0 <= measured <= of, got %v of %v", m.Measured, m.Of)
	}
	return nil
}

// scalarResponse reads an answer word or a measure written as one value,
// the value of field (or "") of the answer at key: their join names the
// value in a problem.
func (p *parser) scalarResponse(n *yaml.Node, key, field string, r *Response) bool {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		if mv, isMeasure, err := ParseMeasure(n.Value); isMeasure {
			switch {
			case p.obj != nil && p.obj.Binary():
				p.binaryOnly(n, joinField(key, field), "the measure "+strconv.Quote(n.Value))
				return false
			case err != nil:
				p.add(n, joinField(key, field), "%v", err)
				return false
			}
			m := mv // allocated only for a measure
			r.Measure = &m
			return true
		}
	}
	a, ok := p.word(n, key, field)
	r.Answer = a
	return ok
}

func (p *parser) response(n *yaml.Node, key string) (Response, bool) {
	r := Response{Date: p.f.Date}
	ok := true
	if n.Kind != yaml.ScalarNode && n.Kind != yaml.MappingNode {
		p.add(n, key, "expected an answer (%s) or a mapping {answer: ..., note: ...}, got %s", p.expected(), describe(n))
		return r, false
	}
	if n.Kind == yaml.ScalarNode {
		if !p.scalarResponse(n, key, "", &r) {
			return r, false
		}
	} else {
		var answerNode, measuredNode, ofNode *yaml.Node
		for _, kv := range p.pairs(n, key) {
			// The common values are read here without joining their key,
			// which only a problem needs.
			if v := kv[1]; v.Kind == yaml.ScalarNode {
				switch kv[0].Value {
				case "note", "justification", "by":
					text := v.Value
					if isNull(v) {
						text = ""
					}
					switch kv[0].Value {
					case "note":
						r.Note = text
					case "justification":
						r.Justification = text
					default:
						r.By = text
					}
					continue
				case "date":
					if d, err := ParseDate(v.Value); err == nil {
						r.Date = d
						continue
					}
				}
			}
			switch kv[0].Value {
			case "answer":
				answerNode = kv[1]
				ok = p.scalarResponse(kv[1], key, "answer", &r) && ok
				continue
			case "measured":
				measuredNode = kv[1]
				continue
			case "of":
				ofNode = kv[1]
				continue
			}
			k := key + "." + kv[0].Value
			switch kv[0].Value {
			case "note":
				r.Note, _ = p.text(kv[1], k)
			case "justification":
				r.Justification, _ = p.text(kv[1], k)
			case "by":
				r.By, _ = p.text(kv[1], k)
			case "date":
				d, good := p.date(kv[1], k)
				ok = ok && good
				r.Date = d
			default:
				p.add(kv[0], k, "unknown key; expected answer (or measured and of), note, justification, by or date")
				ok = false
			}
		}
		switch {
		case measuredNode != nil || ofNode != nil:
			if !p.measure(n, key, answerNode, measuredNode, ofNode, &r) {
				return r, false
			}
		case answerNode == nil:
			p.add(n, key+".answer", "missing answer; expected %s", p.expected())
			return r, false
		}
	}
	if ok && r.Answer == NA && strings.TrimSpace(r.Justification) == "" {
		p.add(n, key, "na needs a justification: write {answer: na, justification: \"why it does not apply\"}")
		return r, false
	}
	return r, ok
}

// measure reads {measured: N, of: M}.
func (p *parser) measure(n *yaml.Node, key string, answerNode, measuredNode, ofNode *yaml.Node, r *Response) bool {
	if p.obj != nil && p.obj.Binary() {
		p.binaryOnly(n, key, "a measure")
		return false
	}
	if answerNode != nil {
		p.add(answerNode, key+".answer", "give either an answer or measured and of, not both")
		return false
	}
	if measuredNode == nil || ofNode == nil {
		missing := "measured"
		if ofNode == nil {
			missing = "of"
		}
		p.add(n, key+"."+missing, "a measured answer needs both measured and of, e.g. {measured: 87, of: 120}")
		return false
	}
	measured, ok1 := p.number(measuredNode, key+".measured")
	of, ok2 := p.number(ofNode, key+".of")
	if !ok1 || !ok2 {
		return false
	}
	m := Measure{Measured: measured, Of: of}
	if err := m.check(); err != nil {
		p.add(n, key, "%v", err)
		return false
	}
	r.Measure = &m
	return true
}

func (p *parser) text(n *yaml.Node, key string) (string, bool) {
	if isNull(n) {
		return "", true
	}
	return p.scalar(n, key)
}

func (p *parser) exemption(k, v *yaml.Node) {
	id := k.Value
	key := "exemptions." + id
	if _, ok := p.m.Objective(id); !ok {
		p.add(k, key, "unknown objective %q; it is not in model %s", id, p.m.Ref())
		return
	}
	var e Exemption
	ok := true
	var hasUntil bool
	for _, kv := range p.pairs(v, key) {
		kk := key + "." + kv[0].Value
		switch kv[0].Value {
		case "reason":
			e.Reason, _ = p.text(kv[1], kk)
		case "approver":
			e.Approver, _ = p.text(kv[1], kk)
		case "until":
			hasUntil = true
			d, good := p.date(kv[1], kk)
			ok = ok && good
			e.Until = d
		default:
			p.add(kv[0], kk, "unknown key; expected reason, approver or until")
			ok = false
		}
	}
	if v.Kind != yaml.MappingNode {
		return
	}
	for field, val := range map[string]string{"reason": e.Reason, "approver": e.Approver} {
		if strings.TrimSpace(val) == "" {
			p.add(v, key+"."+field, "an exemption needs a %s", field)
			ok = false
		}
	}
	if !hasUntil {
		p.add(v, key+".until", "an exemption needs an expiry date (until: YYYY-MM-DD)")
		ok = false
	}
	if ok {
		p.f.Exemptions[id] = e
	}
}

// Input returns the scoring input of the file, judged as of the given date.
func (f *File) Input(m *model.Model, asOf Date) Input {
	return Input{
		Model:        m,
		Scopes:       f.Scopes,
		Answers:      f.Answers,
		Exemptions:   f.Exemptions,
		Targets:      f.Targets,
		ValidityDays: f.ValidityDays,
		// EvidenceValidityDays is the file's; a caller may override it.
		EvidenceValidityDays: f.EvidenceValidityDays,
		AsOf:                 asOf,
	}
}

// AnswersAfter lists, as warnings located by file and line, the answers
// dated after the as-of date: they were not known then and count as
// unanswered. One warning per answer entry, in file order.
func (f *File) AnswersAfter(asOf Date) []Problem {
	type item struct {
		k Key
		r Response
	}
	var items []item
	for k, r := range f.Answers {
		if !r.Date.IsZero() && r.Date.After(asOf) {
			items = append(items, item{k, r})
		}
	}
	sort.Slice(items, func(i, j int) bool {
		li, lj := f.lines[items[i].k], f.lines[items[j].k]
		if li != lj {
			return li < lj
		}
		if items[i].k.Objective != items[j].k.Objective {
			return items[i].k.Objective < items[j].k.Objective
		}
		return items[i].k.Scope < items[j].k.Scope
	})
	var out []Problem
	seen := map[string]bool{}
	for _, it := range items {
		key := "answers." + it.k.Objective
		id := key + "\x00" + strconv.Itoa(f.lines[it.k])
		if f.lines[it.k] == 0 {
			id += it.k.Scope
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, Problem{File: f.Name, Line: f.lines[it.k], Key: key,
			Message: fmt.Sprintf("the answer is dated %s, after the as-of date %s: it counts as unanswered", it.r.Date, asOf)})
	}
	return out
}

// SetModel sets the model whose order Encode follows.
func (f *File) SetModel(m *model.Model) { f.model = m }

// Encode writes the file as YAML in the format of formats.md, objectives in
// model order when the model is known. Parsing the output gives the same file.
func (f *File) Encode() []byte {
	var b bytes.Buffer
	ref := f.Model
	if ref == "" && f.model != nil {
		ref = f.model.Ref()
	}
	if ref != "" {
		fmt.Fprintf(&b, "model: %s\n", quote(ref))
	}
	if f.Organization != "" {
		fmt.Fprintf(&b, "organization: %s\n", quote(f.Organization))
	}
	if f.Assessment != "" {
		fmt.Fprintf(&b, "assessment: %s\n", quote(f.Assessment))
	}
	if !f.Date.IsZero() {
		fmt.Fprintf(&b, "date: %s\n", f.Date)
	}
	if f.ValidityDays > 0 {
		fmt.Fprintf(&b, "validity_days: %d\n", f.ValidityDays)
	}
	if f.EvidenceValidityDays > 0 {
		fmt.Fprintf(&b, "evidence_validity_days: %d\n", f.EvidenceValidityDays)
	}
	scopes := f.Scopes
	if len(scopes) == 0 {
		scopes = []Scope{{ID: DefaultScope, Weight: 1}}
	}
	b.WriteString("scopes:\n")
	for _, s := range scopes {
		fmt.Fprintf(&b, "  - {id: %s", quote(s.ID))
		if s.Name != "" {
			fmt.Fprintf(&b, ", name: %s", quote(s.Name))
		}
		fmt.Fprintf(&b, ", weight: %s}\n", strconv.FormatFloat(weight(s.Weight), 'f', -1, 64))
	}
	if len(f.Targets) > 0 || f.TargetDefault > 0 {
		b.WriteString("targets:\n")
		if f.TargetDefault > 0 {
			fmt.Fprintf(&b, "  default: %d\n", f.TargetDefault)
		}
		for _, c := range f.categoryOrder() {
			if t, ok := f.Targets[c]; ok && t != f.TargetDefault {
				fmt.Fprintf(&b, "  %s: %d\n", c, t)
			}
		}
	}
	b.WriteString("answers:\n")
	for _, id := range f.objectiveOrder() {
		var per []string
		var first *Response
		same := true
		for _, s := range scopes {
			r, ok := f.Answers[Key{id, s.ID}]
			if !ok {
				same = false
				continue
			}
			if first == nil {
				first = &r
			} else if !r.Equal(*first) {
				same = false
			}
			per = append(per, fmt.Sprintf("%s: %s", quote(s.ID), f.response(r)))
		}
		switch {
		case first == nil:
			continue
		case same:
			fmt.Fprintf(&b, "  %s: %s\n", id, f.response(*first))
		default:
			fmt.Fprintf(&b, "  %s: {%s}\n", id, strings.Join(per, ", "))
		}
	}
	if len(f.Exemptions) > 0 {
		b.WriteString("exemptions:\n")
		for _, id := range f.objectiveOrder() {
			if e, ok := f.Exemptions[id]; ok {
				fmt.Fprintf(&b, "  %s: {reason: %s, approver: %s, until: %s}\n", id, quote(e.Reason), quote(e.Approver), e.Until)
			}
		}
	}
	return b.Bytes()
}

func (f *File) response(r Response) string {
	if r.Note == "" && r.Justification == "" && r.By == "" && r.Date == f.Date {
		if r.Measure != nil && r.Measure.Percent {
			return quote(r.Measure.String())
		}
		if r.Measure == nil {
			return string(r.Answer)
		}
	}
	var parts []string
	switch {
	case r.Measure == nil:
		parts = []string{"answer: " + string(r.Answer)}
	case r.Measure.Percent:
		parts = []string{"answer: " + quote(r.Measure.String())}
	default:
		parts = []string{"measured: " + strconv.FormatFloat(r.Measure.Measured, 'f', -1, 64), "of: " + strconv.FormatFloat(r.Measure.Of, 'f', -1, 64)}
	}
	if r.Note != "" {
		parts = append(parts, "note: "+quote(r.Note))
	}
	if r.Justification != "" {
		parts = append(parts, "justification: "+quote(r.Justification))
	}
	if r.By != "" {
		parts = append(parts, "by: "+quote(r.By))
	}
	if r.Date != f.Date && !r.Date.IsZero() {
		parts = append(parts, "date: "+r.Date.String())
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func (f *File) categoryOrder() []string {
	if f.model != nil {
		out := make([]string, len(f.model.Categories))
		for i, c := range f.model.Categories {
			out[i] = c.ID
		}
		return out
	}
	var out []string
	for c := range f.Targets {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func (f *File) objectiveOrder() []string {
	if f.model != nil {
		out := make([]string, len(f.model.Objectives))
		for i, o := range f.model.Objectives {
			out[i] = o.ID
		}
		return out
	}
	seen := map[string]bool{}
	var out []string
	for k := range f.Answers {
		if !seen[k.Objective] {
			seen[k.Objective] = true
			out = append(out, k.Objective)
		}
	}
	for id := range f.Exemptions {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

var plainScalar = lazyregexp.New(`^[A-Za-z][A-Za-z0-9_.@/-]*$`)

// quote writes s plain when YAML reads it back as the same string, else as a
// double-quoted scalar (JSON string syntax, which is valid YAML).
func quote(s string) string {
	if plainScalar.MatchString(s) {
		switch strings.ToLower(s) {
		case "y", "n", "yes", "no", "true", "false", "on", "off", "null":
		default:
			return s
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
