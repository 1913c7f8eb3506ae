package web

import (
	"net/http"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
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
	Field         string
	Choices       []choice
	Answer        assess.Answer
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
	if id := r.URL.Query().Get("saved"); id != "" {
		for _, o := range d.objectives() {
			if o.ID == id {
				o.Saved = true
				d.Notice = "Saved the answer to " + id + "."
			}
		}
	}
	if r.URL.Query().Get("requested") != "" {
		d.Notice = "The exemption is requested; an admin decides it."
	}
	return h.render(w, http.StatusOK, h.pages.category, d)
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
		p := progress{Scope: sr.ID}
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
			v.DecideAction = path + "/exemptions/" + e.ID
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
				sa.Version, sa.By, sa.Date, sa.UpdatedBy = an.Version, an.AnsweredBy, an.AnsweredAt, an.UpdatedBy
			}
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
	return d, nil
}

// refreshChoices marks each scope's radio buttons from its answer.
func (f *objectiveForm) refreshChoices() {
	for _, sa := range f.Scopes {
		sa.Choices = sa.Choices[:0]
		for _, a := range assess.Answers {
			sa.Choices = append(sa.Choices, choice{Value: a, Label: answerLabel(a), Hint: answerHint(a), Checked: a == sa.Answer})
		}
	}
}
