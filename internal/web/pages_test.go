package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
	"github.com/google/go-cmp/cmp"
)

const xss = `<script>alert(1)</script>`

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func builtin(t testing.TB) *model.Model {
	t.Helper()
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// noInjectedScript fails when the page holds any script element but the
// page's own static script, or any inline style.
func noInjectedScript(t *testing.T, d *goquery.Document) {
	t.Helper()
	d.Find("script").Each(func(_ int, s *goquery.Selection) {
		if src, _ := s.Attr("src"); src != "/static/web/web.js" || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("unexpected script element: src=%q text=%q", src, s.Text())
		}
	})
	if n := d.Find("[style], style").Length(); n > 0 {
		t.Errorf("%d inline styles; the CSP forbids them", n)
	}
	if n := d.Find("[onclick], [onload], [onerror]").Length(); n > 0 {
		t.Errorf("%d inline event handlers", n)
	}
}

func TestCreateAssessmentFromPreset(t *testing.T) {
	e := newEnv(t)
	m := builtin(t)
	path := e.create("Cloud "+xss, "production", "development")

	r := e.get(e.users[csmm.RoleViewer], path+"/targets?created=1")
	if r.status != http.StatusOK {
		t.Fatalf("targets: status %d", r.status)
	}
	d := r.doc(t)
	noInjectedScript(t, d)
	if got := d.Find("h1").Text(); got != "Targets: Cloud "+xss {
		t.Errorf("h1 = %q, want the name as text", got)
	}
	if n := d.Find("tbody tr").Length(); n != len(m.Categories) {
		t.Errorf("%d target rows, want one per category (%d)", n, len(m.Categories))
	}
	if n := d.Find("select").Length(); n != 0 {
		t.Errorf("a viewer sees %d target selects, want none", n)
	}
	p, _ := e.h.preset("growing")
	row := d.Find("#target-IAM")
	if want := p.Name; !contains(row.Text(), "preset: "+want) {
		t.Errorf("IAM row %q does not record the preset as its reason", row.Text())
	}

	// An admin adjusts one target, with the reason recorded.
	admin := e.users[csmm.RoleAdmin]
	r = e.post(admin, path+"/targets", url.Values{"category": {"IAM"}, "level": {"5"}, "reason": {"regulator " + xss}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save target: status %d\n%s", r.status, r.body)
	}
	d = e.get(admin, path+"/targets").doc(t)
	noInjectedScript(t, d)
	if got, _ := d.Find("#reason-IAM").Attr("value"); got != "regulator "+xss {
		t.Errorf("IAM reason = %q", got)
	}
	if got, _ := d.Find("#level-IAM option[selected]").Attr("value"); got != "5" {
		t.Errorf("IAM level = %q, want 5", got)
	}
	if got, _ := d.Find("#level-GOV option[selected]").Attr("value"); got != "3" {
		t.Errorf("GOV level = %q, want the preset's 3 unchanged", got)
	}

	t.Run("reason required", func(t *testing.T) {
		r := e.post(admin, path+"/targets", url.Values{"category": {"IAM"}, "level": {"2"}, "reason": {" "}})
		if r.status != http.StatusUnprocessableEntity || !contains(r.doc(t).Find(".error").Text(), "reason") {
			t.Fatalf("status %d, want 422 asking for a reason", r.status)
		}
	})
	t.Run("assessor may not set targets", func(t *testing.T) {
		r := e.post(e.users[csmm.RoleAssessor], path+"/targets", url.Values{"category": {"IAM"}, "level": {"2"}, "reason": {"x"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", r.status)
		}
	})
	t.Run("assessor may not create", func(t *testing.T) {
		r := e.post(e.users[csmm.RoleAssessor], "/o/example/assessments", url.Values{"name": {"x"}, "preset": {"startup"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", r.status)
		}
		if r := e.get(e.users[csmm.RoleAssessor], "/o/example/assessments/new"); r.status != http.StatusForbidden {
			t.Fatalf("new form: status %d, want 403", r.status)
		}
	})
	t.Run("bad scope is shown with the form refilled", func(t *testing.T) {
		f := url.Values{"name": {"Bad " + xss}, "preset": {"startup"}, "scope_id": {"prod uction"}, "scope_name": {""}, "scope_weight": {""}}
		r := e.post(e.users[csmm.RoleOwner], "/o/example/assessments", f)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", r.status)
		}
		d := r.doc(t)
		noInjectedScript(t, d)
		if !contains(d.Find(".error").Text(), "prod uction") {
			t.Errorf("error %q does not name the scope", d.Find(".error").Text())
		}
		if v, _ := d.Find("#name").Attr("value"); v != "Bad "+xss {
			t.Errorf("name refilled as %q", v)
		}
	})
}

func TestAccessControl(t *testing.T) {
	e := newEnv(t)
	path := e.create("Access", "production", "development")
	m := builtin(t)
	obj := m.CategoryObjectives("IAM")[0].ID
	pages := []string{"", "/targets", "/categories/IAM", "/exemptions", "/report", "/export/json"}
	for _, p := range pages {
		t.Run("outsider "+p, func(t *testing.T) {
			if r := e.get(e.other, path+p); r.status != http.StatusNotFound {
				t.Errorf("status %d, want 404", r.status)
			}
		})
		t.Run("viewer "+p, func(t *testing.T) {
			if r := e.get(e.users[csmm.RoleViewer], path+p); r.status != http.StatusOK {
				t.Errorf("status %d, want 200", r.status)
			}
		})
	}
	t.Run("signed out redirects to sign-in", func(t *testing.T) {
		r := e.get(nil, path)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
			t.Fatalf("status %d location %q", r.status, r.location)
		}
	})
	t.Run("other org's assessment through own org", func(t *testing.T) {
		// The outsider's organization does not see the assessment either.
		if r := e.get(e.other, strings.Replace(path, "/o/example/", "/o/other/", 1)); r.status != http.StatusNotFound {
			t.Fatalf("status %d, want 404", r.status)
		}
	})
	t.Run("viewer cannot answer", func(t *testing.T) {
		d := e.get(e.users[csmm.RoleViewer], path+"/categories/IAM").doc(t)
		if n := d.Find("form.answer").Length(); n != 0 {
			t.Errorf("viewer sees %d answer forms", n)
		}
		if n := d.Find("details.request").Length(); n != 0 {
			t.Errorf("viewer sees %d exemption request forms", n)
		}
		r := e.post(e.users[csmm.RoleViewer], path+"/objectives/"+obj+"/answer", url.Values{"answer-production": {"yes"}})
		if r.status != http.StatusForbidden {
			t.Errorf("status %d, want 403", r.status)
		}
	})
	t.Run("outsider cannot answer", func(t *testing.T) {
		r := e.post(e.other, path+"/objectives/"+obj+"/answer", url.Values{"answer-production": {"yes"}})
		if r.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", r.status)
		}
	})
	t.Run("unknown category", func(t *testing.T) {
		if r := e.get(e.users[csmm.RoleViewer], path+"/categories/NOPE"); r.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", r.status)
		}
	})
}

func TestAnswerAndEscaping(t *testing.T) {
	e := newEnv(t)
	m := builtin(t)
	path := e.create("Answers", "production", "development")
	objs := m.CategoryObjectives("IAM")
	o1, o2 := objs[0].ID, objs[1].ID
	assessor := e.users[csmm.RoleAssessor]

	r := e.post(assessor, path+"/objectives/"+o1+"/answer", url.Values{
		"answer-production": {"yes"}, "note-production": {"note " + xss}, "version-production": {"0"},
		"answer-development": {"na"}, "justification-development": {"just " + xss}, "version-development": {"0"},
	})
	if r.status != http.StatusSeeOther || !strings.Contains(r.location, "/categories/IAM?saved="+o1) {
		t.Fatalf("save: status %d location %q\n%s", r.status, r.location, r.body)
	}
	d := e.get(assessor, path+"/categories/IAM").doc(t)
	noInjectedScript(t, d)
	art := d.Find("#obj-" + strings.ReplaceAll(o1, ".", `\.`))
	if art.Length() != 1 {
		t.Fatalf("no article for %s", o1)
	}
	if got := art.Find(`textarea[name="note-production"]`).Text(); got != "note "+xss {
		t.Errorf("note = %q", got)
	}
	if got := art.Find(`textarea[name="justification-development"]`).Text(); got != "just "+xss {
		t.Errorf("justification = %q", got)
	}
	if v, _ := art.Find(`input[name="answer-production"][checked]`).Attr("value"); v != "yes" {
		t.Errorf("production answer = %q", v)
	}
	if v, _ := art.Find(`input[name="version-production"]`).Attr("value"); v != "1" {
		t.Errorf("production version = %q, want 1", v)
	}
	if got := art.Find(`fieldset[data-scope="production"] .who`).Text(); !strings.HasPrefix(got, "Answered by "+assessor.Name+" on ") {
		t.Errorf("production line %q, want it to start with Answered by %s on", got, assessor.Name)
	}
	if !contains(art.Find("details.about").Text(), "Sample controls") || art.Find("details.about[open]").Length() != 0 {
		t.Error("the question and sample controls are not folded in a closed <details>")
	}

	t.Run("na needs a justification", func(t *testing.T) {
		r := e.post(assessor, path+"/objectives/"+o2+"/answer", url.Values{"answer-production": {"na"}, "version-production": {"0"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", r.status)
		}
		d := r.doc(t)
		just := d.Find(`#obj-` + strings.ReplaceAll(o2, ".", `\.`) + ` fieldset[data-scope="production"] .just`)
		if !contains(just.Find(".field-error").Text(), "justification") {
			t.Errorf("no justification error next to the field in %q", just.Text())
		}
		if v, _ := just.Find("textarea").Attr("aria-invalid"); v != "true" {
			t.Errorf("the justification field is not marked invalid: aria-invalid=%q", v)
		}
	})

	t.Run("one answer for every scope", func(t *testing.T) {
		r := e.post(assessor, path+"/objectives/"+o2+"/answer", url.Values{"same": {"1"}, "answer-production": {"most"}, "note-production": {"both"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("status %d\n%s", r.status, r.body)
		}
		ans, err := e.store.ListAnswers(context.Background(), e.org.ID, strings.TrimPrefix(path, "/o/example/assessments/"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]assess.Answer{}
		for _, a := range ans {
			if a.Objective == o2 {
				got[a.Scope] = a.Answer
			}
		}
		if diff := cmp.Diff(map[string]assess.Answer{"production": "most", "development": "most"}, got); diff != "" {
			t.Errorf("answers (-want +got):\n%s", diff)
		}
	})

	t.Run("overview shows progress and escapes", func(t *testing.T) {
		d := e.get(e.users[csmm.RoleViewer], path).doc(t)
		noInjectedScript(t, d)
		row := d.Find("#cat-IAM td.progress")
		if row.Length() != 2 {
			t.Fatalf("%d progress cells for IAM, want 2 scopes", row.Length())
		}
		total := len(objs)
		if got := strings.TrimSpace(row.First().Find(".count").Text()); got != "2/"+itoa(total) {
			t.Errorf("production progress %q, want 2/%d", got, total)
		}
		unanswered := d.Find("section[aria-labelledby=h-unanswered] li")
		if unanswered.Length() != len(m.Objectives)-2 {
			t.Errorf("%d unanswered, want %d", unanswered.Length(), len(m.Objectives)-2)
		}
		if href, _ := unanswered.First().Find("a").Attr("href"); !strings.Contains(href, "/categories/") || !strings.Contains(href, "#obj-") {
			t.Errorf("unanswered link %q is not one click to the objective", href)
		}
	})

	t.Run("report lists the justification escaped", func(t *testing.T) {
		d := e.get(e.users[csmm.RoleViewer], path+"/report?scope=development").doc(t)
		noInjectedScript(t, d)
		if got := d.Find("table.na td.justification").First().Text(); got != "just "+xss {
			t.Errorf("justification = %q", got)
		}
	})

	t.Run("autosave answers JSON with progress", func(t *testing.T) {
		o3 := objs[2].ID
		r := e.do(assessor, "POST", path+"/objectives/"+o3+"/answer", url.Values{"answer-production": {"yes"}, "version-production": {"0"}}, "application/json")
		if r.status != http.StatusOK {
			t.Fatalf("status %d\n%s", r.status, r.body)
		}
		var res struct {
			Saved    []saveOutcome `json:"saved"`
			Progress []struct {
				Scope string `json:"scope"`
				Done  int    `json:"done"`
			} `json:"progress"`
		}
		if err := json.Unmarshal([]byte(r.body), &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Saved) != 1 || res.Saved[0].Version != 1 || res.Saved[0].Scope != "production" {
			t.Errorf("saved = %+v", res.Saved)
		}
		if len(res.Progress) != 2 || res.Progress[0].Done != 3 {
			t.Errorf("progress = %+v, want production done 3", res.Progress)
		}
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestAnswerConflictKeepsBoth(t *testing.T) {
	e := newEnv(t)
	m := builtin(t)
	path := e.create("Conflict", "production")
	obj := m.CategoryObjectives("MON")[0].ID
	alice, bob := e.users[csmm.RoleAssessor], e.users[csmm.RoleAdmin]

	// Both opened the form at version 0; Alice saves first.
	if r := e.post(alice, path+"/objectives/"+obj+"/answer", url.Values{"answer-production": {"yes"}, "note-production": {"alice's " + xss}, "version-production": {"0"}}); r.status != http.StatusSeeOther {
		t.Fatalf("alice: status %d", r.status)
	}
	r := e.post(bob, path+"/objectives/"+obj+"/answer", url.Values{"answer-production": {"some"}, "note-production": {"bob's note"}, "version-production": {"0"}})
	if r.status != http.StatusConflict {
		t.Fatalf("bob: status %d, want 409", r.status)
	}
	d := r.doc(t)
	noInjectedScript(t, d)
	art := d.Find("#obj-" + strings.ReplaceAll(obj, ".", `\.`))
	if got := art.Find(".their-answer").Text(); got != "Yes" {
		t.Errorf("their answer shown as %q, want Yes", got)
	}
	if got := art.Find(".their-note").Text(); got != "alice's "+xss {
		t.Errorf("their note shown as %q", got)
	}
	if v, _ := art.Find(`input[name="answer-production"][checked]`).Attr("value"); v != "some" {
		t.Errorf("form holds %q, want bob's own some", v)
	}
	if got := art.Find(`textarea[name="note-production"]`).Text(); got != "bob's note" {
		t.Errorf("form note %q, want bob's", got)
	}
	if v, _ := art.Find(`input[name="version-production"]`).Attr("value"); v != "1" {
		t.Errorf("form version %q, want alice's 1 so that saving again replaces it", v)
	}
	// The stored answer is still Alice's.
	id := strings.TrimPrefix(path, "/o/example/assessments/")
	got, err := e.store.GetAnswer(context.Background(), e.org.ID, id, obj, "production")
	if err != nil || got.Answer != assess.Yes {
		t.Fatalf("stored answer %+v, %v; want alice's yes", got, err)
	}
	// Bob saves again on purpose, with the version he was shown.
	if r := e.post(bob, path+"/objectives/"+obj+"/answer", url.Values{"answer-production": {"some"}, "note-production": {"bob's note"}, "version-production": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("bob again: status %d", r.status)
	}
	got, err = e.store.GetAnswer(context.Background(), e.org.ID, id, obj, "production")
	if err != nil || got.Answer != assess.Some || got.Version != 2 {
		t.Fatalf("stored answer %+v, %v; want bob's some at version 2", got, err)
	}

	t.Run("json conflict", func(t *testing.T) {
		r := e.do(alice, "POST", path+"/objectives/"+obj+"/answer", url.Values{"answer-production": {"no"}, "version-production": {"1"}}, "application/json")
		if r.status != http.StatusConflict || !contains(r.body, `"theirs"`) {
			t.Fatalf("status %d body %s", r.status, r.body)
		}
	})
}

func TestExemptionRequestAndDecision(t *testing.T) {
	e := newEnv(t)
	m := builtin(t)
	path := e.create("Exemptions", "production", "development")
	obj := m.CategoryObjectives("DAT")[0]
	assessor, admin := e.users[csmm.RoleAssessor], e.users[csmm.RoleAdmin]

	t.Run("expiry must be in the future", func(t *testing.T) {
		r := e.post(assessor, path+"/objectives/"+obj.ID+"/exemption", url.Values{"reason": {"x"}, "until": {"2020-01-01"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", r.status)
		}
	})
	r := e.post(assessor, path+"/objectives/"+obj.ID+"/exemption", url.Values{"reason": {"legacy " + xss}, "until": {"2027-03-31"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("request: status %d\n%s", r.status, r.body)
	}
	d := e.get(admin, path+"/exemptions").doc(t)
	noInjectedScript(t, d)
	rows := d.Find("section[aria-labelledby=h-pending] tbody tr")
	if rows.Length() != 1 {
		t.Fatalf("%d pending, want 1", rows.Length())
	}
	if got := rows.Find("td").First().Text(); got != "legacy "+xss {
		t.Errorf("reason %q", got)
	}
	action, _ := rows.Find("form").Attr("action")
	if action == "" {
		t.Fatal("no decision form for the admin")
	}
	if n := e.get(assessor, path+"/exemptions").doc(t).Find("section[aria-labelledby=h-pending] form").Length(); n != 0 {
		t.Errorf("the assessor sees %d decision forms", n)
	}
	if r := e.post(assessor, action, url.Values{"decision": {"approve"}}); r.status != http.StatusForbidden {
		t.Errorf("assessor decides: status %d, want 403", r.status)
	}
	if r := e.post(e.other, action, url.Values{"decision": {"approve"}}); r.status != http.StatusNotFound {
		t.Errorf("outsider decides: status %d, want 404", r.status)
	}
	if r := e.post(admin, action, url.Values{"decision": {"approve"}}); r.status != http.StatusSeeOther {
		t.Fatalf("approve: status %d\n%s", r.status, r.body)
	}

	// Visible on the objective, in the overview and in the report.
	d = e.get(assessor, path+"/categories/DAT").doc(t)
	if txt := d.Find("#obj-" + strings.ReplaceAll(obj.ID, ".", `\.`) + " .exemption-approved").Text(); !contains(txt, "legacy "+xss) || !contains(txt, admin.Name) {
		t.Errorf("objective exemption text %q", txt)
	}
	d = e.get(assessor, path).doc(t)
	if n := d.Find("section[aria-labelledby=h-exempt] li").Length(); n != 1 {
		t.Errorf("%d exempt in the overview, want 1", n)
	}
	d = e.get(assessor, path+"/report").doc(t)
	noInjectedScript(t, d)
	if got := d.Find("table.exempt td.reason").First().Text(); got != "legacy "+xss {
		t.Errorf("report exemption reason %q", got)
	}
	if r := e.post(admin, action, url.Values{"decision": {"refuse"}}); r.status != http.StatusConflict {
		t.Errorf("second decision: status %d, want 409", r.status)
	}
}

func TestReportMatchesScore(t *testing.T) {
	e := newEnv(t)
	m := builtin(t)
	path := e.create("Report", "production", "development")
	assessor := e.users[csmm.RoleAssessor]
	words := []string{"yes", "most", "half", "yes", "no", "some"}
	for i, o := range m.Objectives {
		if i%3 == 2 {
			continue
		}
		e.post(assessor, path+"/objectives/"+o.ID+"/answer", url.Values{
			"answer-production": {words[i%len(words)]}, "answer-development": {words[(i+1)%len(words)]},
		})
	}
	id := strings.TrimPrefix(path, "/o/example/assessments/")
	in, _, err := e.store.Scoring(context.Background(), e.org.ID, id, assess.DateOf(e.now))
	if err != nil {
		t.Fatal(err)
	}
	res := assess.Score(in)
	d := e.get(e.users[csmm.RoleViewer], path+"/report").doc(t)
	noInjectedScript(t, d)
	if v, _ := d.Find("#program-score").Attr("value"); v != exactString(res.Program.Score) {
		t.Errorf("program score %s, want %v", v, res.Program.Score)
	}
	if got := d.Find("#program-score").Text(); got != truncated(res.Program.Score) {
		t.Errorf("program score shown %q, want %q", got, truncated(res.Program.Score))
	}
	for _, c := range res.Categories {
		if got := d.Find("#category-" + c.ID + " data").Text(); got != truncated(c.Score) {
			t.Errorf("%s shown %q, want %q", c.ID, got, truncated(c.Score))
		}
	}
	if n := d.Find("#charts svg").Length(); n != 4 {
		t.Errorf("%d charts, want radar, bars, heatmap and scopes", n)
	}
	if n := d.Find(".exports a").Length(); n != 6 {
		t.Errorf("%d export links, want 6", n)
	}
	// The revision-2 sections, as the HTML export shows them: a ladder row
	// per category, the contradictions (none: no evidence), a crosswalk row
	// per CCM control the model references.
	if n, want := d.Find("#ladders tbody tr").Length(), len(res.Categories); n != want {
		t.Errorf("%d ladder rows, want one per category (%d)", n, want)
	}
	if got := d.Find("#contradictions p").First().Text(); !contains(got, "No manual answer of most or yes is contradicted") {
		t.Errorf("contradictions section: %q", got)
	}
	ccm := map[string]bool{}
	for _, o := range m.Objectives {
		for _, id := range o.References.CCM {
			ccm[id] = true
		}
	}
	if n := d.Find("#crosswalk tbody tr").Length(); n != len(ccm) || n == 0 {
		t.Errorf("%d crosswalk rows, want one per CCM control the model references (%d)", n, len(ccm))
	}
	if d.Find("#stale-evidence").Length() != 0 {
		t.Error("a stale evidence section without evidence")
	}
	for _, f := range []struct{ format, ctype, start string }{
		{"json", "application/json", "{"}, {"md", "text/markdown", "#"}, {"csv", "text/csv", ""}, {"xlsx", "spreadsheetml", "PK"}, {"html", "text/html", "<!"},
	} {
		t.Run("export "+f.format, func(t *testing.T) {
			r := e.get(e.users[csmm.RoleViewer], path+"/export/"+f.format)
			if r.status != http.StatusOK || !contains(r.header.Get("Content-Type"), f.ctype) || !strings.HasPrefix(strings.TrimSpace(r.body), f.start) {
				t.Fatalf("status %d type %q body starts %q", r.status, r.header.Get("Content-Type"), r.body[:min(20, len(r.body))])
			}
			if !contains(r.header.Get("Content-Disposition"), "attachment") {
				t.Errorf("disposition %q", r.header.Get("Content-Disposition"))
			}
		})
	}
	t.Run("scope view scores the scope alone", func(t *testing.T) {
		d := e.get(e.users[csmm.RoleViewer], path+"/report?scope=development").doc(t)
		want := exactString(res.Scopes[1].Program.Score)
		if v, _ := d.Find("#program-score").Attr("value"); v != want {
			t.Errorf("development program score %s, want %s", v, want)
		}
		if r := e.get(e.users[csmm.RoleViewer], path+"/report?scope=nope"); r.status != http.StatusNotFound {
			t.Errorf("unknown scope: status %d", r.status)
		}
	})
}

func exactString(f float64) string { return funcs["exact"].(func(float64) string)(f) }

func truncated(f float64) string { return funcs["score"].(func(float64) string)(f) }

var _ = store.BuiltinModel

// TestMeasuredAnswer saves a measured figure from the answering form on a
// coverage objective, shows it back, and refuses one on a binary objective
// or one that is not a figure, next to the scope.
func TestMeasuredAnswer(t *testing.T) {
	e := newEnv(t)
	m := builtin(t)
	path := e.create("Measures", "production")
	var coverage, binary string
	for _, o := range m.CategoryObjectives("IAM") {
		switch {
		case o.Binary() && binary == "":
			binary = o.ID
		case !o.Binary() && coverage == "":
			coverage = o.ID
		}
	}
	if coverage == "" || binary == "" {
		t.Fatal("the tests need a binary and a coverage objective in IAM")
	}
	assessor := e.users[csmm.RoleAssessor]

	// The word sent with the figure (a radio still checked) gives way to it.
	r := e.post(assessor, path+"/objectives/"+coverage+"/answer", url.Values{
		"answer-production": {"half"}, "measure-production": {" 87/120 "}, "version-production": {"0"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", r.status, r.body)
	}
	ans, err := e.store.ListAnswers(context.Background(), e.org.ID, strings.TrimPrefix(path, "/o/example/assessments/"))
	if err != nil {
		t.Fatal(err)
	}
	var got *store.Answer
	for i := range ans {
		if ans[i].Objective == coverage {
			got = &ans[i]
		}
	}
	if got == nil || got.Measure == nil || got.Measure.Measured != 87 || got.Measure.Of != 120 || got.Answer != "" {
		t.Fatalf("stored %+v, want the measure 87 of 120 and no word", got)
	}
	d := e.get(assessor, path+"/categories/IAM").doc(t)
	if v, _ := d.Find(`input[name="measure-production"]#m-` + strings.ReplaceAll(coverage, ".", `\.`) + `-production`).Attr("value"); v != "87/120" {
		t.Errorf("measure field shows %q, want 87/120", v)
	}
	if n := d.Find(`#m-` + strings.ReplaceAll(binary, ".", `\.`) + `-production`).Length(); n != 0 {
		t.Errorf("the binary objective %s offers a measure field", binary)
	}

	for _, tt := range []struct {
		name, obj, measure, want string
	}{
		{"binary", binary, "3/4", "states a fact"},
		{"not a figure", coverage, "most of them", "is not a figure"},
		{"more than the whole", coverage, "121/120", "is not a figure"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(assessor, "POST", path+"/objectives/"+tt.obj+"/answer", url.Values{
				"measure-production": {tt.measure}, "version-production": {"0"}}, "application/json")
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tt.want) {
				t.Errorf("status %d, want 422 saying %q:\n%s", r.status, tt.want, r.body)
			}
		})
	}
}
