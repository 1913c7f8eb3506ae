// Package lazyregexp is a thin wrapper over regexp that compiles an
// expression on its first use instead of at package initialization, so that
// a process that never matches it does not pay for compiling it (csmm links
// the server, the CLI and the collectors into one binary, and every command
// runs every package's init).
//
// In a test binary the expression is compiled at once, so that a bad one
// still fails when its package is initialized.
package lazyregexp

import (
	"os"
	"regexp"
	"strings"

	"github.com/csmm/csmm/internal/lazy"
)

// inTest is whether this is a test binary (go test names them pkg.test),
// told from its name as cmd/go's lazyregexp does, so that the testing
// package is not linked into csmm.
var inTest = len(os.Args) > 0 && strings.HasSuffix(strings.TrimSuffix(os.Args[0], ".exe"), ".test")

// Regexp is a regexp.Regexp compiled on first use. Its methods are those of
// regexp.Regexp that csmm uses.
type Regexp struct {
	expr     string
	compiled lazy.Value[*regexp.Regexp]
}

// New returns a Regexp for expr, which is compiled with regexp.MustCompile
// on first use (at once in a test binary).
func New(expr string) *Regexp {
	r := &Regexp{expr: expr}
	r.compiled.New = func() *regexp.Regexp { return regexp.MustCompile(expr) }
	if inTest {
		r.re()
	}
	return r
}

func (r *Regexp) re() *regexp.Regexp { return r.compiled.Get() }

// Regexp returns the compiled expression.
func (r *Regexp) Regexp() *regexp.Regexp { return r.re() }

// String returns the source text of the expression.
func (r *Regexp) String() string { return r.expr }

func (r *Regexp) MatchString(s string) bool { return r.re().MatchString(s) }

func (r *Regexp) FindString(s string) string { return r.re().FindString(s) }

func (r *Regexp) FindStringSubmatch(s string) []string { return r.re().FindStringSubmatch(s) }

func (r *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return r.re().FindAllStringSubmatch(s, n)
}

func (r *Regexp) FindAllSubmatch(b []byte, n int) [][][]byte { return r.re().FindAllSubmatch(b, n) }

func (r *Regexp) ReplaceAllString(src, repl string) string { return r.re().ReplaceAllString(src, repl) }
