package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// upload sends a file as a multipart form as a user.
func (e *env) upload(u *store.User, path, field, filename string, data []byte) response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		e.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest("POST", e.srv.URL+path, &body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if u != nil {
		req.Header.Set(testUserHeader, u.ID)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header}
}

// TestSettingsAccess checks every settings page and form against every
// role, an outsider (404: another organization's settings do not exist
// for them) and a signed-out visitor (sent to sign in).
func TestSettingsAccess(t *testing.T) {
	e := newEnv(t)
	const ok, forbidden, notFound = http.StatusOK, http.StatusForbidden, http.StatusNotFound
	pages := []struct {
		path                                     string
		owner, admin, assessor, viewer, outsider int
	}{
		{"/o/example/settings", ok, ok, ok, ok, notFound},
		{"/o/example/settings/members", ok, ok, forbidden, forbidden, notFound},
		{"/o/example/settings/tokens", ok, ok, ok, ok, notFound},
		{"/o/example/settings/models", ok, ok, ok, ok, notFound},
		{"/o/example/settings/audit", ok, ok, forbidden, forbidden, notFound},
	}
	for _, p := range pages {
		want := map[*store.User]int{
			e.users[csmm.RoleOwner]: p.owner, e.users[csmm.RoleAdmin]: p.admin,
			e.users[csmm.RoleAssessor]: p.assessor, e.users[csmm.RoleViewer]: p.viewer, e.other: p.outsider,
		}
		for u, status := range want {
			t.Run(p.path+" as "+u.Email, func(t *testing.T) {
				r := e.get(u, p.path)
				if r.status != status {
					t.Fatalf("status %d, want %d", r.status, status)
				}
				if status == ok {
					noInjectedScript(t, r.doc(t))
				}
			})
		}
		t.Run(p.path+" signed out", func(t *testing.T) {
			r := e.get(nil, p.path)
			if r.status != http.StatusSeeOther || r.location != "/login?next="+url.QueryEscape(p.path) {
				t.Fatalf("status %d location %q, want a redirect to sign in and back", r.status, r.location)
			}
		})
	}
	t.Run("tabs follow the role", func(t *testing.T) {
		for role, want := range map[csmm.Role][]string{
			csmm.RoleOwner:  {"Members", "API tokens", "Custom models", "Audit log"},
			csmm.RoleViewer: {"API tokens", "Custom models"},
		} {
			d := e.get(e.users[role], "/o/example/settings/tokens").doc(t)
			var got []string
			d.Find(`nav[aria-label="Sections"] a`).Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s tabs %v, want %v", role, got, want)
			}
			if cur := d.Find(`nav[aria-label="Sections"] a[aria-current="page"]`).Text(); cur != "API tokens" {
				t.Errorf("%s current tab %q", role, cur)
			}
		}
	})
	t.Run("header links to settings and account", func(t *testing.T) {
		d := e.get(e.users[csmm.RoleViewer], "/o/example/assessments").doc(t)
		for _, href := range []string{"/o/example/settings", "/account"} {
			if d.Find(`header nav a[href="`+href+`"]`).Length() != 1 {
				t.Errorf("no header link to %s", href)
			}
		}
		if got := d.Find("header .who").Text(); got != "viewer@example.com · viewer" {
			t.Errorf("header user %q", got)
		}
	})
}

