// Package textfield holds the rules for the free text a user stores: how
// long a name or a note may be and which characters it may contain. The
// store checks every name and note with it before saving, so the API, the
// web pages, the command line and file imports refuse the same things with
// the same message (code invalid: 400 in the API, a form error in the pages).
package textfield

import (
	"unicode"
	"unicode/utf8"

	"github.com/csmm/csmm/internal/csmm"
)

// The limits, in characters (Unicode code points).
const (
	// MaxName bounds a name: of an organization, assessment, scope, member,
	// API token, custom model, or who answered.
	MaxName = 200
	// MaxNote bounds a note, a justification or a reason.
	MaxNote = 10_000
)

// Name checks a single-line name: valid UTF-8, at most MaxName characters,
// no control character (not even tab or newline). field names it in the
// error, such as "the assessment name". Empty is allowed; callers that
// require a name say so themselves.
func Name(field, v string) error { return check(field, v, MaxName, false) }

// Note checks multi-line text: valid UTF-8, at most MaxNote characters, no
// control character other than tab, newline and carriage return.
func Note(field, v string) error { return check(field, v, MaxNote, true) }

func check(field, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return csmm.Errorf(csmm.EINVALID, "%s is not valid UTF-8 text", field)
	}
	n := 0
	for _, r := range v {
		n++
		if unicode.IsControl(r) && !(multiline && (r == '\t' || r == '\n' || r == '\r')) {
			allowed := "names may not contain control characters"
			if multiline {
				allowed = "only tab and line breaks are allowed"
			}
			return csmm.Errorf(csmm.EINVALID, "%s contains the control character %U at character %d; %s", field, r, n, allowed)
		}
	}
	if n > max {
		return csmm.Errorf(csmm.EINVALID, "%s is %d characters long; the limit is %d", field, n, max)
	}
	return nil
}

// Check returns the first error of checks, nil when they all pass, so that
// a validator can check several fields in one statement.
func Check(checks ...error) error {
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}
