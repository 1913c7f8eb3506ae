package assess_test

import (
	"encoding/json"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// BenchmarkMarshalResultTenScopes encodes the result of
// BenchmarkScoreBuiltinTenScopes as getScore does.
func BenchmarkMarshalResultTenScopes(b *testing.B) {
	m, err := model.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	r := assess.Score(tenScopeInput(m))
	data, err := json.Marshal(r)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendJSONTenScopes is BenchmarkMarshalResultTenScopes through
// Result.AppendJSON.
func BenchmarkAppendJSONTenScopes(b *testing.B) {
	m, err := model.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	r := assess.Score(tenScopeInput(m))
	data, err := r.AppendJSON(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.AppendJSON(make([]byte, 0, len(data))); err != nil {
			b.Fatal(err)
		}
	}
}
