package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
)

// TestRoadmapWork gives a roadmap objective an owner, a past due date, a
// status and a ticket through the page as an assessor, and finds it on the
// roadmap page, overdue on the overview, and in the report page; a ticket
// that is not an http(s) link and an objective off the roadmap are
// refused beside the form, a viewer is forbidden, and an outsider finds
// nothing.
func TestRoadmapWork(t *testing.T) {
	e := newEnv(t)
	path := e.create("Roadmap work", "production")
	assessor := e.users[csmm.RoleAssessor]

	page := e.get(assessor, path+"/roadmap")
	if page.status != http.StatusOK {
		t.Fatalf("roadmap page: %d\n%s", page.status, page.body)
	}
	doc := page.doc(t)
	rows := doc.Find("table.roadmap tbody tr")
	if rows.Length() == 0 {
		t.Fatal("the roadmap page lists no objective")
	}
	id, _ := rows.First().Attr("id")
	obj := strings.TrimPrefix(id, "item-")
	if got := doc.Find("#roadmap-done").Text(); !strings.HasPrefix(got, "0 of ") {
		t.Errorf("roadmap progress %q, want 0 done", got)
	}

	form := url.Values{"owner": {assessor.ID}, "due": {"2026-11-01"}, "status": {"in_progress"}, "ticket": {"https://tracker.example/SEC-9"}}
	r := e.post(assessor, path+"/roadmap/"+obj, form)
	if r.status != http.StatusSeeOther || !strings.Contains(r.location, "saved="+obj) {
		t.Fatalf("save: %d %q\n%s", r.status, r.location, r.body)
	}
	doc = e.get(assessor, path+"/roadmap").doc(t)
	row := doc.Find("[id='item-" + obj + "']")
	if v, _ := row.Find("select[name=status] option[selected]").Attr("value"); v != "in_progress" {
		t.Errorf("status shown %q, want in_progress", v)
	}
	if v, _ := row.Find("input[name=due]").Attr("value"); v != "2026-11-01" {
		t.Errorf("due date shown %q", v)
	}
	if !row.HasClass("overdue") {
		t.Error("the row of a due date before today is not marked overdue")
	}

	ov := e.get(assessor, path).doc(t)
	if got := ov.Find("#overdue li").Text(); !strings.Contains(got, obj) || !strings.Contains(got, "due 2026-11-01") || !strings.Contains(got, "Assessor User") {
		t.Errorf("overview's overdue list %q lacks %s with its due date and owner", got, obj)
	}

	// Done: no longer overdue; progress counts it, on the overview and in the report.
	form.Set("status", "done")
	if r := e.post(assessor, path+"/roadmap/"+obj, form); r.status != http.StatusSeeOther {
		t.Fatalf("save done: %d\n%s", r.status, r.body)
	}
	ov = e.get(assessor, path).doc(t)
	if n := ov.Find("#overdue li").Length(); n != 0 {
		t.Errorf("%d overdue items after done, want 0", n)
	}
	if got := ov.Find("#roadmap-done").Text(); !strings.HasPrefix(got, "1 of ") {
		t.Errorf("overview roadmap progress %q, want 1 done", got)
	}
	rep := e.get(assessor, path+"/report").doc(t)
	if got := rep.Find("#roadmap-progress").Text(); !strings.Contains(got, "1 of ") {
		t.Errorf("report roadmap progress %q, want 1 done", got)
	}
	if got := rep.Find("[id='work-" + obj + "']").Text(); !strings.Contains(got, "done") || !strings.Contains(got, "Assessor User") {
		t.Errorf("report's roadmap line %q lacks the status and owner", got)
	}

	for _, tc := range []struct {
		name, obj string
		form      url.Values
		want      string
	}{
		{"javascript ticket", obj, url.Values{"ticket": {"javascript:alert(1)"}}, "http:// or https://"},
		{"bad date", obj, url.Values{"due": {"tomorrow"}}, "YYYY-MM-DD"},
		{"off the roadmap", "NO-SUCH-1.1", url.Values{}, "not on the assessment's roadmap"},
		{"unknown status", obj, url.Values{"status": {"later"}}, "expected planned"},
	} {
		r := e.post(assessor, path+"/roadmap/"+tc.obj, tc.form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.doc(t).Find(".error").Text(), tc.want) {
			t.Errorf("%s: %d, error %q, want 422 with %q", tc.name, r.status, r.doc(t).Find(".error").Text(), tc.want)
		}
	}
	if r := e.post(e.users[csmm.RoleViewer], path+"/roadmap/"+obj, url.Values{"status": {"planned"}}); r.status != http.StatusForbidden {
		t.Errorf("viewer saving: %d, want 403", r.status)
	}
	if n := e.get(e.users[csmm.RoleViewer], path+"/roadmap").doc(t).Find("table.roadmap form, table.roadmap select").Length(); n != 0 {
		t.Errorf("the viewer sees %d form controls", n)
	}
	if r := e.get(e.other, path+"/roadmap"); r.status != http.StatusNotFound {
		t.Errorf("outsider: %d, want 404", r.status)
	}
}
