package service

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

func TestCreateToken(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "csmm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	actor := store.Actor{RemoteAddr: "test"}
	u, err := st.CreateUser(ctx, actor, "ann@example.com", "Ann", "")
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.CreateOrganization(ctx, actor, "Acme", "acme", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		member   csmm.Role
		in       TokenRequest
		wantCode string
		wantRole csmm.Role
		expires  time.Time
	}{
		{"the member's role by default", csmm.RoleAssessor, TokenRequest{Name: " CI "}, "", csmm.RoleAssessor, time.Time{}},
		{"a lower role, expiring", csmm.RoleAdmin, TokenRequest{Name: "read", Role: csmm.RoleViewer, ExpiresIn: "720h"}, "", csmm.RoleViewer, now.Add(720 * time.Hour)},
		{"a role above the member's", csmm.RoleAssessor, TokenRequest{Name: "up", Role: csmm.RoleAdmin}, csmm.EFORBIDDEN, "", time.Time{}},
		{"an unknown role", csmm.RoleOwner, TokenRequest{Name: "x", Role: "root"}, csmm.EINVALID, "", time.Time{}},
		{"a bad duration", csmm.RoleOwner, TokenRequest{Name: "x", ExpiresIn: "a month"}, csmm.EINVALID, "", time.Time{}},
		{"a negative duration", csmm.RoleOwner, TokenRequest{Name: "x", ExpiresIn: "-1h"}, csmm.EINVALID, "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := CreateToken(ctx, st, org.ID, tt.member, u.ID, tt.in, now, actor)
			if code := csmm.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("error %v (code %q), want code %q", err, code, tt.wantCode)
			}
			if err != nil {
				return
			}
			if tok.Secret == "" || tok.Token.Role != tt.wantRole || !tok.Token.Expires.Equal(tt.expires) || tok.Token.Name != "CI" && tt.in.Name == " CI " {
				t.Errorf("token %+v, want role %s expiring %v", tok.Token, tt.wantRole, tt.expires)
			}
		})
	}
}
