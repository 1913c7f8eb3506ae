package evidence

import (
	"slices"

	"github.com/csmm/csmm/internal/model"
)

// StatusCounts counts findings by outcome.
type StatusCounts struct {
	Pass   int `json:"pass"`
	Fail   int `json:"fail"`
	Manual int `json:"manual"`
	Other  int `json:"other"`
}

func (c *StatusCounts) add(s Status) {
	switch s {
	case Pass:
		c.Pass++
	case Fail:
		c.Fail++
	case Manual:
		c.Manual++
	default:
		c.Other++
	}
}

// ObjectiveCount is what one file says about one objective: the findings of
// its checks that passed and failed (resource evaluations), without muted
// and archived findings; Muted counts the muted pass and fail findings left
// out of both.
type ObjectiveCount struct {
	ID     string `json:"id"`
	Passed int    `json:"passed"`
	Failed int    `json:"failed"`
	Muted  int    `json:"muted"`
}

// Summary is the evidence summary of one file (formats.md, "Evidence
// summary"). Findings counts every record, archived and muted included;
// Status counts the findings that are not archived by outcome, muted ones
// included; Archived counts the archived ones, which appear nowhere else.
type Summary struct {
	Path     string       `json:"path"`
	Format   Format       `json:"format"`
	Findings int          `json:"findings"`
	Status   StatusCounts `json:"status"`
	Muted    int          `json:"muted"`
	Archived int          `json:"archived"`
	// ChecksMapped are the check IDs in the file that some objective of the
	// model lists, as a deciding or a supporting check; ChecksUnknown the
	// others. Both sorted.
	ChecksMapped  []string `json:"checks_mapped"`
	ChecksUnknown []string `json:"checks_unknown"`
	// Objectives lists, in model order, every objective whose deciding
	// checks are present in the file, with their counts (supporting checks
	// give no value and are not counted here).
	Objectives []ObjectiveCount `json:"objectives"`
}

// Index maps check IDs to the objectives that list them, as deciding or
// supporting checks.
type Index struct {
	m      *model.Model
	checks map[string][]int // check ID -> objective positions, deciding
	// supporting maps check IDs to the objectives that list them as
	// supporting checks.
	supporting map[string][]int
}

// NewIndex indexes the checks of a model's objectives.
func NewIndex(m *model.Model) *Index {
	ix := &Index{m: m, checks: map[string][]int{}, supporting: map[string][]int{}}
	for i, o := range m.Objectives {
		for _, c := range o.Checks {
			if !slices.Contains(ix.checks[c], i) {
				ix.checks[c] = append(ix.checks[c], i)
			}
		}
		for _, c := range o.SupportingChecks {
			if !slices.Contains(ix.supporting[c], i) {
				ix.supporting[c] = append(ix.supporting[c], i)
			}
		}
	}
	return ix
}

// Mapped reports whether some objective lists the check, deciding or supporting.
func (ix *Index) Mapped(check string) bool {
	return len(ix.checks[check])+len(ix.supporting[check]) > 0
}

// Objectives returns the IDs of the objectives whose value the check decides,
// in model order.
func (ix *Index) Objectives(check string) []string {
	var ids []string
	for _, i := range ix.checks[check] {
		ids = append(ids, ix.m.Objectives[i].ID)
	}
	return ids
}

// Supported returns the IDs of the objectives that list the check as a
// supporting check, in model order.
func (ix *Index) Supported(check string) []string {
	var ids []string
	for _, i := range ix.supporting[check] {
		ids = append(ids, ix.m.Objectives[i].ID)
	}
	return ids
}

// Summarize counts the findings of a file and maps its checks to the model.
func Summarize(f *File, m *model.Model) Summary {
	return NewIndex(m).Summarize(f)
}

// Summarize counts the findings of a file and maps its checks to the model.
func (ix *Index) Summarize(f *File) Summary {
	s := Summary{
		Path: f.Path, Format: f.Format, Findings: len(f.Findings),
		ChecksMapped: []string{}, ChecksUnknown: []string{},
	}
	seen := map[string]bool{}
	for _, fd := range f.Findings {
		if !seen[fd.CheckID] {
			seen[fd.CheckID] = true
			if ix.Mapped(fd.CheckID) {
				s.ChecksMapped = append(s.ChecksMapped, fd.CheckID)
			} else {
				s.ChecksUnknown = append(s.ChecksUnknown, fd.CheckID)
			}
		}
		if fd.Archived {
			s.Archived++
			continue
		}
		s.Status.add(fd.Status)
		if fd.Muted {
			s.Muted++
		}
	}
	slices.Sort(s.ChecksMapped)
	slices.Sort(s.ChecksUnknown)
	s.Objectives = ix.Tally(f)
	return s
}

// Tally counts, for every objective that lists a check present in the file,
// the findings of its checks that passed and failed, leaving out archived
// findings and counting muted ones apart. The list is in model order.
func (ix *Index) Tally(f *File) []ObjectiveCount {
	counts := make([]*ObjectiveCount, len(ix.m.Objectives))
	for _, fd := range f.Findings {
		for _, i := range ix.checks[fd.CheckID] {
			c := counts[i]
			if c == nil {
				c = &ObjectiveCount{ID: ix.m.Objectives[i].ID}
				counts[i] = c
			}
			if fd.Archived || (fd.Status != Pass && fd.Status != Fail) {
				continue
			}
			switch {
			case fd.Muted:
				c.Muted++
			case fd.Status == Pass:
				c.Passed++
			default:
				c.Failed++
			}
		}
	}
	out := []ObjectiveCount{}
	for _, c := range counts {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}
