package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// snapshotsData lists snapshots: the organization's, or one assessment's
// with the form that finalizes it.
type snapshotsData struct {
	base
	// FinalizeAction is where the finalize form posts; "" for the
	// organization's list or a caller who may not finalize.
	FinalizeAction string
	TrendHref      string
	// ReportHref is the assessment's report, which takes as_of; "" for
	// the organization's list.
	ReportHref string
	Snapshots  []snapshotRow
}

// snapshotRow is one snapshot in a list, with links to see it and to
// compare it with the previous one and with the live assessment.
type snapshotRow struct {
	store.SnapshotInfo
	Href        string
	Program     string
	ComparePrev string
	CompareLive string
}

// snapshots lists the snapshots of the organization, or of the assessment
// in the path.
func (h *Handler) snapshots(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	d := &snapshotsData{base: base{Title: "Snapshots", Caller: c, Crumbs: c.crumbs()}, TrendHref: orgPath(c.Org) + "/trend"}
	if id != "" {
		a, err := h.store.GetAssessment(r.Context(), c.Org.ID, id)
		if err != nil {
			return err
		}
		d.Title = "Snapshots: " + a.Name
		d.Crumbs = c.crumbs(crumb{a.Name, assessmentPath(c, id)})
		d.TrendHref = assessmentPath(c, id) + "/trend"
		d.ReportHref = assessmentPath(c, id) + "/report"
		if c.CanManage() {
			d.FinalizeAction = assessmentPath(c, id) + "/snapshots"
		}
	}
	list, err := h.store.ListSnapshots(r.Context(), c.Org.ID, id)
	if err != nil {
		return err
	}
	for i, s := range list {
		row := snapshotRow{SnapshotInfo: s, Href: orgPath(c.Org) + "/snapshots/" + s.ID, Program: scoreText(s.Program),
			CompareLive: compareHref(c, s.ID, history.Live, "")}
		// The previous snapshot of the same assessment, older in the list.
		for _, p := range list[i+1:] {
			if p.AssessmentID == s.AssessmentID {
				row.ComparePrev = compareHref(c, p.ID, s.ID, "")
				break
			}
		}
		d.Snapshots = append(d.Snapshots, row)
	}
	if r.URL.Query().Get("finalized") != "" {
		d.Notice = "The assessment is finalized: snapshot " + r.URL.Query().Get("finalized") + " is frozen. Work continues on the live assessment."
	}
	return h.render(w, http.StatusOK, h.pages.snapshots, d)
}

func compareHref(c *caller, from, to, format string) string {
	q := url.Values{"from": {from}, "to": {to}}
	if format != "" {
		q.Set("format", format)
		return orgPath(c.Org) + "/compare/export?" + q.Encode()
	}
	return orgPath(c.Org) + "/compare?" + q.Encode()
}

func scoreText(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return report.Display(*v)
}

// finalize freezes the assessment in the path into a snapshot.
func (h *Handler) finalize(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageAssessments); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	id := r.PathValue("id")
	snap, err := h.store.Finalize(r.Context(), c.Org.ID, c.actor(r), id, c.displayName(), strings.TrimSpace(r.PostForm.Get("note")))
	if err != nil {
		return err
	}
	return redirect(w, r, assessmentPath(c, id)+"/snapshots?finalized="+snap.ID)
}

// snapshotData is one snapshot: when and by whom it was finalized, its
// scores as frozen, and its answers with who gave them.
type snapshotData struct {
	base
	Snap       *history.Snapshot
	Report     *report.Report
	Answers    []history.Answer
	Download   string
	CompareNow string
	scopeNames
}

// scopeNames names scopes by ID, for pages that list rows by scope.
type scopeNames map[string]string

// addScopes names the scopes of a list (a scope without a name by its ID).
func (n *scopeNames) addScopes(list []assess.Scope) {
	if *n == nil {
		*n = scopeNames{}
	}
	for _, sc := range list {
		if sc.Name != "" {
			(*n)[sc.ID] = sc.Name
		} else if _, ok := (*n)[sc.ID]; !ok {
			(*n)[sc.ID] = sc.ID
		}
	}
}

// ScopeName is a scope's name as people read it, its ID when unknown.
func (n scopeNames) ScopeName(id string) string {
	if s, ok := n[id]; ok {
		return s
	}
	return id
}

// snapshotPage shows one snapshot.
func (h *Handler) snapshotPage(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	snap, m, err := h.store.GetSnapshot(r.Context(), c.Org.ID, r.PathValue("snap"))
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "json" {
		data, err := json.MarshalIndent(snap, "", "  ")
		if err != nil {
			return err
		}
		return attachment(w, "application/json", "snapshot-"+snap.ID+".json", data)
	}
	d := &snapshotData{
		base:       base{Title: "Snapshot of " + snap.Assessment + " on " + snap.Input.AsOf.String(), Caller: c, Crumbs: c.crumbs(crumb{snap.Assessment, assessmentPath(c, snap.AssessmentID)}, crumb{"Snapshots", assessmentPath(c, snap.AssessmentID) + "/snapshots"})},
		Snap:       snap,
		Report:     report.Build(m, snap.Result, report.Meta{Organization: snap.Organization, Assessment: snap.Assessment, Scopes: snap.Input.Scopes, ValidityDays: snap.Input.ValidityDays}),
		Answers:    snap.Input.Answers,
		Download:   orgPath(c.Org) + "/snapshots/" + snap.ID + "?format=json",
		CompareNow: compareHref(c, snap.ID, history.Live, ""),
	}
	d.addScopes(snap.Input.Scopes)
	return h.render(w, http.StatusOK, h.pages.snapshot, d)
}

