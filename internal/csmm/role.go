package csmm

// Role is what a member of an organization, or an API token, may do there.
type Role string

// The roles, from most to least powerful.
const (
	// RoleOwner may do everything, including managing owners and deleting
	// the organization.
	RoleOwner Role = "owner"
	// RoleAdmin manages members, tokens, models and assessments.
	RoleAdmin Role = "admin"
	// RoleAssessor answers objectives, requests exemptions and imports evidence.
	RoleAssessor Role = "assessor"
	// RoleViewer reads assessments and reports.
	RoleViewer Role = "viewer"
)

// Roles lists every role, from most to least powerful.
var Roles = []Role{RoleOwner, RoleAdmin, RoleAssessor, RoleViewer}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleAssessor, RoleViewer:
		return true
	}
	return false
}

// rank orders the roles: a higher rank may do more.
func (r Role) rank() int {
	switch r {
	case RoleOwner:
		return 4
	case RoleAdmin:
		return 3
	case RoleAssessor:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// AtLeast reports whether r may do everything that min may do. An invalid
// role is at least nothing.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }
