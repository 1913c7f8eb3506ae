package store

import (
	"context"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/google/go-cmp/cmp"
)

// TestAccess covers SessionAccess and TokenAccess: one query returns the
// credential, its user and the organization named with the user's role,
// and never an organization the credential may not reach.
func TestAccess(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		s, err := Open(ctx, b.fresh(t), WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		alpha := newFixture(t, s, "alpha")
		beta := newFixture(t, s, "beta")
		// Alpha's owner is also a viewer of beta; beta's owner is not in alpha.
		if err := s.AddMembership(ctx, beta.org.ID, beta.actor, alpha.owner.ID, csmm.RoleViewer); err != nil {
			t.Fatal(err)
		}
		sess, err := s.CreateSession(ctx, Session{UserID: alpha.owner.ID, TokenHash: "sess-alpha", Expires: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.CreateAPIToken(ctx, alpha.org.ID, alpha.actor, APIToken{UserID: alpha.owner.ID, Name: "ci", Role: csmm.RoleAssessor, TokenHash: "tok-alpha", Prefix: "csmm_al"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateAPIToken(ctx, alpha.org.ID, alpha.actor, APIToken{UserID: alpha.owner.ID, Name: "old", Role: csmm.RoleViewer, TokenHash: "tok-expired", Prefix: "csmm_ex", Expires: now})
		if err != nil {
			t.Fatal(err)
		}
		revoked, err := s.CreateAPIToken(ctx, alpha.org.ID, alpha.actor, APIToken{UserID: alpha.owner.ID, Name: "gone", Role: csmm.RoleViewer, TokenHash: "tok-revoked", Prefix: "csmm_re"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPIToken(ctx, alpha.org.ID, alpha.actor, revoked.ID); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name     string
			session  bool
			hash     string
			orgRef   string
			wantCode string
			wantOrg  *Organization
			wantRole csmm.Role
		}{
			{name: "session, no organization", session: true, hash: "sess-alpha"},
			{name: "session, own organization by slug", session: true, hash: "sess-alpha", orgRef: "alpha", wantOrg: alpha.org, wantRole: csmm.RoleOwner},
			{name: "session, own organization by ID", session: true, hash: "sess-alpha", orgRef: alpha.org.ID, wantOrg: alpha.org, wantRole: csmm.RoleOwner},
			{name: "session, second organization", session: true, hash: "sess-alpha", orgRef: "beta", wantOrg: beta.org, wantRole: csmm.RoleViewer},
			{name: "session, unknown organization", session: true, hash: "sess-alpha", orgRef: "nope"},
			{name: "session, unknown hash", session: true, hash: "sess-nope", orgRef: "alpha", wantCode: csmm.ENOTFOUND},
			{name: "token, no organization", hash: "tok-alpha"},
			{name: "token, its organization", hash: "tok-alpha", orgRef: "alpha", wantOrg: alpha.org, wantRole: csmm.RoleOwner},
			{name: "token, its organization by ID", hash: "tok-alpha", orgRef: alpha.org.ID, wantOrg: alpha.org, wantRole: csmm.RoleOwner},
			// The user belongs to beta, but the token is alpha's only.
			{name: "token, another organization of its user", hash: "tok-alpha", orgRef: "beta"},
			{name: "token, expired", hash: "tok-expired", orgRef: "alpha", wantCode: csmm.ENOTFOUND},
			{name: "token, revoked", hash: "tok-revoked", orgRef: "alpha", wantCode: csmm.ENOTFOUND},
			{name: "token, unknown hash", hash: "tok-nope", wantCode: csmm.ENOTFOUND},
			{name: "session hash as a token", hash: "sess-alpha", wantCode: csmm.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var a *Access
				var err error
				if tt.session {
					a, err = s.SessionAccess(ctx, tt.hash, tt.orgRef, "")
				} else {
					a, err = s.TokenAccess(ctx, tt.hash, tt.orgRef, "")
				}
				if tt.wantCode != "" {
					wantCode(t, err, tt.wantCode)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(alpha.owner, a.User); diff != "" {
					t.Errorf("user (-want +got):\n%s", diff)
				}
				if tt.session {
					if a.Session == nil || a.Session.ID != sess.ID || !a.Session.LastSeen.Equal(now) || a.Token != nil {
						t.Errorf("session = %+v, token = %+v; want session %s only", a.Session, a.Token, sess.ID)
					}
				} else if a.Token == nil || a.Token.ID != tok.ID || a.Token.Role != csmm.RoleAssessor || a.Session != nil {
					t.Errorf("token = %+v, session = %+v; want token %s only", a.Token, a.Session, tok.ID)
				}
				if diff := cmp.Diff(tt.wantOrg, a.Org); diff != "" {
					t.Errorf("organization (-want +got):\n%s", diff)
				}
				if a.Role != tt.wantRole {
					t.Errorf("role = %q, want %q", a.Role, tt.wantRole)
				}
			})
		}

		t.Run("assessment revision", func(t *testing.T) {
			// Raise alpha's revision so that it differs from beta's.
			for range 3 {
				if err := s.ArchiveAssessment(ctx, alpha.org.ID, alpha.actor, alpha.assessment.ID, false); err != nil {
					t.Fatal(err)
				}
			}
			revOf := func(f fixture) int64 {
				rev, err := s.AssessmentRevision(ctx, f.org.ID, f.assessment.ID)
				if err != nil {
					t.Fatal(err)
				}
				return rev
			}
			alphaRev, betaRev := revOf(alpha), revOf(beta)
			if alphaRev == betaRev || alphaRev < 0 {
				t.Fatalf("revisions %d and %d: the test needs two different ones", alphaRev, betaRev)
			}
			for _, tt := range []struct {
				name                       string
				session                    bool
				hash, orgRef, assessmentID string
				want                       int64
			}{
				{"token, its organization's assessment", false, "tok-alpha", "alpha", alpha.assessment.ID, alphaRev},
				{"token, by the organization's ID", false, "tok-alpha", alpha.org.ID, alpha.assessment.ID, alphaRev},
				{"token, another organization's assessment", false, "tok-alpha", "alpha", beta.assessment.ID, -1},
				{"token, outside its organization", false, "tok-alpha", "beta", beta.assessment.ID, -1},
				{"token, no organization", false, "tok-alpha", "", alpha.assessment.ID, -1},
				{"token, unknown assessment", false, "tok-alpha", "alpha", "nope", -1},
				{"token, none asked", false, "tok-alpha", "alpha", "", -1},
				{"session, second organization", true, "sess-alpha", "beta", beta.assessment.ID, betaRev},
				{"session, first organization", true, "sess-alpha", "alpha", alpha.assessment.ID, alphaRev},
				{"session, another organization's assessment", true, "sess-alpha", "beta", alpha.assessment.ID, -1},
			} {
				var a *Access
				var err error
				if tt.session {
					a, err = s.SessionAccess(ctx, tt.hash, tt.orgRef, tt.assessmentID)
				} else {
					a, err = s.TokenAccess(ctx, tt.hash, tt.orgRef, tt.assessmentID)
				}
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				if a.Revision != tt.want {
					t.Errorf("%s: revision %d, want %d", tt.name, a.Revision, tt.want)
				}
			}
		})
		t.Run("not a member", func(t *testing.T) {
			if _, err := s.CreateSession(ctx, Session{UserID: beta.owner.ID, TokenHash: "sess-beta", Expires: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			a, err := s.SessionAccess(ctx, "sess-beta", "alpha", "")
			if err != nil {
				t.Fatal(err)
			}
			if a.Org != nil || a.Role != "" || a.User.ID != beta.owner.ID {
				t.Errorf("beta's owner reaches alpha: org %+v, role %q", a.Org, a.Role)
			}
		})
		t.Run("role follows the membership", func(t *testing.T) {
			if err := s.SetMembershipRole(ctx, beta.org.ID, beta.actor, alpha.owner.ID, csmm.RoleAdmin); err != nil {
				t.Fatal(err)
			}
			a, err := s.SessionAccess(ctx, "sess-alpha", "beta", "")
			if err != nil || a.Role != csmm.RoleAdmin {
				t.Errorf("after promotion: %+v, %v; want admin", a, err)
			}
			if err := s.RemoveMembership(ctx, beta.org.ID, beta.actor, alpha.owner.ID); err != nil {
				t.Fatal(err)
			}
			if a, err := s.SessionAccess(ctx, "sess-alpha", "beta", ""); err != nil || a.Org != nil {
				t.Errorf("after removal: %+v, %v; want no organization", a, err)
			}
		})
	})
}

// TestTokenAccessToken checks that TokenAccess returns the token as
// GetAPITokenByHash reads it, every field included.
func TestTokenAccessToken(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "tokens")
		if _, err := s.CreateAPIToken(ctx, f.org.ID, f.actor, APIToken{UserID: f.owner.ID, Name: "ci", Role: csmm.RoleAssessor,
			TokenHash: "tok-hash", Prefix: "csmm_to", Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		want, err := s.GetAPITokenByHash(ctx, "tok-hash")
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{"", f.org.Slug} {
			a, err := s.TokenAccess(ctx, "tok-hash", ref, "")
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, a.Token); d != "" {
				t.Errorf("orgRef %q: token (-GetAPITokenByHash +TokenAccess):\n%s", ref, d)
			}
			if d := cmp.Diff(f.owner, a.User); d != "" {
				t.Errorf("orgRef %q: user (-want +got):\n%s", ref, d)
			}
		}
	})
}
