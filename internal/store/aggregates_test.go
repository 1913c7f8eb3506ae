package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/google/go-cmp/cmp"
)

// tenantData fills an organization with one of everything it can own.
type tenantData struct {
	fixture
	model     *CustomModel
	token     *APIToken
	exemption *Exemption
}

func newTenantData(t *testing.T, s *Store, slug string) tenantData {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, s, slug)
	m, err := s.CreateModel(ctx, f.org.ID, f.actor, CustomModel{Name: "custom", Version: "1.0.0", YAML: "id: custom\n"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateAPIToken(ctx, f.org.ID, f.actor, APIToken{UserID: f.owner.ID, Name: "ci", Role: csmm.RoleAssessor, TokenHash: "hash-" + slug, Prefix: "csmm_" + slug[:2]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID, Objective: "IAM-2.1", Scope: "production", Answer: assess.Yes}); err != nil {
		t.Fatal(err)
	}
	ex, err := s.RequestExemption(ctx, f.org.ID, f.actor, f.assessment.ID, "DAT-4.2", "legacy system", "alice", assess.Date{Year: 2030, Month: 1, Day: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceEvidence(ctx, f.org.ID, f.actor, f.assessment.ID, "prowler", []Evidence{{Objective: "IAM-2.1", Scope: "production", Passed: 3, Failed: 1}}); err != nil {
		t.Fatal(err)
	}
	return tenantData{fixture: f, model: m, token: tok, exemption: ex}
}

func TestTenantIsolation(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		a := newTenantData(t, s, "alpha")
		other := newTenantData(t, s, "bravo")
		org, actor, id := other.org.ID, other.actor, a.assessment.ID
		alphaBefore, err := s.GetAssessment(ctx, a.org.ID, id)
		if err != nil {
			t.Fatal(err)
		}

		// Every call names org bravo and a thing of org alpha: each must
		// fail with not_found and change nothing.
		notFound := []struct {
			name string
			call func() error
		}{
			{"GetAssessment", func() error { _, err := s.GetAssessment(ctx, org, id); return err }},
			{"UpdateAssessment", func() error {
				_, err := s.UpdateAssessment(ctx, org, actor, id, AssessmentUpdate{Name: "x", ValidityDays: 10})
				return err
			}},
			{"ArchiveAssessment", func() error { return s.ArchiveAssessment(ctx, org, actor, id, true) }},
			{"DeleteAssessment", func() error { return s.DeleteAssessment(ctx, org, actor, id) }},
			{"SetScopes", func() error { return s.SetScopes(ctx, org, actor, id, []Scope{{ID: "x"}}) }},
			{"SetTargets", func() error { return s.SetTargets(ctx, org, actor, id, nil, 3) }},
			{"PutAnswer", func() error {
				_, err := s.PutAnswer(ctx, org, actor, AnswerInput{AssessmentID: id, Objective: "IAM-2.1", Scope: "production", Answer: assess.No, ExpectedVersion: 1})
				return err
			}},
			{"PutAnswers", func() error {
				_, err := s.PutAnswers(ctx, org, actor, id, []AnswerInput{{Objective: "IAM-2.2", Scope: "production", Answer: assess.No}})
				return err
			}},
			{"GetAnswer", func() error { _, err := s.GetAnswer(ctx, org, id, "IAM-2.1", "production"); return err }},
			{"ListAnswers", func() error { _, err := s.ListAnswers(ctx, org, id); return err }},
			{"DeleteAnswer", func() error { return s.DeleteAnswer(ctx, org, actor, id, "IAM-2.1", "production", 1) }},
			{"RequestExemption", func() error {
				_, err := s.RequestExemption(ctx, org, actor, id, "IAM-2.1", "r", "b", assess.Date{Year: 2030, Month: 1, Day: 1})
				return err
			}},
			{"DecideExemption", func() error { _, err := s.DecideExemption(ctx, org, Actor{}, a.exemption.ID, true, "CISO"); return err }},
			{"ListExemptions", func() error { _, err := s.ListExemptions(ctx, org, id); return err }},
			{"ReplaceEvidence", func() error { return s.ReplaceEvidence(ctx, org, actor, id, "prowler", nil) }},
			{"ListEvidence", func() error { _, err := s.ListEvidence(ctx, org, id); return err }},
			{"Scoring", func() error {
				_, _, err := s.Scoring(ctx, org, id, assess.Date{Year: 2026, Month: 1, Day: 1})
				return err
			}},
			{"ExportFile", func() error {
				_, _, err := s.ExportFile(ctx, org, id, assess.Date{Year: 2026, Month: 1, Day: 1})
				return err
			}},
			{"ImportFile into", func() error {
				_, err := s.ImportFile(ctx, org, actor, &assess.File{}, ImportOptions{AssessmentID: id})
				return err
			}},
			{"GetModel", func() error { _, err := s.GetModel(ctx, org, a.model.ID); return err }},
			{"LoadModel", func() error { _, err := s.LoadModel(ctx, org, a.model.ID); return err }},
			{"DeleteModel", func() error { return s.DeleteModel(ctx, org, actor, a.model.ID) }},
			{"CreateAssessment with model", func() error {
				_, err := s.CreateAssessment(ctx, org, actor, AssessmentInput{Name: "x", ModelRef: a.model.ID})
				return err
			}},
			{"RevokeAPIToken", func() error { return s.RevokeAPIToken(ctx, org, actor, a.token.ID) }},
			{"GetMembership", func() error { _, err := s.GetMembership(ctx, org, a.owner.ID); return err }},
			{"SetMembershipRole", func() error { return s.SetMembershipRole(ctx, org, actor, a.owner.ID, csmm.RoleViewer) }},
			{"RemoveMembership", func() error { return s.RemoveMembership(ctx, org, actor, a.owner.ID) }},
		}
		for _, tc := range notFound {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), csmm.ENOTFOUND) })
		}

		// Listers of bravo show only bravo's things.
		t.Run("ListAssessments", func(t *testing.T) {
			list, err := s.ListAssessments(ctx, org, true)
			if err != nil || len(list) != 1 || list[0].ID != other.assessment.ID {
				t.Errorf("ListAssessments = %v, %v; want only bravo's assessment", list, err)
			}
		})
		t.Run("ListModels", func(t *testing.T) {
			list, err := s.ListModels(ctx, org)
			if err != nil || len(list) != 1 || list[0].ID != other.model.ID {
				t.Errorf("ListModels = %v, %v; want only bravo's model", list, err)
			}
		})
		t.Run("ListAPITokens", func(t *testing.T) {
			list, err := s.ListAPITokens(ctx, org)
			if err != nil || len(list) != 1 || list[0].ID != other.token.ID {
				t.Errorf("ListAPITokens = %v, %v; want only bravo's token", list, err)
			}
		})
		t.Run("ListMembers", func(t *testing.T) {
			list, err := s.ListMembers(ctx, org)
			if err != nil || len(list) != 1 || list[0].User.ID != other.owner.ID {
				t.Errorf("ListMembers = %v, %v; want only bravo's owner", list, err)
			}
		})
		t.Run("ListAudit", func(t *testing.T) {
			page, err := s.ListAudit(ctx, org, AuditFilter{Limit: 500})
			if err != nil || len(page.Entries) == 0 {
				t.Fatalf("ListAudit = %v, %v; want bravo's entries", page, err)
			}
			for _, e := range page.Entries {
				if e.OrgID != org {
					t.Errorf("ListAudit of bravo returned an entry of org %s: %+v", e.OrgID, e)
				}
			}
		})

		// Alpha's data is untouched by all of the above.
		got, err := s.GetAssessment(ctx, a.org.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(alphaBefore, got); diff != "" {
			t.Errorf("alpha's assessment changed (-before +after):\n%s", diff)
		}
		ans, err := s.GetAnswer(ctx, a.org.ID, id, "IAM-2.1", "production")
		if err != nil || ans.Version != 1 || ans.Answer != assess.Yes {
			t.Errorf("alpha's answer = %+v, %v; want version 1 yes", ans, err)
		}
		if _, err := s.GetAPITokenByHash(ctx, "hash-alpha"); err != nil {
			t.Errorf("alpha's token no longer authenticates: %v", err)
		}
	})
}

