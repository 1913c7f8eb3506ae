package server

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// The history and benchmark operations in the role matrix.
func init() {
	snapshotOf := func(f *fixture, o *store.Organization) string {
		s, err := f.e.st.Finalize(context.Background(), o.ID, storeActor(), f.assessment(o), "Test", "")
		if err != nil {
			f.e.t.Fatal(err)
		}
		return s.ID
	}
	for op, b := range map[string]func(f *fixture, o *store.Organization, _ *store.User) request{
		"finalizeAssessment": func(f *fixture, o *store.Organization, _ *store.User) request {
			return jsonReq("POST", "/orgs/"+o.Slug+"/assessments/"+f.assessment(o)+"/snapshots", `{"note":"quarterly review"}`)
		},
		"listSnapshots": func(f *fixture, o *store.Organization, _ *store.User) request {
			return request{method: "GET", path: "/orgs/" + o.Slug + "/snapshots?assessment=" + f.assessment(o)}
		},
		"getSnapshot": func(f *fixture, o *store.Organization, _ *store.User) request {
			return request{method: "GET", path: "/orgs/" + o.Slug + "/snapshots/" + snapshotOf(f, o) + "?format=json"}
		},
		"getTrend": func(f *fixture, o *store.Organization, _ *store.User) request {
			return request{method: "GET", path: "/orgs/" + o.Slug + "/trend?format=csv"}
		},
		"compareSnapshots": func(f *fixture, o *store.Organization, _ *store.User) request {
			return request{method: "GET", path: "/orgs/" + o.Slug + "/compare?to=live&from=" + snapshotOf(f, o)}
		},
		"getOrganizationProfile": func(f *fixture, o *store.Organization, _ *store.User) request {
			return request{method: "GET", path: "/orgs/" + o.Slug + "/profile"}
		},
		"updateOrganizationProfile": func(f *fixture, o *store.Organization, _ *store.User) request {
			return jsonReq("PUT", "/orgs/"+o.Slug+"/profile", `{"industry":"finance","size_band":"1000-4999","regions":["eu"],"providers":["aws"],"benchmark_opt_in":true}`)
		},
		"getBenchmark": func(f *fixture, o *store.Organization, _ *store.User) request {
			return request{method: "GET", path: "/orgs/" + o.Slug + "/benchmark?industry=finance"}
		},
		"exportBenchmark": func(f *fixture, o *store.Organization, _ *store.User) request {
			return request{method: "GET", path: "/orgs/" + o.Slug + "/benchmark/export?format=csv"}
		},
		"listBenchmarks": func(f *fixture, o *store.Organization, _ *store.User) request {
			return request{method: "GET", path: "/orgs/" + o.Slug + "/benchmarks"}
		},
		"importBenchmark": func(f *fixture, o *store.Organization, _ *store.User) request {
			return jsonReq("POST", "/orgs/"+o.Slug+"/benchmarks?name=Consultant", `{"source":"installation","model":{"id":"csmm","version":"2.0.0"},"as_of":"2026-11-01","group":{},"organizations":12,"suppressed":false,"program":{"p25":2,"p50":2.5,"p75":3}}`)
		},
	} {
		builders[op] = b
	}
	for op, r := range map[string]csmm.Role{
		"finalizeAssessment": csmm.RoleAdmin, "listSnapshots": csmm.RoleViewer, "getSnapshot": csmm.RoleViewer,
		"getTrend": csmm.RoleViewer, "compareSnapshots": csmm.RoleViewer, "getOrganizationProfile": csmm.RoleViewer,
		"updateOrganizationProfile": csmm.RoleAdmin, "getBenchmark": csmm.RoleViewer, "exportBenchmark": csmm.RoleAdmin,
		"listBenchmarks": csmm.RoleViewer, "importBenchmark": csmm.RoleAdmin,
	} {
		minRole[op] = r
	}
}

