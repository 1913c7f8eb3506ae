package assess_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
)

// TestDaysSinceMatchesTime holds Date.DaysSince equal to the difference of
// the dates through package time (refDaysSince), fields out of range and
// dates centuries apart included.
func TestDaysSinceMatchesTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	field := func(typical, wide int) int {
		switch rng.IntN(10) {
		case 0:
			return rng.IntN(2*wide+1) - wide
		case 1:
			return []int{0, -1, math.MaxInt, math.MinInt, 1 << 24, -1 << 24, 1<<24 + 1, 1 << 32, 1<<32 + 1, -1 << 32, -1<<32 - 1}[rng.IntN(11)]
		}
		return 1 + rng.IntN(typical)
	}
	date := func() assess.Date {
		y := 1900 + rng.IntN(250)
		switch rng.IntN(6) {
		case 0:
			y = field(10000, 1<<25)
		case 1:
			y = rng.IntN(3000) - 1000
		}
		return assess.Date{Year: y, Month: time.Month(field(12, 1<<25)), Day: field(31, 1<<33)}
	}
	for range 400000 {
		d, e := date(), date()
		if got, want := d.DaysSince(e), refDaysSince(d, e); got != want {
			t.Fatalf("%#v.DaysSince(%#v) = %d, want %d", d, e, got, want)
		}
	}
	for _, c := range []struct {
		d, e assess.Date
		want int
	}{
		{assess.Date{}, assess.Date{Year: 2026, Month: 11, Day: 20}, -106751},
		{assess.Date{Year: 9999, Month: 12, Day: 31}, assess.Date{Year: 2026, Month: 1, Day: 1}, 106751},
		{assess.Date{Year: 2026, Month: 13, Day: 0}, assess.Date{Year: 2026, Month: 12, Day: 1}, 30},
		{assess.Date{Year: 2024, Month: 3, Day: 1}, assess.Date{Year: 2024, Month: 2, Day: 28}, 2},
	} {
		if got := c.d.DaysSince(c.e); got != c.want || got != refDaysSince(c.d, c.e) {
			t.Errorf("%#v.DaysSince(%#v) = %d, want %d", c.d, c.e, got, c.want)
		}
	}
	// Every day of four centuries against a fixed date and its neighbours.
	base := assess.Date{Year: 2026, Month: 11, Day: 20}
	for n := -80000; n <= 80000; n++ {
		d := assess.DateOf(time.Date(2026, 11, 20+n, 0, 0, 0, 0, time.UTC))
		if got, want := d.DaysSince(base), refDaysSince(d, base); got != want || got != n {
			t.Fatalf("%v.DaysSince(%v) = %d, want %d (%d)", d, base, got, want, n)
		}
	}
}
