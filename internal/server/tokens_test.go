package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
)

func TestAPITokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ann := f.members[csmm.RoleAssessor]

		if r := ann.json("POST", "/api/v1/orgs/acme-corp/tokens", map[string]string{"name": "too strong", "role": "admin"}); r.StatusCode != http.StatusForbidden {
			t.Errorf("token above the creator's role: %d, want 403", r.StatusCode)
		}
		var created struct {
			Secret string
			Token  struct{ ID, Role, Prefix string }
		}
		r := ann.json("POST", "/api/v1/orgs/acme-corp/tokens", map[string]string{"name": "CI", "role": "assessor"})
		r.json(t, &created)
		if r.StatusCode != http.StatusCreated || !strings.HasPrefix(created.Secret, "csmm_") || created.Token.Role != "assessor" {
			t.Fatalf("create token: %d %s", r.StatusCode, r.body)
		}
		if strings.Contains(string(ann.get("/api/v1/orgs/acme-corp/tokens").body), created.Secret) {
			t.Error("the token list shows the secret")
		}
		bot := f.e.bearer(created.Secret)
		path := "/api/v1/orgs/acme-corp/assessments/" + f.assessA + "/answers/GOV-2.1/default"
		if r := bot.json("PUT", path, map[string]any{"answer": "yes", "version": 0}); r.StatusCode != http.StatusOK {
			t.Errorf("token answers: %d %s", r.StatusCode, r.body)
		}
		if r := bot.json("POST", "/api/v1/orgs/acme-corp/assessments", map[string]any{"name": "x"}); r.StatusCode != http.StatusForbidden {
			t.Errorf("assessor token creates an assessment: %d, want 403", r.StatusCode)
		}
		if r := bot.get("/api/v1/orgs/beta-ltd/assessments"); r.StatusCode != http.StatusNotFound {
			t.Errorf("token on another organization: %d, want 404", r.StatusCode)
		}
		var orgs struct{ Items []any }
		bot.get("/api/v1/orgs").json(t, &orgs)
		if len(orgs.Items) != 1 {
			t.Errorf("a token lists %d organizations, want its own only", len(orgs.Items))
		}
		if r := bot.json("PUT", "/api/v1/me/password", map[string]string{"current_password": "x", "new_password": "y"}); r.StatusCode != http.StatusForbidden {
			t.Errorf("token changes the password: %d, want 403", r.StatusCode)
		}

		// A token acts with its user's current role when that is lower.
		viewerTok := f.e.bearerFor(t, "admin@acme.example", "acme-corp")
		if err := f.e.st.SetMembershipRole(t.Context(), f.a.ID, storeActor(), f.users[csmm.RoleAdmin].ID, csmm.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if r := viewerTok.json("POST", "/api/v1/orgs/acme-corp/assessments", map[string]any{"name": "x"}); r.StatusCode != http.StatusForbidden {
			t.Errorf("admin token of a demoted user: %d, want 403", r.StatusCode)
		}

		// A viewer cannot revoke someone else's token; the owner can.
		if r := f.members[csmm.RoleViewer].do("DELETE", "/api/v1/orgs/acme-corp/tokens/"+created.Token.ID, "", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("viewer revokes another's token: %d, want 404", r.StatusCode)
		}
		if r := f.members[csmm.RoleOwner].do("DELETE", "/api/v1/orgs/acme-corp/tokens/"+created.Token.ID, "", nil); r.StatusCode != http.StatusNoContent {
			t.Fatalf("owner revokes: %d %s", r.StatusCode, r.body)
		}
		if r := bot.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("revoked token: %d, want 401", r.StatusCode)
		}
		for _, h := range []string{"Basic abc", "Bearer nope", "Bearer csmm_" + strings.Repeat("A", 43)} {
			c := f.e.client()
			if r := c.do("GET", "/api/v1/me", "", nil, "Authorization", h); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("Authorization %q: %d, want 401", h, r.StatusCode)
			}
		}
		// The audit log records who created and revoked the token.
		var audit struct{ Items []struct{ Action string } }
		f.members[csmm.RoleOwner].get("/api/v1/orgs/acme-corp/audit?target_type=api_token").json(t, &audit)
		var actions []string
		for _, e := range audit.Items {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, ","); !strings.Contains(got, "api_token.revoke") || !strings.Contains(got, "api_token.create") {
			t.Errorf("audit actions %s", got)
		}
	})
}

func TestCLIHelpers(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	ctx := t.Context()
	u, pw, err := CreateUser(ctx, e.st, NewUser{Organization: "Gamma Inc", Email: "g@gamma.example", Role: csmm.RoleOwner}, cheap, storeActor())
	if err != nil {
		t.Fatal(err)
	}
	if len(pw) < 20 {
		t.Errorf("generated password %q is too short", pw)
	}
	if _, _, err := CreateUser(ctx, e.st, NewUser{Organization: "Nowhere", Email: "n@x.example", Role: csmm.RoleViewer}, cheap, storeActor()); csmm.ErrorCode(err) != csmm.EINVALID {
		t.Errorf("viewer of an unknown organization: %v, want invalid", err)
	}
	if _, _, err := CreateUser(ctx, e.st, NewUser{Organization: "gamma-inc", Email: "G@gamma.example", Role: csmm.RoleViewer}, cheap, storeActor()); csmm.ErrorCode(err) != csmm.ECONFLICT {
		t.Errorf("same email again: %v, want conflict", err)
	}
	if _, _, err := CreateUser(ctx, e.st, NewUser{Organization: "gamma-inc", Email: "w@gamma.example", Role: csmm.RoleViewer, Password: "short"}, cheap, storeActor()); csmm.ErrorCode(err) != csmm.EINVALID {
		t.Errorf("short password: %v, want invalid", err)
	}
	e.login("g@gamma.example", pw)

	if _, _, err := CreateToken(ctx, e.st, NewToken{Organization: "Gamma Inc", Email: "g@gamma.example", Name: "x", Role: "root"}, storeActor()); csmm.ErrorCode(err) != csmm.EINVALID {
		t.Errorf("bad role: %v", err)
	}
	secret, tok, err := CreateToken(ctx, e.st, NewToken{Organization: "Gamma Inc", Email: "g@gamma.example", Name: "deploy", Role: csmm.RoleAdmin}, storeActor())
	if err != nil {
		t.Fatal(err)
	}
	if tok.UserID != u.ID {
		t.Errorf("token user %s, want %s", tok.UserID, u.ID)
	}
	toks, err := ListTokens(ctx, e.st, "gamma-inc")
	if err != nil || len(toks) != 1 || toks[0].Name != "deploy" {
		t.Fatalf("ListTokens = %v, %v", toks, err)
	}
	if r := e.bearer(secret).get("/api/v1/orgs/gamma-inc/assessments"); r.StatusCode != http.StatusOK {
		t.Errorf("CLI token: %d", r.StatusCode)
	}
	if err := RevokeToken(ctx, e.st, "Gamma Inc", tok.ID, storeActor()); err != nil {
		t.Fatal(err)
	}
	if r := e.bearer(secret).get("/api/v1/orgs/gamma-inc/assessments"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked CLI token: %d, want 401", r.StatusCode)
	}
	for name, want := range map[string]string{"Acme Corp": "acme-corp", "  Ünïcode & Co. ": "n-code-co", "!!!": "org", strings.Repeat("a", 80): strings.Repeat("a", 64)} {
		if got := Slug(name); got != want {
			t.Errorf("Slug(%q) = %q, want %q", name, got, want)
		}
	}
}
