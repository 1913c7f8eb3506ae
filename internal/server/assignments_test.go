package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// TestAssignmentsAPI assigns a category and an objective through the API,
// lists them, refuses a target outside the model and a non-member, removes
// one, and refuses changes once the assessment is archived.
func TestAssignmentsAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		admin := f.members[csmm.RoleAdmin]
		root := "/api/v1/orgs/acme-corp/assessments/" + f.assessA
		ann := f.users[csmm.RoleAssessor].ID
		for _, target := range []string{"IAM", "NET-2.1"} {
			r := admin.json("PUT", root+"/assignments/"+target, map[string]any{"user_id": ann})
			var got struct {
				Target string `json:"target"`
				UserID string `json:"user_id"`
			}
			r.json(t, &got)
			if r.StatusCode != http.StatusOK || got.UserID != ann || got.Target != target {
				t.Fatalf("assign %s: %d %s", target, r.StatusCode, r.body)
			}
		}
		for name, tt := range map[string]struct {
			target string
			user   string
		}{
			"unknown target": {"XYZ", ann},
			"non-member":     {"IAM", f.e.addUser("Beta Ltd", "other@beta.example", csmm.RoleViewer).ID},
			"no user":        {"IAM", ""},
		} {
			if r := admin.json("PUT", root+"/assignments/"+tt.target, map[string]any{"user_id": tt.user}); r.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400: %s", name, r.StatusCode, r.body)
			}
		}
		var list struct {
			Items []struct {
				Target string `json:"target"`
				UserID string `json:"user_id"`
			} `json:"items"`
		}
		r := f.members[csmm.RoleViewer].get(root + "/assignments")
		r.json(t, &list)
		if len(list.Items) != 2 || list.Items[0].Target != "IAM" || list.Items[1].Target != "NET-2.1" || list.Items[0].UserID != ann {
			t.Fatalf("assignments %+v, want IAM and NET-2.1 to the assessor: %s", list.Items, r.body)
		}
		if r := admin.do("DELETE", root+"/assignments/NET-2.1", "", nil); r.StatusCode != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.StatusCode, r.body)
		}
		if r := admin.do("DELETE", root+"/assignments/NET-2.1", "", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("delete again: %d, want 404: %s", r.StatusCode, r.body)
		}
		if r := admin.json("PATCH", root, map[string]any{"archived": true}); r.StatusCode != http.StatusOK {
			t.Fatalf("archive: %d %s", r.StatusCode, r.body)
		}
		if r := admin.json("PUT", root+"/assignments/NET", map[string]any{"user_id": ann}); r.StatusCode != http.StatusConflict {
			t.Errorf("assign on an archived assessment: %d, want 409: %s", r.StatusCode, r.body)
		}
		if r := admin.json("PUT", root+"/answers/IAM-2.1/default", map[string]any{"answer": "yes", "version": 0}); r.StatusCode != http.StatusConflict {
			t.Errorf("answer on an archived assessment: %d, want 409: %s", r.StatusCode, r.body)
		}
		// A restore and a rename in one request: the restore comes first.
		if r := admin.json("PATCH", root, map[string]any{"archived": false, "name": "Restored"}); r.StatusCode != http.StatusOK {
			t.Errorf("restore and rename: %d %s", r.StatusCode, r.body)
		}
	})
}

// TestAuditDays filters the audit log by day: the entries of the day of
// the changes are in a range ending that day and none in a range ending
// the day before; malformed or reversed days are refused.
func TestAuditDays(t *testing.T) {
	f := newFixture(t, newDSN(t, "sqlite"))
	admin := f.members[csmm.RoleAdmin]
	var page struct {
		Items []struct{ At time.Time } `json:"items"`
	}
	admin.get("/api/v1/orgs/acme-corp/audit?limit=1").json(t, &page)
	if len(page.Items) == 0 {
		t.Fatal("no audit entries")
	}
	today := page.Items[0].At.UTC().Format(time.DateOnly)
	yesterday := page.Items[0].At.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	count := func(q string) int {
		t.Helper()
		var page struct {
			Items []struct{ Action string } `json:"items"`
		}
		r := admin.get("/api/v1/orgs/acme-corp/audit?limit=500&" + q)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", q, r.StatusCode, r.body)
		}
		r.json(t, &page)
		return len(page.Items)
	}
	all := count("")
	if all == 0 {
		t.Fatal("no audit entries")
	}
	if n := count("from=" + today + "&to=" + today); n != all {
		t.Errorf("today: %d entries, want all %d", n, all)
	}
	if n := count("to=" + yesterday); n != 0 {
		t.Errorf("up to yesterday: %d entries, want 0", n)
	}
	for _, q := range []string{"from=yesterday", "to=2026-13-01", "from=" + today + "&to=" + yesterday} {
		if r := admin.get("/api/v1/orgs/acme-corp/audit?" + q); r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", q, r.StatusCode, r.body)
		}
	}
}
