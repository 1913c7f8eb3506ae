package csmm

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodeAndMessage(t *testing.T) {
	for _, tc := range []struct {
		name          string
		err           error
		code, message string
	}{
		{"nil", nil, "", ""},
		{"application error", Errorf(ENOTFOUND, "assessment %q not found", "x"), ENOTFOUND, `assessment "x" not found`},
		{"wrapped", fmt.Errorf("get assessment: %w", Errorf(ECONFLICT, "taken")), ECONFLICT, "taken"},
		{"other error hides its details", errors.New("pq: connection refused at 10.0.0.1"), EINTERNAL, "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorCode(tc.err); got != tc.code {
				t.Errorf("ErrorCode = %q, want %q", got, tc.code)
			}
			if got := ErrorMessage(tc.err); got != tc.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.message)
			}
		})
	}
}

func TestRoleAtLeast(t *testing.T) {
	for _, tc := range []struct {
		role, min Role
		want      bool
	}{
		{RoleOwner, RoleAdmin, true},
		{RoleAdmin, RoleAdmin, true},
		{RoleAssessor, RoleAdmin, false},
		{RoleViewer, RoleViewer, true},
		{RoleViewer, RoleAssessor, false},
		{"root", RoleViewer, false},
	} {
		t.Run(string(tc.role)+">="+string(tc.min), func(t *testing.T) {
			if got := tc.role.AtLeast(tc.min); got != tc.want {
				t.Errorf("%s.AtLeast(%s) = %v, want %v", tc.role, tc.min, got, tc.want)
			}
		})
	}
}
