package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// schemaNode is one schema of schema.json. The model's schema uses a small
// part of JSON Schema 2020-12, and only that part is read: compiling
// schema.json fails on any other keyword, so a change to the schema that
// this checker would ignore cannot go unnoticed (every Parse reports it).
//
// The checker replaces a general JSON Schema library, whose package
// initialization compiled the meta-schemas of five drafts in every csmm
// process (about 23 million instructions at each start) although only
// models that are not built in are ever checked. Its messages are worded
// as that library's were ("missing property 'id'", "got string, want
// integer", "value must be one of 'manual', 'automated', 'either'").
type schemaNode struct {
	Schema  string `json:"$schema"`
	ID      string `json:"$id"`
	Title   string `json:"title"`
	Ref     string `json:"$ref"`
	Defs    map[string]*schemaNode
	RawDefs map[string]json.RawMessage `json:"$defs"`

	Type                 string                 `json:"type"`
	Enum                 []any                  `json:"enum"`
	Required             []string               `json:"required"`
	AdditionalProperties *bool                  `json:"additionalProperties"`
	Properties           map[string]*schemaNode `json:"properties"`
	Items                *schemaNode            `json:"items"`
	MinItems             *int                   `json:"minItems"`
	MaxItems             *int                   `json:"maxItems"`
	MinLength            *int                   `json:"minLength"`
	Pattern              string                 `json:"pattern"`
	Minimum              *float64               `json:"minimum"`
	Maximum              *float64               `json:"maximum"`
	ExclusiveMinimum     *float64               `json:"exclusiveMinimum"`

	pattern *regexp.Regexp
	ref     *schemaNode
}

// modelSchema is schema.json compiled on first use: only a model that is
// not built in is checked against it.
var modelSchema = sync.OnceValues(func() (*schemaNode, error) { return compileSchema(schemaJSON) })

// compileSchema reads a schema in the subset schemaNode knows and resolves
// its references to "#/$defs/NAME".
func compileSchema(data []byte) (*schemaNode, error) {
	var root schemaNode
	if err := decodeSchema(data, &root); err != nil {
		return nil, err
	}
	root.Defs = map[string]*schemaNode{}
	for name, raw := range root.RawDefs {
		var d schemaNode
		if err := decodeSchema(raw, &d); err != nil {
			return nil, fmt.Errorf("$defs/%s: %w", name, err)
		}
		root.Defs[name] = &d
	}
	var link func(s *schemaNode, at string) error
	link = func(s *schemaNode, at string) error {
		if s.Ref != "" {
			name, ok := strings.CutPrefix(s.Ref, "#/$defs/")
			if s.ref = root.Defs[name]; !ok || s.ref == nil {
				return fmt.Errorf("%s: $ref %q: expected #/$defs/ and the name of a definition", at, s.Ref)
			}
		}
		switch s.Type {
		case "", "object", "array", "string", "integer", "number", "boolean", "null":
		default:
			return fmt.Errorf("%s: unknown type %q", at, s.Type)
		}
		if s.Pattern != "" {
			re, err := regexp.Compile(s.Pattern)
			if err != nil {
				return fmt.Errorf("%s: pattern: %w", at, err)
			}
			s.pattern = re
		}
		for name, p := range s.Properties {
			if err := link(p, at+"/properties/"+name); err != nil {
				return err
			}
		}
		if s.Items != nil {
			return link(s.Items, at+"/items")
		}
		return nil
	}
	for name, d := range root.Defs {
		if err := link(d, "#/$defs/"+name); err != nil {
			return nil, err
		}
	}
	if err := link(&root, "#"); err != nil {
		return nil, err
	}
	return &root, nil
}

// decodeSchema decodes one schema object, refusing keywords schemaNode
// does not check.
func decodeSchema(data []byte, s *schemaNode) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(s); err != nil {
		return fmt.Errorf("model schema: %w (the model checker knows type, enum, required, properties, additionalProperties, items, minItems, maxItems, minLength, pattern, minimum, maximum, exclusiveMinimum and $ref to $defs)", err)
	}
	return nil
}

// schemaProblem is one value of an instance that the schema refuses: its
// location as JSON pointer tokens and the message.
type schemaProblem struct {
	at      []string
	message string
}

