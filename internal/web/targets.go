package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// targetsData is the target level of every category, each adjustable on its
// own with the reason recorded.
type targetsData struct {
	base
	Action   string
	Overview string
	Rows     []targetRow
	Levels   []levelOption
	// Peers names the benchmark shown beside the targets, "" when none.
	Peers string
}

// targetRow is one category's target.
type targetRow struct {
	Category   string
	Name       string
	DomainName string
	Level      int
	LevelName  string
	Reason     string
	Score      float64
	// Peer says where peers at the median are, "" without a benchmark.
	Peer string
	// Options are the levels with the current one selected.
	Options []levelOption
}

// levelOption is one level of the model in a choice.
type levelOption struct {
	Level    int
	Name     string
	Selected bool
}

// targets shows every category's target level and why it was chosen.
func (h *Handler) targets(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	d := h.targetsData(c, s)
	if err := h.addPeers(r, c, d); err != nil {
		return err
	}
	switch {
	case r.URL.Query().Get("created") != "":
		d.Notice = "The assessment is created with the preset's targets. Adjust any category below, giving the reason."
	case r.URL.Query().Get("saved") != "":
		d.Notice = "The target of " + r.URL.Query().Get("saved") + " is saved."
	}
	return h.render(w, http.StatusOK, h.pages.targets, d)
}

func (h *Handler) targetsData(c *caller, s *snapshot) *targetsData {
	path := assessmentPath(c, s.A.ID)
	d := &targetsData{
		base:     base{Title: "Targets: " + s.A.Name, Caller: c, Crumbs: c.crumbs(crumb{s.A.Name, path})},
		Action:   path + "/targets",
		Overview: path,
	}
	for _, l := range s.Model.Levels {
		d.Levels = append(d.Levels, levelOption{Level: l.Level, Name: l.Name})
	}
	reasons := map[string]string{}
	for _, t := range s.A.Targets {
		reasons[t.Category] = t.Reason
	}
	scores := map[string]float64{}
	for _, cs := range s.Result.Categories {
		scores[cs.ID] = cs.Score
	}
	for _, cat := range s.Model.Categories {
		row := targetRow{Category: cat.ID, Name: cat.Name, Reason: reasons[cat.ID], Score: scores[cat.ID], Level: s.Input.Targets[cat.ID]}
		if dom, ok := s.Model.Domain(cat.Domain); ok {
			row.DomainName = dom.Name
		}
		if row.Level > 0 {
			row.LevelName = s.Model.LevelName(row.Level)
		}
		for _, l := range d.Levels {
			l.Selected = l.Level == row.Level
			row.Options = append(row.Options, l)
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}

// targetSave changes one category's target, with the reason for it.
func (h *Handler) targetSave(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageAssessments); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	cat := r.PostForm.Get("category")
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	level, convErr := strconv.Atoi(r.PostForm.Get("level"))
	var problem string
	switch _, ok := s.Model.Category(cat); {
	case !ok:
		problem = "the category " + strconv.Quote(cat) + " is not in the model"
	case convErr != nil || level < 1 || level > 5:
		problem = "choose a target level from 1 to 5"
	case reason == "":
		problem = "give the reason for the target of " + cat
	}
	if problem == "" {
		list := make([]store.Target, 0, len(s.Model.Categories))
		for _, mc := range s.Model.Categories {
			t := store.Target{Category: mc.ID, Level: s.Input.Targets[mc.ID]}
			for _, old := range s.A.Targets {
				if old.Category == mc.ID {
					t.Reason = old.Reason
				}
			}
			if mc.ID == cat {
				t.Level, t.Reason = level, reason
			}
			if t.Level > 0 {
				list = append(list, t)
			}
		}
		err = h.store.SetTargets(r.Context(), c.Org.ID, c.actor(r), s.A.ID, list, s.A.TargetDefault)
		if err == nil {
			return redirect(w, r, assessmentPath(c, s.A.ID)+"/targets?saved="+cat+"#target-"+cat)
		}
		if csmm.ErrorCode(err) != csmm.EINVALID {
			return err
		}
		problem = csmm.ErrorMessage(err)
	}
	d := h.targetsData(c, s)
	d.Error = problem
	for i := range d.Rows {
		if d.Rows[i].Category == cat {
			d.Rows[i].Reason = reason
		}
	}
	return h.render(w, http.StatusUnprocessableEntity, h.pages.targets, d)
}

// addPeers shows the chosen benchmark (the source parameter, this
// installation by default) beside each category's target: where peers at
// the median are, so targets are chosen on purpose.
func (h *Handler) addPeers(r *http.Request, c *caller, d *targetsData) error {
	b, err := h.store.Benchmark(r.Context(), c.Org.ID, store.BenchmarkQuery{Source: r.URL.Query().Get("source")})
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if b.Suppressed {
		return nil
	}
	d.Peers = b.Source + ", as of " + b.AsOf.String()
	for i := range d.Rows {
		if q, ok := b.Category(d.Rows[i].Category); ok {
			d.Rows[i].Peer = "level " + strconv.Itoa(int(q.P50)) + " (median " + report.Display(q.P50) + ")"
		}
	}
	return nil
}
