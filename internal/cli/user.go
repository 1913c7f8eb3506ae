package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/server"
	"github.com/csmm/csmm/internal/store"
)

// UserCommand manages the users of the server from the command line, for the
// first owner and for recovery when nobody can sign in.
type UserCommand struct {
	env *Env
}

const userUsage = `Usage: csmm user <command> [arguments]

Commands:

	create    create a user as a member of an organization

Run 'csmm user create --help' for its usage.
`

// Run runs the command.
func (c *UserCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.env.Stderr, userUsage)
		return usageErrorf("", "user: missing command; expected create")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(c.env.Stdout, userUsage)
		return nil
	case "create":
		return (&UserCreateCommand{env: c.env}).Run(ctx, args[1:])
	}
	return usageErrorf("", "user: unknown command %q; expected create", args[0])
}

// UserCreateCommand creates a user with a password and a role in an
// organization, creating the organization for its first owner.
type UserCreateCommand struct {
	env *Env
}

const userCreateUsage = `
Usage: csmm user create --org NAME --email EMAIL [--role ROLE] [--name NAME] [--db URL]

Creates a user who signs in with EMAIL, as a member of the organization NAME
with ROLE (owner, admin, assessor or viewer). When no organization has that
name and the role is owner, the organization is created with the user as its
owner. The password is read from standard input (one line); when standard
input is a terminal or empty, a password is generated and printed once on
standard output.
`

// Run runs the command.
func (c *UserCreateCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("user create")
	var db, org, email, role, name string
	dbFlag(c.env, fs, &db)
	fs.StringVar(&org, "org", "", "the organization's `NAME` (or slug)")
	fs.StringVar(&email, "email", "", "the user's `EMAIL`, used to sign in")
	fs.StringVar(&role, "role", string(csmm.RoleViewer), "the user's `ROLE`: owner, admin, assessor or viewer")
	fs.StringVar(&name, "name", "", "the user's display `NAME` (default the part of the email before @)")
	args, err := parseFlags(c.env, fs, userCreateUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("user create", args, 0, "no arguments"); err != nil {
		return err
	}
	if org == "" || email == "" {
		return usageErrorf("user create", "user create: --org and --email are required")
	}
	r := csmm.Role(role)
	if !r.Valid() {
		return usageErrorf("user create", "user create: --role %q: expected owner, admin, assessor or viewer", role)
	}
	password := ""
	if !isTerminal(c.env.Stdin) {
		data, err := io.ReadAll(io.LimitReader(c.env.Stdin, identity.MaxPasswordLength+2))
		if err != nil {
			return fmt.Errorf("read the password from standard input: %w", err)
		}
		password = strings.TrimRight(string(data), "\r\n")
		if strings.ContainsAny(password, "\r\n") {
			return fmt.Errorf("the password on standard input must be one line")
		}
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	u, generated, err := server.CreateUser(ctx, st, server.NewUser{
		Organization: org, Name: name, Email: email, Role: r, Password: password,
	}, identity.DefaultPasswordParams, store.Actor{})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "created user %s (%s) as %s of %s\n", u.Email, u.ID, r, org)
	if generated != "" {
		fmt.Fprintln(c.env.Stderr, "generated password (shown only this once):")
		fmt.Fprintln(c.env.Stdout, generated)
	}
	return nil
}