// TestHistoryFlow finalizes an assessment, changes it, finalizes again and
// checks that the API, the pages and the snapshot exports list exactly the
// objectives that changed, that the first snapshot did not move, and that
// the trend has both.
func TestHistoryFlow(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		owner := f.members[csmm.RoleOwner]
		base := "/api/v1/orgs/" + f.a.Slug
		id := f.assessA
		m, err := model.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		o := m.Objectives
		put := func(obj, answer string, version int) {
			t.Helper()
			r := owner.json("PUT", base+"/assessments/"+id+"/answers/"+obj+"/default", map[string]any{"answer": answer, "version": version, "by": "alice"})
			if r.StatusCode != http.StatusOK {
				t.Fatalf("put %s: %d %s", obj, r.StatusCode, r.body)
			}
		}
		for _, ob := range o[:6] {
			put(ob.ID, "yes", 0)
		}
		finalize := func(note string) history.Snapshot {
			t.Helper()
			r := owner.json("POST", base+"/assessments/"+id+"/snapshots", map[string]string{"note": note})
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("finalize: %d %s", r.StatusCode, r.body)
			}
			var s history.Snapshot
			r.json(t, &s)
			return s
		}
		first := finalize("before")
		f.e.clock.advance(time.Minute)
		put(o[1].ID, "no", 1)
		put(o[4].ID, "half", 1)
		put(o[8].ID, "most", 0)
		second := finalize("after")

		var cmpOut history.Comparison
		r := owner.get(base + "/compare?from=" + first.ID + "&to=" + second.ID)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("compare: %d %s", r.StatusCode, r.body)
		}
		r.json(t, &cmpOut)
		var got []string
		for _, c := range cmpOut.Objectives {
			got = append(got, c.Objective+"/"+c.Scope)
			if c.By != "alice" {
				t.Errorf("change of %s: by %q, want alice", c.Objective, c.By)
			}
		}
		want := []string{o[1].ID + "/default", o[4].ID + "/default", o[8].ID + "/default"}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("changed objectives = %v, want %v", got, want)
		}

		// The first snapshot did not move.
		var again history.Snapshot
		owner.get(base+"/snapshots/"+first.ID).json(t, &again)
		if again.Result.Program != first.Result.Program || len(again.Input.Answers) != 6 {
			t.Errorf("the first snapshot changed: program %+v, %d answers; want %+v, 6", again.Result.Program, len(again.Input.Answers), first.Result.Program)
		}

		// The same comparison as Markdown from the API, the page's export
		// and csmm diff's library on the two downloads.
		md := owner.get(base + "/compare?format=md&from=" + first.ID + "&to=" + second.ID)
		page := owner.get("/o/" + f.a.Slug + "/compare/export?format=md&from=" + first.ID + "&to=" + second.ID)
		if md.StatusCode != http.StatusOK || string(md.body) != string(page.body) {
			t.Errorf("the page's Markdown export differs from the API's:\nAPI %d:\n%s\npage %d:\n%s", md.StatusCode, md.body, page.StatusCode, page.body)
		}
		dir := t.TempDir()
		var sides []history.Side
		for _, s := range []string{first.ID, second.ID} {
			dl := owner.get(base + "/snapshots/" + s + "?format=json")
			p := filepath.Join(dir, s+".json")
			if err := os.WriteFile(p, dl.body, 0o644); err != nil {
				t.Fatal(err)
			}
			snap, sm, err := history.ReadFile(p, dl.body)
			if err != nil {
				t.Fatalf("the snapshot download is not an export file: %v", err)
			}
			sides = append(sides, history.SideOf(snap, sm))
		}
		var fromFiles strings.Builder
		history.Compare(sides[0], sides[1]).WriteMarkdown(&fromFiles)
		if fromFiles.String() != string(md.body) {
			t.Errorf("the exports compare otherwise than the API:\n%s\nAPI:\n%s", fromFiles.String(), md.body)
		}
		html := owner.get("/o/" + f.a.Slug + "/compare?" + url.Values{"from": {first.ID}, "to": {second.ID}}.Encode())
		for _, w := range want {
			if obj := strings.Split(w, "/")[0]; !strings.Contains(string(html.body), obj) {
				t.Errorf("the comparison page does not list %s", obj)
			}
		}

		var tr history.Trend
		owner.get(base+"/trend?assessment="+id).json(t, &tr)
		if len(tr.Points) != 2 || tr.Points[0].SnapshotID != first.ID || tr.Points[1].SnapshotID != second.ID {
			t.Errorf("trend points = %+v, want the two snapshots oldest first", tr.Points)
		}
		for _, path := range []string{"/o/" + f.a.Slug + "/assessments/" + id + "/trend", "/o/" + f.a.Slug + "/assessments/" + id + "/snapshots", "/o/" + f.a.Slug + "/snapshots/" + first.ID, "/o/" + f.a.Slug + "/benchmark"} {
			if r := owner.get(path); r.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %d", path, r.StatusCode)
			}
		}
		rep := owner.get(base + "/assessments/" + id + "/report?format=md")
		if !strings.Contains(string(rep.body), "## Trend") {
			t.Errorf("the report has no Trend section after two snapshots")
		}
		// The live score as of a date before the later answers.
		var sc assess.Result
		owner.get(base+"/assessments/"+id+"/score?as_of=2026-01-01").json(t, &sc)
		if sc.AsOf.String() != "2026-01-01" {
			t.Errorf("as_of = %s", sc.AsOf)
		}
	})
}