func TestPutAnswerOptimisticConcurrency(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "acme")
		in := AnswerInput{AssessmentID: f.assessment.ID, Objective: "IAM-2.1", Scope: "production", Answer: assess.Half, Note: "first", AnsweredBy: "alice"}

		first, err := s.PutAnswer(ctx, f.org.ID, f.actor, in)
		if err != nil {
			t.Fatal(err)
		}
		if first.Version != 1 || first.AnsweredAt.IsZero() {
			t.Errorf("first save: version %d answered_at %v, want version 1 and today", first.Version, first.AnsweredAt)
		}

		t.Run("expecting no answer when there is one", func(t *testing.T) {
			second := in
			second.Answer, second.Note = assess.No, "second writer"
			_, err := s.PutAnswer(ctx, f.org.ID, f.actor, second)
			wantCode(t, err, csmm.ECONFLICT)
			ce, ok := errors.AsType[*ConflictError](err)
			if !ok {
				t.Fatalf("error %v is not a *ConflictError", err)
			}
			if diff := cmp.Diff(first, ce.Current); diff != "" {
				t.Errorf("ConflictError.Current differs from the stored answer (-want +got):\n%s", diff)
			}
		})

		update := in
		update.Answer, update.ExpectedVersion = assess.Yes, 1
		second, err := s.PutAnswer(ctx, f.org.ID, f.actor, update)
		if err != nil {
			t.Fatal(err)
		}
		if second.Version != 2 {
			t.Errorf("second save version = %d, want 2", second.Version)
		}

		t.Run("stale version", func(t *testing.T) {
			stale := in
			stale.Answer, stale.ExpectedVersion = assess.Some, 1
			_, err := s.PutAnswer(ctx, f.org.ID, f.actor, stale)
			ce, ok := errors.AsType[*ConflictError](err)
			if !ok || ce.Current == nil || ce.Current.Version != 2 || ce.Current.Answer != assess.Yes {
				t.Fatalf("stale save: error %v, want a ConflictError with version 2 yes", err)
			}
			got, _ := s.GetAnswer(ctx, f.org.ID, f.assessment.ID, "IAM-2.1", "production")
			if got.Answer != assess.Yes {
				t.Errorf("stored answer after a refused save = %s, want yes", got.Answer)
			}
		})

		t.Run("batch is all or nothing", func(t *testing.T) {
			_, err := s.PutAnswers(ctx, f.org.ID, f.actor, f.assessment.ID, []AnswerInput{
				{Objective: "IAM-2.2", Scope: "production", Answer: assess.Yes},
				{Objective: "IAM-2.1", Scope: "production", Answer: assess.No, ExpectedVersion: 1},
			})
			wantCode(t, err, csmm.ECONFLICT)
			_, err = s.GetAnswer(ctx, f.org.ID, f.assessment.ID, "IAM-2.2", "production")
			wantCode(t, err, csmm.ENOTFOUND)
		})

		t.Run("invalid answers", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				in   AnswerInput
			}{
				{"unknown word", AnswerInput{Objective: "IAM-2.3", Scope: "production", Answer: "maybe"}},
				{"na without justification", AnswerInput{Objective: "IAM-2.3", Scope: "production", Answer: assess.NA}},
				{"unknown scope", AnswerInput{Objective: "IAM-2.3", Scope: "staging", Answer: assess.Yes}},
				{"no objective", AnswerInput{Scope: "production", Answer: assess.Yes}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					tc.in.AssessmentID = f.assessment.ID
					_, err := s.PutAnswer(ctx, f.org.ID, f.actor, tc.in)
					wantCode(t, err, csmm.EINVALID)
				})
			}
		})

		t.Run("delete with stale version", func(t *testing.T) {
			err := s.DeleteAnswer(ctx, f.org.ID, f.actor, f.assessment.ID, "IAM-2.1", "production", 1)
			wantCode(t, err, csmm.ECONFLICT)
			if err := s.DeleteAnswer(ctx, f.org.ID, f.actor, f.assessment.ID, "IAM-2.1", "production", 2); err != nil {
				t.Fatal(err)
			}
			_, err = s.GetAnswer(ctx, f.org.ID, f.assessment.ID, "IAM-2.1", "production")
			wantCode(t, err, csmm.ENOTFOUND)
		})
	})
}

