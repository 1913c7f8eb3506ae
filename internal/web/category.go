package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// categoryData is one category's objectives grouped by level, each with its
// answer form.
type categoryData struct {
	base
	Path      string
	ID        string
	Name      string
	Desc      string
	Domain    string
	Level     int
	LevelName string
	Score     float64
	Target    *int
	Progress  []progress
	Levels    []levelGroup
	Prev      *crumb
	Next      *crumb
	// Today is the earliest expiry an exemption request may give.
	Today assess.Date
	// Continue links the next objective, in this category or a later
	// one, that is unanswered or stale in some scope; empty when none is.
	Continue string
	// Show and Level are the filter in force; Filters link each filter;
	// Hidden counts the objectives the filter leaves out.
	Show   string
	Level1 int
	// Owner is the member the category is assigned to.
	Owner   string
	Filters []tab
	Hidden  int
	// Evidence are the links, files and review marks of each objective.
	Evidence map[string]*objectiveEvidence
}

// The filters of the category page (the show query parameter).
var categoryFilters = []struct{ Value, Label string }{
	{"", "All"},
	{"unanswered", "Unanswered"},
	{"stale", "Stale"},
	{"contradicted", "Contradicted by evidence"},
	{"mine", "Assigned to me"},
}

// levelGroup is the objectives of one level.
type levelGroup struct {
	Level      int
	Name       string
	Desc       string
	Objectives []*objectiveForm
}

// objectiveForm is one objective with what it asks and its answer in each scope.
type objectiveForm struct {
	ID        string
	Title     string
	Question  string
	KPI       string
	Guidance  string
	Threshold float64
	Mode      model.Mode
	Controls  model.Controls
	Checks    []string
	// Binary objectives take only No, Yes and Not applicable.
	Binary bool
	// Mine is true when the objective or its category is assigned to the
	// caller; Owner names who it is assigned to.
	Mine  bool
	Owner string
	Level int
	// Status is the roll-up status; Met whether the roll-up value meets the threshold.
	Status assess.Status
	Met    bool
	Action string
	// ExemptionAction is where an exemption is requested.
	ExemptionAction string
	Exemptions      []exemptionView
	// Multi is true with more than one scope: the form then offers one
	// answer for every scope.
	Multi  bool
	Same   bool
	Scopes []*scopeAnswer
	// Conflict is true when a save met someone else's newer answer.
	Conflict bool
	Error    string
	Saved    bool
}

// scopeAnswer is the answer of one objective in one scope, as the form shows it.
type scopeAnswer struct {
	Scope     string
	ScopeName string
	// Field is the suffix of the scope's form fields.
	Field   string
	Choices []choice
	Answer  assess.Answer
	// Measure is the stored measured figure ("87/120" or "72.5%"), or "".
	Measure       string
	Note          string
	Justification string
	Version       int
	By            string
	Date          assess.Date
	UpdatedBy     string
	Status        assess.Status
	Source        assess.Source
	Value         *float64
	Evidence      *assess.Evidence
	// Theirs is the stored answer a save conflicted with; the form holds
	// the caller's own value, and Version is Theirs' so that saving again
	// deliberately replaces it.
	Theirs *store.Answer
	Error  string
	// Contradicted is true when the automated evidence disagrees with the
	// manual answer by half the scale or more.
	Contradicted bool
}

// Who says who answered and how the scope's value stands, as one line.
func (sa *scopeAnswer) Who() string {
	var b strings.Builder
	if sa.By != "" {
		fmt.Fprintf(&b, "Answered by %s on %s", sa.By, sa.Date)
	} else {
		b.WriteString("Not answered yet")
	}
	switch {
	case sa.Status == assess.StatusStale:
		b.WriteString(" · stale: answer again")
	case sa.Status == assess.StatusExempt:
		b.WriteString(" · exempt")
	}
	if sa.Source == assess.SourceAutomated {
		b.WriteString(" · scored from automated evidence")
		if sa.Value != nil {
			b.WriteString(": " + report.Percent(*sa.Value))
		}
	}
	if sa.Contradicted {
		b.WriteString(" · contradicted by the evidence")
	}
	return b.String()
}

