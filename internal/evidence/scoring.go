package evidence

import (
	"fmt"
	"slices"
	"strings"

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
// assessment. A file's Scope, when set, applies the whole file to that scope;
// otherwise a finding with a Scope counts in that scope only and the others
// in every scope. A scope that is not one of scopes is an error.
func (ix *Index) Evidence(files []Scoped, scopes []string) (map[assess.Key]assess.Evidence, error) {
	out := map[assess.Key]assess.Evidence{}
	for _, sf := range files {
		if sf.Scope != "" {
			if !slices.Contains(scopes, sf.Scope) {
				return nil, fmt.Errorf("evidence %s: unknown scope %q; the assessment's scopes are %s", sf.File.Path, sf.Scope, strings.Join(scopes, ", "))
			}
			ix.add(out, sf.File, ix.Tally(sf.File.Outcomes), []string{sf.Scope})
			continue
		}
		parts, order := splitByScope(sf.File)
		for _, scope := range order {
			targets := scopes
			if scope != "" {
				if !slices.Contains(scopes, scope) {
					return nil, fmt.Errorf("evidence %s: unknown scope %q in the scope column; the assessment's scopes are %s", sf.File.Path, scope, strings.Join(scopes, ", "))
				}
				targets = []string{scope}
			}
			ix.add(out, sf.File, ix.Tally(parts[scope]), targets)
		}
	}
	return out, nil
}

// splitByScope groups a file's outcomes by their Scope, in order of first
// appearance.
func splitByScope(f *File) (map[string][]*Outcome, []string) {
	parts := map[string][]*Outcome{}
	var order []string
	for _, o := range f.Outcomes {
		if _, ok := parts[o.Scope]; !ok {
			order = append(order, o.Scope)
		}
		parts[o.Scope] = append(parts[o.Scope], o)
	}
	return parts, order
}

func (ix *Index) add(out map[assess.Key]assess.Evidence, f *File, counts []ObjectiveCount, scopes []string) {
	for _, c := range counts {
		for _, s := range scopes {
			k := assess.Key{Objective: c.ID, Scope: s}
			out[k] = out[k].Plus(assess.Evidence{Passed: c.Passed, Failed: c.Failed, Muted: c.Muted, Source: f.Source()})
		}
	}
}
