package identity

import (
	"fmt"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/lazy"
)

// Role is what a member may do in one organization (the domain type of
// package csmm). Roles are ranked: each includes everything the roles below
// it may do.
type Role = csmm.Role

// The roles, highest first.
const (
	Owner    = csmm.RoleOwner
	Admin    = csmm.RoleAdmin
	Assessor = csmm.RoleAssessor
	Viewer   = csmm.RoleViewer
)

// ParseRole reads a role name, returning an error that lists the valid names.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("%q is not a role; expected one of owner, admin, assessor, viewer", s)
	}
	return r, nil
}

// Permission is one kind of action on an organization's data.
type Permission string

// The permissions, each granted from a minimum role (see Can).
const (
	// PermRead reads assessments, scores, reports, the model and the member list.
	PermRead Permission = "read"
	// PermManageTokens creates, lists and revokes one's own API tokens.
	PermManageTokens Permission = "manage_tokens"
	// PermAnswer answers objectives, comments and attaches evidence.
	PermAnswer Permission = "answer"
	// PermRequestExemption requests an exemption for an objective.
	PermRequestExemption Permission = "request_exemption"
	// PermManageAssessments creates, imports, renames, re-scopes,
	// re-targets, archives and deletes assessments.
	PermManageAssessments Permission = "manage_assessments"
	// PermDecideExemption approves or refuses exemption requests.
	PermDecideExemption Permission = "decide_exemption"
	// PermReviewAnswers marks answers reviewed, and removes evidence that
	// someone else added.
	PermReviewAnswers Permission = "review_answers"
	// PermManageSettings changes organization settings, such as the custom model.
	PermManageSettings Permission = "manage_settings"
	// PermReadAudit reads the audit log.
	PermReadAudit Permission = "read_audit"
	// PermManageMembers adds and removes members and changes their roles.
	PermManageMembers Permission = "manage_members"
)

// minRole is the permission table: the lowest role granted each permission.
var minRole = lazy.Value[map[Permission]Role]{New: func() map[Permission]Role {
	return map[Permission]Role{
		PermRead:              Viewer,
		PermManageTokens:      Viewer,
		PermAnswer:            Assessor,
		PermRequestExemption:  Assessor,
		PermManageAssessments: Admin,
		PermDecideExemption:   Admin,
		PermReviewAnswers:     Admin,
		PermManageSettings:    Admin,
		PermReadAudit:         Admin,
		PermManageMembers:     Owner,
	}
}}

// Can reports whether a member with role r holds permission p. Unknown
// roles and permissions hold nothing.
func Can(r Role, p Permission) bool {
	min, ok := minRole.Get()[p]
	return ok && r.AtLeast(min)
}

// MinRole returns the lowest role holding p, and false for an unknown permission.
func MinRole(p Permission) (Role, bool) {
	r, ok := minRole.Get()[p]
	return r, ok
}

// Rank orders roles: owner 4, admin 3, assessor 2, viewer 1, anything else 0.
func Rank(r Role) int {
	for i, x := range csmm.Roles {
		if x == r {
			return len(csmm.Roles) - i
		}
	}
	return 0
}
