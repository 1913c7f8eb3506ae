package model

import "testing"

// BenchmarkParseBuiltin measures parsing and validating the built-in model,
// which every command does once at start.
func BenchmarkParseBuiltin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(BuiltinFile, builtin210YAML); err != nil {
			b.Fatal(err)
		}
	}
}
