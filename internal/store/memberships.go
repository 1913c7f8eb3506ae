package store

import (
	"context"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// Membership is a user's role in one organization. A user may belong to
// several organizations.
type Membership struct {
	OrgID   string    `json:"org_id"`
	UserID  string    `json:"user_id"`
	Role    csmm.Role `json:"role"`
	Created time.Time `json:"created"`
}

// Member is a membership with the user it names, for listing an organization's members.
type Member struct {
	User User      `json:"user"`
	Role csmm.Role `json:"role"`
}

// UserOrganization is a membership with the organization it names, for
// listing the organizations a user can switch between.
type UserOrganization struct {
	Organization Organization `json:"organization"`
	Role         csmm.Role    `json:"role"`
}

func validRole(r csmm.Role) error {
	if !r.Valid() {
		return csmm.Errorf(csmm.EINVALID, "the role %q is not valid: expected owner, admin, assessor or viewer", r)
	}
	return nil
}

// AddMembership makes a user a member of an organization with a role. It
// returns invalid for an unknown role, user or organization, and conflict
// when the user is already a member.
func (s *Store) AddMembership(ctx context.Context, orgID string, actor Actor, userID string, role csmm.Role) (err error) {
	defer wrap(&err, "add membership(%s, %s)", orgID, userID)
	return s.write(ctx, func(tx *tx) error { return addMembership(ctx, tx, orgID, actor, userID, role) })
}

func addMembership(ctx context.Context, tx *tx, orgID string, actor Actor, userID string, role csmm.Role) error {
	if err := validRole(role); err != nil {
		return err
	}
	m := Membership{OrgID: orgID, UserID: userID, Role: role, Created: tx.now}
	if _, err := tx.exec(ctx, "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
		orgID, userID, string(role), micros(m.Created)); err != nil {
		return uniqueConflict(err, "the user is already a member of the organization")
	}
	return audit(ctx, tx, orgID, actor, auditRecord{"membership.create", "user", userID, nil, m})
}

// GetMembership returns a user's membership of an organization, or not_found
// when the user is not a member.
func (s *Store) GetMembership(ctx context.Context, orgID, userID string) (_ *Membership, err error) {
	defer wrap(&err, "membership(%s, %s)", orgID, userID)
	var m *Membership
	err = s.readOne(ctx, func(tx *tx) error {
		m, err = membership(ctx, tx, orgID, userID)
		return err
	})
	return m, err
}

func membership(ctx context.Context, tx *tx, orgID, userID string) (*Membership, error) {
	m := Membership{OrgID: orgID, UserID: userID}
	err := tx.queryRow(ctx, "SELECT role, created_at FROM memberships WHERE org_id = ? AND user_id = ?", orgID, userID).
		Scan(&m.Role, timeCol{&m.Created})
	if err != nil {
		return nil, notFound(err, "membership of user", userID)
	}
	return &m, nil
}

// SetMembershipRole changes a member's role. It returns invalid for an
// unknown role, not_found when the user is not a member, and conflict when
// the change would leave the organization without an owner.
func (s *Store) SetMembershipRole(ctx context.Context, orgID string, actor Actor, userID string, role csmm.Role) (err error) {
	defer wrap(&err, "set membership role(%s, %s)", orgID, userID)
	if err := validRole(role); err != nil {
		return err
	}
	return s.write(ctx, func(tx *tx) error {
		before, err := membership(ctx, tx, orgID, userID)
		if err != nil {
			return err
		}
		if before.Role == csmm.RoleOwner && role != csmm.RoleOwner {
			if err := keepAnOwner(ctx, tx, orgID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, "UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?", string(role), orgID, userID); err != nil {
			return err
		}
		after := *before
		after.Role = role
		return audit(ctx, tx, orgID, actor, auditRecord{"membership.update", "user", userID, before, after})
	})
}

// RemoveMembership removes a user from an organization, with the API tokens
// the user made there. It returns not_found when the user is not a member and
// conflict when the user is the last owner.
func (s *Store) RemoveMembership(ctx context.Context, orgID string, actor Actor, userID string) (err error) {
	defer wrap(&err, "remove membership(%s, %s)", orgID, userID)
	return s.write(ctx, func(tx *tx) error {
		before, err := membership(ctx, tx, orgID, userID)
		if err != nil {
			return err
		}
		if before.Role == csmm.RoleOwner {
			if err := keepAnOwner(ctx, tx, orgID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, "DELETE FROM memberships WHERE org_id = ? AND user_id = ?", orgID, userID); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"membership.delete", "user", userID, before, nil})
	})
}

// keepAnOwner returns conflict unless the organization has more than one owner.
func keepAnOwner(ctx context.Context, tx *tx, orgID string) error {
	var n int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM memberships WHERE org_id = ? AND role = ?", orgID, string(csmm.RoleOwner)).Scan(&n); err != nil {
		return err
	}
	if n <= 1 {
		return csmm.Errorf(csmm.ECONFLICT, "an organization must keep at least one owner")
	}
	return nil
}

// ListMembers returns the members of an organization, by name.
func (s *Store) ListMembers(ctx context.Context, orgID string) (_ []Member, err error) {
	defer wrap(&err, "list members(%s)", orgID)
	var out []Member
	err = s.read(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, `SELECT u.id, u.email, u.name, u.password_hash, u.created_at, u.password_changed_at, u.disabled, m.role
			FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY u.name, u.id`, orgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m Member
			u := &m.User
			if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, timeCol{&u.Created}, timeCol{&u.PasswordChangedAt}, &u.Disabled, &m.Role); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// UserOrganizations returns the organizations a user belongs to, by name.
func (s *Store) UserOrganizations(ctx context.Context, userID string) (_ []UserOrganization, err error) {
	defer wrap(&err, "user organizations(%s)", userID)
	var out []UserOrganization
	err = s.read(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, `SELECT o.id, o.name, o.slug, o.created_at, m.role
			FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY o.name, o.id`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var uo UserOrganization
			o := &uo.Organization
			if err := rows.Scan(&o.ID, &o.Name, &o.Slug, timeCol{&o.Created}, &uo.Role); err != nil {
				return err
			}
			out = append(out, uo)
		}
		return rows.Err()
	})
	return out, err
}
