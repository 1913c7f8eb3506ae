package model_test

import (
	"errors"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/model"
)

// FuzzParse checks that parsing and validating any model file never panics
// and either returns a model or a *model.ValidationError with at least one
// problem, each naming the file.
func FuzzParse(f *testing.F) {
	f.Add(model.BuiltinYAML())
	f.Add(bombs.BillionLaughs())
	f.Add(bombs.MergeKeys())
	f.Add(bombs.Deep(50))
	f.Add([]byte("id: x\nversion: 1.0.0\nname: X\nlevels: []\n"))
	f.Add([]byte(`{"id": "x", "objectives": [{"id": "IAM-2.1", "level": "2"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := model.Parse("fuzz.yaml", data)
		if err == nil {
			if m == nil || m.ID == "" {
				t.Fatalf("accepted a model without an ID: %+v", m)
			}
			return
		}
		var ve *model.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("error %T %v, want a ValidationError with problems", err, err)
		}
		for _, p := range ve.Problems {
			if p.File != "fuzz.yaml" || p.Message == "" {
				t.Fatalf("problem without its file or message: %+v", p)
			}
		}
	})
}
