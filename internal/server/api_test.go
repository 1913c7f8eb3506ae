package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// fixture is two organizations, each with an assessment, and a member of
// every role in the first.
type fixture struct {
	e       *env
	a, b    *store.Organization
	assessA string
	assessB string
	// members of org A by role, signed in.
	members map[csmm.Role]*client
	users   map[csmm.Role]*store.User
	seq     atomic.Int64
}

func newFixture(t *testing.T, dsn string) *fixture {
	e := newEnv(t, dsn)
	f := &fixture{e: e, members: map[csmm.Role]*client{}, users: map[csmm.Role]*store.User{}}
	f.members[csmm.RoleOwner] = e.setup()
	f.a = e.org("acme-corp")
	owner, err := e.st.GetUserByEmail(t.Context(), "owner@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	f.users[csmm.RoleOwner] = owner
	for _, r := range []csmm.Role{csmm.RoleAdmin, csmm.RoleAssessor, csmm.RoleViewer} {
		email := string(r) + "@acme.example"
		f.users[r] = e.addUser("acme-corp", email, r)
		f.members[r] = e.login(email, "password of "+email)
	}
	e.addUser("Beta Ltd", "owner@beta.example", csmm.RoleOwner)
	f.b = e.org("beta-ltd")
	f.assessA = f.newAssessment(f.a)
	f.assessB = f.newAssessment(f.b)
	return f
}

func (f *fixture) next() int64 { return f.seq.Add(1) }

func (f *fixture) newAssessment(org *store.Organization) string {
	f.e.t.Helper()
	a, err := f.e.st.CreateAssessment(context.Background(), org.ID, storeActor(), store.AssessmentInput{Name: fmt.Sprintf("Assessment %d", f.next())})
	if err != nil {
		f.e.t.Fatal(err)
	}
	return a.ID
}

func (f *fixture) assessment(org *store.Organization) string {
	if org.ID == f.a.ID {
		return f.assessA
	}
	return f.assessB
}

// answered gives the objective an answer in the default scope of the
// organization's assessment, when it has none, and returns the assessment.
func (f *fixture) answered(org *store.Organization, objective string) string {
	f.e.t.Helper()
	id := f.assessment(org)
	ctx := context.Background()
	if _, err := f.e.st.GetAnswer(ctx, org.ID, id, objective, "default"); err == nil {
		return id
	}
	if _, err := f.e.st.PutAnswer(ctx, org.ID, storeActor(), store.AnswerInput{AssessmentID: id, Objective: objective, Scope: "default", Answer: assess.Most, AnsweredBy: "Ann"}); err != nil {
		f.e.t.Fatal(err)
	}
	return id
}

// request is one call of an operation.
type request struct {
	method, path, ctype string
	body                []byte
}

func jsonReq(method, path, body string) request {
	return request{method, path, "application/json", []byte(body)}
}

// builders make a request of each organization-scoped operation, creating
// what it acts on (as the caller user) so that each call can succeed.
var builders = map[string]func(f *fixture, org *store.Organization, caller *store.User) request{
	"getOrganization": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug}
	},
	"listMembers": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.ID + "/members"}
	},
	"addMember": func(f *fixture, o *store.Organization, _ *store.User) request {
		email := fmt.Sprintf("new%d@example.com", f.next())
		if _, err := f.e.st.CreateUser(context.Background(), storeActor(), email, "New", ""); err != nil {
			f.e.t.Fatal(err)
		}
		return jsonReq("POST", "/orgs/"+o.Slug+"/members", `{"email":"`+email+`","role":"viewer"}`)
	},
	"setMemberRole": func(f *fixture, o *store.Organization, _ *store.User) request {
		u := f.e.addUser(o.Slug, fmt.Sprintf("member%d@example.com", f.next()), csmm.RoleViewer)
		return jsonReq("PATCH", "/orgs/"+o.Slug+"/members/"+u.ID, `{"role":"assessor"}`)
	},
	"removeMember": func(f *fixture, o *store.Organization, _ *store.User) request {
		u := f.e.addUser(o.Slug, fmt.Sprintf("member%d@example.com", f.next()), csmm.RoleViewer)
		return request{method: "DELETE", path: "/orgs/" + o.Slug + "/members/" + u.ID}
	},
	"listAssessments": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments"}
	},
	"createAssessment": func(f *fixture, o *store.Organization, _ *store.User) request {
		return jsonReq("POST", "/orgs/"+o.Slug+"/assessments", `{"name":"New","scopes":[{"id":"production","weight":2},{"id":"development"}],"targets":{"IAM":4},"target_default":3}`)
	},
	"importAssessment": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{"POST", "/orgs/" + o.Slug + "/assessments/import", "application/yaml", []byte("organization: X\ndate: 2026-11-01\nanswers:\n  IAM-2.1: yes\n")}
	},
	"getAssessment": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o)}
	},
	"updateAssessment": func(f *fixture, o *store.Organization, _ *store.User) request {
		return jsonReq("PATCH", "/orgs/"+o.Slug+"/assessments/"+f.assessment(o), `{"name":"Renamed","validity_days":180}`)
	},
	"deleteAssessment": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "DELETE", path: "/orgs/" + o.Slug + "/assessments/" + f.newAssessment(o)}
	},
	"setTargets": func(f *fixture, o *store.Organization, _ *store.User) request {
		return jsonReq("PUT", "/orgs/"+o.Slug+"/assessments/"+f.assessment(o)+"/targets", `{"targets":{"IAM":4},"target_default":3}`)
	},
	"migrateAssessment": func(f *fixture, o *store.Organization, _ *store.User) request {
		return jsonReq("POST", "/orgs/"+o.Slug+"/assessments/"+f.assessment(o)+"/migrate", `{"model":"csmm@2.0.0","dry_run":true}`)
	},
	"exportAssessment": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/export"}
	},
	"getScore": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/score?as_of=2026-12-01"}
	},
	"getReport": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/report?format=md"}
	},
	"listAnswers": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/answers"}
	},
	"putAnswer": func(f *fixture, o *store.Organization, _ *store.User) request {
		id := f.assessment(o)
		version := 0
		if a, err := f.e.st.GetAnswer(context.Background(), o.ID, id, "IAM-2.1", "default"); err == nil {
			version = a.Version
		}
		return jsonReq("PUT", "/orgs/"+o.Slug+"/assessments/"+id+"/answers/IAM-2.1/default", fmt.Sprintf(`{"answer":"most","note":"n","version":%d}`, version))
	},
	"listAssignments": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/assignments"}
	},
	"putAssignment": func(f *fixture, o *store.Organization, _ *store.User) request {
		ms, err := f.e.st.ListMembers(context.Background(), o.ID)
		if err != nil {
			f.e.t.Fatal(err)
		}
		return jsonReq("PUT", "/orgs/"+o.Slug+"/assessments/"+f.assessment(o)+"/assignments/IAM", `{"user_id":"`+ms[0].User.ID+`"}`)
	},
	"deleteAssignment": func(f *fixture, o *store.Organization, _ *store.User) request {
		id := f.assessment(o)
		ms, err := f.e.st.ListMembers(context.Background(), o.ID)
		if err != nil {
			f.e.t.Fatal(err)
		}
		if err := f.e.st.Assign(context.Background(), o.ID, storeActor(), id, "NET", ms[0].User.ID); err != nil {
			f.e.t.Fatal(err)
		}
		return request{method: "DELETE", path: "/orgs/" + o.Slug + "/assessments/" + id + "/assignments/NET"}
	},
	"listExemptions": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/exemptions"}
	},
	"requestExemption": func(f *fixture, o *store.Organization, _ *store.User) request {
		return jsonReq("POST", "/orgs/"+o.Slug+"/assessments/"+f.assessment(o)+"/exemptions", `{"objective":"IAM-2.1","reason":"replaced next quarter","until":"2027-03-31"}`)
	},
	"decideExemption": func(f *fixture, o *store.Organization, _ *store.User) request {
		id := f.assessment(o)
		ex, err := f.e.st.RequestExemption(context.Background(), o.ID, storeActor(), id, "IAM-2.2", "legacy", "Ann", assess.Date{Year: 2027, Month: 3, Day: 31})
		if err != nil {
			f.e.t.Fatal(err)
		}
		return jsonReq("POST", "/orgs/"+o.Slug+"/assessments/"+id+"/exemptions/"+ex.ID+"/decision", `{"approve":true,"approver":"CISO"}`)
	},
	"listEvidence": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/evidence"}
	},
	"importEvidence": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{"POST", "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/evidence?name=scan.csv&scope=default", "text/csv", []byte("check,status\nprowler:aws:iam_root_mfa_enabled,pass\n")}
	},
	"deleteEvidence": func(f *fixture, o *store.Organization, _ *store.User) request {
		id := f.assessment(o)
		source := fmt.Sprintf("generic-csv:scan%d.csv", f.next())
		if err := f.e.st.ReplaceEvidence(context.Background(), o.ID, storeActor(), id, source, []store.Evidence{{Objective: "IAM-2.1", Scope: "default", Passed: 1}}); err != nil {
			f.e.t.Fatal(err)
		}
		return request{method: "DELETE", path: "/orgs/" + o.Slug + "/assessments/" + id + "/evidence?source=" + url.QueryEscape(source)}
	},
	"listObjectiveEvidence": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/attachments?objective=IAM-2.1"}
	},
	"addEvidenceLink": func(f *fixture, o *store.Organization, _ *store.User) request {
		return jsonReq("POST", "/orgs/"+o.Slug+"/assessments/"+f.assessment(o)+"/objectives/IAM-2.1/links", `{"url":"https://wiki.example.com/iam","title":"Runbook"}`)
	},
	"uploadEvidenceFile": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{"POST", "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/objectives/IAM-2.1/files?name=policy.pdf", "application/pdf", []byte("%PDF-1.4\n%%EOF\n")}
	},
	"downloadEvidenceFile": func(f *fixture, o *store.Organization, _ *store.User) request {
		id := f.assessment(o)
		at, err := f.e.st.AddFile(context.Background(), o.ID, storeActor(), id, "IAM-2.1", "notes.txt", []byte("plain notes\n"))
		if err != nil {
			f.e.t.Fatal(err)
		}
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + id + "/attachments/" + at.ID}
	},
	"deleteObjectiveEvidence": func(f *fixture, o *store.Organization, caller *store.User) request {
		// The caller's own link: an assessor may remove what they added.
		id := f.assessment(o)
		at, err := f.e.st.AddLink(context.Background(), o.ID, store.Actor{UserID: caller.ID}, id, "IAM-2.1", "https://wiki.example.com/x", "")
		if err != nil {
			f.e.t.Fatal(err)
		}
		return request{method: "DELETE", path: "/orgs/" + o.Slug + "/assessments/" + id + "/attachments/" + at.ID}
	},
	"listReviews": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/reviews"}
	},
	"markReviewed": func(f *fixture, o *store.Organization, _ *store.User) request {
		id := f.answered(o, "IAM-2.3")
		return jsonReq("PUT", "/orgs/"+o.Slug+"/assessments/"+id+"/reviews/IAM-2.3/default", `{}`)
	},
	"clearReview": func(f *fixture, o *store.Organization, _ *store.User) request {
		id := f.answered(o, "IAM-2.4")
		if _, err := f.e.st.MarkReviewed(context.Background(), o.ID, storeActor(), id, "IAM-2.4", "default", 0); err != nil {
			f.e.t.Fatal(err)
		}
		return request{method: "DELETE", path: "/orgs/" + o.Slug + "/assessments/" + id + "/reviews/IAM-2.4/default"}
	},
	"listModels": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/models"}
	},
	"uploadModel": func(f *fixture, o *store.Organization, _ *store.User) request {
		y := versionLine.ReplaceAllString(string(model.BuiltinYAML()), fmt.Sprintf("version: 9.0.%d", f.next()))
		y = idLine.ReplaceAllString(y, "id: custom")
		return request{"POST", "/orgs/" + o.Slug + "/models", "application/yaml", []byte(y)}
	},
	"getModel": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/models/builtin"}
	},
	"listTokens": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/tokens"}
	},
	"createToken": func(f *fixture, o *store.Organization, _ *store.User) request {
		return jsonReq("POST", "/orgs/"+o.Slug+"/tokens", `{"name":"CI","role":"viewer"}`)
	},
	"revokeToken": func(f *fixture, o *store.Organization, caller *store.User) request {
		// The caller's own token where they are a member, else the owner's.
		uid, role := caller.ID, csmm.RoleViewer
		if _, err := f.e.st.GetMembership(context.Background(), o.ID, uid); err != nil {
			ms, _ := f.e.st.ListMembers(context.Background(), o.ID)
			uid = ms[0].User.ID
		}
		_, tok, err := service.IssueToken(context.Background(), f.e.st, o.ID, csmm.RoleOwner, uid, "to revoke", role, timeZero, storeActor())
		if err != nil {
			f.e.t.Fatal(err)
		}
		return request{method: "DELETE", path: "/orgs/" + o.Slug + "/tokens/" + tok.ID}
	},
	"listAudit": func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/audit?limit=5"}
	},
}