// TestMembers covers the member list: owners add existing and new users,
// change roles and remove members; admins only read; the last owner is
// neither demoted nor removed; names are shown as text.
func TestMembers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, admin := e.users[csmm.RoleOwner], e.users[csmm.RoleAdmin]
	path := "/o/example/settings/members"

	t.Run("admin reads without forms", func(t *testing.T) {
		d := e.get(admin, path).doc(t)
		if n := d.Find("table.members tbody tr").Length(); n != 4 {
			t.Errorf("%d members, want 4", n)
		}
		if n := d.Find("main form").Length(); n != 0 {
			t.Errorf("admin sees %d forms", n)
		}
		if r := e.post(admin, path, url.Values{"email": {"x@example.com"}, "role": {"viewer"}}); r.status != http.StatusForbidden {
			t.Errorf("admin adds: status %d, want 403", r.status)
		}
		if r := e.post(admin, path+"/"+e.users[csmm.RoleViewer].ID+"/role", url.Values{"role": {"admin"}}); r.status != http.StatusForbidden {
			t.Errorf("admin changes a role: status %d, want 403", r.status)
		}
	})

	t.Run("add an existing user", func(t *testing.T) {
		r := e.post(owner, path, url.Values{"email": {"OTHER@example.net"}, "role": {"assessor"}})
		if r.status != http.StatusSeeOther || r.location != path+"?done=added" {
			t.Fatalf("status %d location %q\n%s", r.status, r.location, r.body)
		}
		m, err := e.store.GetMembership(ctx, e.org.ID, e.other.ID)
		if err != nil || m.Role != csmm.RoleAssessor {
			t.Fatalf("membership %+v, %v", m, err)
		}
		if got := e.get(owner, r.location).doc(t).Find(".notice").Text(); got != notices["added"] {
			t.Errorf("notice %q", got)
		}
		if r := e.post(owner, path, url.Values{"email": {"other@example.net"}, "role": {"viewer"}}); r.status != http.StatusConflict {
			t.Errorf("added twice: status %d, want 409", r.status)
		}
	})

	var newUser *store.User
	t.Run("add a new user with a one-time password", func(t *testing.T) {
		r := e.post(owner, path, url.Values{"email": {"new@example.com"}, "name": {xss}, "role": {"viewer"}})
		if r.status != http.StatusCreated {
			t.Fatalf("status %d\n%s", r.status, r.body)
		}
		d := r.doc(t)
		noInjectedScript(t, d)
		password := d.Find("#created-password").Text()
		var err error
		if newUser, err = e.store.GetUserByEmail(ctx, "new@example.com"); err != nil {
			t.Fatal(err)
		}
		if ok, err := identity.VerifyPassword(newUser.PasswordHash, password); !ok || err != nil || len(password) < identity.MinPasswordLength {
			t.Fatalf("the shown password %q does not sign in (%v)", password, err)
		}
		if newUser.Name != xss {
			t.Errorf("name %q", newUser.Name)
		}
		if got := d.Find("#member-" + newUser.ID + " .name").Text(); got != xss {
			t.Errorf("name cell %q, want the name as text", got)
		}
		if m, err := e.store.GetMembership(ctx, e.org.ID, newUser.ID); err != nil || m.Role != csmm.RoleViewer {
			t.Errorf("membership %+v, %v", m, err)
		}
		again := e.get(owner, path)
		if strings.Contains(again.body, password) || again.doc(t).Find("#created-password").Length() != 0 {
			t.Error("the one-time password is shown again")
		}
	})

	t.Run("refused input keeps the form", func(t *testing.T) {
		for name, f := range map[string]url.Values{
			"bad email": {"email": {"not an email"}, "role": {"viewer"}},
			"bad role":  {"email": {"z@example.com"}, "role": {"king"}},
		} {
			r := e.post(owner, path, f)
			d := r.doc(t)
			if r.status != http.StatusUnprocessableEntity || d.Find(".error").Length() != 1 {
				t.Errorf("%s: status %d, want 422 with an error", name, r.status)
			}
			if got, _ := d.Find("#member-email").Attr("value"); got != f.Get("email") {
				t.Errorf("%s: email refilled as %q", name, got)
			}
		}
		if _, err := e.store.GetUserByEmail(ctx, "z@example.com"); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("a user was created by a refused form: %v", err)
		}
	})

	t.Run("change a role", func(t *testing.T) {
		r := e.post(owner, path+"/"+newUser.ID+"/role", url.Values{"role": {"admin"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("status %d\n%s", r.status, r.body)
		}
		if m, _ := e.store.GetMembership(ctx, e.org.ID, newUser.ID); m.Role != csmm.RoleAdmin {
			t.Errorf("role %s, want admin", m.Role)
		}
	})

	t.Run("last owner is protected", func(t *testing.T) {
		d := e.get(owner, path).doc(t)
		row := d.Find("#member-" + owner.ID)
		if row.Find("form").Length() != 0 || !strings.Contains(row.Text(), "only owner") {
			t.Errorf("the only owner's row offers changes: %q", row.Text())
		}
		for name, r := range map[string]response{
			"demote": e.post(owner, path+"/"+owner.ID+"/role", url.Values{"role": {"admin"}}),
			"remove": e.post(owner, path+"/"+owner.ID+"/remove", nil),
		} {
			if r.status != http.StatusConflict || !strings.Contains(r.doc(t).Find(".error").Text(), "at least one owner") {
				t.Errorf("%s the last owner: status %d, want 409 saying why", name, r.status)
			}
		}
		if m, _ := e.store.GetMembership(ctx, e.org.ID, owner.ID); m == nil || m.Role != csmm.RoleOwner {
			t.Errorf("the last owner is now %+v", m)
		}
		// With a second owner, the first may step down.
		if r := e.post(owner, path+"/"+admin.ID+"/role", url.Values{"role": {"owner"}}); r.status != http.StatusSeeOther {
			t.Fatalf("promote: status %d", r.status)
		}
		if r := e.post(owner, path+"/"+owner.ID+"/role", url.Values{"role": {"admin"}}); r.status != http.StatusSeeOther {
			t.Fatalf("step down: status %d\n%s", r.status, r.body)
		}
	})

	t.Run("remove", func(t *testing.T) {
		r := e.post(admin, path+"/"+newUser.ID+"/remove", nil) // admin is an owner now
		if r.status != http.StatusSeeOther || r.location != path+"?done=removed" {
			t.Fatalf("status %d location %q", r.status, r.location)
		}
		if _, err := e.store.GetMembership(ctx, e.org.ID, newUser.ID); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("still a member: %v", err)
		}
		if r := e.post(admin, path+"/"+newUser.ID+"/remove", nil); r.status != http.StatusNotFound {
			t.Errorf("removed twice: status %d, want 404", r.status)
		}
	})

	t.Run("another organization's members are not found", func(t *testing.T) {
		outsider := e.user("solo@example.org", "Solo")
		if _, err := e.store.CreateOrganization(ctx, store.Actor{}, "Solo", "solo", outsider.ID); err != nil {
			t.Fatal(err)
		}
		// An owner of example acting on a user who is not a member of it.
		if r := e.post(admin, path+"/"+outsider.ID+"/role", url.Values{"role": {"viewer"}}); r.status != http.StatusNotFound {
			t.Errorf("role of a non-member: status %d, want 404", r.status)
		}
		// The owner of solo acting on example's members through example's path.
		for _, p := range []string{path, path + "/" + admin.ID + "/remove"} {
			if r := e.post(outsider, p, url.Values{"email": {"a@example.com"}, "role": {"owner"}}); r.status != http.StatusNotFound {
				t.Errorf("outsider POST %s: status %d, want 404", p, r.status)
			}
		}
		if m, _ := e.store.GetMembership(ctx, e.org.ID, admin.ID); m == nil {
			t.Error("the outsider removed a member")
		}
	})
}

