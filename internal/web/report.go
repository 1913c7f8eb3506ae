package web

import (
	"net/http"
	"net/url"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/report"
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
}

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
func (h *Handler) buildReport(c *caller, s *snapshot, scope string) (*report.Report, error) {
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
	return report.Build(s.Model, res, report.Meta{
		Organization: c.Org.Name, Assessment: name, Scopes: in.Scopes,
		GeneratedAt: h.now().UTC(), ValidityDays: s.A.ValidityDays,
	}), nil
}

// report shows the report of the roll-up (?scope= empty) or of one scope.
func (h *Handler) report(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	scope := r.URL.Query().Get("scope")
	rep, err := h.buildReport(c, s, scope)
	if err != nil {
		return err
	}
	path := assessmentPath(c, s.A.ID)
	d := reportData{
		base:    base{Title: "Report: " + s.A.Name, Caller: c, Crumbs: c.crumbs(crumb{s.A.Name, path})},
		Report:  rep,
		ScopeID: scope,
		Path:    path,
	}
	if scope != "" {
		d.Title += " · " + scope
	}
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
	return h.render(w, http.StatusOK, h.pages.report, d)
}