var (
	versionLine = regexp.MustCompile(`(?m)^version: .*$`)
	idLine      = regexp.MustCompile(`(?m)^id: .*$`)
)

// minRole is the role matrix, written out by hand: the lowest role that may
// call each organization-scoped operation.
var minRole = map[string]csmm.Role{
	"getOrganization":         csmm.RoleViewer,
	"listMembers":             csmm.RoleViewer,
	"addMember":               csmm.RoleOwner,
	"setMemberRole":           csmm.RoleOwner,
	"removeMember":            csmm.RoleOwner,
	"listAssessments":         csmm.RoleViewer,
	"createAssessment":        csmm.RoleAdmin,
	"importAssessment":        csmm.RoleAdmin,
	"getAssessment":           csmm.RoleViewer,
	"updateAssessment":        csmm.RoleAdmin,
	"deleteAssessment":        csmm.RoleAdmin,
	"setTargets":              csmm.RoleAdmin,
	"migrateAssessment":       csmm.RoleAdmin,
	"exportAssessment":        csmm.RoleViewer,
	"getScore":                csmm.RoleViewer,
	"getReport":               csmm.RoleViewer,
	"listAnswers":             csmm.RoleViewer,
	"putAnswer":               csmm.RoleAssessor,
	"listAssignments":         csmm.RoleViewer,
	"putAssignment":           csmm.RoleAdmin,
	"deleteAssignment":        csmm.RoleAdmin,
	"listExemptions":          csmm.RoleViewer,
	"requestExemption":        csmm.RoleAssessor,
	"decideExemption":         csmm.RoleAdmin,
	"listEvidence":            csmm.RoleViewer,
	"importEvidence":          csmm.RoleAssessor,
	"deleteEvidence":          csmm.RoleAssessor,
	"listModels":              csmm.RoleViewer,
	"uploadModel":             csmm.RoleAdmin,
	"getModel":                csmm.RoleViewer,
	"listTokens":              csmm.RoleViewer,
	"createToken":             csmm.RoleViewer,
	"revokeToken":             csmm.RoleViewer,
	"listAudit":               csmm.RoleAdmin,
	"listObjectiveEvidence":   csmm.RoleViewer,
	"addEvidenceLink":         csmm.RoleAssessor,
	"uploadEvidenceFile":      csmm.RoleAssessor,
	"downloadEvidenceFile":    csmm.RoleViewer,
	"deleteObjectiveEvidence": csmm.RoleAssessor,
	"listReviews":             csmm.RoleViewer,
	"markReviewed":            csmm.RoleAdmin,
	"clearReview":             csmm.RoleAdmin,
}

