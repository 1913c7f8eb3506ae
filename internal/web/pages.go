package web

import (
	"embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
)

//go:embed templates/*.html templates/parts/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the parsed templates, one per page, each with the layout.
type pages struct {
	error, assessmentList, assessmentNew, targets, overview, category, exemptions, report, evidence *template.Template
	home, account, settings, members, tokens, models, audit                                         *template.Template
	snapshots, snapshot, trend, compare, benchmark                                                  *template.Template
	manage, confirm                                                                                 *template.Template
	roadmap                                                                                         *template.Template
}

// pageFiles maps each page to its template file; the tests type-check every
// one against its data type.
func (p *pages) files() map[string]**template.Template {
	return map[string]**template.Template{
		"error.html":           &p.error,
		"assessment_list.html": &p.assessmentList,
		"assessment_new.html":  &p.assessmentNew,
		"targets.html":         &p.targets,
		"overview.html":        &p.overview,
		"category.html":        &p.category,
		"exemptions.html":      &p.exemptions,
		"report.html":          &p.report,
		"evidence.html":        &p.evidence,
		"home.html":            &p.home,
		"account.html":         &p.account,
		"settings.html":        &p.settings,
		"members.html":         &p.members,
		"tokens.html":          &p.tokens,
		"models.html":          &p.models,
		"audit.html":           &p.audit,
		"snapshots.html":       &p.snapshots,
		"snapshot.html":        &p.snapshot,
		"trend.html":           &p.trend,
		"compare.html":         &p.compare,
		"benchmark.html":       &p.benchmark,
		"manage.html":          &p.manage,
		"confirm.html":         &p.confirm,
		"roadmap.html":         &p.roadmap,
	}
}

// funcs are the template functions: display helpers only, no logic.
var funcs = template.FuncMap{
	"score":   report.Display,
	"percent": report.Percent,
	"date":    func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"when":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"exact":   func(f float64) string { return fmt.Sprintf("%g", f) },
	"value": func(v *float64) string {
		if v == nil {
			return "excluded"
		}
		return report.Percent(*v)
	},
	"answerLabel": answerLabel,
	"answerText":  answerText,
	"modeHint":    modeHint,
	"join":        strings.Join,
	"move":        moveText,
	"levelMove":   levelMove,
	"trendChart":  trendChart,
	"scoreOf":     scoreText,
}

func parsePages() (*pages, error) {
	p := &pages{}
	for file, dst := range p.files() {
		t, err := template.New(file).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts/*.html", "templates/"+file)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", file, err)
		}
		*dst = t
	}
	return p, nil
}

// base is what every page shows around its content.
type base struct {
	Title  string
	Caller *caller
	Crumbs []crumb
	// Notice confirms what the last action did; Error says what went wrong.
	Notice string
	Error  string
	// Sections are the tabs of a group of pages, such as the
	// organization's settings, shown under the title.
	Sections []tab
}

// tab is a link to one page of a group; Current marks the page shown.
type tab struct {
	Label   string
	Href    string
	Current bool
}

// crumb is one step of the breadcrumb trail.
type crumb struct {
	Label string
	Href  string
}

// crumbs starts the trail at the organization's assessments.
func (c *caller) crumbs(more ...crumb) []crumb {
	return append([]crumb{{Label: c.Org.Name, Href: orgPath(c.Org) + "/assessments"}}, more...)
}

// answerLabel is the word shown for an answer.
func answerLabel(a assess.Answer) string {
	switch a {
	case assess.No:
		return "No"
	case assess.Some:
		return "Some"
	case assess.Half:
		return "Half"
	case assess.Most:
		return "Most"
	case assess.Yes:
		return "Yes"
	case assess.NA:
		return "Not applicable"
	case "":
		return "Unanswered"
	}
	return string(a)
}

// answerText labels an answer as the report rows hold it: a word, or a
// measure such as 87/120 or 72.5%, shown as is.
func answerText(s string) string { return answerLabel(assess.Answer(s)) }

// modeHint says where the value of an objective with a mode comes from.
func modeHint(m model.Mode) string {
	switch m {
	case model.ModeManual:
		return "a person's answer only"
	case model.ModeAutomated:
		return "scanner evidence, else a current manual answer where there is no evidence"
	case model.ModeEither:
		return "a current manual answer, else scanner evidence"
	}
	return ""
}

// answerHint says what an answer word means on the coverage scale.
func answerHint(a assess.Answer) string {
	switch a {
	case assess.No:
		return "not in place"
	case assess.Some:
		return "a small part of the scope"
	case assess.Half:
		return "about half"
	case assess.Most:
		return "most of the scope"
	case assess.Yes:
		return "across the scope"
	case assess.NA:
		return "does not apply; justify"
	}
	return ""
}
