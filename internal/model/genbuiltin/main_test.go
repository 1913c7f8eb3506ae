package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGeneratedFileCurrent checks that ../builtin_gen.go is what the
// generator writes today.
func TestGeneratedFileCurrent(t *testing.T) {
	want, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../builtin_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("internal/model/builtin_gen.go is stale; run go generate ./internal/model")
	}
}
