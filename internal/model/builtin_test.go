package model

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestBuiltinGenerated checks that every built-in model has a precompiled
// literal (builtin_gen.go) made from its YAML as it is now and equal to the
// YAML parsed and validated; it fails after any change to a csmm-*.yaml
// file or to the model's types until go generate is run again.
func TestBuiltinGenerated(t *testing.T) {
	for _, b := range builtins {
		t.Run(b.ref, func(t *testing.T) {
			p, ok := precompiled[b.ref]
			if !ok {
				t.Fatalf("no precompiled literal for %s; run go generate ./internal/model", b.ref)
			}
			sum := sha256.Sum256(b.data)
			if got := hex.EncodeToString(sum[:]); got != p.sha256 {
				t.Fatalf("the literal of %s was made from YAML with SHA-256 %s, the embedded YAML has %s; run go generate ./internal/model", b.ref, p.sha256, got)
			}
			parsed, err := Parse(b.file, b.data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(parsed, p.model, cmpopts.IgnoreUnexported(Model{})); diff != "" {
				t.Fatalf("the literal of %s differs from its parsed YAML (-parsed +literal); run go generate ./internal/model:\n%s", b.ref, diff)
			}
			got, err := BuiltinRef(b.ref)
			if err != nil {
				t.Fatal(err)
			}
			if got != p.model {
				t.Errorf("BuiltinRef(%q) did not return the precompiled literal", b.ref)
			}
			if len(got.Objectives) == 0 || got.ObjectiveOrder(got.Objectives[len(got.Objectives)-1].ID) != len(got.Objectives)-1 {
				t.Errorf("the precompiled model %s is not indexed", b.ref)
			}
		})
	}
}

// TestLoadBuiltinStale checks that a built-in model whose YAML no longer
// matches its literal is parsed from the YAML instead.
func TestLoadBuiltinStale(t *testing.T) {
	b := builtins[len(builtins)-1]
	stale := &builtinFile{ref: b.ref, file: b.file, data: append([]byte("# edited\n"), b.data...)}
	m, err := loadBuiltin(stale)
	if err != nil {
		t.Fatal(err)
	}
	if m == precompiled[b.ref].model {
		t.Fatal("loadBuiltin returned the precompiled literal for changed YAML")
	}
	if diff := cmp.Diff(precompiled[b.ref].model, m, cmpopts.IgnoreUnexported(Model{})); diff != "" {
		t.Errorf("the model parsed from the edited YAML differs (-literal +parsed):\n%s", diff)
	}
}

// BenchmarkLoadBuiltin measures getting the default built-in model the way
// a command does at start: the precompiled literal, checked by SHA-256.
func BenchmarkLoadBuiltin(b *testing.B) {
	b.ReportAllocs()
	bf := builtins[len(builtins)-1]
	for b.Loop() {
		if _, err := loadBuiltin(bf); err != nil {
			b.Fatal(err)
		}
	}
}
