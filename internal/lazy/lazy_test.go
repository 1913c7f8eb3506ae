package lazy

import (
	"sync"
	"testing"
)

var calls int

var table = Value[map[string]int]{New: func() map[string]int {
	calls++
	return map[string]int{"a": 1}
}}

func TestBuiltOnceOnFirstUse(t *testing.T) {
	if calls != 0 {
		t.Fatalf("New ran %d times before Get", calls)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if table.Get()["a"] != 1 {
				t.Error("Get()[a] != 1")
			}
		})
	}
	wg.Wait()
	if calls != 1 {
		t.Errorf("New ran %d times, want 1", calls)
	}
}

func BenchmarkGet(b *testing.B) {
	table.Get()
	b.ReportAllocs()
	for b.Loop() {
		_ = table.Get()
	}
}
