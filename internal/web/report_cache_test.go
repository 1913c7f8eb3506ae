package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

// TestReportCacheShowsEveryChange renders a report (which caches it), then
// changes the assessment in several ways and checks that the very next
// render shows each change.
func TestReportCacheShowsEveryChange(t *testing.T) {
	e := newEnv(t)
	m := builtin(t)
	ctx := context.Background()
	path := e.create("Cached", "production", "development")
	id := strings.TrimPrefix(path, "/o/example/assessments/")
	viewer, assessor := e.users[csmm.RoleViewer], e.users[csmm.RoleAssessor]
	objs := m.CategoryObjectives("IAM")

	// programScore returns the score the report shows and the one the
	// store's data gives now.
	programScore := func(t *testing.T) (shown, want string) {
		t.Helper()
		r := e.get(viewer, path+"/report")
		if r.status != http.StatusOK {
			t.Fatalf("report: status %d", r.status)
		}
		shown, _ = r.doc(t).Find("#program-score").Attr("value")
		in, _, err := e.store.Scoring(ctx, e.org.ID, id, assess.DateOf(e.now))
		if err != nil {
			t.Fatal(err)
		}
		return shown, exactString(assess.Score(in).Program.Score)
	}

	if shown, want := programScore(t); shown != want {
		t.Fatalf("first render: program score %s, want %s", shown, want)
	}
	before := e.h.reports.Stats()
	if shown, _ := programScore(t); shown == "" {
		t.Fatal("no program score")
	}
	if after := e.h.reports.Stats(); after.Hits != before.Hits+1 || after.Misses != before.Misses {
		t.Fatalf("an unchanged assessment was rendered again: stats %+v then %+v", before, after)
	}

	t.Run("answer saved after a cached render", func(t *testing.T) {
		for _, o := range objs[:3] {
			r := e.post(assessor, path+"/objectives/"+o.ID+"/answer", url.Values{"answer-production": {"yes"}, "version-production": {"0"}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("save %s: status %d", o.ID, r.status)
			}
			shown, want := programScore(t)
			if shown != want {
				t.Fatalf("after answering %s: report shows %s, the data gives %s", o.ID, shown, want)
			}
		}
		if shown, _ := programScore(t); shown == "0" {
			t.Error("the program score did not move with three yes answers")
		}
	})

	t.Run("renamed assessment", func(t *testing.T) {
		if _, err := e.store.UpdateAssessment(ctx, e.org.ID, store.Actor{}, id, store.AssessmentUpdate{Name: "Renamed <now>", ValidityDays: 365}); err != nil {
			t.Fatal(err)
		}
		d := e.get(viewer, path+"/report").doc(t)
		if got := d.Find("title").Text(); !strings.Contains(got, "Renamed <now>") {
			t.Errorf("title %q does not show the new name", got)
		}
	})

	t.Run("approved exemption", func(t *testing.T) {
		ex, err := e.store.RequestExemption(ctx, e.org.ID, store.Actor{}, id, objs[4].ID, "cached reason", "alice", assess.Date{Year: 2030, Month: 1, Day: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.DecideExemption(ctx, e.org.ID, store.Actor{}, ex.ID, true, "bob"); err != nil {
			t.Fatal(err)
		}
		d := e.get(viewer, path+"/report").doc(t)
		if got := d.Find("#exceptions .exempt .reason").First().Text(); got != "cached reason" {
			t.Errorf("exempt reason %q, want the new exemption", got)
		}
	})

	t.Run("next day", func(t *testing.T) {
		e.now = e.now.Add(24 * time.Hour)
		defer func() { e.now = e.now.Add(-24 * time.Hour) }()
		d := e.get(viewer, path+"/report").doc(t)
		if got := d.Find(".meta").Text(); !strings.Contains(got, "as of "+assess.DateOf(e.now).String()) {
			t.Errorf("meta %q does not show the new date", got)
		}
	})

	t.Run("renamed organization", func(t *testing.T) {
		if _, err := e.store.RenameOrganization(ctx, e.org.ID, store.Actor{}, "Renamed Org", "example"); err != nil {
			t.Fatal(err)
		}
		d := e.get(viewer, path+"/report").doc(t)
		if got := d.Find(".meta").Text(); !strings.HasPrefix(got, "Renamed Org") {
			t.Errorf("meta %q does not show the new organization name", got)
		}
	})
}

// TestReportCacheIsPerOrganization checks that a report cached for one
// organization is never served through another, even to a member of both.
func TestReportCacheIsPerOrganization(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	path := e.create("Secret", "production")
	id := strings.TrimPrefix(path, "/o/example/assessments/")
	viewer := e.users[csmm.RoleViewer]
	if r := e.get(viewer, path+"/report"); r.status != http.StatusOK || !strings.Contains(r.body, "Secret") {
		t.Fatalf("report: status %d", r.status)
	}
	other, err := e.store.GetOrganizationBySlug(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMembership(ctx, other.ID, store.Actor{}, viewer.ID, csmm.RoleViewer); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		user *store.User
		path string
	}{
		{"member of both through the other organization", viewer, "/o/other/assessments/" + id + "/report"},
		{"outsider through the other organization", e.other, "/o/other/assessments/" + id + "/report"},
		{"outsider through the owning organization", e.other, path + "/report"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.get(tc.user, tc.path)
			if r.status != http.StatusNotFound {
				t.Errorf("status %d, want 404", r.status)
			}
			if strings.Contains(r.body, "Secret") {
				t.Error("the page shows the other organization's assessment")
			}
		})
	}
}
