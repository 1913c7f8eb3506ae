package service

import (
	"context"
	"fmt"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

// PasswordChange is a request to change one's own password: the API's
// changePassword body and the account page's form.
type PasswordChange struct {
	// CurrentPassword is the password the user has now.
	CurrentPassword string `json:"current_password" doc:"The password the user has now"`
	// NewPassword is the password to set; the password policy applies.
	NewPassword string `json:"new_password" doc:"The password to set: at least 12 characters and at most 1024 bytes"`
}

// The limit on wrong current passwords when changing one, per account.
const (
	passwordGuessLimit  = 5
	passwordGuessWindow = 15 * time.Minute
)

// ChangePassword replaces a user's password after checking the current one
// and the policy for the new one; the new one is hashed with argon2id and
// params. The store ends every session of the user with the change: a
// caller that keeps a browser signed in starts a new session afterwards.
// Errors: invalid (a wrong current password, a user without a password, or
// a new password the policy refuses), not_found (the user is gone),
// rate_limited (five wrong current passwords in 15 minutes).
func ChangePassword(ctx context.Context, st *store.Store, params identity.PasswordParams, actor store.Actor, u *store.User, in PasswordChange) error {
	// Wrong current passwords count as failed sign-ins of the account, so a
	// stolen session cannot be used to guess the password faster than the
	// sign-in page allows.
	failures, err := st.AccountFailuresWithin(ctx, u.Email, passwordGuessWindow)
	if err != nil {
		return err
	}
	if failures >= passwordGuessLimit {
		return csmm.Errorf(csmm.ERATELIMITED, "too many wrong passwords; try again in %d minutes", int(passwordGuessWindow.Minutes()))
	}
	ok, err := identity.VerifyPassword(u.PasswordHash, in.CurrentPassword)
	if u.PasswordHash == "" || err != nil || !ok {
		if err := st.RecordSignInAttempt(ctx, u.Email, actor.RemoteAddr); err != nil {
			return err
		}
		return csmm.Errorf(csmm.EINVALID, "the current password is wrong")
	}
	if err := identity.CheckPasswordPolicy(in.NewPassword); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the new password is not accepted: %s", err.Error())
	}
	hash, err := identity.HashPassword(in.NewPassword, params)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return st.SetPassword(ctx, actor, u.ID, hash)
}
