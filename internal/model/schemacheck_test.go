package model

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// referenceProblems validates v against schema.json with a general JSON
// Schema library (linked into this test only) and returns its leaf errors
// as "path: message", sorted.
func referenceProblems(t *testing.T, sch *jsonschema.Schema, v any) []string {
	t.Helper()
	var out []string
	var ve *jsonschema.ValidationError
	if err := sch.Validate(v); !errors.As(err, &ve) {
		if err != nil {
			t.Fatal(err)
		}
		return nil
	}
	p := message.NewPrinter(language.English)
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, pointerToPath(e.InstanceLocation)+": "+e.ErrorKind.LocalizedString(p))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.Sort(out)
	return slices.Compact(out)
}

func checkerProblems(s *schemaNode, v any) []string {
	var out []string
	for _, p := range s.check(v) {
		out = append(out, pointerToPath(p.at)+": "+p.message)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestSchemaCheckerMatchesJSONSchema mutates models node by node (a key
// removed, an unknown key added, a value replaced by values of every JSON
// type and by out-of-range numbers and strings, an item removed or
// repeated) and checks that the model's schema checker finds exactly the
// problems, worded the same, that a general JSON Schema 2020-12
// implementation finds with schema.json.
func TestSchemaCheckerMatchesJSONSchema(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("model.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	ref, err := c.Compile("model.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	mine, err := modelSchema()
	if err != nil {
		t.Fatal(err)
	}
	replacements := []string{`""`, `x y`, `"AAA"`, `-1`, `0`, `0.5`, `1.5`, `3`, `6`, `true`, `null`, `[1]`, `["a"]`, `{a: 1}`, `manual`, `M`, `"é"`}
	var nodes *yaml.Node
	compare := func(t *testing.T, what string) {
		v, err := jsonValue(nodes)
		if err != nil {
			return // not a JSON value (a non-scalar key); Parse reports it before the schema
		}
		want, got := referenceProblems(t, ref, v), checkerProblems(mine, v)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-reference +checker):\n%s", what, diff)
		}
	}
	var scalar func(s string) *yaml.Node
	scalar = func(s string) *yaml.Node {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(s), &n); err != nil {
			t.Fatal(err)
		}
		return n.Content[0]
	}
	mutations := 0
	var mutate func(t *testing.T, n *yaml.Node, path string)
	mutate = func(t *testing.T, n *yaml.Node, path string) {
		saved := slices.Clone(n.Content)
		restore := func() { n.Content = slices.Clone(saved) }
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(saved); i += 2 {
				n.Content = slices.Delete(slices.Clone(saved), i, i+2)
				compare(t, fmt.Sprintf("%s without %s", path, saved[i].Value))
				restore()
				mutations++
			}
			n.Content = append(n.Content, scalar("zzz"), scalar("1"))
			compare(t, path+" with key zzz")
			restore()
			mutations++
			for i := 0; i+1 < len(saved); i += 2 {
				mutate(t, n.Content[i+1], path+"."+saved[i].Value)
			}
		case yaml.SequenceNode:
			if len(saved) > 0 {
				n.Content = saved[1:]
				compare(t, path+" without its first item")
				n.Content = append(slices.Clone(saved), saved[0], saved[0])
				compare(t, path+" with its first item twice more")
				restore()
				mutations += 2
			}
			for i, c := range saved {
				mutate(t, c, fmt.Sprintf("%s[%d]", path, i))
			}
		case yaml.ScalarNode:
			orig := *n
			for _, r := range replacements {
				*n = *scalar(r)
				compare(t, fmt.Sprintf("%s = %s", path, r))
				mutations++
			}
			*n = orig
		}
	}
	for name, src := range map[string]string{"validModel": validModel, "revision2Model": revision2Model} {
		t.Run(name, func(t *testing.T) {
			var root yaml.Node
			if err := yaml.Unmarshal([]byte(src), &root); err != nil {
				t.Fatal(err)
			}
			nodes = root.Content[0]
			compare(t, "the model as it is")
			mutate(t, nodes, "")
		})
	}
	if mutations < 500 {
		t.Errorf("only %d mutations tried", mutations)
	}
}

// TestSchemaCheckerRefusesUnknownKeywords checks that a schema keyword the
// checker does not implement is an error rather than ignored.
func TestSchemaCheckerRefusesUnknownKeywords(t *testing.T) {
	for _, kw := range []string{`"maxLength": 3`, `"oneOf": []`, `"uniqueItems": true`} {
		src := strings.Replace(string(schemaJSON), `"title": "csmm maturity model",`, `"title": "csmm maturity model", `+kw+`,`, 1)
		if src == string(schemaJSON) {
			t.Fatal("the test does not change the schema")
		}
		if _, err := compileSchema([]byte(src)); err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("%s: got %v, want an unknown field error", kw, err)
		}
	}
}
