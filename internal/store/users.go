package store

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/textfield"
)

// User is a person who signs in. Email is unique regardless of case.
// PasswordHash is "" for a user who signs in only through single sign-on.
type User struct {
	ID                string    `json:"id"`
	Email             string    `json:"email"`
	Name              string    `json:"name"`
	PasswordHash      string    `json:"-"`
	Created           time.Time `json:"created"`
	PasswordChangedAt time.Time `json:"password_changed_at,omitzero"`
	Disabled          bool      `json:"disabled"`
}

// emailKey is the form of an email address that must be unique.
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

const userColumns = "id, email, name, password_hash, created_at, password_changed_at, disabled"

func scanUser(sc interface{ Scan(...any) error }) (*User, error) {
	var u User
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, timeCol{&u.Created}, timeCol{&u.PasswordChangedAt}, &u.Disabled)
	return &u, err
}

// CreateUser adds a user. passwordHash is the encoded hash (never a password),
// or "" for a single sign-on user. It returns invalid for a malformed email or
// empty name, and conflict when the email is taken (in any case).
func (s *Store) CreateUser(ctx context.Context, actor Actor, email, name, passwordHash string) (_ *User, err error) {
	defer wrap(&err, "create user")
	if err := validUser(email, name); err != nil {
		return nil, err
	}
	var u *User
	err = s.write(ctx, func(tx *tx) error {
		u, err = insertUser(ctx, tx, actor, email, name, passwordHash)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// validUser returns invalid for a malformed email or an empty name.
func validUser(email, name string) error {
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return csmm.Errorf(csmm.EINVALID, "the email address %q is not valid", email)
	}
	if strings.TrimSpace(name) == "" {
		return csmm.Errorf(csmm.EINVALID, "the user name is empty")
	}
	return textfield.Name("the user name", name)
}

// insertUser adds a user and its audit entry in tx.
func insertUser(ctx context.Context, tx *tx, actor Actor, email, name, passwordHash string) (*User, error) {
	email = strings.TrimSpace(email)
	u := &User{ID: NewID(), Email: email, Name: strings.TrimSpace(name), PasswordHash: passwordHash, Created: tx.now}
	if passwordHash != "" {
		u.PasswordChangedAt = tx.now
	}
	_, err := tx.exec(ctx, "INSERT INTO users (id, email, email_key, name, password_hash, created_at, password_changed_at, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		u.ID, u.Email, emailKey(email), u.Name, u.PasswordHash, micros(u.Created), micros(u.PasswordChangedAt), false)
	if err != nil {
		return nil, uniqueConflict(err, "a user with the email address %q already exists", email)
	}
	if err := audit(ctx, tx, "", actor, auditRecord{"user.create", "user", u.ID, nil, u}); err != nil {
		return nil, err
	}
	return u, nil
}

// NewOwner is a user to create as the owner of a new organization.
type NewOwner struct {
	// Organization is the name of the new organization.
	Organization string
	// Slug is the organization's identifier in URLs.
	Slug string
	// Email and Name identify the user.
	Email, Name string
	// PasswordHash is the encoded password hash (never a password), or ""
	// for a single sign-on user.
	PasswordHash string
}

// ErrSetUp is the conflict CreateFirstOwner returns when a user already
// exists; test for it with errors.Is.
var ErrSetUp = &csmm.Error{Code: csmm.ECONFLICT, Message: "the server is already set up: its first owner exists; sign in instead"}

// CreateFirstOwner is first-run setup: in one transaction it checks that no
// user exists, then creates the user, the organization and the user's owner
// membership, with their audit entries. Servers sharing a database cannot
// both succeed: on PostgreSQL the transaction locks the users table against
// every other writer of users until it commits, and SQLite transactions
// already take the database's write lock when they begin. It returns
// ErrSetUp (conflict) when a user exists, invalid for a malformed email,
// empty name or bad slug, and conflict when the slug is taken.
func (s *Store) CreateFirstOwner(ctx context.Context, actor Actor, o NewOwner) (_ *User, _ *Organization, err error) {
	defer wrap(&err, "create first owner")
	return s.createOwner(ctx, actor, o, true)
}

// CreateOwner creates a user, a new organization and the user's owner
// membership in one transaction, so that a refused organization leaves no
// user behind. It returns invalid for a malformed email, empty name or bad
// slug, and conflict when the email or the slug is taken.
func (s *Store) CreateOwner(ctx context.Context, actor Actor, o NewOwner) (_ *User, _ *Organization, err error) {
	defer wrap(&err, "create owner")
	return s.createOwner(ctx, actor, o, false)
}

func (s *Store) createOwner(ctx context.Context, actor Actor, o NewOwner, first bool) (*User, *Organization, error) {
	if err := validUser(o.Email, o.Name); err != nil {
		return nil, nil, err
	}
	if err := validOrganization(o.Organization, o.Slug); err != nil {
		return nil, nil, err
	}
	var u *User
	var org *Organization
	err := s.write(ctx, func(tx *tx) error {
		if first {
			if tx.dialect == dialectPostgres {
				// SHARE ROW EXCLUSIVE conflicts with itself and with the
				// ROW EXCLUSIVE lock of every INSERT, so the count below
				// stays true until this transaction ends.
				if _, err := tx.exec(ctx, "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"); err != nil {
					return err
				}
			}
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ErrSetUp
			}
		}
		var err error
		if u, err = insertUser(ctx, tx, actor, o.Email, o.Name, o.PasswordHash); err != nil {
			return err
		}
		org, err = insertOrganization(ctx, tx, actor, o.Organization, o.Slug, u.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return u, org, nil
}

// GetUser returns a user by ID, or not_found.
func (s *Store) GetUser(ctx context.Context, id string) (_ *User, err error) {
	defer wrap(&err, "user(%s)", id)
	var u *User
	err = s.readOne(ctx, func(tx *tx) error {
		u, err = user(ctx, tx, "id", id)
		return err
	})
	return u, err
}

// GetUserByEmail returns the user with an email address, compared without
// regard to case, or not_found.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (_ *User, err error) {
	defer wrap(&err, "user by email")
	var u *User
	err = s.readOne(ctx, func(tx *tx) error {
		u, err = user(ctx, tx, "email_key", emailKey(email))
		return err
	})
	return u, err
}

func user(ctx context.Context, tx *tx, col, v string) (*User, error) {
	u, err := scanUser(tx.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE "+col+" = ?", v))
	if err != nil {
		return nil, notFound(err, "user", v)
	}
	return u, nil
}

// SetPassword replaces a user's password hash, stamps the change and signs
// the user out everywhere (every session is deleted) in one transaction. It
// returns not_found for an unknown user.
func (s *Store) SetPassword(ctx context.Context, actor Actor, userID, passwordHash string) (err error) {
	defer wrap(&err, "set password(%s)", userID)
	return s.write(ctx, func(tx *tx) error {
		res, err := tx.exec(ctx, "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?", passwordHash, micros(tx.now), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return csmm.Errorf(csmm.ENOTFOUND, "user %q not found", userID)
		}
		if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return err
		}
		return audit(ctx, tx, "", actor, auditRecord{"user.password", "user", userID, nil, nil})
	})
}

// UpdateUser changes a user's name and disabled flag; disabling a user also
// deletes every session. It returns invalid for an empty name and not_found
// for an unknown user.
func (s *Store) UpdateUser(ctx context.Context, actor Actor, userID, name string, disabled bool) (_ *User, err error) {
	defer wrap(&err, "update user(%s)", userID)
	if strings.TrimSpace(name) == "" {
		return nil, csmm.Errorf(csmm.EINVALID, "the user name is empty")
	}
	if err := textfield.Name("the user name", name); err != nil {
		return nil, err
	}
	var u *User
	err = s.write(ctx, func(tx *tx) error {
		before, err := user(ctx, tx, "id", userID)
		if err != nil {
			return err
		}
		after := *before
		after.Name, after.Disabled = strings.TrimSpace(name), disabled
		if _, err := tx.exec(ctx, "UPDATE users SET name = ?, disabled = ? WHERE id = ?", after.Name, disabled, userID); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
				return err
			}
		}
		u = &after
		return audit(ctx, tx, "", actor, auditRecord{"user.update", "user", userID, before, after})
	})
	return u, err
}

// CountUsers returns how many users exist: zero means the server still needs
// its first administrator.
func (s *Store) CountUsers(ctx context.Context) (n int, err error) {
	defer wrap(&err, "count users")
	err = s.read(ctx, func(tx *tx) error {
		return tx.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	})
	return n, err
}
