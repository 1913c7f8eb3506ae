package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

// TestManageAssessment renames an assessment, adds, renames and removes a
// scope (after a confirmation naming it), archives it (hidden from the
// list unless asked for, read-only), restores it and deletes it after
// typing its name; a viewer and another organization are refused.
func TestManageAssessment(t *testing.T) {
	e := newEnv(t)
	owner, viewer := e.users[csmm.RoleOwner], e.users[csmm.RoleViewer]
	path := e.create("Quarterly", "production", "development")
	manage := path + "/manage"
	if r := e.get(viewer, manage); r.status != http.StatusForbidden {
		t.Errorf("viewer on the manage page: %d, want 403", r.status)
	}
	if r := e.get(e.other, manage); r.status != http.StatusNotFound {
		t.Errorf("another organization's owner: %d, want 404", r.status)
	}
	for _, p := range []string{"/rename", "/archive", "/delete", "/scopes", "/scopes/production/remove"} {
		if r := e.post(e.other, path+p, url.Values{"name": {"X"}, "archived": {"true"}, "confirm": {"Quarterly"}, "scope": {"x"}}); r.status != http.StatusNotFound {
			t.Errorf("another organization's owner posting %s: %d, want 404", p, r.status)
		}
	}
	if d := e.get(viewer, path).doc(t); d.Find("#manage").Length() != 0 {
		t.Error("the viewer's overview links to the manage page")
	}
	if r := e.post(viewer, path+"/rename", url.Values{"name": {"Hijacked"}}); r.status != http.StatusForbidden {
		t.Errorf("viewer renaming: %d, want 403", r.status)
	}

	steps := []struct {
		name   string
		path   string
		form   url.Values
		status int
		want   string // text the page after the step shows
	}{
		{"rename", "/rename", url.Values{"name": {"Quarterly review"}}, http.StatusSeeOther, "The assessment was renamed."},
		{"empty name", "/rename", url.Values{"name": {"  "}}, http.StatusBadRequest, "The assessment name is empty"},
		{"add a scope", "/scopes", url.Values{"add": {"1"}, "scope": {"staging"}, "name": {"Staging"}, "weight": {"0.5"}}, http.StatusSeeOther, "The scope was added."},
		{"bad scope id", "/scopes", url.Values{"add": {"1"}, "scope": {"no spaces"}, "name": {"X"}}, http.StatusBadRequest, "is not valid"},
		{"duplicate scope", "/scopes", url.Values{"add": {"1"}, "scope": {"staging"}}, http.StatusBadRequest, "declared twice"},
		{"rename a scope", "/scopes", url.Values{"scope": {"production"}, "name": {"Production"}, "weight": {"3"}}, http.StatusSeeOther, "The scope was saved."},
	}
	for _, s := range steps {
		r := e.post(owner, path+s.path, s.form)
		if r.status != s.status {
			t.Fatalf("%s: status %d, want %d:\n%.2000s", s.name, r.status, s.status, r.body)
		}
		body := r.body
		if r.status == http.StatusSeeOther {
			body = e.get(owner, r.location).body
		}
		if !strings.Contains(body, s.want) {
			t.Errorf("%s: the page does not say %q", s.name, s.want)
		}
	}
	a := e.assessment(t, path)
	if a.Name != "Quarterly review" || len(a.Scopes) != 3 || a.Scopes[0].Name != "Production" || a.Scopes[0].Weight != 3 || a.Scopes[2].ID != "staging" {
		t.Fatalf("after the changes: %q %+v", a.Name, a.Scopes)
	}

	// Removing a scope with answers asks first, naming the scope and how
	// many answers go with it.
	answer := e.post(owner, path+"/objectives/IAM-2.1/answer", url.Values{"answer-production": {"yes"}, "answer-development": {"no"}, "version-production": {"0"}, "version-development": {"0"}})
	if answer.status != http.StatusSeeOther {
		t.Fatalf("answer: %d %.1000s", answer.status, answer.body)
	}
	d := e.get(owner, manage).doc(t)
	removeHref, _ := d.Find("#scope-development a.remove").Attr("href")
	if removeHref == "" {
		t.Fatal("no remove link for the development scope")
	}
	if got := d.Find("#scope-development td[data-label=Answers]").Text(); got != "1" {
		t.Errorf("development has %q answers on the manage page, want 1", got)
	}
	c := e.get(owner, removeHref).doc(t)
	if q := c.Find("#question").Text(); !strings.Contains(q, "development") || !strings.Contains(q, "Quarterly review") {
		t.Errorf("confirmation %q does not name the scope and the assessment", q)
	}
	if got := c.Find(".confirm li").First().Text(); !strings.HasPrefix(got, "1 answer(s)") {
		t.Errorf("consequence %q, want 1 answer(s) …", got)
	}
	if r := e.post(owner, removeHref, url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("remove development: %d %.1000s", r.status, r.body)
	}
	if a := e.assessment(t, path); len(a.Scopes) != 2 || a.Scopes[1].ID != "staging" {
		t.Errorf("scopes after removing development: %+v", a.Scopes)
	}

	// Archived: hidden from the list, shown with the filter, read-only.
	if r := e.post(owner, path+"/archive", url.Values{"archived": {"true"}}); r.status != http.StatusSeeOther {
		t.Fatalf("archive: %d", r.status)
	}
	list := e.get(owner, "/o/example/assessments").doc(t)
	if strings.Contains(list.Find("table.list").Text(), "Quarterly review") {
		t.Error("the archived assessment is in the default list")
	}
	toggle, _ := list.Find("#archived-toggle").Attr("href")
	if !strings.Contains(list.Find("#archived-toggle").Text(), "(1)") || toggle == "" {
		t.Fatalf("no link to the archived assessments: %q", list.Find("#archived-toggle").Text())
	}
	all := e.get(owner, toggle).doc(t)
	if got := all.Find("tr.archived .status").Text(); !strings.HasPrefix(got, "Archived") {
		t.Errorf("archived status %q", got)
	}
	ov := e.get(owner, path).doc(t)
	if ov.Find("#archived-note").Length() != 1 || ov.Find("form.assign").Length() != 0 || strings.Contains(ov.Text(), "Answer objectives") {
		t.Error("the archived overview is not read-only: no note, or assign forms or the answer button shown")
	}
	if cat := e.get(owner, path+"/categories/IAM").doc(t); cat.Find("form.answer input[type=radio]:not([disabled])").Length() != 0 && cat.Find("button.small").Length() != 0 {
		t.Error("the archived category page offers answer forms")
	}
	if r := e.post(owner, path+"/rename", url.Values{"name": {"Changed"}}); r.status != http.StatusConflict || !strings.Contains(r.body, "archived") {
		t.Errorf("rename while archived: %d, want 409 saying it is archived", r.status)
	}
	if r := e.post(owner, path+"/archive", url.Values{"archived": {"false"}}); r.status != http.StatusSeeOther {
		t.Fatalf("restore: %d", r.status)
	}

	// Deleting needs the name typed.
	cd := e.get(owner, path+"/delete").doc(t)
	if q := cd.Find("#question").Text(); !strings.Contains(q, "“Quarterly review”") {
		t.Errorf("delete confirmation %q does not name the assessment", q)
	}
	if r := e.post(owner, path+"/delete", url.Values{"confirm": {"Quarterly"}}); r.status != http.StatusBadRequest {
		t.Errorf("delete with the wrong name: %d, want 400", r.status)
	}
	if r := e.post(viewer, path+"/delete", url.Values{"confirm": {"Quarterly review"}}); r.status != http.StatusForbidden {
		t.Errorf("viewer deleting: %d, want 403", r.status)
	}
	r := e.post(owner, path+"/delete", url.Values{"confirm": {"Quarterly review"}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "?done=deleted") {
		t.Fatalf("delete: %d %q", r.status, r.location)
	}
	if !strings.Contains(e.get(owner, r.location).body, "The assessment was deleted.") {
		t.Error("the list does not confirm the deletion")
	}
	if r := e.get(owner, path); r.status != http.StatusNotFound {
		t.Errorf("deleted assessment: %d, want 404", r.status)
	}

	// The audit log tells the story in sentences with names.
	al := e.get(owner, "/o/example/settings/audit").doc(t)
	var sentences []string
	al.Find("table.audit .sentence").Each(func(_ int, s *goquery.Selection) { sentences = append(sentences, s.Text()) })
	text := strings.Join(sentences, "\n")
	for _, want := range []string{
		"Olivia Owner deleted the assessment “Quarterly review” (deleted)",
		"Olivia Owner restored “Quarterly review” (deleted) from the archive",
		"Olivia Owner changed the scopes of “Quarterly review” (deleted): removed development",
		"Olivia Owner answered IAM-2.1 in Production of “Quarterly review” (deleted) to Yes",
		"Olivia Owner changed the scopes of “Quarterly review” (deleted): added Staging",
		"Olivia Owner renamed the assessment “Quarterly” to “Quarterly review”",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the audit log does not say %q; it says:\n%s", want, text)
		}
	}
}

