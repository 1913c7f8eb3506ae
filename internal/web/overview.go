package web

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// overviewData is an assessment at a glance: the program score, every
// domain and category with its progress in each scope, and the objectives
// that need attention.
type overviewData struct {
	base
	Path         string
	Name         string
	ModelName    string
	AsOf         assess.Date
	Program      assess.Program
	Scopes       []scopeHead
	Domains      []domainBlock
	Progress     progress
	Unanswered   []objectiveLink
	Stale        []objectiveLink
	Exempt       []objectiveLink
	Pending      int
	ReportHref   string
	TargetsHref  string
	ExemptHref   string
	EvidenceHref string
	// FirstCatHref is where answering continues (the first unanswered or
	// stale objective); empty for a caller who may not answer.
	FirstCatHref string
	// AssignAction is where an admin assigns categories; Members are
	// whom to.
	AssignAction string
	Members      []store.Member
	// RoadmapHref is the roadmap's work; RoadmapPhases count each phase's
	// done work, RoadmapProgress the whole roadmap's, and Overdue lists
	// the roadmap objectives past their due date and not done.
	RoadmapHref     string
	RoadmapPhases   []roadmapPhase
	RoadmapProgress report.RoadmapProgress
	Overdue         []objectiveLink
	// ManageHref is the administration page (rename, scopes, archive,
	// delete) for admins and owners; Archived is when the assessment was
	// archived, zero when it is live.
	ManageHref string
	Archived   time.Time
	// Owners sums up who owns what: each member's assigned categories and
	// objectives and their progress.
	Owners []ownerRow
	// Objectives are what an admin may assign one by one.
	Objectives []option
	// Review counts the answers of each category by review state.
	Review *reviewSummary
}

// ownerRow is one member's assignments and how far they are.
type ownerRow struct {
	Name     string
	Targets  string
	Progress progress
}

// Columns is the number of columns of the categories table.
func (d overviewData) Columns() int { return 5 + len(d.Scopes) }

// scopeHead names a scope in a table heading.
type scopeHead struct {
	ID     string
	Name   string
	Weight float64
}

// domainBlock is one domain with its categories.
type domainBlock struct {
	ID         string
	Name       string
	Score      float64
	Categories []categoryRow
}

// categoryRow is one category's level and progress per scope.
type categoryRow struct {
	ID        string
	Name      string
	Href      string
	Level     int
	LevelName string
	Score     float64
	Target    *int
	Progress  []progress
	// Owner is the member the category is assigned to, by name.
	Owner   string
	OwnerID string
}

// progress counts objective-scope pairs with a valid answer, evidence or an
// exemption, out of all of them.
type progress struct {
	Scope string
	// Name is the scope's name as people read it.
	Name  string
	Done  int
	Total int
}

// Percent is the share done, rounded down.
func (p progress) Percent() int {
	if p.Total == 0 {
		return 100
	}
	return p.Done * 100 / p.Total
}

// objectiveLink is an objective one click away, with the scopes it concerns.
type objectiveLink struct {
	ID     string
	Title  string
	Href   string
	Scopes string
	Detail string
}

// done reports whether an objective in a scope needs no more work to be
// counted: answered (na included), valued by evidence, or exempt.
func done(o assess.ObjectiveScore) bool {
	return o.Status != assess.StatusUnanswered && o.Status != assess.StatusStale
}

// objectiveHref links an objective on its category's page.
func objectiveHref(path string, o *model.Objective) string {
	return path + "/categories/" + o.Category + "#obj-" + o.ID
}

