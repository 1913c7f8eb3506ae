package lazyregexp

import (
	"regexp"
	"slices"
	"testing"
)

func TestSameAsRegexp(t *testing.T) {
	const expr = `(\w+)=(\d+)`
	l, re := New(expr), regexp.MustCompile(expr)
	for _, s := range []string{"", "a=1", "x a=1 b=22 c", "no match", "=1"} {
		if got, want := l.MatchString(s), re.MatchString(s); got != want {
			t.Errorf("MatchString(%q) = %v, want %v", s, got, want)
		}
		if got, want := l.FindString(s), re.FindString(s); got != want {
			t.Errorf("FindString(%q) = %q, want %q", s, got, want)
		}
		if got, want := l.FindStringSubmatch(s), re.FindStringSubmatch(s); !slices.Equal(got, want) {
			t.Errorf("FindStringSubmatch(%q) = %q, want %q", s, got, want)
		}
		if got, want := l.FindAllStringSubmatch(s, -1), re.FindAllStringSubmatch(s, -1); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("FindAllStringSubmatch(%q) = %q, want %q", s, got, want)
		}
		if got, want := len(l.FindAllSubmatch([]byte(s), -1)), len(re.FindAllSubmatch([]byte(s), -1)); got != want {
			t.Errorf("FindAllSubmatch(%q): %d matches, want %d", s, got, want)
		}
		if got, want := l.ReplaceAllString(s, "[$2]"), re.ReplaceAllString(s, "[$2]"); got != want {
			t.Errorf("ReplaceAllString(%q) = %q, want %q", s, got, want)
		}
	}
	if l.String() != expr || l.Regexp().String() != expr {
		t.Errorf("String() = %q, Regexp().String() = %q, want %q", l.String(), l.Regexp().String(), expr)
	}
}

func TestCompiledAtOnceInTests(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New with a bad expression did not panic in a test binary")
		}
	}()
	New(`(`)
}
