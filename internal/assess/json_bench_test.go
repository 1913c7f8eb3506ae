package assess_test

import (
	"encoding/json"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// tenScopeResult is the result BenchmarkScoreBuiltinTenScopes computes.
func tenScopeResult(b *testing.B) *assess.Result {
	m, err := model.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	r := assess.Score(tenScopeInput(m))
	return &r
}

// BenchmarkMarshalResultTenScopes encodes that result with encoding/json.
func BenchmarkMarshalResultTenScopes(b *testing.B) {
	r := tenScopeResult(b)
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

// BenchmarkAppendJSONTenScopes encodes it with Result.AppendJSON, as
// getScore does.
func BenchmarkAppendJSONTenScopes(b *testing.B) {
	benchmarkAppendJSON(b, tenScopeResult(b))
}

// benchmarkAppendJSON encodes r into a buffer of its size each time.
func benchmarkAppendJSON(b *testing.B, r *assess.Result) {
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

// BenchmarkAppendJSONTwoScopes encodes the result BenchmarkScoreBuiltinTwoScopes
// computes, as getScore does on a cache miss.
func BenchmarkAppendJSONTwoScopes(b *testing.B) {
	m, err := model.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	r := assess.Score(twoScopeInput(m))
	benchmarkAppendJSON(b, &r)
}