// operations returns the method, path pattern and ID of every documented operation.
func operations(t *testing.T, e *env) map[string]string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		}
	}
	r := e.client().get("/api/v1/openapi.json")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("openapi.json: %d", r.StatusCode)
	}
	r.json(t, &doc)
	ops := map[string]string{}
	for path, methods := range doc.Paths {
		for method, op := range methods {
			ops[op.OperationID] = strings.ToUpper(method) + " " + path
		}
	}
	return ops
}

func TestRoleMatrix(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ops := operations(t, f.e)
		for op, pattern := range ops {
			if !strings.Contains(pattern, "{org}") {
				continue
			}
			build, ok := builders[op]
			min, ok2 := minRole[op]
			if !ok || !ok2 {
				t.Errorf("operation %s (%s) has no row in the role matrix", op, pattern)
				continue
			}
			t.Run(op, func(t *testing.T) {
				for _, role := range csmm.Roles {
					req := build(f, f.a, f.users[role])
					if m := strings.SplitN(pattern, " ", 2)[0]; m != req.method {
						t.Fatalf("builder uses %s, the operation is %s", req.method, pattern)
					}
					r := f.members[role].do(req.method, "/api/v1"+req.path, req.ctype, req.body)
					allowed := role.AtLeast(min)
					switch {
					case allowed && (r.StatusCode < 200 || r.StatusCode > 299):
						t.Errorf("%s: status %d, want success: %s", role, r.StatusCode, r.body)
					case !allowed && (r.StatusCode != http.StatusForbidden || r.errorCode() != "forbidden"):
						t.Errorf("%s: status %d, want 403 forbidden: %s", role, r.StatusCode, r.body)
					}
					// Organization B's route is not found for every member of A.
					req = build(f, f.b, f.users[role])
					r = f.members[role].do(req.method, "/api/v1"+req.path, req.ctype, req.body)
					if r.StatusCode != http.StatusNotFound || r.errorCode() != "not_found" {
						t.Errorf("%s of org A on org B: status %d, want 404 not_found: %s", role, r.StatusCode, r.body)
					}
				}
			})
		}
		for op := range minRole {
			if _, ok := ops[op]; !ok {
				t.Errorf("the role matrix has %s, which the API does not document", op)
			}
		}
	})
}