// overview shows the assessment's overview.
func (h *Handler) overview(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	path := assessmentPath(c, s.A.ID)
	d := overviewData{
		base:        base{Title: s.A.Name, Caller: c, Crumbs: c.crumbs()},
		Path:        path,
		Name:        s.A.Name,
		ModelName:   s.Model.Name + " " + s.Model.Version,
		AsOf:        s.Result.AsOf,
		Program:     s.Result.Program,
		ReportHref:  path + "/report",
		TargetsHref: path + "/targets",
		ExemptHref:  path + "/exemptions",
	}
	d.EvidenceHref = path + "/evidence"
	d.Archived = s.A.Archived
	if c.Can(identity.PermManageAssessments) {
		d.ManageHref = path + "/manage"
	}
	if len(s.Model.Categories) > 0 && c.CanAnswer() {
		d.FirstCatHref = nextOpen(s, path, "")
		if d.FirstCatHref == "" {
			d.FirstCatHref = path + "/categories/" + s.Model.Categories[0].ID
		}
	}
	for _, sc := range s.A.Scopes {
		d.Scopes = append(d.Scopes, scopeHead{ID: sc.ID, Name: scopeName(sc), Weight: sc.Weight})
	}
	// per[category][scope] counts progress.
	per := map[string]map[string]*progress{}
	type flags struct{ unanswered, stale []string }
	byObjective := map[string]*flags{}
	for _, sr := range s.Result.Scopes {
		for _, o := range sr.Objectives {
			if per[o.Category] == nil {
				per[o.Category] = map[string]*progress{}
			}
			p := per[o.Category][sr.ID]
			if p == nil {
				p = &progress{Scope: sr.ID}
				per[o.Category][sr.ID] = p
			}
			p.Total++
			d.Progress.Total++
			if done(o) {
				p.Done++
				d.Progress.Done++
			}
			f := byObjective[o.ID]
			if f == nil {
				f = &flags{}
				byObjective[o.ID] = f
			}
			switch o.Status {
			case assess.StatusUnanswered:
				f.unanswered = append(f.unanswered, sr.ID)
			case assess.StatusStale:
				f.stale = append(f.stale, sr.ID)
			}
		}
	}
	cats := map[string]assess.CategoryScore{}
	for _, cs := range s.Result.Categories {
		cats[cs.ID] = cs
	}
	owners, memberNames, err := h.owners(r, c, s.A.ID)
	if err != nil {
		return err
	}
	d.Owners = ownerRows(s, owners, memberNames)
	if c.CanManage() {
		d.AssignAction = path + "/assignments"
		for _, o := range s.Model.Objectives {
			d.Objectives = append(d.Objectives, option{Value: o.ID, Label: o.ID + " " + o.Title})
		}
		if d.Members, err = h.store.ListMembers(r.Context(), c.Org.ID); err != nil {
			return err
		}
	}
	doms := map[string]float64{}
	for _, ds := range s.Result.Domains {
		doms[ds.ID] = ds.Score
	}
	for _, dom := range s.Model.Domains {
		b := domainBlock{ID: dom.ID, Name: dom.Name, Score: doms[dom.ID]}
		for _, cat := range s.Model.DomainCategories(dom.ID) {
			cs := cats[cat.ID]
			row := categoryRow{ID: cat.ID, Name: cat.Name, Href: path + "/categories/" + cat.ID,
				Level: cs.Level, LevelName: s.Model.LevelName(cs.Level), Score: cs.Score, Target: cs.Target,
				OwnerID: owners[cat.ID], Owner: memberNames[owners[cat.ID]]}
			for _, sc := range s.A.Scopes {
				p := per[cat.ID][sc.ID]
				if p == nil {
					p = &progress{Scope: sc.ID}
				}
				p.Name = scopeName(sc)
				row.Progress = append(row.Progress, *p)
			}
			b.Categories = append(b.Categories, row)
		}
		d.Domains = append(d.Domains, b)
	}
	names := map[string]string{}
	for _, sc := range s.A.Scopes {
		names[sc.ID] = scopeName(sc)
	}
	scopeNames := func(ids []string) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = names[id]
		}
		return strings.Join(out, ", ")
	}
	for i := range s.Model.Objectives {
		o := &s.Model.Objectives[i]
		f := byObjective[o.ID]
		if f == nil {
			continue
		}
		link := objectiveLink{ID: o.ID, Title: o.Title, Href: objectiveHref(path, o)}
		if len(f.unanswered) > 0 {
			l := link
			l.Scopes = scopeNames(f.unanswered)
			d.Unanswered = append(d.Unanswered, l)
		}
		if len(f.stale) > 0 {
			l := link
			l.Scopes = scopeNames(f.stale)
			d.Stale = append(d.Stale, l)
		}
	}
	for _, o := range s.Result.Objectives {
		if o.Status != assess.StatusExempt || o.Exemption == nil {
			continue
		}
		mo, ok := s.Model.Objective(o.ID)
		if !ok {
			continue
		}
		d.Exempt = append(d.Exempt, objectiveLink{ID: o.ID, Title: mo.Title, Href: objectiveHref(path, mo),
			Detail: o.Exemption.Reason + " (until " + o.Exemption.Until.String() + ", approved by " + o.Exemption.Approver + ")"})
	}
	for _, e := range s.Exemptions {
		if e.Status == store.ExemptionRequested {
			d.Pending++
		}
	}
	if d.Review, err = h.reviewSummary(r, c, s); err != nil {
		return err
	}
	if err := h.overviewRoadmap(r, c, s, &d); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, h.pages.overview, d)
}