// TestConcurrentWriters checks that many writers at once neither fail (no
// SQLITE_BUSY) nor lose an update: exactly one writer wins each version.
func TestConcurrentWriters(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "acme")
		const writers = 16
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, conflicts := 0, 0
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 5 {
					// Each writer saves its own objective, and all race on a shared one.
					if _, err := s.PutAnswers(ctx, f.org.ID, f.actor, f.assessment.ID, []AnswerInput{{
						Objective: fmt.Sprintf("OWN-%d.%d", i, j), Scope: "production", Answer: assess.Yes,
					}}); err != nil {
						t.Errorf("writer %d: %v", i, err)
					}
					cur, err := s.GetAnswer(ctx, f.org.ID, f.assessment.ID, "SHARED-2.1", "production")
					version := 0
					if err == nil {
						version = cur.Version
					}
					_, err = s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID, Objective: "SHARED-2.1",
						Scope: "production", Answer: assess.Half, ExpectedVersion: version})
					mu.Lock()
					switch csmm.ErrorCode(err) {
					case "":
						wins++
					case csmm.ECONFLICT:
						conflicts++
					default:
						t.Errorf("writer %d: %v", i, err)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		got, err := s.GetAnswer(ctx, f.org.ID, f.assessment.ID, "SHARED-2.1", "production")
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != wins {
			t.Errorf("shared answer version = %d but %d saves succeeded (%d conflicts): an update was lost", got.Version, wins, conflicts)
		}
		list, err := s.ListAnswers(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != writers*5+1 {
			t.Errorf("%d answers stored, want %d", len(list), writers*5+1)
		}
	})
}