// StatusText is the objective's roll-up status in words.
func (f *objectiveForm) StatusText() string {
	t := statusLabel(f.Status)
	if f.Met {
		t += " · met"
	}
	return t
}

// statusLabel names a status for people.
func statusLabel(s assess.Status) string {
	switch s {
	case assess.StatusAnswered:
		return "Answered"
	case assess.StatusUnanswered:
		return "Unanswered"
	case assess.StatusStale:
		return "Stale"
	case assess.StatusNA:
		return "Not applicable"
	case assess.StatusExempt:
		return "Exempt"
	}
	return string(s)
}

// contradicted reports whether evaluated evidence and a manual answer
// differ by half the scale or more.
func contradicted(a assess.Answer, ev *assess.Evidence) bool {
	if ev == nil || !ev.Evaluated() {
		return false
	}
	v, applicable, ok := a.Value()
	if !ok || !applicable {
		return false
	}
	return math.Abs(v-ev.Value()) >= 0.5
}

// matches reports whether an objective passes the page's filter.
func (f *objectiveForm) matches(show string, level int) bool {
	if level != 0 && f.Level != level {
		return false
	}
	if show == "mine" {
		return f.Mine
	}
	for _, sa := range f.Scopes {
		switch {
		case show == "",
			show == "unanswered" && sa.Status == assess.StatusUnanswered,
			show == "stale" && sa.Status == assess.StatusStale,
			show == "contradicted" && sa.Contradicted:
			return true
		}
	}
	return false
}

// open reports whether the objective is unanswered or stale in some scope.
func (f *objectiveForm) open() bool {
	for _, sa := range f.Scopes {
		if sa.Status == assess.StatusUnanswered || sa.Status == assess.StatusStale {
			return true
		}
	}
	return false
}

// choice is one answer word as a radio button.
type choice struct {
	Value   assess.Answer
	Label   string
	Hint    string
	Checked bool
}

// exemptionView is an exemption of an objective as the category page shows it.
type exemptionView struct {
	store.Exemption
	DecideAction string
	Back         string
	Expired      bool
	// Own is true when the caller requested the exemption and so may not
	// decide it (four eyes).
	Own bool
}

// category shows one category's objectives with their answer forms.
func (h *Handler) category(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	d, err := h.categoryData(c, s, r.PathValue("cat"))
	if err != nil {
		return err
	}
	owners, names, err := h.owners(r, c, s.A.ID)
	if err != nil {
		return err
	}
	d.Owner = names[owners[d.ID]]
	for _, o := range d.objectives() {
		who := owners[o.ID]
		if who == "" {
			who = owners[d.ID]
		}
		o.Mine, o.Owner = who == c.User.ID, names[who]
	}
	q := r.URL.Query()
	if err := d.filter(q.Get("show"), q.Get("level")); err != nil {
		return err
	}
	if id := r.URL.Query().Get("saved"); id != "" {
		for _, o := range d.objectives() {
			if o.ID == id {
				o.Saved = true
				d.Notice = "Saved the answer to " + id + "."
			}
		}
	}
	if d.Evidence, err = h.objectiveEvidence(r, c, s, d); err != nil {
		return err
	}
	if n := evidenceNotice(r.URL.Query().Get("done")); n != "" {
		d.Notice = n
	}
	if r.URL.Query().Get("requested") != "" {
		d.Notice = "The exemption is requested; an admin decides it."
	}
	return h.render(w, http.StatusOK, h.pages.category, d)
}

