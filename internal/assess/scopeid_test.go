package assess

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidScopeIDMatchesPattern checks ValidScopeID against the regular
// expression it stands for, on every string of up to two characters from
// an alphabet around its classes and on lengths around its limit.
func TestValidScopeIDMatchesPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	alphabet := []string{"a", "z", "A", "Z", "0", "9", ".", "_", "-", "+", " ", "é", "\x00"}
	inputs := []string{""}
	for _, a := range alphabet {
		inputs = append(inputs, a)
		for _, b := range alphabet {
			inputs = append(inputs, a+b)
		}
	}
	for _, n := range []int{63, 64, 65} {
		inputs = append(inputs, strings.Repeat("a", n), "a"+strings.Repeat("_", n-1), strings.Repeat("a", n-1)+".")
	}
	for _, in := range inputs {
		if got, want := ValidScopeID(in), pattern.MatchString(in); got != want {
			t.Errorf("ValidScopeID(%q) = %v, want %v", in, got, want)
		}
	}
}
