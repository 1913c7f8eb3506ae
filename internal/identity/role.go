package identity

import (
	"fmt"
	"slices"
)

// Role is what a member may do in one organization. Roles are ranked:
// each includes everything the roles below it may do.
type Role string

// The roles, highest first.
const (
	Owner    Role = "owner"
	Admin    Role = "admin"
	Assessor Role = "assessor"
	Viewer   Role = "viewer"
)

// Roles lists every role, highest first.
var Roles = []Role{Owner, Admin, Assessor, Viewer}

// ParseRole reads a role name, returning an error that lists the valid names.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("%q is not a role; expected one of owner, admin, assessor, viewer", s)
	}
	return r, nil
}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Rank orders roles: owner 4, admin 3, assessor 2, viewer 1, anything else 0.
func (r Role) Rank() int {
	switch r {
	case Owner:
		return 4
	case Admin:
		return 3
	case Assessor:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// AtLeast reports whether r ranks at or above min.
func (r Role) AtLeast(min Role) bool { return r.Rank() > 0 && r.Rank() >= min.Rank() }

// Permission is one kind of action on an organization's data.
type Permission string

// The permissions, each granted from a minimum role (see Can).
const (
	// Read assessments, scores, reports, the model and the member list.
	PermRead Permission = "read"
	// Answer objectives, comment and attach evidence.
	PermAnswer Permission = "answer"
	// Request an exemption for an objective.
	PermRequestExemption Permission = "request_exemption"
	// Create, import, rename, re-scope, re-target, archive and delete assessments.
	PermManageAssessments Permission = "manage_assessments"
	// Approve or refuse exemption requests.
	PermDecideExemption Permission = "decide_exemption"
	// Change organization settings, such as uploading a custom model.
	PermManageSettings Permission = "manage_settings"
	// Read the audit log.
	PermReadAudit Permission = "read_audit"
	// Add and remove members and change their roles.
	PermManageMembers Permission = "manage_members"
	// Create, list and revoke one's own API tokens in the organization.
	PermManageTokens Permission = "manage_tokens"
)

// minRole is the permission table: the lowest role granted each permission.
var minRole = map[Permission]Role{
	PermRead:              Viewer,
	PermManageTokens:      Viewer,
	PermAnswer:            Assessor,
	PermRequestExemption:  Assessor,
	PermManageAssessments: Admin,
	PermDecideExemption:   Admin,
	PermManageSettings:    Admin,
	PermReadAudit:         Admin,
	PermManageMembers:     Owner,
}

// Can reports whether a member with role r holds permission p. Unknown
// roles and permissions hold nothing.
func (r Role) Can(p Permission) bool {
	min, ok := minRole[p]
	return ok && r.AtLeast(min)
}

// MinRole returns the lowest role holding p, and false for an unknown permission.
func MinRole(p Permission) (Role, bool) {
	r, ok := minRole[p]
	return r, ok
}