// ownerRows sums up the assignments by member: the categories and
// objectives each owns and the objective-scope pairs of those done. An
// objective assigned on its own counts for its member, not for the owner
// of its category.
func ownerRows(s *snapshot, owners, names map[string]string) []ownerRow {
	if len(owners) == 0 {
		return nil
	}
	byUser := map[string]*ownerRow{}
	row := func(user string) *ownerRow {
		r := byUser[user]
		if r == nil {
			r = &ownerRow{Name: names[user]}
			if r.Name == "" {
				r.Name = "a former member"
			}
			byUser[user] = r
		}
		return r
	}
	targets := map[string][]string{}
	for _, cat := range s.Model.Categories {
		if u := owners[cat.ID]; u != "" {
			targets[u] = append(targets[u], cat.ID)
			row(u)
		}
	}
	for _, o := range s.Model.Objectives {
		if u := owners[o.ID]; u != "" {
			targets[u] = append(targets[u], o.ID)
			row(u)
		}
	}
	for _, sr := range s.Result.Scopes {
		for _, o := range sr.Objectives {
			u := owners[o.ID]
			if u == "" {
				u = owners[o.Category]
			}
			if u == "" {
				continue
			}
			r := row(u)
			r.Progress.Total++
			if done(o) {
				r.Progress.Done++
			}
		}
	}
	out := make([]ownerRow, 0, len(byUser))
	for u, r := range byUser {
		r.Targets = strings.Join(targets[u], ", ")
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// overviewRoadmap adds the roadmap's progress per phase and its overdue
// objectives to the overview.
func (h *Handler) overviewRoadmap(r *http.Request, c *caller, s *snapshot, d *overviewData) error {
	d.RoadmapHref = d.Path + "/roadmap"
	entries, err := h.roadmapEntries(r, c, s)
	if err != nil {
		return err
	}
	index := map[int]int{}
	for _, ph := range s.Result.Roadmap {
		index[ph.Phase] = len(d.RoadmapPhases)
		d.RoadmapPhases = append(d.RoadmapPhases, roadmapPhase{Number: ph.Phase, Display: report.Display(ph.Projected.Program), Floor: ph.Projected.Floor})
	}
	for _, e := range entries {
		if i, ok := index[e.Phase]; ok {
			count(&d.RoadmapPhases[i].Progress, e.Status)
		}
		count(&d.RoadmapProgress, e.Status)
		if !e.Overdue {
			continue
		}
		link := objectiveLink{ID: e.Objective, Title: e.Title, Href: d.RoadmapHref + "#item-" + e.Objective,
			Detail: "due " + e.Due.String() + ", " + e.Status.Label()}
		if e.Owner != "" {
			link.Detail += ", " + e.Owner
		}
		d.Overdue = append(d.Overdue, link)
	}
	return nil
}