func TestUsers(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		u, err := s.CreateUser(ctx, Actor{}, "Alice@Example.com", "Alice", "argon2id$hash")
		if err != nil {
			t.Fatal(err)
		}
		t.Run("email unique regardless of case", func(t *testing.T) {
			_, err := s.CreateUser(ctx, Actor{}, "alice@example.COM", "Other Alice", "")
			wantCode(t, err, csmm.ECONFLICT)
			if msg := csmm.ErrorMessage(err); msg != `a user with the email address "alice@example.COM" already exists` {
				t.Errorf("message = %q", msg)
			}
		})
		t.Run("lookup regardless of case", func(t *testing.T) {
			got, err := s.GetUserByEmail(ctx, " ALICE@example.com ")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(u, got); diff != "" {
				t.Errorf("GetUserByEmail (-want +got):\n%s", diff)
			}
		})
		t.Run("invalid", func(t *testing.T) {
			_, err := s.CreateUser(ctx, Actor{}, "not an email", "X", "")
			wantCode(t, err, csmm.EINVALID)
			_, err = s.GetUser(ctx, "nope")
			wantCode(t, err, csmm.ENOTFOUND)
		})
		t.Run("password change signs out everywhere", func(t *testing.T) {
			if _, err := s.CreateSession(ctx, Session{UserID: u.ID, TokenHash: "s1", Expires: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetPassword(ctx, Actor{UserID: u.ID}, u.ID, "argon2id$new"); err != nil {
				t.Fatal(err)
			}
			_, err := s.GetSessionByTokenHash(ctx, "s1")
			wantCode(t, err, csmm.ENOTFOUND)
			got, _ := s.GetUser(ctx, u.ID)
			if got.PasswordHash != "argon2id$new" || !got.PasswordChangedAt.After(u.PasswordChangedAt.Add(-time.Second)) {
				t.Errorf("after SetPassword: %+v", got)
			}
		})
		if n, err := s.CountUsers(ctx); err != nil || n != 1 {
			t.Errorf("CountUsers = %d, %v; want 1", n, err)
		}
	})
}

