package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// submitted is one scope's answer as the form sent it.
type submitted struct {
	Scope  string
	Answer assess.Answer
	// Measure is the measured figure typed instead of a word ("87/120" or
	// "72.5%"), on coverage objectives; it wins over a word sent with it.
	Measure       string
	Note          string
	Justification string
	Version       int
}

// saveOutcome is what happened to one scope's answer.
type saveOutcome struct {
	Scope   string        `json:"scope"`
	Version int           `json:"version,omitempty"`
	By      string        `json:"by,omitempty"`
	Date    string        `json:"date,omitempty"`
	Theirs  *store.Answer `json:"theirs,omitempty"`
	Message string        `json:"message,omitempty"`
}

// saveResult is the JSON answer to the page script's autosave.
type saveResult struct {
	Saved     []saveOutcome `json:"saved"`
	Conflicts []saveOutcome `json:"conflicts"`
	Errors    []saveOutcome `json:"errors"`
	// Progress is the category's progress per scope after the save.
	Progress []progress `json:"progress"`
	// Status is the objective's roll-up status after the save.
	Status assess.Status `json:"status"`
	// StatusText is the objective's status line as the page shows it.
	StatusText string `json:"status_text"`
	// Scopes are the objective's scopes after the save, for the page to
	// update each scope's line in place.
	Scopes []scopeState `json:"scopes"`
	// Category is the category's score after the save.
	Category categoryState `json:"category"`
	// Next links the next unanswered or stale objective after this one,
	// across categories; empty when none is left.
	Next string `json:"next"`
}

// scopeState is one scope of an objective as the page shows it.
type scopeState struct {
	Scope        string        `json:"scope"`
	Status       assess.Status `json:"status"`
	Who          string        `json:"who"`
	Version      int           `json:"version"`
	Contradicted bool          `json:"contradicted"`
}

// categoryState is the category's score line as the page shows it.
type categoryState struct {
	Score     string `json:"score"`
	Level     int    `json:"level"`
	LevelName string `json:"level_name"`
}

// MarshalJSON gives progress lower-case keys for the script.
func (p progress) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Scope   string `json:"scope"`
		Done    int    `json:"done"`
		Total   int    `json:"total"`
		Percent int    `json:"percent"`
	}{p.Scope, p.Done, p.Total, p.Percent()})
}

