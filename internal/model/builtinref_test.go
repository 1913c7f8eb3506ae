package model

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestLooksLikeBuiltinRef compares looksLikeBuiltinRef with the regular
// expression it replaces, on every string of up to four characters over an
// alphabet of each kind of character the expression tells apart, and on
// random longer strings.
func TestLooksLikeBuiltinRef(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*@[^/\\]+$`)
	alphabet := []string{"a", "z", "0", "9", ".", "_", "-", "@", "/", `\`, "A", " ", "\n", "é", "\xff", "`", "{", ":"}
	check := func(s string) {
		t.Helper()
		if got, want := looksLikeBuiltinRef(s), re.MatchString(s); got != want {
			t.Errorf("looksLikeBuiltinRef(%q) = %v, the expression says %v", s, got, want)
		}
	}
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		check(prefix)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(prefix+c, n-1)
		}
	}
	gen("", 4)
	for _, s := range []string{"csmm@2.0.0", "csmm@2.1.0", "csmm", "./csmm@2.0.0", "models/x@1.yaml", `a@b\c`, "my-model_1.x@v1 beta", "a@@", "@a", "a@"} {
		check(s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		b := make([]byte, 1+r.IntN(12))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = alphabet[r.IntN(len(alphabet))][0]
			}
		}
		check(string(b))
	}
}