// attachment writes data as a download named name.
func attachment(w http.ResponseWriter, mediaType, name string, data []byte) error {
	w.Header().Set("Content-Type", mediaType+"; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(data)
	return err
}

// trendData is the trend page: a chart and a table of the scores over the
// snapshots, with targets.
type trendData struct {
	base
	Trend   *report.Trend
	CSVHref string
}

// trend shows the scores over the snapshots of the organization, or of the
// assessment in the path.
func (h *Handler) trend(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	t, err := h.store.Trend(r.Context(), c.Org.ID, id)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "csv" {
		var buf bytes.Buffer
		if err := t.WriteCSV(&buf); err != nil {
			return err
		}
		return attachment(w, "text/csv", "trend.csv", buf.Bytes())
	}
	d := &trendData{base: base{Title: "Trend", Caller: c, Crumbs: c.crumbs()}, CSVHref: r.URL.Path + "?format=csv"}
	var m *model.Model
	if id != "" {
		s, err := h.load(r.Context(), c, id)
		if err != nil {
			return err
		}
		m = s.Model
		d.Title = "Trend: " + s.A.Name
		d.Crumbs = c.crumbs(crumb{s.A.Name, assessmentPath(c, id)})
	} else if m, err = model.Builtin(); err != nil {
		return err
	}
	d.Trend = report.BuildTrend(m, t, nil)
	return h.render(w, http.StatusOK, h.pages.trend, d)
}

// compareData is the comparison page.
type compareData struct {
	base
	C       *history.Comparison
	Exports []viewLink
	scopeNames
}

// comparison reads the from, to and assessment parameters and compares.
func (h *Handler) comparison(r *http.Request, c *caller) (*history.Comparison, error) {
	q := r.URL.Query()
	return h.store.Compare(r.Context(), c.Org.ID, q.Get("from"), q.Get("to"), q.Get("assessment"), assess.DateOf(h.now()))
}

// compare shows what changed between two snapshots, or a snapshot and the
// live assessment.
func (h *Handler) compare(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	cmp, err := h.comparison(r, c)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := &compareData{base: base{Title: "Comparison", Caller: c, Crumbs: c.crumbs()}, C: cmp}
	// The scopes are named as the assessment names them now, else as the
	// snapshots froze them.
	for _, side := range []string{q.Get("from"), q.Get("to")} {
		if side == "" || side == history.Live {
			continue
		}
		if snap, _, err := h.store.GetSnapshot(r.Context(), c.Org.ID, side); err == nil {
			d.addScopes(snap.Input.Scopes)
			if a, err := h.store.GetAssessment(r.Context(), c.Org.ID, snap.AssessmentID); err == nil {
				d.addScopes(storeScopes(a.Scopes))
			}
		}
	}
	if id := q.Get("assessment"); id != "" {
		if a, err := h.store.GetAssessment(r.Context(), c.Org.ID, id); err == nil {
			d.addScopes(storeScopes(a.Scopes))
		}
	}
	for _, f := range []struct{ format, label string }{{"md", "Markdown"}, {"csv", "CSV"}, {"json", "JSON"}} {
		v := url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}, "format": {f.format}}
		if a := q.Get("assessment"); a != "" {
			v.Set("assessment", a)
		}
		d.Exports = append(d.Exports, viewLink{Label: f.label, Href: orgPath(c.Org) + "/compare/export?" + v.Encode()})
	}
	return h.render(w, http.StatusOK, h.pages.compare, d)
}

// compareExport downloads the comparison as Markdown, CSV or JSON.
func (h *Handler) compareExport(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	cmp, err := h.comparison(r, c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch f := r.URL.Query().Get("format"); f {
	case "md":
		err = cmp.WriteMarkdown(&buf)
		if err == nil {
			err = attachment(w, "text/markdown", "comparison.md", buf.Bytes())
		}
	case "csv":
		err = cmp.WriteCSV(&buf)
		if err == nil {
			err = attachment(w, "text/csv", "comparison.csv", buf.Bytes())
		}
	case "json":
		data, jerr := json.MarshalIndent(cmp, "", "  ")
		if jerr != nil {
			return jerr
		}
		err = attachment(w, "application/json", "comparison.json", data)
	default:
		return csmm.Errorf(csmm.EINVALID, "format %q: expected md, csv or json", f)
	}
	return err
}

// moveText shows a score move: "2.4 → 2.9".
func moveText(m history.Move) string {
	return fmt.Sprintf("%s → %s", scoreText(m.Before), scoreText(m.After))
}

// levelMove shows a level move, "" when neither side has one.
func levelMove(m history.Move) string {
	if m.LevelBefore == nil && m.LevelAfter == nil {
		return ""
	}
	l := func(v *int) string {
		if v == nil {
			return "n/a"
		}
		return fmt.Sprint(*v)
	}
	return l(m.LevelBefore) + " → " + l(m.LevelAfter)
}

// trendChart is the trend's chart, or nothing without history.
func trendChart(t *report.Trend) template.HTML {
	if t == nil {
		return ""
	}
	return t.Chart()
}

// storeScopes converts an assessment's scopes for scopeNames.
func storeScopes(list []store.Scope) []assess.Scope {
	out := make([]assess.Scope, len(list))
	for i, sc := range list {
		out[i] = assess.Scope{ID: sc.ID, Name: sc.Name, Weight: sc.Weight}
	}
	return out
}
