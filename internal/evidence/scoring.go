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
// scoring: every objective that lists a check present in a file, as a
// deciding or a supporting check, gets an entry in each scope the file
// applies to. The entry keeps the counts per check and scan date
// (assess.CheckEvidence: the finding's own time, else the file's import
// time), so that scoring can leave out stale scans and name the failing
// checks that contradict an answer; its totals are those of the deciding
// checks. scopes are the scopes of the
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
			ix.add(out, sf.File, sf.File.Findings, []string{sf.Scope})
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
			ix.add(out, sf.File, parts[scope].Findings, targets)
		}
	}
	return out, nil
}

// splitByScope groups a file's findings by their Scope, in order of first
// appearance.
func splitByScope(f *File) (map[string]*File, []string) {
	parts := map[string]*File{}
	var order []string
	for _, fd := range f.Findings {
		p, ok := parts[fd.Scope]
		if !ok {
			p = &File{Path: f.Path, Format: f.Format}
			parts[fd.Scope] = p
			order = append(order, fd.Scope)
		}
		p.Findings = append(p.Findings, fd)
	}
	return parts, order
}

// checkTally is what a file says about one check on one scan day: the pass
// and fail findings (muted ones apart), without archived and other
// outcomes. Evidence is built from these, whatever form a file keeps its
// findings in.
type checkTally struct {
	check                 string
	scanned               assess.Date
	passed, failed, muted int
}

// tallies counts findings per check and scan day, in order of first
// appearance.
func tallies(f *File, findings []Finding) []checkTally {
	type key struct {
		check   string
		scanned assess.Date
	}
	index := map[key]int{}
	var out []checkTally
	for i := range findings {
		fd := &findings[i]
		k := key{fd.CheckID, scanDate(fd, f)}
		j, ok := index[k]
		if !ok {
			j = len(out)
			index[k] = j
			out = append(out, checkTally{check: k.check, scanned: k.scanned})
		}
		if fd.Archived || (fd.Status != Pass && fd.Status != Fail) {
			continue
		}
		switch {
		case fd.Muted:
			out[j].muted++
		case fd.Status == Pass:
			out[j].passed++
		default:
			out[j].failed++
		}
	}
	return out
}

// add adds the tallies of a file to the evidence of every objective that
// lists their checks (deciding or supporting), in every target scope.
// Objectives in model order, checks in order of first appearance.
func (ix *Index) add(out map[assess.Key]assess.Evidence, f *File, findings []Finding, scopes []string) {
	type entry struct {
		objective int
		c         assess.CheckEvidence
	}
	var entries []entry
	for _, t := range tallies(f, findings) {
		c := assess.CheckEvidence{Check: t.check, Scanned: t.scanned, Passed: t.passed, Failed: t.failed, Muted: t.muted, Source: f.Source()}
		for _, o := range ix.checks[t.check] {
			entries = append(entries, entry{o, c})
		}
		c.Supporting = true
		for _, o := range ix.supporting[t.check] {
			entries = append(entries, entry{o, c})
		}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return a.objective - b.objective })
	for _, en := range entries {
		e := assess.Evidence{Source: f.Source(), Checks: []assess.CheckEvidence{en.c}}
		if !en.c.Supporting {
			e.Passed, e.Failed, e.Muted = en.c.Passed, en.c.Failed, en.c.Muted
		}
		id := ix.m.Objectives[en.objective].ID
		for _, s := range scopes {
			key := assess.Key{Objective: id, Scope: s}
			out[key] = out[key].Plus(e)
		}
	}
}

// scanDate is the calendar date (UTC) of the scan that produced a finding:
// its own time, else the file's import time; zero when neither is known.
func scanDate(fd *Finding, f *File) assess.Date {
	switch {
	case !fd.Time.IsZero():
		return assess.DateOf(fd.Time.UTC())
	case !f.Imported.IsZero():
		return assess.DateOf(f.Imported.UTC())
	}
	return assess.Date{}
}