func TestSessionsAndTokens(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		s, err := Open(ctx, b.fresh(t), WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		f := newFixture(t, s, "acme")

		sess, err := s.CreateSession(ctx, Session{UserID: f.owner.ID, TokenHash: "h1", Expires: now.Add(24 * time.Hour), UserAgent: "test", IP: "192.0.2.7"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetSessionByTokenHash(ctx, "h1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sess, got); diff != "" {
			t.Errorf("session round trip (-want +got):\n%s", diff)
		}
		_, err = s.CreateSession(ctx, Session{UserID: f.owner.ID, TokenHash: "h1", Expires: now.Add(time.Hour)})
		wantCode(t, err, csmm.ECONFLICT)
		now = now.Add(time.Minute)
		if err := s.TouchSession(ctx, sess.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetSessionByTokenHash(ctx, "h1")
		if !got.LastSeen.Equal(now) {
			t.Errorf("LastSeen = %v, want %v", got.LastSeen, now)
		}
		// A touch that lands late, with an older time, keeps the latest.
		if err := s.TouchSession(ctx, sess.ID, now.Add(-30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.GetSessionByTokenHash(ctx, "h1"); !got.LastSeen.Equal(now) {
			t.Errorf("after an older touch, LastSeen = %v, want %v", got.LastSeen, now)
		}
		if err := s.TouchSession(ctx, sess.ID, now.Add(90*time.Second)); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.GetSessionByTokenHash(ctx, "h1"); !got.LastSeen.Equal(now.Add(90 * time.Second)) {
			t.Errorf("after a touch at a given time, LastSeen = %v, want %v", got.LastSeen, now.Add(90*time.Second))
		}
		wantCode(t, s.TouchSession(ctx, "no such session", time.Time{}), csmm.ENOTFOUND)
		if _, err := s.CreateSession(ctx, Session{UserID: f.owner.ID, TokenHash: "h2", Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.DeleteUserSessions(ctx, f.owner.ID); err != nil || n != 2 {
			t.Errorf("DeleteUserSessions = %d, %v; want 2", n, err)
		}
		if err := s.DeleteSession(ctx, sess.ID); err != nil {
			t.Errorf("deleting a deleted session: %v", err)
		}

		tok, err := s.CreateAPIToken(ctx, f.org.ID, f.actor, APIToken{UserID: f.owner.ID, Name: "ci", Role: csmm.RoleViewer, TokenHash: "t1", Prefix: "csmm_ab"})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetAPITokenByHash(ctx, "t1"); err != nil || got.OrgID != f.org.ID || got.Role != csmm.RoleViewer || !got.LastUsed.IsZero() {
			t.Errorf("GetAPITokenByHash = %+v, %v", got, err)
		}
		for _, at := range []time.Time{now.Add(2 * time.Minute), now.Add(time.Minute)} {
			if err := s.TouchAPIToken(ctx, tok.ID, at); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := s.GetAPITokenByHash(ctx, "t1"); !got.LastUsed.Equal(now.Add(2 * time.Minute)) {
			t.Errorf("after touches at +2m and +1m, LastUsed = %v, want %v", got.LastUsed, now.Add(2*time.Minute))
		}
		wantCode(t, s.TouchAPIToken(ctx, "no such token", time.Time{}), csmm.ENOTFOUND)
		if err := s.RevokeAPIToken(ctx, f.org.ID, f.actor, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.GetAPITokenByHash(ctx, "t1")
		wantCode(t, err, csmm.ENOTFOUND)
		_, err = s.CreateAPIToken(ctx, f.org.ID, f.actor, APIToken{UserID: "stranger", Name: "x", Role: csmm.RoleViewer, TokenHash: "t2"})
		wantCode(t, err, csmm.EINVALID)

		t.Run("sign-in attempts", func(t *testing.T) {
			for range 3 {
				if err := s.RecordSignInAttempt(ctx, "Bob@example.com", "198.51.100.1"); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.RecordSignInAttempt(ctx, "carol@example.com", "198.51.100.1"); err != nil {
				t.Fatal(err)
			}
			acc, addr, err := s.SignInAttempts(ctx, "bob@EXAMPLE.com", "198.51.100.1", now.Add(-time.Minute))
			if err != nil || acc != 3 || addr != 4 {
				t.Errorf("SignInAttempts = %d, %d, %v; want 3, 4", acc, addr, err)
			}
			acc, _, _ = s.SignInAttempts(ctx, "bob@example.com", "", now.Add(time.Second))
			if acc != 0 {
				t.Errorf("attempts after the window start = %d, want 0", acc)
			}
			if err := s.ClearSignInAttempts(ctx, "bob@example.com"); err != nil {
				t.Fatal(err)
			}
			if acc, _, _ = s.SignInAttempts(ctx, "bob@example.com", "", now.Add(-time.Hour)); acc != 0 {
				t.Errorf("attempts after clearing = %d, want 0", acc)
			}
		})
	})
}

func TestMemberships(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "acme")
		g := newFixture(t, s, "globex")
		bob, err := s.CreateUser(ctx, Actor{}, "bob@example.com", "Bob", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, org := range []string{f.org.ID, g.org.ID} {
			if err := s.AddMembership(ctx, org, f.actor, bob.ID, csmm.RoleAssessor); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, s.AddMembership(ctx, f.org.ID, f.actor, bob.ID, csmm.RoleViewer), csmm.ECONFLICT)
		wantCode(t, s.AddMembership(ctx, f.org.ID, f.actor, bob.ID, "root"), csmm.EINVALID)
		orgs, err := s.UserOrganizations(ctx, bob.ID)
		if err != nil || len(orgs) != 2 {
			t.Fatalf("UserOrganizations = %v, %v; want two", orgs, err)
		}
		wantCode(t, s.SetMembershipRole(ctx, f.org.ID, f.actor, f.owner.ID, csmm.RoleAdmin), csmm.ECONFLICT)
		wantCode(t, s.RemoveMembership(ctx, f.org.ID, f.actor, f.owner.ID), csmm.ECONFLICT)
		if err := s.SetMembershipRole(ctx, f.org.ID, f.actor, bob.ID, csmm.RoleOwner); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembershipRole(ctx, f.org.ID, f.actor, f.owner.ID, csmm.RoleViewer); err != nil {
			t.Errorf("demoting one of two owners: %v", err)
		}
		m, err := s.GetMembership(ctx, f.org.ID, f.owner.ID)
		if err != nil || m.Role != csmm.RoleViewer {
			t.Errorf("GetMembership = %+v, %v; want viewer", m, err)
		}
		_, err = s.CreateOrganization(ctx, f.actor, "Acme again", "acme", f.owner.ID)
		wantCode(t, err, csmm.ECONFLICT)
		_, err = s.CreateOrganization(ctx, f.actor, "Bad", "Not A Slug", f.owner.ID)
		wantCode(t, err, csmm.EINVALID)
	})
}

func TestAuditLog(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "acme")
		actor := Actor{UserID: f.owner.ID, TokenID: "tok1", RemoteAddr: "203.0.113.9"}
		in := AnswerInput{AssessmentID: f.assessment.ID, Objective: "IAM-2.1", Scope: "production", Answer: assess.Some}
		if _, err := s.PutAnswer(ctx, f.org.ID, actor, in); err != nil {
			t.Fatal(err)
		}
		in.Answer, in.ExpectedVersion = assess.Most, 1
		if _, err := s.PutAnswer(ctx, f.org.ID, actor, in); err != nil {
			t.Fatal(err)
		}
		page, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "answer.put"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 2 {
			t.Fatalf("%d answer.put entries, want 2", len(page.Entries))
		}
		latest, first := page.Entries[0], page.Entries[1]
		if first.Before != nil {
			t.Errorf("first save has a before value: %s", first.Before)
		}
		var before, after Answer
		if err := json.Unmarshal(latest.Before, &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(latest.After, &after); err != nil {
			t.Fatal(err)
		}
		if before.Answer != assess.Some || before.Version != 1 || after.Answer != assess.Most || after.Version != 2 {
			t.Errorf("audit before %+v after %+v; want some v1 then most v2", before, after)
		}
		want := AuditEntry{OrgID: f.org.ID, ActorUserID: f.owner.ID, ActorTokenID: "tok1", Action: "answer.put",
			TargetType: "answer", TargetID: f.assessment.ID + "/IAM-2.1/production", RemoteAddr: "203.0.113.9"}
		if diff := cmp.Diff(want, latest, cmpIgnore("ID", "At", "Before", "After")); diff != "" {
			t.Errorf("audit entry (-want +got):\n%s", diff)
		}

		t.Run("a refused change leaves no entry", func(t *testing.T) {
			in.ExpectedVersion = 1
			s.PutAnswer(ctx, f.org.ID, actor, in)
			page, _ := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "answer.put"})
			if len(page.Entries) != 2 {
				t.Errorf("%d answer.put entries after a conflict, want 2", len(page.Entries))
			}
		})

		t.Run("paging", func(t *testing.T) {
			all, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			var paged []AuditEntry
			cursor := ""
			for {
				p, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Limit: 2, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, p.Entries...)
				if p.NextCursor == "" {
					break
				}
				cursor = p.NextCursor
			}
			if len(all.Entries) < 4 {
				t.Fatalf("only %d entries", len(all.Entries))
			}
			if diff := cmp.Diff(all.Entries, paged); diff != "" {
				t.Errorf("pages differ from one listing (-all +paged):\n%s", diff)
			}
			_, err = s.ListAudit(ctx, f.org.ID, AuditFilter{Cursor: "garbage"})
			wantCode(t, err, csmm.EINVALID)
		})
	})
}
