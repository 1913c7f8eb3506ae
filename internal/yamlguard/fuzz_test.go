package yamlguard_test

import (
	"errors"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/yamlguard"
	"gopkg.in/yaml.v3"
)

// FuzzParse checks that Parse never panics, refuses with a *yamlguard.Error,
// and never returns a tree with an alias or anchor or over the limits.
func FuzzParse(f *testing.F) {
	for _, seed := range [][]byte{
		bombs.BillionLaughs(), bombs.MergeKeys(), bombs.Deep(40), model.BuiltinYAML()[:4096],
		[]byte("a: 1\n"), []byte("- [a, {b: c}]\n"), []byte("x: *y\n"), []byte("<<: {a: 1}\n"), []byte("--- a\n--- b\n"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := yamlguard.Parse("f.yaml", data)
		if err != nil {
			if !errors.As(err, new(*yamlguard.Error)) {
				t.Fatalf("error %T %v, want a *yamlguard.Error", err, err)
			}
			return
		}
		nodes := 0
		var walk func(n *yaml.Node, depth int)
		walk = func(n *yaml.Node, depth int) {
			nodes++
			if n.Kind == yaml.AliasNode || n.Anchor != "" {
				t.Fatalf("accepted an alias or anchor at line %d", n.Line)
			}
			if depth > yamlguard.MaxDepth+1 {
				t.Fatalf("accepted nesting %d deep", depth)
			}
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		}
		walk(root, 0)
		if nodes > yamlguard.MaxNodes {
			t.Fatalf("accepted %d nodes", nodes)
		}
	})
}
