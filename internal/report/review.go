package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// EvidenceItem is a link or file that backs the answer to an objective, as
// the report lists it. Files are named, never embedded.
type EvidenceItem struct {
	// ID identifies it where it is stored (the web report links files by it).
	ID        string
	Objective string
	// Kind is link or file.
	Kind string
	// Title is a link's title or a file's name.
	Title string
	// URL is a link's address; "" for a file.
	URL string
	// Size is a file's size in bytes.
	Size int64
	// By is who added it; Added when.
	By    string
	Added time.Time
}

// SizeText is a file's size as people read it; "" for a link.
func (e EvidenceItem) SizeText() string {
	switch {
	case e.Kind != "file":
		return ""
	case e.Size >= 1<<20:
		return strconv.FormatFloat(float64(e.Size)/(1<<20), 'f', 1, 64) + " MiB"
	case e.Size >= 1<<10:
		return strconv.FormatFloat(float64(e.Size)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(e.Size, 10) + " B"
}

// AddedDate is the day it was added, in UTC.
func (e EvidenceItem) AddedDate() string { return e.Added.UTC().Format(time.DateOnly) }

// ReviewMark is a reviewer's mark on the answer to an objective in a scope.
type ReviewMark struct {
	// By is the reviewer; At when they reviewed.
	By string
	At time.Time
	// Changed is true when the answer changed after the review.
	Changed bool
}

// Text says how the answer stands with its reviewer.
func (m *ReviewMark) Text() string {
	switch {
	case m == nil:
		return "not reviewed"
	case m.Changed:
		return fmt.Sprintf("changed since review by %s on %s", m.By, m.At.UTC().Format(time.DateOnly))
	}
	return fmt.Sprintf("reviewed by %s on %s", m.By, m.At.UTC().Format(time.DateOnly))
}

// ObjectiveEvidence is the links and files of one objective.
type ObjectiveEvidence struct {
	Objective ObjectiveRef
	Items     []EvidenceItem
}

// NoteRow is an answer with a note or a justification, in one scope.
type NoteRow struct {
	Objective     ObjectiveRef
	Answer        string
	Note          string
	Justification string
	By            string
	Date          assess.Date
	// Review is the reviewer's mark as people read it.
	Review string
}

// ReviewCount counts a category's answers, over every scope, by review state.
type ReviewCount struct {
	Category string
	Name     string
	Answered int
	Reviewed int
	Changed  int
}

// Unreviewed counts the answers without a mark.
func (c ReviewCount) Unreviewed() int { return c.Answered - c.Reviewed - c.Changed }

// ReviewSummary counts the answers of every category by review state.
// Tracked is false when the report was built without review marks (from
// an answers file), and the report then says nothing of review.
type ReviewSummary struct {
	Tracked    bool
	Categories []ReviewCount
	Total      ReviewCount
}

// ReviewText is the row's review mark as people read it; "" when there is
// no answer to review or the report has no review marks.
func (o ObjectiveRow) ReviewText() string {
	if o.Answer == "" || !o.reviewed {
		return ""
	}
	return o.Review.Text()
}

// evidenceAndReview fills the report's evidence, notes and review counts
// from the metadata, once the scopes' objective rows are built.
func (r *Report) evidenceAndReview(m *model.Model, meta Meta, ref func(string) ObjectiveRef) {
	byObj := map[string][]EvidenceItem{}
	for _, e := range meta.Evidence {
		byObj[e.Objective] = append(byObj[e.Objective], e)
	}
	for i := range m.Objectives {
		id := m.Objectives[i].ID
		if items := byObj[id]; len(items) > 0 {
			r.Evidence = append(r.Evidence, ObjectiveEvidence{Objective: ref(id), Items: items})
		}
	}
	counts := map[string]*ReviewCount{}
	for _, c := range m.Categories {
		rc := &ReviewCount{Category: c.ID, Name: c.Name}
		counts[c.ID] = rc
	}
	r.Review.Total.Name = "All categories"
	r.Review.Tracked = meta.Reviews != nil
	r.EvidenceTracked = meta.Evidence != nil
	for si := range r.Scopes {
		s := &r.Scopes[si]
		for oi := range s.Objectives {
			row := &s.Objectives[oi]
			row.reviewed = r.Review.Tracked
			if mark, ok := meta.Reviews[assess.Key{Objective: row.ID, Scope: s.ID}]; ok {
				row.Review = &mark
			}
			if row.Answer == "" {
				continue
			}
			if rc := counts[row.Category]; rc != nil {
				rc.Answered++
				r.Review.Total.Answered++
				switch {
				case row.Review == nil:
				case row.Review.Changed:
					rc.Changed++
					r.Review.Total.Changed++
				default:
					rc.Reviewed++
					r.Review.Total.Reviewed++
				}
			}
			if row.Note != "" || row.Justification != "" {
				s.Notes = append(s.Notes, NoteRow{Objective: ref(row.ID), Answer: row.Answer, Note: row.Note, Justification: row.Justification,
					By: row.By, Date: row.Date, Review: row.ReviewText()})
			}
		}
	}
	for _, c := range m.Categories {
		r.Review.Categories = append(r.Review.Categories, *counts[c.ID])
	}
}

// markdownReview writes the review counts, the notes of each scope and the
// evidence of each objective.
func (r *Report) markdownReview(p func(string, ...any)) {
	if t := r.Review.Total; r.Review.Tracked {
		p("## Review\n\n%d of %d answers reviewed, %d changed since review, %d not reviewed.\n\n", t.Reviewed, t.Answered, t.Changed, t.Unreviewed())
		p("| Category | Answered | Reviewed | Changed since review | Not reviewed |\n|---|---|---|---|---|\n")
		for _, c := range r.Review.Categories {
			p("| %s (%s) | %d | %d | %d | %d |\n", md(c.Name), c.Category, c.Answered, c.Reviewed, c.Changed, c.Unreviewed())
		}
		p("\n")
	}
	p("## Notes\n\n")
	for _, s := range r.Scopes {
		p("### %s\n\n", md(s.Name))
		if len(s.Notes) == 0 {
			p("No answer has a note or a justification.\n\n")
			continue
		}
		p("| Objective | Answer | Note | Justification | By | Date |")
		if r.Review.Tracked {
			p(" Review |\n|---|---|---|---|---|---|---|\n")
		} else {
			p("\n|---|---|---|---|---|---|\n")
		}
		for _, n := range s.Notes {
			p("| %s %s | %s | %s | %s | %s | %s |", n.Objective.ID, md(n.Objective.Title), md(n.Answer), md(n.Note), md(n.Justification), md(n.By), n.Date)
			if r.Review.Tracked {
				p(" %s |", md(n.Review))
			}
			p("\n")
		}
		p("\n")
	}
	if !r.EvidenceTracked {
		return
	}
	p("## Evidence\n\n")
	if len(r.Evidence) == 0 {
		p("No objective has a link or file.\n\n")
		return
	}
	p("| Objective | Evidence | Added by | Added |\n|---|---|---|---|\n")
	for _, oe := range r.Evidence {
		for _, e := range oe.Items {
			what := "file " + md(e.Title) + " (" + e.SizeText() + ")"
			switch {
			case e.Kind == "file":
			case strings.HasPrefix(e.URL, "https://") || strings.HasPrefix(e.URL, "http://"):
				what = "link [" + md(e.Title) + "](" + mdURL(e.URL) + ")"
			default:
				what = "link " + md(e.Title) + " " + md(e.URL)
			}
			p("| %s %s | %s | %s | %s |\n", oe.Objective.ID, md(oe.Objective.Title), what, md(e.By), e.AddedDate())
		}
	}
	p("\n")
}

// mdURL writes a URL as a link destination: the characters that would end
// it, start markup or break the table are percent-encoded.
func mdURL(u string) string {
	out := make([]byte, 0, len(u))
	for i := 0; i < len(u); i++ {
		switch c := u[i]; {
		case c <= ' ', c == '<', c == '>', c == '(', c == ')', c == '|', c == '\\', c == '`', c >= 0x7f:
			out = append(out, fmt.Sprintf("%%%02X", c)...)
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