// TestTokens covers API tokens: created with a role no higher than the
// creator's, shown once, stored as a hash only, listed and revoked with
// the API's rules.
func TestTokens(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	viewer, admin := e.users[csmm.RoleViewer], e.users[csmm.RoleAdmin]
	path := "/o/example/settings/tokens"

	r := e.post(viewer, path, url.Values{"name": {xss}, "role": {"viewer"}, "expiry": {"30d"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create: status %d\n%s", r.status, r.body)
	}
	d := r.doc(t)
	noInjectedScript(t, d)
	secret := d.Find("#token-secret").Text()
	if !identity.HasPrefix(secret, identity.APITokenPrefix) {
		t.Fatalf("shown secret %q", secret)
	}
	toks, err := e.store.ListAPITokens(ctx, e.org.ID)
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens %v, %v", toks, err)
	}
	tok := toks[0]
	if tok.TokenHash != identity.HashToken(secret) || tok.TokenHash == secret || tok.Name != xss || tok.Role != csmm.RoleViewer {
		t.Errorf("stored token %+v", tok)
	}
	if got := tok.Expires.Sub(e.now); got != 30*24*60*60*1e9 {
		t.Errorf("expires in %v, want 30 days", got)
	}
	if got, err := e.store.GetAPITokenByHash(ctx, identity.HashToken(secret)); err != nil || got.UserID != viewer.ID {
		t.Errorf("the shown token does not authenticate: %v", err)
	}

	t.Run("shown once", func(t *testing.T) {
		r := e.get(viewer, path)
		if strings.Contains(r.body, secret) {
			t.Fatal("the list shows the secret")
		}
		d := r.doc(t)
		noInjectedScript(t, d)
		row := d.Find("#token-" + tok.ID)
		if got := row.Find(".name").Text(); got != xss {
			t.Errorf("name %q, want it as text", got)
		}
		if !strings.Contains(row.Text(), tok.Prefix) || !strings.Contains(row.Text(), "never") {
			t.Errorf("row %q lacks the prefix or last use", row.Text())
		}
	})
	t.Run("role above one's own is refused", func(t *testing.T) {
		r := e.post(viewer, path, url.Values{"name": {"sneaky"}, "role": {"admin"}, "expiry": {"30d"}})
		if r.status != http.StatusForbidden || r.doc(t).Find(".error").Length() != 1 {
			t.Errorf("status %d, want 403 with the reason", r.status)
		}
		if n := e.get(viewer, path).doc(t).Find(`#token-role option`).Length(); n != 1 {
			t.Errorf("a viewer is offered %d roles, want 1", n)
		}
	})
	t.Run("name required", func(t *testing.T) {
		if r := e.post(viewer, path, url.Values{"name": {" "}, "role": {"viewer"}, "expiry": {"never"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422", r.status)
		}
	})
	var adminTok string
	t.Run("admin sees every token, a viewer only theirs", func(t *testing.T) {
		r := e.post(admin, path, url.Values{"name": {"admin CI"}, "role": {"assessor"}, "expiry": {"never"}})
		if r.status != http.StatusCreated {
			t.Fatalf("status %d", r.status)
		}
		toks, _ := e.store.ListAPITokens(ctx, e.org.ID)
		for _, t := range toks {
			if t.Name == "admin CI" {
				adminTok = t.ID
			}
		}
		if n := e.get(admin, path).doc(t).Find("table.tokens tbody tr").Length(); n != 2 {
			t.Errorf("admin sees %d tokens, want 2", n)
		}
		d := e.get(viewer, path).doc(t)
		if n := d.Find("table.tokens tbody tr").Length(); n != 1 || d.Find("#token-"+adminTok).Length() != 0 {
			t.Errorf("viewer sees %d tokens, the admin's among them", n)
		}
	})
	t.Run("revoke", func(t *testing.T) {
		if r := e.post(viewer, path+"/"+adminTok+"/revoke", nil); r.status != http.StatusNotFound {
			t.Errorf("viewer revokes the admin's token: status %d, want 404", r.status)
		}
		if r := e.post(e.other, path+"/"+tok.ID+"/revoke", nil); r.status != http.StatusNotFound {
			t.Errorf("outsider revokes: status %d, want 404", r.status)
		}
		r := e.post(admin, path+"/"+tok.ID+"/revoke", nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("admin revokes the viewer's token: status %d", r.status)
		}
		if _, err := e.store.GetAPITokenByHash(ctx, identity.HashToken(secret)); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("revoked token still authenticates: %v", err)
		}
		if got := e.get(viewer, path).doc(t).Find("#token-" + tok.ID + " .status").Text(); !strings.HasPrefix(got, "revoked") {
			t.Errorf("status %q, want revoked", got)
		}
	})
}

// TestAudit covers the audit log: newest first, with who, what, target,
// when and from where, before and after as indented JSON, and paging.
func TestAudit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.users[csmm.RoleOwner]
	path := "/o/example/settings/audit"
	if r := e.post(owner, "/o/example/settings/tokens", url.Values{"name": {xss}, "role": {"viewer"}, "expiry": {"never"}}); r.status != http.StatusCreated {
		t.Fatalf("create token: %d", r.status)
	}
	if r := e.post(owner, "/o/example/settings/members/"+e.users[csmm.RoleViewer].ID+"/role", url.Values{"role": {"assessor"}}); r.status != http.StatusSeeOther {
		t.Fatalf("change role: %d", r.status)
	}
	r := e.get(e.users[csmm.RoleAdmin], path)
	d := r.doc(t)
	noInjectedScript(t, d)
	rows := d.Find("table.audit tbody.entry")
	first := rows.First()
	if got := first.Find(".action").Text(); got != "membership.update" {
		t.Fatalf("newest entry %q, want membership.update", got)
	}
	if got := first.Find(".who-did").Text(); !strings.Contains(got, "owner@example.com") {
		t.Errorf("who %q", got)
	}
	if got := first.Find(".target").Text(); !strings.Contains(got, "viewer@example.com") {
		t.Errorf("target %q", got)
	}
	if got := first.Find("td.from").Text(); !strings.HasPrefix(got, "127.0.0.1") {
		t.Errorf("from %q", got)
	}
	pres := first.Find("details pre.json")
	if pres.Length() != 2 || !strings.Contains(pres.Eq(0).Text(), "\n  \"role\": \"viewer\"") || !strings.Contains(pres.Eq(1).Text(), "\"role\": \"assessor\"") {
		t.Errorf("before/after not shown as indented JSON: %q", pres.Text())
	}
	tokRow := rows.Eq(1)
	if got := tokRow.Find(".target").Text(); !strings.Contains(got, xss) {
		t.Errorf("token target %q, want its name as text", got)
	}

	t.Run("pages", func(t *testing.T) {
		for i := range auditPageSize + 5 {
			if err := e.store.RecordAudit(ctx, e.org.ID, store.Actor{UserID: owner.ID}, "test.event", "thing", fmt.Sprint(i), nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		d := e.get(owner, path).doc(t)
		if n := d.Find("table.audit tbody.entry").Length(); n != auditPageSize {
			t.Fatalf("first page has %d rows, want %d", n, auditPageSize)
		}
		if got := d.Find("table.audit tbody.entry .target").First().Text(); got != fmt.Sprintf("thing %d", auditPageSize+4) {
			t.Errorf("first row %q, want the newest", got)
		}
		next, ok := d.Find(`a[rel="next"]`).Attr("href")
		if !ok || d.Find(`.pager a`).Length() != 1 {
			t.Fatal("no link to older entries alone on the first page")
		}
		d = e.get(owner, next).doc(t)
		if n := d.Find("table.audit tbody.entry").Length(); n != 5+2+e.auditBefore(t) {
			t.Errorf("second page has %d rows", n)
		}
		if d.Find(`a[rel="next"]`).Length() != 0 || d.Find(`.pager a[href="`+path+`"]`).Length() != 1 {
			t.Error("the last page links on, or not back to the newest")
		}
		if r := e.get(owner, path+"?cursor=garbage"); r.status != http.StatusBadRequest {
			t.Errorf("bad cursor: status %d, want 400", r.status)
		}
	})
}

// auditBefore counts the entries the harness's setup wrote to the
// organization's log.
func (e *env) auditBefore(t *testing.T) int {
	page, err := e.store.ListAudit(context.Background(), e.org.ID, store.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range page.Entries {
		if en.Action != "test.event" && en.Action != "api_token.create" && en.Action != "membership.update" {
			n++
		}
	}
	return n
}

// versionLine and idLine find the model's version and ID in its YAML.
var (
	versionLine = regexp.MustCompile(`(?m)^version: .*$`)
	idLine      = regexp.MustCompile(`(?m)^id: .*$`)
)

// TestModelUpload covers custom models: an invalid file shows every
// problem and stores nothing; a valid one is stored, listed, and offered
// by the new-assessment form.
func TestModelUpload(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.users[csmm.RoleAdmin]
	path := "/o/example/settings/models"

	bad := strings.Replace(string(model.BuiltinYAML()), "id: IAM-2.1", "id: IAM-2.x", 1)
	bad = versionLine.ReplaceAllString(bad, "version: [1, 2]")
	_, perr := model.Parse("mine.yaml", []byte(bad))
	want, ok := perr.(*model.ValidationError)
	if !ok || len(want.Problems) < 2 {
		t.Fatalf("the broken model should have several problems: %v", perr)
	}
	r := e.upload(admin, path, "model", `mine<b>.yaml`, []byte(bad))
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid model: status %d\n%s", r.status, r.body)
	}
	d := r.doc(t)
	noInjectedScript(t, d)
	rows := d.Find("table.problems tbody tr")
	if rows.Length() != len(want.Problems) {
		t.Errorf("%d problems shown, want %d", rows.Length(), len(want.Problems))
	}
	rows.Each(func(i int, s *goquery.Selection) {
		if i >= len(want.Problems) {
			return
		}
		p := want.Problems[i]
		if got := s.Find("td").Eq(0).Text(); got != fmt.Sprint(p.Line) {
			t.Errorf("problem %d line %q, want %d", i, got, p.Line)
		}
		if got := s.Find("td").Eq(2).Text(); got != p.Message {
			t.Errorf("problem %d message %q, want %q", i, got, p.Message)
		}
	})
	if got := d.Find("table.problems caption").Text(); got != "Problems found in mine<b>.yaml" {
		t.Errorf("caption %q", got)
	}
	if ms, _ := e.store.ListModels(ctx, e.org.ID); len(ms) != 0 {
		t.Fatalf("%d models stored after a refused upload", len(ms))
	}

	good := idLine.ReplaceAllString(string(model.BuiltinYAML()), "id: acme")
	r = e.upload(admin, path, "model", "acme.yaml", []byte(good))
	if r.status != http.StatusSeeOther || r.location != path+"?done=uploaded" {
		t.Fatalf("valid model: status %d\n%s", r.status, r.body)
	}
	ms, _ := e.store.ListModels(ctx, e.org.ID)
	if len(ms) != 1 || ms[0].Name != "acme" || ms[0].YAML != good {
		t.Fatalf("stored models %+v", ms)
	}
	if got := e.get(e.users[csmm.RoleViewer], path).doc(t).Find("table.models tbody tr .name").Text(); got != "acme" {
		t.Errorf("listed %q", got)
	}
	if r := e.upload(admin, path, "model", "acme.yaml", []byte(good)); r.status != http.StatusConflict {
		t.Errorf("same model again: status %d, want 409", r.status)
	}
	t.Run("new assessment offers it", func(t *testing.T) {
		d := e.get(admin, "/o/example/assessments/new").doc(t)
		if n := d.Find(`option[value="` + ms[0].ID + `"], input[value="` + ms[0].ID + `"]`).Length(); n != 1 {
			t.Errorf("the new-assessment form does not offer the uploaded model")
		}
	})
	t.Run("roles", func(t *testing.T) {
		if r := e.upload(e.users[csmm.RoleAssessor], path, "model", "x.yaml", []byte(good)); r.status != http.StatusForbidden {
			t.Errorf("assessor uploads: status %d, want 403", r.status)
		}
		if n := e.get(e.users[csmm.RoleAssessor], path).doc(t).Find("main form").Length(); n != 0 {
			t.Errorf("assessor sees %d upload forms", n)
		}
		if r := e.upload(e.other, path, "model", "x.yaml", []byte(good)); r.status != http.StatusNotFound {
			t.Errorf("outsider uploads: status %d, want 404", r.status)
		}
	})
	t.Run("no file", func(t *testing.T) {
		if r := e.post(admin, path, url.Values{"model": {"id: x"}}); r.status != http.StatusBadRequest {
			t.Errorf("urlencoded form: status %d, want 400", r.status)
		}
	})
}