// filter keeps the objectives that pass the filter and links the filters.
func (d *categoryData) filter(show, level string) error {
	known := false
	for _, f := range categoryFilters {
		known = known || f.Value == show
	}
	if !known {
		return csmm.Errorf(csmm.EINVALID, "show=%q: expected unanswered, stale, contradicted or mine", show)
	}
	if level != "" {
		n, err := strconv.Atoi(level)
		if err != nil || n < model.MinLevel || n > model.MaxLevel {
			return csmm.Errorf(csmm.EINVALID, "level=%q: expected a level from %d to %d", level, model.MinLevel, model.MaxLevel)
		}
		d.Level1 = n
	}
	d.Show = show
	href := func(show string, level int) string {
		v := url.Values{}
		if show != "" {
			v.Set("show", show)
		}
		if level != 0 {
			v.Set("level", strconv.Itoa(level))
		}
		if len(v) == 0 {
			return d.Path + "/categories/" + d.ID
		}
		return d.Path + "/categories/" + d.ID + "?" + v.Encode()
	}
	for _, f := range categoryFilters {
		d.Filters = append(d.Filters, tab{Label: f.Label, Href: href(f.Value, d.Level1), Current: f.Value == show})
	}
	d.Filters = append(d.Filters, tab{Label: "Every level", Href: href(show, 0), Current: d.Level1 == 0})
	for _, g := range d.Levels {
		d.Filters = append(d.Filters, tab{Label: "Level " + strconv.Itoa(g.Level), Href: href(show, g.Level), Current: d.Level1 == g.Level})
	}
	if show == "" && d.Level1 == 0 {
		return nil
	}
	var kept []levelGroup
	for _, g := range d.Levels {
		var objs []*objectiveForm
		for _, o := range g.Objectives {
			if o.matches(show, d.Level1) {
				objs = append(objs, o)
			} else {
				d.Hidden++
			}
		}
		if len(objs) > 0 {
			g.Objectives = objs
			kept = append(kept, g)
		}
	}
	d.Levels = kept
	return nil
}

// objectives returns every objective form of the page.
func (d *categoryData) objectives() []*objectiveForm {
	var out []*objectiveForm
	for _, g := range d.Levels {
		out = append(out, g.Objectives...)
	}
	return out
}

// find returns the form of an objective.
func (d *categoryData) find(id string) *objectiveForm {
	for _, o := range d.objectives() {
		if o.ID == id {
			return o
		}
	}
	return nil
}

