package api

import (
	"bytes"
	"os"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// exampleResults scores examples/acme.yaml, and the same assessment with
// one scope only, for the encoding tests.
func exampleResults(tb testing.TB) (two, one assess.Result) {
	tb.Helper()
	m, err := model.BuiltinRef("csmm@2.0.0") // the model examples/acme.yaml names
	if err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile("../../examples/acme.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	f, err := assess.ParseFile("acme.yaml", data, m)
	if err != nil {
		tb.Fatal(err)
	}
	asOf, err := assess.ParseDate("2026-10-01")
	if err != nil {
		tb.Fatal(err)
	}
	in := f.Input(m, asOf)
	two = assess.Score(in)
	in.Scopes = in.Scopes[:1]
	one = assess.Score(in)
	return two, one
}

// TestEncodeScore checks that encodeScore gives what AppendJSON gives on a
// fresh buffer, with no spare capacity to speak of, and that a later
// encoding, which reuses the buffer, leaves an earlier result untouched.
func TestEncodeScore(t *testing.T) {
	two, one := exampleResults(t)
	wantTwo, err := two.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	wantOne, err := one.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	// With the response's newline.
	wantTwo, wantOne = append(wantTwo, '\n'), append(wantOne, '\n')
	if bytes.Equal(wantTwo, wantOne) {
		t.Fatal("the two results encode alike: the test cannot tell them apart")
	}
	first, err := encodeScore(&two)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := encodeScore(&one); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(first, wantTwo) {
		t.Fatalf("the first encoding changed after later ones: got %d bytes, want %d", len(first), len(wantTwo))
	}
	// A copy rounds its capacity up to the allocator's size class: a page
	// (8 KB) at most for encodings this large.
	if spare := cap(first) - len(first); spare > 8<<10 {
		t.Errorf("encoding of %d bytes holds %d more", len(first), spare)
	}
	again, err := encodeScore(&one)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, wantOne) {
		t.Fatal("encodeScore differs from AppendJSON")
	}
}

func BenchmarkEncodeScore(b *testing.B) {
	two, _ := exampleResults(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeScore(&two); err != nil {
			b.Fatal(err)
		}
	}
}
