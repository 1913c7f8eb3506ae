// Package yamlguard is the one way the project reads YAML that a user
// supplies: custom models, answers files, presets and import mappings. It
// refuses what could make a small file expensive before anything decodes it:
// a file over a size budget, too many nodes, nesting too deep, and every
// anchor and alias (a 400-byte file of nested aliases expands to billions of
// values, and merge keys (<<) multiply them further). Every refusal is an
// *Error naming the file, the line and the limit.
package yamlguard

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/lazyregexp"
	"gopkg.in/yaml.v3"
)

// The limits of every YAML file the project reads.
const (
	// MaxBytes is the largest YAML file read: 4 MiB (the built-in model is
	// about 170 KB).
	MaxBytes = 4 << 20
	// MaxNodes bounds the nodes (scalars, lists and mappings) of a file.
	// It is first checked before parsing, against an upper bound counted
	// from the file's structural characters, so that parsing itself stays
	// bounded. A 200-scope answers file with a note, an author and a date
	// on each of its 24,200 answers (3.2 MB) has about 250,000 nodes.
	MaxNodes = 400_000
	// MaxDepth bounds how deeply lists and mappings nest (a model needs 5).
	MaxDepth = 32
)

// The names of the limits, as an Error's Limit.
const (
	LimitSize  = "size"
	LimitNodes = "nodes"
	LimitDepth = "depth"
	LimitAlias = "alias"
	LimitParse = "" // not a limit: the file is not valid YAML
)

// Error is a YAML file refused: not valid YAML, or over one of the limits.
type Error struct {
	File   string
	Line   int // 0 when not known
	Column int // 0 when not known
	// Limit names the limit broken (LimitSize, LimitNodes, LimitDepth,
	// LimitAlias), or is "" for a syntax error.
	Limit   string
	Message string
}

// Error returns file:line:column: message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": " + e.Message)
	return b.String()
}

// TooLarge reports whether err is an *Error for the size limit, which a
// server answers with 413 rather than 400.
func TooLarge(err error) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Limit == LimitSize
}

var (
	syntaxLine    = lazyregexp.New(`line (\d+)`)
	unknownAnchor = lazyregexp.New(`unknown anchor '(.*)' referenced`)
)

// Parse checks data against the limits and parses it into a document node
// (Kind yaml.DocumentNode; no Content for an empty file). It never expands
// an alias: a file with any anchor or alias is refused. A file in the
// subset of YAML the project writes is read by a faster reader that builds
// the tree yaml.v3 builds, without comments (fast.go); any other file is
// read by yaml.v3.
func Parse(file string, data []byte) (*yaml.Node, error) {
	if len(data) > MaxBytes {
		return nil, &Error{File: file, Limit: LimitSize,
			Message: fmt.Sprintf("the file is %d bytes; the limit is %d bytes (%d MiB)", len(data), MaxBytes, MaxBytes>>20)}
	}
	if n := nodeBound(data); n > 2*MaxNodes {
		return nil, &Error{File: file, Limit: LimitNodes,
			Message: fmt.Sprintf("the file has too many values (up to %d by its punctuation); the limit is %d nodes", n, MaxNodes)}
	}
	root, checked, err := parseYAML(data)
	if err != nil {
		e := &Error{File: file, Message: strings.TrimPrefix(err.Error(), "yaml: ")}
		if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Message = strings.TrimPrefix(e.Message, "line "+m[1]+": ")
		}
		if m := unknownAnchor.FindStringSubmatch(e.Message); m != nil && e.Line == 0 {
			// The parser does not say where; the first use is a good guess.
			if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
				e.Line = bytes.Count(data[:i], []byte("\n")) + 1
			}
			e.Limit = LimitAlias
			e.Message = fmt.Sprintf("the alias *%s is not allowed (and names no anchor)", m[1])
		}
		if strings.Contains(e.Message, "exceeded max depth") {
			e.Limit = LimitDepth
		}
		return nil, e
	}
	if checked {
		return root, nil
	}
	w := walker{file: file}
	if err := w.walk(root, 0); err != nil {
		return nil, err
	}
	return root, nil
}

// parseYAML reads data with the fast reader when it is in its subset, and
// with yaml.v3 otherwise: both give the same tree. checked is true when the
// fast reader has found the tree within the node and depth limits (it has
// no aliases), so that walking it again would find nothing.
func parseYAML(data []byte) (root *yaml.Node, checked bool, err error) {
	if root, within, ok := fastParse(data); ok {
		fastReads.Add(1)
		return root, within, nil
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, false, err
	}
	return &n, false, nil
}

// Decode checks data like Parse, then decodes it into v, refusing keys
// that v has no field for.
func Decode(file string, data []byte, v any) error {
	if _, err := Parse(file, data); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return err
	}
	return nil
}

// nodeBound is an upper bound of the nodes of a file, counted without
// parsing: every node after the first of a list or mapping follows one of
// these characters, and a mapping entry is two nodes.
func nodeBound(data []byte) int {
	n := 0
	for _, c := range data {
		n += int(boundChars[c])
	}
	return 2*n + 2
}

// boundChars marks the characters nodeBound counts.
var boundChars = func() (t [256]byte) {
	for _, c := range "-,:[{?\n" {
		t[c] = 1
	}
	return t
}()

type walker struct {
	file  string
	nodes int
}

func (w *walker) walk(n *yaml.Node, depth int) error {
	w.nodes++
	if w.nodes > MaxNodes {
		return &Error{File: w.file, Line: n.Line, Column: n.Column, Limit: LimitNodes,
			Message: fmt.Sprintf("the file has more than %d nodes (scalars, lists and mappings)", MaxNodes)}
	}
	if depth > MaxDepth {
		return &Error{File: w.file, Line: n.Line, Column: n.Column, Limit: LimitDepth,
			Message: fmt.Sprintf("lists and mappings nest more than %d deep", MaxDepth)}
	}
	if n.Kind == yaml.AliasNode {
		return &Error{File: w.file, Line: n.Line, Column: n.Column, Limit: LimitAlias,
			Message: fmt.Sprintf("the alias *%s is not allowed: anchors and aliases are refused so that a small file cannot expand without bound; write the value out", n.Value)}
	}
	if n.Anchor != "" {
		return &Error{File: w.file, Line: n.Line, Column: n.Column, Limit: LimitAlias,
			Message: fmt.Sprintf("the anchor &%s is not allowed: anchors and aliases are refused so that a small file cannot expand without bound; write the value out", n.Anchor)}
	}
	next := depth
	if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
		next++
	}
	for _, c := range n.Content {
		if err := w.walk(c, next); err != nil {
			return err
		}
	}
	return nil
}
