package main

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/yamlguard"
	"github.com/csmm/csmm/internal/yamlguard/yamlguardtest"
	"gopkg.in/yaml.v3"
)

// TestLargeFilesReadFast checks that the benchmark's answers files are
// read by yamlguard's fast reader, not yaml.v3, and into yaml.v3's tree:
// a change to either that sent them back to yaml.v3 would triple the time
// of csmm score on them.
func bigFile(tb testing.TB, ref string, scopes int) []byte {
	m, err := model.BuiltinRef(ref)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := write(w, m, ref, scopes, rand.New(rand.NewPCG(1, 2))); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestLargeFilesReadFast(t *testing.T) {
	for _, tt := range []struct {
		ref    string
		scopes int
	}{{"csmm@2.0.0", 200}, {"csmm@2.1.0", 180}} {
		t.Run(tt.ref, func(t *testing.T) {
			data := bigFile(t, tt.ref, tt.scopes)
			before := yamlguard.FastReads()
			got, err := yamlguard.Parse("big.yaml", data)
			if err != nil {
				t.Fatal(err)
			}
			if yamlguard.FastReads() != before+1 {
				t.Fatalf("the %d-byte file was read by yaml.v3, not the fast reader", len(data))
			}
			var want yaml.Node
			if err := yaml.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if d := yamlguardtest.Diff(got, &want); d != "" {
				t.Fatalf("the fast reader's tree differs from yaml.v3's: %s", d)
			}
		})
	}
}

// BenchmarkParse reads the 200-scope answers file (3.96 MB, 24,200
// answers) with yamlguard.Parse (the fast reader and the limits) and with
// yaml.v3 alone, as before the fast reader.
func BenchmarkParse(b *testing.B) {
	data := bigFile(b, "csmm@2.0.0", 200)
	b.Run("yamlguard", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := yamlguard.Parse("big.yaml", data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var n yaml.Node
			if err := yaml.Unmarshal(data, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkScoreLarge runs what csmm score does with the 200-scope file
// after reading it from disk, stage by stage: yamlguard's parse, reading
// the answers against the model, and scoring.
func BenchmarkScoreLarge(b *testing.B) {
	data := bigFile(b, "csmm@2.0.0", 200)
	m, err := model.BuiltinRef("csmm@2.0.0")
	if err != nil {
		b.Fatal(err)
	}
	asOf, err := assess.ParseDate("2026-10-01")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			assess.ParseDocument("big.yaml", data)
		}
	})
	doc := assess.ParseDocument("big.yaml", data)
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := doc.Read(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	f, err := doc.Read(m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("score", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			assess.Score(f.Input(m, asOf))
		}
	})
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, err := assess.ParseFile("big.yaml", data, m)
			if err != nil {
				b.Fatal(err)
			}
			assess.Score(f.Input(m, asOf))
		}
	})
}