// TestOpenAPI checks the document against the routes actually registered
// and the operation IDs that are contracts.
func TestOpenAPI(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	ops := operations(t, e)

	rec := &recorder{}
	e.srv.api.Register(rec)
	registered := map[string]bool{}
	for _, p := range rec.patterns {
		if p == api.Prefix+"/" {
			continue // the JSON not-found catch-all
		}
		registered[strings.Replace(p, " "+api.Prefix, " ", 1)] = true
	}
	documented := map[string]bool{}
	for _, pattern := range ops {
		documented[pattern] = true
		if !registered[pattern] {
			t.Errorf("documented but not registered: %s", pattern)
		}
	}
	for p := range registered {
		if !documented[p] {
			t.Errorf("registered but not documented: %s", p)
		}
	}
	if len(ops) != len(registered) {
		t.Errorf("%d operation IDs for %d routes: IDs are not unique", len(ops), len(registered))
	}
	for _, id := range []string{"createAssessment", "getAssessment", "listAssessments", "importAssessment", "exportAssessment", "putAnswer", "getScore", "getReport"} {
		if _, ok := ops[id]; !ok {
			t.Errorf("operation %s is missing", id)
		}
	}
	// Every operation is exercised: the organization-scoped ones by the
	// role matrix, the others by the tests named here.
	elsewhere := map[string]string{
		"getOpenAPI":        "TestOpenAPI",
		"getMe":             "TestSignOut",
		"changePassword":    "TestPasswordChangeRevokesSessions",
		"signOutEverywhere": "TestSignOut",
		"listOrganizations": "TestSetup",
	}
	for op, pattern := range ops {
		if _, ok := builders[op]; !ok && elsewhere[op] == "" {
			t.Errorf("operation %s (%s) is exercised by no test", op, pattern)
		}
	}
	// Served to anyone, as compact JSON, with the OpenAPI version.
	r := e.client().get("/api/v1/openapi.json")
	if !strings.Contains(string(r.body), `"openapi":"3.1.0"`) || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("openapi.json: %s %.100s", r.Header.Get("Content-Type"), r.body)
	}
	// Indented on request.
	r = e.client().get("/api/v1/openapi.json?pretty=1")
	if !strings.Contains(string(r.body), "\n  \"openapi\": \"3.1.0\"") {
		t.Errorf("openapi.json?pretty=1 is not indented: %.100s", r.body)
	}
}

type recorder struct{ patterns []string }

func (r *recorder) Handle(pattern string, _ http.Handler) { r.patterns = append(r.patterns, pattern) }
