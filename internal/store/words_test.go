package store

import (
	"regexp"
	"strings"
	"testing"
)

// TestWordCheckersMatchPatterns checks the hand-written checks of scope IDs
// and profile words against the regular expressions they stand for, on
// every string of up to two characters from an alphabet around their
// classes and on lengths around their limits.
func TestWordCheckersMatchPatterns(t *testing.T) {
	checks := []struct {
		name    string
		pattern *regexp.Regexp
		check   func(string) bool
	}{
		{"scope ID", regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`), validStoredScopeID},
		{"profile word", regexp.MustCompile(`^[a-z0-9][a-z0-9._+-]{0,62}$`), validProfileWord},
	}
	alphabet := []string{"a", "z", "A", "Z", "0", "9", ".", "_", "-", "+", " ", "/", "é", "\x00"}
	var inputs []string
	inputs = append(inputs, "")
	for _, a := range alphabet {
		inputs = append(inputs, a)
		for _, b := range alphabet {
			inputs = append(inputs, a+b)
		}
	}
	for _, n := range []int{62, 63, 64, 65} {
		inputs = append(inputs, strings.Repeat("a", n), "a"+strings.Repeat("-", n-1), strings.Repeat("a", n-1)+"é")
	}
	for _, c := range checks {
		for _, in := range inputs {
			if got, want := c.check(in), c.pattern.MatchString(in); got != want {
				t.Errorf("%s %q: got %v, want %v", c.name, in, got, want)
			}
		}
	}
}
