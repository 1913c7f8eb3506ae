package store

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/textfield"
)

// Organization is a tenant: every assessment, model, token and audit entry
// belongs to one.
type Organization struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Slug    string    `json:"slug"`
	Created time.Time `json:"created"`
}

// slugPattern is compiled on first use: its bounded repeat is costly to
// compile, and most commands never check a slug.
var slugPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)
})

func validOrganization(name, slug string) error {
	if strings.TrimSpace(name) == "" {
		return csmm.Errorf(csmm.EINVALID, "the organization name is empty")
	}
	if err := textfield.Name("the organization name", name); err != nil {
		return err
	}
	if !slugPattern().MatchString(slug) {
		return csmm.Errorf(csmm.EINVALID, "the organization slug %q is not valid: expected 1 to 64 lowercase letters, digits and inner hyphens", slug)
	}
	return nil
}

// CreateOrganization creates an organization and makes ownerUserID its owner,
// in one transaction. It returns invalid for an empty name, a malformed slug
// or an unknown owner, and conflict when the slug is taken.
func (s *Store) CreateOrganization(ctx context.Context, actor Actor, name, slug, ownerUserID string) (_ *Organization, err error) {
	defer wrap(&err, "create organization(%s)", slug)
	if err := validOrganization(name, slug); err != nil {
		return nil, err
	}
	var o *Organization
	err = s.write(ctx, func(tx *tx) error {
		o, err = insertOrganization(ctx, tx, actor, name, slug, ownerUserID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// insertOrganization adds an organization owned by ownerUserID, with the
// audit entries, in tx.
func insertOrganization(ctx context.Context, tx *tx, actor Actor, name, slug, ownerUserID string) (*Organization, error) {
	o := &Organization{ID: NewID(), Name: strings.TrimSpace(name), Slug: slug, Created: tx.now}
	if _, err := tx.exec(ctx, "INSERT INTO organizations (id, name, slug, created_at) VALUES (?, ?, ?, ?)",
		o.ID, o.Name, o.Slug, micros(o.Created)); err != nil {
		return nil, uniqueConflict(err, "the organization slug %q is taken", slug)
	}
	if err := audit(ctx, tx, o.ID, actor, auditRecord{"organization.create", "organization", o.ID, nil, o}); err != nil {
		return nil, err
	}
	if err := addMembership(ctx, tx, o.ID, actor, ownerUserID, csmm.RoleOwner); err != nil {
		return nil, err
	}
	return o, nil
}

// GetOrganization returns an organization by ID, or not_found.
func (s *Store) GetOrganization(ctx context.Context, id string) (_ *Organization, err error) {
	defer wrap(&err, "organization(%s)", id)
	var o *Organization
	err = s.readOne(ctx, func(tx *tx) error {
		o, err = organization(ctx, tx, "id", id)
		return err
	})
	return o, err
}

// GetOrganizationBySlug returns an organization by its slug, or not_found.
func (s *Store) GetOrganizationBySlug(ctx context.Context, slug string) (_ *Organization, err error) {
	defer wrap(&err, "organization by slug(%s)", slug)
	var o *Organization
	err = s.readOne(ctx, func(tx *tx) error {
		o, err = organization(ctx, tx, "slug", slug)
		return err
	})
	return o, err
}

func organization(ctx context.Context, tx *tx, col, v string) (*Organization, error) {
	var o Organization
	err := tx.queryRow(ctx, "SELECT id, name, slug, created_at FROM organizations WHERE "+col+" = ?", v).
		Scan(&o.ID, &o.Name, &o.Slug, timeCol{&o.Created})
	if err != nil {
		return nil, notFound(err, "organization", v)
	}
	return &o, nil
}

// RenameOrganization changes an organization's name and slug. It returns
// invalid for an empty name or malformed slug, not_found for an unknown
// organization and conflict when the slug is taken.
func (s *Store) RenameOrganization(ctx context.Context, orgID string, actor Actor, name, slug string) (_ *Organization, err error) {
	defer wrap(&err, "rename organization(%s)", orgID)
	if err := validOrganization(name, slug); err != nil {
		return nil, err
	}
	var o *Organization
	err = s.write(ctx, func(tx *tx) error {
		before, err := organization(ctx, tx, "id", orgID)
		if err != nil {
			return err
		}
		after := *before
		after.Name, after.Slug = strings.TrimSpace(name), slug
		if _, err := tx.exec(ctx, "UPDATE organizations SET name = ?, slug = ? WHERE id = ?", after.Name, after.Slug, orgID); err != nil {
			return uniqueConflict(err, "the organization slug %q is taken", slug)
		}
		o = &after
		return audit(ctx, tx, orgID, actor, auditRecord{"organization.update", "organization", orgID, before, after})
	})
	return o, err
}

// ListOrganizations returns every organization, by name: for an operator's
// view of the whole server, not for tenants.
func (s *Store) ListOrganizations(ctx context.Context) (_ []Organization, err error) {
	defer wrap(&err, "list organizations")
	var out []Organization
	err = s.read(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, "SELECT id, name, slug, created_at FROM organizations ORDER BY name, id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o Organization
			if err := rows.Scan(&o.ID, &o.Name, &o.Slug, timeCol{&o.Created}); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// errNoRows reports whether err is sql.ErrNoRows.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
