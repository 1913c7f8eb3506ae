package api

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/reportcache"
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

// TestEncodeScore checks that encodeScore gives what AppendJSON gives, that
// later encodings, which reuse the buffers given back, leave a score still
// held untouched, and that a score whose last hold has ended cannot be
// taken again.
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
	if !first.take() {
		t.Fatal("a score just encoded cannot be taken")
	}
	first.done() // one hold left
	for range 3 {
		s, err := encodeScore(&one)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(s.json(), wantOne) {
			t.Fatal("encodeScore differs from AppendJSON")
		}
		s.done() // its buffer goes back, for the next
	}
	if !bytes.Equal(first.json(), wantTwo) {
		t.Fatalf("a held score changed after later encodings: got %d bytes, want %d", len(first.json()), len(wantTwo))
	}
	first.done()
	if first.take() {
		t.Fatal("a score whose last hold ended was taken again")
	}
}

// TestScoreLentWhileEvicted has score reads take scores from a cache of
// room for two while others fill it with new ones, so that most scores are
// let go while a reader holds them or is about to take them: no reader may
// see bytes but those of the score it asked for (run with -race, a buffer
// given back while read is also reported as a race).
func TestScoreLentWhileEvicted(t *testing.T) {
	two, one := exampleResults(t)
	results := []*assess.Result{&two, &one}
	want := make([][]byte, 2)
	for i, r := range results {
		b, err := r.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = append(b, '\n')
	}
	c := reportcache.NewWithDrop(2*int64(len(want[0])+(64<<10)), (*sharedScore).done)
	var wg sync.WaitGroup
	var taken, missed atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			for i := range 400 {
				which := (g + i) % 2
				// A new revision most of the time: the cache keeps one
				// per assessment, and the one it had is let go.
				key := reportcache.Key{OrgID: "o", AssessmentID: strconv.Itoa(i % 3), Revision: int64(i), View: strconv.Itoa(which)}
				s, err := c.Get(context.Background(), key, func() (*sharedScore, int64, error) {
					s, err := encodeScore(results[which])
					if err != nil {
						return nil, 0, err
					}
					return s, int64(cap(s.json())), nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if !s.take() {
					missed.Add(1)
					continue
				}
				taken.Add(1)
				if got := s.json(); !bytes.Equal(got, want[which]) {
					t.Errorf("reader %d, read %d: got %d bytes not those of the score asked for", g, i, len(got))
				}
				s.done()
			}
		})
	}
	wg.Wait()
	if taken.Load() == 0 {
		t.Fatal("no score was taken")
	}
	t.Logf("%d scores taken, %d let go before they could be", taken.Load(), missed.Load())
}

func BenchmarkEncodeScore(b *testing.B) {
	two, _ := exampleResults(b)
	b.ReportAllocs()
	for b.Loop() {
		s, err := encodeScore(&two)
		if err != nil {
			b.Fatal(err)
		}
		s.done()
	}
}