func (h *Handler) categoryData(c *caller, s *snapshot, catID string) (*categoryData, error) {
	cat, ok := s.Model.Category(catID)
	if !ok {
		return nil, errNotFound("category")
	}
	path := assessmentPath(c, s.A.ID)
	d := &categoryData{
		base: base{Title: cat.Name, Caller: c, Crumbs: c.crumbs(crumb{s.A.Name, path})},
		Path: path, ID: cat.ID, Name: cat.Name, Desc: cat.Description,
		Today: s.Result.AsOf,
	}
	if dom, ok := s.Model.Domain(cat.Domain); ok {
		d.Domain = dom.Name
	}
	for i, mc := range s.Model.Categories {
		if mc.ID != cat.ID {
			continue
		}
		if i > 0 {
			p := s.Model.Categories[i-1]
			d.Prev = &crumb{Label: p.Name, Href: path + "/categories/" + p.ID}
		}
		if i+1 < len(s.Model.Categories) {
			n := s.Model.Categories[i+1]
			d.Next = &crumb{Label: n.Name, Href: path + "/categories/" + n.ID}
		}
	}
	for _, cs := range s.Result.Categories {
		if cs.ID == cat.ID {
			d.Level, d.Score, d.Target = cs.Level, cs.Score, cs.Target
			d.LevelName = s.Model.LevelName(cs.Level)
		}
	}
	rollup := map[string]assess.ObjectiveScore{}
	for _, o := range s.Result.Objectives {
		rollup[o.ID] = o
	}
	perScope := map[assess.Key]assess.ObjectiveScore{}
	for _, sr := range s.Result.Scopes {
		p := progress{Scope: sr.ID, Name: sr.ID}
		for _, sc := range s.A.Scopes {
			if sc.ID == sr.ID {
				p.Name = scopeName(sc)
			}
		}
		for _, o := range sr.Objectives {
			perScope[assess.Key{Objective: o.ID, Scope: sr.ID}] = o
			if o.Category == cat.ID {
				p.Total++
				if done(o) {
					p.Done++
				}
			}
		}
		d.Progress = append(d.Progress, p)
	}
	exemptions := map[string][]exemptionView{}
	for _, e := range s.Exemptions {
		v := exemptionView{Exemption: e, Expired: s.Result.AsOf.After(e.Until), Back: path + "/categories/" + cat.ID + "#obj-" + e.Objective}
		if e.Status == store.ExemptionRequested && c.CanDecide() {
			if e.RequestedByID == c.User.ID {
				v.Own = true
			} else {
				v.DecideAction = path + "/exemptions/" + e.ID
			}
		}
		exemptions[e.Objective] = append(exemptions[e.Objective], v)
	}
	groups := map[int]*levelGroup{}
	for _, o := range s.Model.CategoryObjectives(cat.ID) {
		g := groups[o.Level]
		if g == nil {
			g = &levelGroup{Level: o.Level, Name: s.Model.LevelName(o.Level)}
			for _, l := range s.Model.Levels {
				if l.Level == o.Level {
					g.Desc = l.Description
				}
			}
			groups[o.Level] = g
		}
		ro := rollup[o.ID]
		f := &objectiveForm{
			ID: o.ID, Title: o.Title, Question: o.Question, KPI: o.KPI, Guidance: o.Guidance,
			Threshold: o.Threshold, Mode: o.Mode, Controls: o.Controls, Checks: o.Checks,
			Binary: o.Binary(), Level: o.Level,
			Status: ro.Status, Met: ro.Met,
			Action:          path + "/objectives/" + o.ID + "/answer",
			ExemptionAction: path + "/objectives/" + o.ID + "/exemption",
			Exemptions:      exemptions[o.ID],
			Multi:           len(s.A.Scopes) > 1,
		}
		for _, sc := range s.A.Scopes {
			k := assess.Key{Objective: o.ID, Scope: sc.ID}
			os := perScope[k]
			sa := &scopeAnswer{Scope: sc.ID, ScopeName: scopeName(sc), Field: sc.ID,
				Status: os.Status, Source: os.Source, Value: os.Value, Evidence: os.Evidence}
			if an, ok := s.Answers[k]; ok {
				sa.Answer, sa.Note, sa.Justification = an.Answer, an.Note, an.Justification
				if an.Measure != nil {
					sa.Measure = an.Measure.String()
				}
				sa.Version, sa.By, sa.Date, sa.UpdatedBy = an.Version, an.AnsweredBy, an.AnsweredAt, an.UpdatedBy
			}
			sa.Contradicted = sa.Source != assess.SourceNone && contradicted(sa.Answer, sa.Evidence)
			f.Scopes = append(f.Scopes, sa)
		}
		f.refreshChoices()
		g.Objectives = append(g.Objectives, f)
	}
	for l := model.MinLevel; l <= model.MaxLevel; l++ {
		if g := groups[l]; g != nil {
			d.Levels = append(d.Levels, *g)
		}
	}
	d.Continue = nextOpen(s, path, "")
	for _, o := range d.objectives() {
		if o.open() {
			d.Continue = path + "/categories/" + cat.ID + "#obj-" + o.ID
			break
		}
	}
	return d, nil
}

// nextOpen links the first objective after the given one, in the model's
// order and wrapping round, that is unanswered or stale in some scope; with
// after empty it starts at the first objective. It is empty when every
// objective is answered.
func nextOpen(s *snapshot, path, after string) string {
	open := map[string]bool{}
	for _, sr := range s.Result.Scopes {
		for _, o := range sr.Objectives {
			if o.Status == assess.StatusUnanswered || o.Status == assess.StatusStale {
				open[o.ID] = true
			}
		}
	}
	var order []*model.Objective
	for _, c := range s.Model.Categories {
		order = append(order, s.Model.CategoryObjectives(c.ID)...)
	}
	start := 0
	for i, o := range order {
		if o.ID == after {
			start = i + 1
		}
	}
	for i := range order {
		o := order[(start+i)%len(order)]
		if open[o.ID] && o.ID != after {
			return objectiveHref(path, o)
		}
	}
	return ""
}

// refreshChoices marks each scope's radio buttons from its answer.
func (f *objectiveForm) refreshChoices() {
	for _, sa := range f.Scopes {
		sa.Choices = sa.Choices[:0]
		for _, a := range assess.Answers {
			if f.Binary && a != assess.No && a != assess.Yes && a != assess.NA {
				continue
			}
			sa.Choices = append(sa.Choices, choice{Value: a, Label: answerLabel(a), Hint: answerHint(a), Checked: a == sa.Answer})
		}
	}
}