// assessment reads the assessment of a page path from the store.
func (e *env) assessment(t *testing.T, path string) *store.Assessment {
	t.Helper()
	a, err := e.store.GetAssessment(context.Background(), e.org.ID, path[strings.LastIndex(path, "/")+1:])
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestScopeNamesOnHistoryPages checks that a snapshot's answers, the audit
// log and a comparison name scopes by their names, not their IDs.
func TestScopeNamesOnHistoryPages(t *testing.T) {
	e := newEnv(t)
	owner := e.users[csmm.RoleOwner]
	path := e.create("Named", "prod-eu", "dev")
	if r := e.post(owner, path+"/scopes", url.Values{"scope": {"prod-eu"}, "name": {"Production Europe"}}); r.status != http.StatusSeeOther {
		t.Fatalf("name the scope: %d", r.status)
	}
	if r := e.post(owner, path+"/objectives/IAM-2.1/answer", url.Values{"answer-prod-eu": {"yes"}, "version-prod-eu": {"0"}}); r.status != http.StatusSeeOther {
		t.Fatalf("answer: %d %.500s", r.status, r.body)
	}
	r := e.post(owner, path+"/snapshots", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("finalize: %d", r.status)
	}
	_, snap, _ := strings.Cut(r.location, "finalized=")
	d := e.get(owner, "/o/example/snapshots/"+snap).doc(t)
	if got := d.Find("#snapshot-answers tbody tr td").Eq(1).Text(); got != "Production Europe" {
		t.Errorf("snapshot answer's scope %q, want Production Europe", got)
	}
	if r := e.post(owner, path+"/objectives/IAM-2.1/answer", url.Values{"answer-prod-eu": {"no"}, "version-prod-eu": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("change the answer: %d %.500s", r.status, r.body)
	}
	al := e.get(owner, "/o/example/settings/audit").doc(t)
	if got := al.Find("table.audit .sentence").First().Text(); got != "Olivia Owner changed the answer of IAM-2.1 in Production Europe of “Named” to No" {
		t.Errorf("newest audit sentence %q", got)
	}
	d = e.get(owner, "/o/example/compare?from="+snap+"&to=live").doc(t)
	if got := d.Find("#compare-objectives tbody tr td").Eq(1).Text(); got != "Production Europe" {
		t.Errorf("comparison's scope %q, want Production Europe:\n%.2000s", got, d.Find("main").Text())
	}
}
