package evidence

import (
	"fmt"
	"slices"

	"github.com/csmm/csmm/internal/assess"
)

// Scoped is a scanner file applied to one scope of an assessment, or to
// every scope when Scope is empty.
type Scoped struct {
	Scope string
	File  *File
}

// Source names a file as the source of evidence: its format and path.
func (f *File) Source() string { return string(f.Format) + ":" + f.Path }

// Evidence adds up, per objective and scope, the findings of the files that
// passed and failed the objective's checks (muted ones counted apart), for
// scoring: every objective that lists a check present in a file gets an
// entry in each scope the file applies to. scopes are the scopes of the
// assessment; a file's scope must be one of them.
func (ix *Index) Evidence(files []Scoped, scopes []string) (map[assess.Key]assess.Evidence, error) {
	out := map[assess.Key]assess.Evidence{}
	for _, sf := range files {
		targets := scopes
		if sf.Scope != "" {
			if !slices.Contains(scopes, sf.Scope) {
				return nil, fmt.Errorf("evidence %s: unknown scope %q; the assessment's scopes are %v", sf.File.Path, sf.Scope, scopes)
			}
			targets = []string{sf.Scope}
		}
		for _, c := range ix.Tally(sf.File) {
			for _, s := range targets {
				k := assess.Key{Objective: c.ID, Scope: s}
				e := out[k]
				e.Passed += c.Passed
				e.Failed += c.Failed
				e.Muted += c.Muted
				if e.Source == "" {
					e.Source = sf.File.Source()
				} else {
					e.Source += ", " + sf.File.Source()
				}
				out[k] = e
			}
		}
	}
	return out, nil
}
