package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/csmm/csmm/internal/assess"
)

// The statuses of the work on a roadmap objective.
const (
	WorkPlanned    = "planned"
	WorkInProgress = "in_progress"
	WorkDone       = "done"
)

// WorkItem is the work on one objective of the roadmap: who owns it, when
// it is due, how far it is and where it is tracked. An objective on the
// roadmap without one is planned, with no owner or due date.
type WorkItem struct {
	Objective string
	// Owner is the owner's name as people read it; "" for nobody.
	Owner string
	// Due is the due date; zero for none.
	Due assess.Date
	// Status is planned, in_progress or done.
	Status string
	// Ticket is an http(s) link to the work in a tracker; "" for none.
	Ticket string
	// Overdue is set by Build: due before the report's as-of date and not done.
	Overdue bool
}

// StatusLabel is the status as people read it: "in progress".
func (w WorkItem) StatusLabel() string {
	if w.Status == "" {
		return WorkPlanned
	}
	return strings.ReplaceAll(w.Status, "_", " ")
}

// Done reports whether the work is done.
func (w WorkItem) Done() bool { return w.Status == WorkDone }

// DueText is the due date, or "–" without one.
func (w WorkItem) DueText() string {
	if w.Due.IsZero() {
		return "–"
	}
	return w.Due.String()
}

// OverdueItem is a roadmap objective whose work is past its due date and
// not done.
type OverdueItem struct {
	Phase     int
	Objective ObjectiveRef
	Work      WorkItem
	// DaysLate counts the days since the due date.
	DaysLate int
}

// RoadmapProgress counts the roadmap's objectives whose work is done.
type RoadmapProgress struct {
	Done       int
	InProgress int
	Total      int
}

// Text says it for people: "2 of 7 done".
func (p RoadmapProgress) Text() string { return fmt.Sprintf("%d of %d done", p.Done, p.Total) }

// Percent is the share done, rounded down.
func (p RoadmapProgress) Percent() string {
	if p.Total == 0 {
		return "100%"
	}
	return Percent(float64(p.Done) / float64(p.Total))
}

// attachWork gives every objective of the roadmap its work item (planned
// when none is given), counts each phase's progress and lists what is
// overdue on the as-of date, oldest due date first.
func (r *Report) attachWork(items []WorkItem) {
	byObjective := make(map[string]WorkItem, len(items))
	for _, it := range items {
		byObjective[it.Objective] = it
	}
	r.Overdue = nil
	r.RoadmapProgress = RoadmapProgress{}
	for i := range r.Roadmap {
		ph := &r.Roadmap[i]
		ph.Progress = RoadmapProgress{}
		for g := range ph.Groups {
			for o := range ph.Groups[g].Objectives {
				ref := &ph.Groups[g].Objectives[o]
				w, ok := byObjective[ref.ID]
				if !ok {
					w = WorkItem{Objective: ref.ID}
				}
				if w.Status == "" {
					w.Status = WorkPlanned
				}
				w.Overdue = !w.Due.IsZero() && r.AsOf.After(w.Due) && w.Status != WorkDone
				ref.Work = &w
				ph.Progress.Total++
				switch w.Status {
				case WorkDone:
					ph.Progress.Done++
				case WorkInProgress:
					ph.Progress.InProgress++
				}
				if w.Overdue {
					r.Overdue = append(r.Overdue, OverdueItem{Phase: ph.Number, Objective: *ref, Work: w, DaysLate: r.AsOf.DaysSince(w.Due)})
				}
			}
		}
		r.RoadmapProgress.Done += ph.Progress.Done
		r.RoadmapProgress.InProgress += ph.Progress.InProgress
		r.RoadmapProgress.Total += ph.Progress.Total
	}
	sort.SliceStable(r.Overdue, func(i, j int) bool { return r.Overdue[j].Work.Due.After(r.Overdue[i].Work.Due) })
}

// SetWork gives the roadmap's objectives their work items again (after
// Build), with the overdue list and progress computed anew.
func (r *Report) SetWork(items []WorkItem) {
	r.attachWork(items)
}
