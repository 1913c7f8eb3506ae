package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/reportcache"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// reportData is the report page: the roll-up or one scope, built by package
// report from the same scoring result the API serves.
type reportData struct {
	base
	Report *report.Report
	// ScopeID is the scope shown on its own, "" for the roll-up.
	ScopeID string
	Views   []viewLink
	Exports []viewLink
	Path    string
	// Revision2 is the report's revision-2 sections (ladders, investment,
	// contradictions, stale evidence, CCM crosswalk) as the HTML export
	// renders them.
	Revision2 template.HTML
	// Body is the rendered report: the template "body" executed with the
	// fields above, shown by the page's "content".
	Body template.HTML
}

// reportPage is what the report cache keeps of one view of a report: the
// assessment's name and the rendered report. Nothing in it depends on who
// asks, only on the organization, the assessment at one revision, the
// as-of date and the scope, which the cache key holds.
type reportPage struct {
	Name string
	Body template.HTML
}

// defaultReportCacheBytes bounds the rendered reports kept in memory.
const defaultReportCacheBytes = 32 << 20

// viewLink is a link to one view or one export of the report.
type viewLink struct {
	Label   string
	Href    string
	Current bool
}

// exportFormats are the report's download formats, as getReport names them.
var exportFormats = []struct{ Format, Label string }{
	{"html", "HTML"}, {"pdf", "PDF"}, {"md", "Markdown"}, {"json", "JSON"}, {"csv", "CSV"}, {"xlsx", "Excel (XLSX)"},
}

// buildReport scores the assessment, or one scope of it on its own, and
// builds the report. scope "" is the roll-up of every scope.
func (h *Handler) buildReport(ctx context.Context, c *caller, s *snapshot, scope string) (_ *report.Report, err error) {
	in, res := s.Input, s.Result
	if scope != "" {
		var found bool
		for _, sc := range in.Scopes {
			if sc.ID == scope {
				in.Scopes, found = []assess.Scope{sc}, true
				break
			}
		}
		if !found {
			return nil, csmm.Errorf(csmm.ENOTFOUND, "scope %q not found", scope)
		}
		res = assess.Score(in)
	}
	name := s.A.Name
	if scope != "" {
		name += " (" + scope + ")"
	}
	// The roadmap's work (owners, due dates, status) is the roll-up's; a
	// scope's own roadmap shows the same work on its objectives.
	meta, err := service.WithAssessmentExtras(ctx, h.store, c.Org.ID, s.A.ID, s.Model, s.Result, report.Meta{
		Organization: c.Org.Name, Assessment: name, Scopes: in.Scopes,
		GeneratedAt: h.now().UTC(), ValidityDays: s.A.ValidityDays,
	})
	if err != nil {
		return nil, err
	}
	rep := report.Build(s.Model, res, meta)
	if scope == "" {
		if rep.Trend, err = h.reportTrend(ctx, c, s); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// report shows the report of the roll-up (?scope= empty) or of one scope.
// The rendered report is cached under the assessment's revision, which one
// indexed query reads: a change to the assessment raises the revision, so
// the next request renders the new data.
func (h *Handler) report(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	rev, err := h.store.AssessmentRevision(ctx, c.Org.ID, id)
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return errNotFound("assessment")
	} else if err != nil {
		return err
	}
	scope := r.URL.Query().Get("scope")
	// as_of reproduces what was known that day: answers dated later count
	// as unanswered (scoring.md revision 2).
	asOf := assess.DateOf(h.now())
	if v := r.URL.Query().Get("as_of"); v != "" {
		if asOf, err = assess.ParseDate(v); err != nil {
			return csmm.Errorf(csmm.EINVALID, "as_of: %s", err.Error())
		}
	}
	path := assessmentPath(c, id)
	key := reportcache.Key{OrgID: c.Org.ID, AssessmentID: id, Revision: rev, AsOf: asOf, Scope: scope,
		// The organization's name is in the report and its slug in the links.
		View: "page\x00" + c.Org.Name + "\x00" + path}
	pg, err := h.reports.Get(ctx, key, func() (*reportPage, int64, error) {
		s, err := h.loadAsOf(ctx, c, id, asOf)
		if err != nil {
			return nil, 0, err
		}
		d, err := h.reportView(ctx, c, s, scope)
		if err != nil {
			return nil, 0, err
		}
		var buf bytes.Buffer
		if err := h.pages.report.ExecuteTemplate(&buf, "body", d); err != nil {
			return nil, 0, fmt.Errorf("render report: %w", err)
		}
		pg := &reportPage{Name: s.A.Name, Body: template.HTML(buf.String())}
		return pg, int64(buf.Len() + len(pg.Name) + 64), nil
	})
	if err != nil {
		return err
	}
	d := reportData{
		base:    base{Title: "Report: " + pg.Name, Caller: c, Crumbs: c.crumbs(crumb{pg.Name, path})},
		ScopeID: scope,
		Path:    path,
		Body:    pg.Body,
	}
	if scope != "" {
		d.Title += " · " + scope
	}
	return h.render(w, http.StatusOK, h.pages.report, d)
}

// reportView is the report of the roll-up or of one scope, with the links
// to the other views and to the downloads: everything the template "body"
// shows.
func (h *Handler) reportView(ctx context.Context, c *caller, s *snapshot, scope string) (reportData, error) {
	rep, err := h.buildReport(ctx, c, s, scope)
	if err != nil {
		return reportData{}, err
	}
	path := assessmentPath(c, s.A.ID)
	rev2, err := rep.Revision2HTML()
	if err != nil {
		return reportData{}, err
	}
	d := reportData{Report: rep, ScopeID: scope, Path: path, Revision2: rev2}
	d.Views = append(d.Views, viewLink{Label: "All scopes (roll-up)", Href: path + "/report", Current: scope == ""})
	if len(s.A.Scopes) > 1 {
		for _, sc := range s.A.Scopes {
			d.Views = append(d.Views, viewLink{Label: scopeName(sc), Href: path + "/report?scope=" + url.QueryEscape(sc.ID), Current: scope == sc.ID})
		}
	}
	q := ""
	if scope != "" {
		q = "?scope=" + url.QueryEscape(scope)
	}
	for _, f := range exportFormats {
		d.Exports = append(d.Exports, viewLink{Label: f.Label, Href: path + "/export/" + f.Format + q})
	}
	return d, nil
}

// reportTrend is the report's Trend section: the assessment's snapshots
// and the installation's peer benchmark; nil before the first snapshot.
func (h *Handler) reportTrend(ctx context.Context, c *caller, s *snapshot) (*report.Trend, error) {
	t, err := h.store.Trend(ctx, c.Org.ID, s.A.ID)
	if err != nil || len(t.Points) == 0 {
		return nil, err
	}
	peers, err := h.store.Benchmark(ctx, c.Org.ID, store.BenchmarkQuery{})
	if err != nil {
		return nil, err
	}
	return report.BuildTrend(s.Model, t, peers), nil
}
