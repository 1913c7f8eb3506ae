package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
)

// TestSaveReturnsThePageState checks that the JSON answer of a save holds
// what the page updates in place: the objective's status, each scope's
// line, the progress, the category's score and the next open objective.
func TestSaveReturnsThePageState(t *testing.T) {
	e := newEnv(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := e.create("State", "production", "development")
	objs := m.CategoryObjectives("IAM")
	assessor := e.users[csmm.RoleAssessor]
	r := e.do(assessor, "POST", path+"/objectives/"+objs[0].ID+"/answer", url.Values{
		"answer-production": {"yes"}, "version-production": {"0"},
	}, "application/json")
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var res saveResult
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Scopes) != 2 {
		t.Fatalf("scopes %+v, want production and development", res.Scopes)
	}
	if s := res.Scopes[0]; s.Scope != "production" || s.Version != 1 || !strings.HasPrefix(s.Who, "Answered by "+assessor.Name+" on ") {
		t.Errorf("production %+v, want version 1 answered by %s", s, assessor.Name)
	}
	if s := res.Scopes[1]; s.Who != "Not answered yet" || s.Status != "unanswered" {
		t.Errorf("development %+v, want not answered", s)
	}
	if res.StatusText == "" || res.Category.Score == "" || res.Category.Level == 0 {
		t.Errorf("status text %q, category %+v: want them filled", res.StatusText, res.Category)
	}
	// The objective is still open in development, so Continue goes past it
	// to the next objective.
	if want := path + "/categories/IAM#obj-" + objs[1].ID; res.Next != want {
		t.Errorf("next %q, want %q", res.Next, want)
	}
	if res.Progress[0].Done != 1 || res.Progress[1].Done != 0 {
		t.Errorf("progress %+v, want 1 done in production, 0 in development", res.Progress)
	}
}

// TestCategoryFilters checks that the filters keep the objectives asked for.
func TestCategoryFilters(t *testing.T) {
	e := newEnv(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := e.create("Filters", "production")
	objs := m.CategoryObjectives("IAM")
	assessor := e.users[csmm.RoleAssessor]
	if r := e.post(assessor, path+"/objectives/"+objs[0].ID+"/answer", url.Values{"answer-production": {"yes"}, "version-production": {"0"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save: status %d", r.status)
	}
	count := func(query string) (int, string) {
		d := e.get(assessor, path+"/categories/IAM"+query).doc(t)
		return d.Find("article.objective").Length(), d.Find("#filter-hidden").Text()
	}
	if n, _ := count(""); n != len(objs) {
		t.Errorf("no filter: %d objectives, want %d", n, len(objs))
	}
	if n, hidden := count("?show=unanswered"); n != len(objs)-1 || !strings.Contains(hidden, "hides 1 objective ") {
		t.Errorf("unanswered: %d objectives (%q), want %d", n, hidden, len(objs)-1)
	}
	level := objs[len(objs)-1].Level
	want := 0
	for _, o := range objs {
		if o.Level == level {
			want++
		}
	}
	if n, _ := count("?level=" + string(rune('0'+level))); n != want {
		t.Errorf("level %d: %d objectives, want %d", level, n, want)
	}
	if n, _ := count("?show=stale"); n != 0 {
		t.Errorf("stale: %d objectives, want none", n)
	}
	if r := e.get(assessor, path+"/categories/IAM?show=bogus"); r.status != http.StatusBadRequest {
		t.Errorf("show=bogus: status %d, want 400", r.status)
	}
}

// TestPagePolish checks the smaller fixes: the viewer gets no "Answer
// objectives" button, the overview's domain rows span the table, error
// pages keep the header and start with a capital, the favicon is served.
func TestPagePolish(t *testing.T) {
	e := newEnv(t)
	path := e.create("Polish", "production", "development")
	viewer, assessor := e.users[csmm.RoleViewer], e.users[csmm.RoleAssessor]
	if n := e.get(viewer, path).doc(t).Find(`a.button:contains("Answer objectives")`).Length(); n != 0 {
		t.Errorf("the viewer sees %d Answer objectives buttons", n)
	}
	d := e.get(assessor, path).doc(t)
	if n := d.Find(`a.button:contains("Answer objectives")`).Length(); n != 1 {
		t.Errorf("the assessor sees %d Answer objectives buttons, want 1", n)
	}
	if span, _ := d.Find("tr.domain th").First().Attr("colspan"); span != "7" {
		t.Errorf("domain row spans %q columns, want 7 (5 and two scopes)", span)
	}
	r := e.get(assessor, path+"/categories/NOPE")
	d = r.doc(t)
	if r.status != http.StatusNotFound || d.Find(`header form[action="/logout"]`).Length() != 1 {
		t.Errorf("404 page: status %d, header with sign-out %d; want 404 and the header", r.status, d.Find(`header form[action="/logout"]`).Length())
	}
	if msg := d.Find("main p").First().Text(); msg == "" || strings.ToUpper(msg[:1]) != msg[:1] {
		t.Errorf("error message %q does not start with a capital", msg)
	}
	if r := e.get(assessor, "/static/web/favicon.svg"); r.status != http.StatusOK || !strings.Contains(r.body, "<svg") {
		t.Errorf("favicon: status %d", r.status)
	}
	r = e.get(nil, "/favicon.ico")
	if r.status != http.StatusOK || !strings.Contains(r.body, "<svg") || r.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(r.header.Get("Cache-Control"), "max-age=86400") {
		t.Errorf("/favicon.ico: status %d, type %q, cache %q", r.status, r.header.Get("Content-Type"), r.header.Get("Cache-Control"))
	}
	// So does a page that does not exist, and a forbidden one.
	r = e.get(assessor, "/o/example/no-such-page")
	if d := r.doc(t); r.status != http.StatusNotFound || d.Find(`header form[action="/logout"]`).Length() != 1 || d.Find("main p").First().Text() != "Page not found" {
		t.Errorf("unknown page: status %d, header with sign-out %d, message %q", r.status, d.Find(`header form[action="/logout"]`).Length(), d.Find("main p").First().Text())
	}
	r = e.get(e.users[csmm.RoleViewer], path+"/manage")
	if d := r.doc(t); r.status != http.StatusForbidden || d.Find(`header form[action="/logout"]`).Length() != 1 {
		t.Errorf("403 page: status %d, header with sign-out %d; want 403 and the header", r.status, d.Find(`header form[action="/logout"]`).Length())
	}
}

// TestAssessmentListColumns checks that the list shows each assessment's
// score, progress and status.
func TestAssessmentListColumns(t *testing.T) {
	e := newEnv(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := e.create("Listed", "production")
	assessor := e.users[csmm.RoleAssessor]
	d := e.get(assessor, "/o/example/assessments").doc(t)
	if got := d.Find("td.status").First().Text(); got != "Not started" {
		t.Errorf("status before answering %q, want Not started", got)
	}
	o := m.CategoryObjectives("IAM")[0]
	if r := e.post(assessor, path+"/objectives/"+o.ID+"/answer", url.Values{"answer-production": {"yes"}, "version-production": {"0"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.status)
	}
	d = e.get(assessor, "/o/example/assessments").doc(t)
	if got, want := d.Find("td.progress .count").First().Text(), "1/"+strconv.Itoa(len(m.Objectives)); got != want {
		t.Errorf("progress %q, want %q", got, want)
	}
	if got := d.Find("td.status").First().Text(); got != "In progress" {
		t.Errorf("status %q, want In progress", got)
	}
	if d.Find("td.score").First().Text() == "" {
		t.Error("no score")
	}
}
