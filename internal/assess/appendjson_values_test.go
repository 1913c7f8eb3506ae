package assess_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
)

func marshal(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestAppendJSONFloatMatchesMarshal holds the float encoding, with its
// paths for whole numbers and hundredths, equal to encoding/json's.
func TestAppendJSONFloatMatchesMarshal(t *testing.T) {
	check := func(f float64) {
		t.Helper()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return // refused before, see TestAppendJSONRefusesNaN
		}
		if got, want := string(assess.AppendJSONFloat(nil, f)), marshal(t, f); got != want {
			t.Fatalf("%v (%#x): %s, want %s", f, math.Float64bits(f), got, want)
		}
	}
	// Every hundredth up to ±300 and many beyond, whole numbers at the
	// limits of the paths, neighbours of each.
	for k := -30000; k <= 30000; k++ {
		f := float64(k) / 100
		check(f)
		check(math.Nextafter(f, math.Inf(1)))
		check(math.Nextafter(f, math.Inf(-1)))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		k := rng.Int64N(2e8) - 1e8
		check(float64(k) / 100)
		check(float64(k) / 1000)
		check(float64(rng.Int64N(1<<53)) * []float64{1, 2, 1e-3, 1e3, 1e6}[rng.IntN(5)])
		check(math.Float64frombits(rng.Uint64()))
		check(rng.Float64() * []float64{1, 5, 1e6, 1e15, 1e21, 1e-6}[rng.IntN(6)])
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1e15, 1e15 - 1, -1e15, 1e15 + 0.5, 999999.99, 1e6, 1e6 - 0.01, -999999.99,
		0.01, 0.005, 0.015, 0.1 + 0.2, 2.8657407407407405, 1e-7, 1e20, 1e21, 3.5e21, math.MaxFloat64, math.SmallestNonzeroFloat64, 1 << 62, -(1 << 63)} {
		check(f)
		check(-f)
	}
}

// TestAppendJSONDateMatchesMarshal holds the date encoding equal to
// encoding/json's, which writes Date.MarshalText (fields out of range are
// normalized by package time).
func TestAppendJSONDateMatchesMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(d assess.Date) {
		t.Helper()
		if got, want := string(assess.AppendJSONDate(nil, d)), marshal(t, d); got != want {
			t.Fatalf("%#v: %s, want %s", d, got, want)
		}
	}
	check(assess.Date{})
	for y := -2; y <= 10001; y++ {
		for _, m := range []time.Month{0, 1, 2, 3, 4, 12, 13} {
			for _, d := range []int{-1, 0, 1, 9, 10, 28, 29, 30, 31, 32} {
				if y%97 == 0 || y < 3 || y > 9997 || y >= 1896 && y <= 2104 {
					check(assess.Date{Year: y, Month: m, Day: d})
				}
			}
		}
	}
	for range 100000 {
		check(assess.Date{Year: rng.IntN(12000) - 1000, Month: time.Month(rng.IntN(16) - 1), Day: rng.IntN(35) - 1})
	}
}

// TestAppendJSONStringMatchesMarshal holds the string encoding equal to
// encoding/json's on every byte, alone and beside others, and on random text.
func TestAppendJSONStringMatchesMarshal(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := string(assess.AppendJSONString(nil, s)), marshal(t, s); got != want {
			t.Fatalf("%q: %s, want %s", s, got, want)
		}
	}
	check("")
	for c := range 256 {
		check(string(rune(c)))
		check(string([]byte{byte(c)}))
		check("IAM-2.1" + string([]byte{byte(c)}) + "x")
	}
	for _, s := range []string{"a\u2028b\u2029c", "évidence ✓", "\xff\xfe", "a\xe2\x80", "<script>&amp;</script>", `"quoted" \ back`} {
		check(s)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []string{"a", "Z", "-", ".", "<", ">", "&", `"`, `\`, "\n", "\x01", "\x7f", "é", "\u2028", "\u2029", "\xff", "\xe2\x80", "✓", "😀"}
	for range 20000 {
		var s string
		for range rng.IntN(12) {
			s += alphabet[rng.IntN(len(alphabet))]
		}
		check(s)
	}
}
