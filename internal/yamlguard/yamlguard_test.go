package yamlguard_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/yamlguard"
)

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		limit string
		line  int
		msg   string
	}{
		{"billion laughs", bombs.BillionLaughs(), yamlguard.LimitAlias, 4, "the anchor &a is not allowed"},
		{"merge keys", bombs.MergeKeys(), yamlguard.LimitAlias, 4, "the anchor &l0 is not allowed"},
		{"alias without anchor", []byte("a: 1\nb: *x\n"), yamlguard.LimitAlias, 2, "the alias *x is not allowed"},
		{"alias", []byte("a: &x 1\n"), yamlguard.LimitAlias, 1, "the anchor &x is not allowed"},
		{"deep", bombs.Deep(yamlguard.MaxDepth + 1), yamlguard.LimitDepth, 2, "nest more than 32 deep"},
		{"deeper than the parser goes", bombs.Deep(20000), yamlguard.LimitDepth, 2, "exceeded max depth"},
		{"too large", []byte("a: " + strings.Repeat("x", yamlguard.MaxBytes) + "\n"), yamlguard.LimitSize, 0, "the limit is 4194304 bytes"},
		{"too many nodes", []byte("[" + strings.Repeat("1,", yamlguard.MaxNodes+1) + "1]"), yamlguard.LimitNodes, 0, fmt.Sprintf("the limit is %d nodes", yamlguard.MaxNodes)},
		{"not YAML", []byte("a: [1\n"), "", 1, "did not find expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := yamlguard.Parse("f.yaml", tt.data)
			var e *yamlguard.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse: got %v, want a *yamlguard.Error", err)
			}
			if e.Limit != tt.limit || e.Line != tt.line || e.File != "f.yaml" || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("Parse: got limit %q line %d file %q message %q; want limit %q line %d message containing %q",
					e.Limit, e.Line, e.File, e.Message, tt.limit, tt.line, tt.msg)
			}
			if got := yamlguard.TooLarge(err); got != (tt.limit == yamlguard.LimitSize) {
				t.Errorf("TooLarge = %v", got)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, data := range [][]byte{
		model.BuiltinYAML(),
		bombs.Deep(yamlguard.MaxDepth - 1),
		[]byte("[" + strings.Repeat("1,", yamlguard.MaxNodes-10) + "1]"),
		[]byte("merge: {<<: {a: 1}}\n"),
	} {
		root, err := yamlguard.Parse("ok.yaml", data)
		if err != nil {
			t.Errorf("Parse(%.40q): %v", data, err)
			continue
		}
		if len(root.Content) != 1 {
			t.Errorf("Parse(%.40q): %d documents", data, len(root.Content))
		}
	}
}

func TestDecodeKnownFields(t *testing.T) {
	var v struct {
		A int `yaml:"a"`
	}
	if err := yamlguard.Decode("f.yaml", []byte("a: 1\nb: 2\n"), &v); err == nil || !strings.Contains(err.Error(), "field b not found") {
		t.Errorf("Decode with an unknown key: got %v", err)
	}
	if err := yamlguard.Decode("f.yaml", []byte("a: &x 1\n"), &v); !errors.As(err, new(*yamlguard.Error)) {
		t.Errorf("Decode with an anchor: got %v, want a *yamlguard.Error", err)
	}
	if err := yamlguard.Decode("f.yaml", []byte("a: 7\n"), &v); err != nil || v.A != 7 {
		t.Errorf("Decode: got %v, %+v", err, v)
	}
}
