package cli

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/server"
	"github.com/csmm/csmm/internal/store"
)

// TokenCommand manages API tokens from the command line: for a pipeline's
// first token, and to revoke one when the web application is unreachable.
type TokenCommand struct {
	env *Env
}

const tokenUsage = `Usage: csmm token <command> [arguments]

Commands:

	create    create an API token and print it
	list      list an organization's API tokens
	revoke    revoke an API token

Run 'csmm token <command> --help' for a command's usage.
`

// Run runs the command.
func (c *TokenCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.env.Stderr, tokenUsage)
		return usageErrorf("", "token: missing command; expected create, list or revoke")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(c.env.Stdout, tokenUsage)
		return nil
	case "create":
		return (&TokenCreateCommand{env: c.env}).Run(ctx, args[1:])
	case "list":
		return (&TokenListCommand{env: c.env}).Run(ctx, args[1:])
	case "revoke":
		return (&TokenRevokeCommand{env: c.env}).Run(ctx, args[1:])
	}
	return usageErrorf("", "token: unknown command %q; expected create, list or revoke", args[0])
}

// TokenCreateCommand creates an API token for a member of an organization.
type TokenCreateCommand struct {
	env *Env
}

const tokenCreateUsage = `
Usage: csmm token create --org NAME --email EMAIL [--role ROLE] [--name NAME] [--ttl DURATION] [--db URL]

Creates an API token that acts for the member EMAIL of organization NAME,
with ROLE (no higher than the member's own; default viewer), and prints the
token alone on standard output. It is shown only this once: the database
keeps only its hash.
`

// Run runs the command.
func (c *TokenCreateCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("token create")
	var db, org, email, role, name string
	var ttl time.Duration
	dbFlag(c.env, fs, &db)
	fs.StringVar(&org, "org", "", "the organization's `NAME`, slug or ID")
	fs.StringVar(&email, "email", "", "`EMAIL` of the member the token acts for")
	fs.StringVar(&role, "role", string(csmm.RoleViewer), "the token's `ROLE`: owner, admin, assessor or viewer")
	fs.StringVar(&name, "name", "command line", "a `NAME` that tells the token apart in a list")
	fs.DurationVar(&ttl, "ttl", 0, "how long the token is valid, e.g. 720h (default until revoked)")
	args, err := parseFlags(c.env, fs, tokenCreateUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("token create", args, 0, "no arguments"); err != nil {
		return err
	}
	if org == "" || email == "" {
		return usageErrorf("token create", "token create: --org and --email are required")
	}
	if !csmm.Role(role).Valid() {
		return usageErrorf("token create", "token create: --role %q: expected owner, admin, assessor or viewer", role)
	}
	if ttl < 0 {
		return usageErrorf("token create", "token create: --ttl must not be negative")
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	secret, tok, err := server.CreateToken(ctx, st, server.NewToken{
		Organization: org, Email: email, Name: name, Role: csmm.Role(role), TTL: ttl,
	}, store.Actor{})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stdout, secret)
	fmt.Fprintf(c.env.Stderr, "created token %s (%s, role %s); it is shown only this once\n", tok.ID, tok.Name, tok.Role)
	return nil
}

// TokenListCommand lists the API tokens of an organization, never their secrets.
type TokenListCommand struct {
	env *Env
}

const tokenListUsage = `
Usage: csmm token list --org NAME [--format table|json] [--db URL]

Lists the API tokens of organization NAME: ID, name, role, the first
characters of the token, and when it was created, last used, expires and
was revoked.
`

// Run runs the command.
func (c *TokenListCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("token list")
	var db, org, format string
	dbFlag(c.env, fs, &db)
	fs.StringVar(&org, "org", "", "the organization's `NAME`, slug or ID")
	formatFlag(fs, &format, "table", "table", "json")
	args, err := parseFlags(c.env, fs, tokenListUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("token list", args, 0, "no arguments"); err != nil {
		return err
	}
	if org == "" {
		return usageErrorf("token list", "token list: --org is required")
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	tokens, err := server.ListTokens(ctx, st, org)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if format == "json" {
		if tokens == nil {
			tokens = []store.APIToken{}
		}
		if err := writeJSON(&b, tokens); err != nil {
			return err
		}
	} else {
		t := newTable(&b)
		t.row("ID\tNAME\tROLE\tPREFIX\tCREATED\tLAST USED\tEXPIRES\tREVOKED")
		for _, tk := range tokens {
			t.row("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", tk.ID, tk.Name, tk.Role, tk.Prefix,
				when(tk.Created), when(tk.LastUsed), when(tk.Expires), when(tk.Revoked))
		}
		t.flush()
	}
	_, err = c.env.Stdout.Write(b.Bytes())
	return err
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// TokenRevokeCommand revokes an API token.
type TokenRevokeCommand struct {
	env *Env
}

const tokenRevokeUsage = `
Usage: csmm token revoke --org NAME [--db URL] ID

Revokes the API token ID of organization NAME: it stops working at once.
`

// Run runs the command.
func (c *TokenRevokeCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("token revoke")
	var db, org string
	dbFlag(c.env, fs, &db)
	fs.StringVar(&org, "org", "", "the organization's `NAME`, slug or ID")
	args, err := parseFlags(c.env, fs, tokenRevokeUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("token revoke", args, 1, "the token ID"); err != nil {
		return err
	}
	if org == "" {
		return usageErrorf("token revoke", "token revoke: --org is required")
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := server.RevokeToken(ctx, st, org, args[0], store.Actor{}); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "revoked token %s\n", args[0])
	return nil
}