// check validates v (as jsonValue returns it: maps, slices, strings,
// json.Number, bools and nil) and returns every problem.
func (s *schemaNode) check(v any) []schemaProblem {
	var out []schemaProblem
	s.walk(v, nil, &out)
	return out
}

func (s *schemaNode) walk(v any, at []string, out *[]schemaProblem) {
	add := func(format string, args ...any) {
		*out = append(*out, schemaProblem{at: slices.Clone(at), message: fmt.Sprintf(format, args...)})
	}
	if s.ref != nil {
		s.ref.walk(v, at, out)
	}
	got := jsonTypeOf(v)
	if s.Type != "" && s.Type != got && !(s.Type == "number" && got == "integer") {
		add("got %s, want %s", reportedType(got), s.Type)
		return
	}
	if s.Enum != nil && !slices.ContainsFunc(s.Enum, func(e any) bool { return jsonEqual(e, v) }) {
		want := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			want[i] = displayJSON(e)
		}
		if len(want) == 1 {
			add("value must be %s", want[0])
		} else {
			add("value must be one of %s", strings.Join(want, ", "))
		}
	}
	switch v := v.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(v), 64)
		if s.Minimum != nil && f < *s.Minimum {
			add("minimum: got %v, want %v", f, *s.Minimum)
		}
		if s.Maximum != nil && f > *s.Maximum {
			add("maximum: got %v, want %v", f, *s.Maximum)
		}
		if s.ExclusiveMinimum != nil && f <= *s.ExclusiveMinimum {
			add("exclusiveMinimum: got %v, want %v", f, *s.ExclusiveMinimum)
		}
	case string:
		if s.MinLength != nil && utf8.RuneCountInString(v) < *s.MinLength {
			add("minLength: got %d, want %d", utf8.RuneCountInString(v), *s.MinLength)
		}
		if s.pattern != nil && !s.pattern.MatchString(v) {
			add("%s does not match pattern %s", quoteJSON(v), quoteJSON(s.Pattern))
		}
	case []any:
		if s.MinItems != nil && len(v) < *s.MinItems {
			add("minItems: got %d, want %d", len(v), *s.MinItems)
		}
		if s.MaxItems != nil && len(v) > *s.MaxItems {
			add("maxItems: got %d, want %d", len(v), *s.MaxItems)
		}
		if s.Items != nil {
			for i, item := range v {
				s.Items.walk(item, append(at, strconv.Itoa(i)), out)
			}
		}
	case map[string]any:
		var missing []string
		for _, r := range s.Required {
			if _, ok := v[r]; !ok {
				missing = append(missing, r)
			}
		}
		if len(missing) == 1 {
			add("missing property %s", quoteJSON(missing[0]))
		} else if len(missing) > 1 {
			add("missing properties %s", joinQuotedJSON(missing))
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var extra []string
		for _, k := range keys {
			if p, ok := s.Properties[k]; ok {
				p.walk(v[k], append(at, k), out)
			} else if s.AdditionalProperties != nil && !*s.AdditionalProperties {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			add("additional properties %s not allowed", joinQuotedJSON(extra))
		}
	}
}

// jsonTypeOf names the JSON type of v; a number without a fraction is an
// integer.
func jsonTypeOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if r, ok := new(big.Rat).SetString(string(v)); ok && r.IsInt() {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// reportedType is the type named in "got …": any number is a number.
func reportedType(t string) string {
	if t == "integer" {
		return "number"
	}
	return t
}

// jsonEqual compares an enum value from the schema with an instance value.
func jsonEqual(schemaValue, v any) bool {
	switch e := schemaValue.(type) {
	case string:
		s, ok := v.(string)
		return ok && s == e
	case float64:
		n, ok := v.(json.Number)
		f, err := strconv.ParseFloat(string(n), 64)
		return ok && err == nil && f == e
	case bool:
		b, ok := v.(bool)
		return ok && b == e
	case nil:
		return v == nil
	}
	return false
}

func displayJSON(v any) string {
	switch v := v.(type) {
	case string:
		return quoteJSON(v)
	case []any, map[string]any:
		return "value"
	}
	return fmt.Sprintf("%v", v)
}

// quoteJSON single-quotes s as the messages do: Go escapes, with double
// quotes left as they are and single quotes escaped.
func quoteJSON(s string) string {
	s = strconv.Quote(s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}

func joinQuotedJSON(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = quoteJSON(s)
	}
	return strings.Join(q, ", ")
}