// answerSave saves an objective's answers from its form, scope by scope,
// each against the version the form was drawn with. A scope someone else
// saved in the meantime is not overwritten: the form comes back with the
// caller's value and the other person's, so neither is lost. The page
// script posts the same form asking for JSON.
func (h *Handler) answerSave(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermAnswer); err != nil {
		return err
	}
	o, ok := s.Model.Objective(r.PathValue("obj"))
	if !ok {
		return errNotFound("objective")
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	same := r.PostForm.Get("same") != ""
	var subs []submitted
	for i, sc := range s.A.Scopes {
		sub := submitted{Scope: sc.ID}
		src := sc.ID
		if same && i > 0 {
			src = s.A.Scopes[0].ID
		}
		sub.Answer = assess.Answer(r.PostForm.Get("answer-" + src))
		sub.Measure = strings.TrimSpace(r.PostForm.Get("measure-" + src))
		sub.Note = strings.TrimSpace(r.PostForm.Get("note-" + src))
		sub.Justification = strings.TrimSpace(r.PostForm.Get("justification-" + src))
		if v := r.PostForm.Get("version-" + sc.ID); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return csmm.Errorf(csmm.EINVALID, "version-%s %q: expected a whole number", sc.ID, v)
			}
			sub.Version = n
		}
		subs = append(subs, sub)
	}

	binary := o.Binary()
	scopeNames := map[string]string{}
	for _, sc := range s.A.Scopes {
		scopeNames[sc.ID] = scopeName(sc)
	}
	var res saveResult
	for _, sub := range subs {
		out := saveOutcome{Scope: sub.Scope}
		cur, exists := s.Answers[assess.Key{Objective: o.ID, Scope: sub.Scope}]
		var measure *assess.Measure
		if sub.Measure != "" {
			if binary {
				out.Message = o.ID + " states a fact: answer No, Yes or Not applicable, not a measured figure."
				res.Errors = append(res.Errors, out)
				continue
			}
			m, ok, err := assess.ParseMeasure(sub.Measure)
			if !ok || err != nil || !m.Valid() {
				out.Message = "Measured " + strconv.Quote(sub.Measure) + " is not a figure: write it as 87/120 (87 of 120) or 72.5%, with the first number no larger than the second."
				res.Errors = append(res.Errors, out)
				continue
			}
			measure, sub.Answer, sub.Measure = &m, "", m.String()
		}
		switch {
		case sub.Answer == "" && measure == nil:
			continue // nothing chosen: leave the scope as it is
		case exists && cur.Version == sub.Version && sameAnswer(cur, sub):
			continue // unchanged
		case measure != nil:
			// A measured figure: checked above.
		case !sub.Answer.Valid():
			out.Message = strconv.Quote(string(sub.Answer)) + " is not an answer"
			res.Errors = append(res.Errors, out)
			continue
		case binary && sub.Answer != assess.No && sub.Answer != assess.Yes && sub.Answer != assess.NA:
			out.Message = o.ID + " states a fact: answer No, Yes or Not applicable, not " + answerLabel(sub.Answer) + "."
			res.Errors = append(res.Errors, out)
			continue
		case sub.Answer == assess.NA && sub.Justification == "":
			out.Message = "Not applicable needs a justification: say why the objective does not apply to " + scopeNames[sub.Scope] + "."
			res.Errors = append(res.Errors, out)
			continue
		}
		saved, err := h.store.PutAnswer(r.Context(), c.Org.ID, c.actor(r), store.AnswerInput{
			AssessmentID: s.A.ID, Objective: o.ID, Scope: sub.Scope,
			Answer: sub.Answer, Measure: measure, Note: sub.Note, Justification: sub.Justification,
			AnsweredBy: c.displayName(), ExpectedVersion: sub.Version,
		})
		if ce, ok := errors.AsType[*store.ConflictError](err); ok {
			if ce.Current != nil && sameAnswer(*ce.Current, sub) {
				// Someone saved the very same answer: nothing to merge.
				out.Version, out.By, out.Date = ce.Current.Version, ce.Current.AnsweredBy, ce.Current.AnsweredAt.String()
				res.Saved = append(res.Saved, out)
				continue
			}
			out.Theirs = ce.Current
			res.Conflicts = append(res.Conflicts, out)
			continue
		}
		if csmm.ErrorCode(err) == csmm.EINVALID {
			out.Message = csmm.ErrorMessage(err)
			res.Errors = append(res.Errors, out)
			continue
		}
		if err != nil {
			return err
		}
		out.Version, out.By, out.Date = saved.Version, saved.AnsweredBy, saved.AnsweredAt.String()
		res.Saved = append(res.Saved, out)
	}

	status := http.StatusOK
	switch {
	case len(res.Conflicts) > 0:
		status = http.StatusConflict
	case len(res.Errors) > 0:
		status = http.StatusUnprocessableEntity
	}
	if status == http.StatusOK && !wantsJSON(r) {
		return redirect(w, r, assessmentPath(c, s.A.ID)+"/categories/"+o.Category+"?saved="+o.ID+"#obj-"+o.ID)
	}
	// Show the page as it is now, with this objective's form holding what
	// the caller sent where it was not saved.
	if len(res.Saved) > 0 {
		if s, err = h.load(r.Context(), c, s.A.ID); err != nil {
			return err
		}
	}
	d, err := h.categoryData(c, s, o.Category)
	if err != nil {
		return err
	}
	f := d.find(o.ID)
	if wantsJSON(r) {
		res.Progress, res.Status, res.StatusText = d.Progress, f.Status, f.StatusText()
		res.Category = categoryState{Score: report.Display(d.Score), Level: d.Level, LevelName: d.LevelName}
		res.Next = nextOpen(s, d.Path, o.ID)
		for _, sa := range f.Scopes {
			res.Scopes = append(res.Scopes, scopeState{Scope: sa.Scope, Status: sa.Status, Who: sa.Who(), Version: sa.Version, Contradicted: sa.Contradicted})
		}
		if res.Saved == nil {
			res.Saved = []saveOutcome{}
		}
		if res.Conflicts == nil {
			res.Conflicts = []saveOutcome{}
		}
		if res.Errors == nil {
			res.Errors = []saveOutcome{}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		return json.NewEncoder(w).Encode(res)
	}
	f.Same = same
	for _, sa := range f.Scopes {
		for _, sub := range subs {
			if sub.Scope != sa.Scope {
				continue
			}
			for _, cf := range res.Conflicts {
				if cf.Scope == sa.Scope {
					sa.Answer, sa.Note, sa.Justification = sub.Answer, sub.Note, sub.Justification
					sa.Theirs = cf.Theirs
					if cf.Theirs != nil {
						sa.Version = cf.Theirs.Version
					} else {
						sa.Version = 0
					}
					f.Conflict = true
				}
			}
			for _, e := range res.Errors {
				if e.Scope == sa.Scope {
					sa.Answer, sa.Note, sa.Justification, sa.Version = sub.Answer, sub.Note, sub.Justification, sub.Version
					sa.Error = e.Message
				}
			}
		}
	}
	f.refreshChoices()
	if f.Conflict {
		d.Error = "Someone else saved " + o.ID + " while you were editing. Your answer is in the form beside theirs; nothing was overwritten. Save again to replace theirs with yours."
	} else {
		d.Error = "The answer to " + o.ID + " was not saved: see the form below."
		f.Error = d.Error
	}
	return h.render(w, status, h.pages.category, d)
}

// sameAnswer reports whether a stored answer says what was submitted.
func sameAnswer(a store.Answer, s submitted) bool {
	measure := ""
	if a.Measure != nil {
		measure = a.Measure.String()
	}
	if s.Measure != "" { // written as Measure.String() by the handler
		return measure == s.Measure && a.Note == s.Note && a.Justification == s.Justification
	}
	return a.Measure == nil && a.Answer == s.Answer && a.Note == s.Note && a.Justification == s.Justification
}
