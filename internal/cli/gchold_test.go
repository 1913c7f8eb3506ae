package cli

import (
	"runtime/debug"
	"testing"
)

// TestHoldGCOverlapping checks that overlapping holds keep garbage
// collection off until the last is released, then restore the setting.
func TestHoldGCOverlapping(t *testing.T) {
	orig := debug.SetGCPercent(70)
	defer debug.SetGCPercent(orig)
	percent := func() int { // reads the setting, leaving it as it was
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p
	}
	release1 := holdGC()
	release2 := holdGC()
	if p := percent(); p != -1 {
		t.Fatalf("GC percent %d with two holds, want -1 (off)", p)
	}
	release1()
	if p := percent(); p != -1 {
		t.Fatalf("GC percent %d with one hold left, want -1 (off)", p)
	}
	release2()
	if p := percent(); p != 70 {
		t.Fatalf("GC percent %d after the holds, want 70 as before", p)
	}
}
