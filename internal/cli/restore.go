package cli

import (
	"context"
	"fmt"
	"io"
	"os"
)

// RestoreCommand loads a backup into an empty database.
type RestoreCommand struct {
	env *Env
}

const restoreUsage = `
Usage: csmm restore [--db URL] FILE

Loads the backup FILE ('-' for standard input), written by 'csmm backup'
from SQLite or PostgreSQL, into the database, which must be empty (new, or
freshly created by starting csmm on it). All of it is loaded or nothing.
`

// Run runs the command.
func (c *RestoreCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("restore")
	var db string
	dbFlag(c.env, fs, &db)
	args, err := parseFlags(c.env, fs, restoreUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("restore", args, 1, "FILE"); err != nil {
		return err
	}
	var in io.Reader = c.env.Stdin
	if args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return fmt.Errorf("read backup: %w", err)
		}
		defer f.Close()
		in = f
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Restore(ctx, in); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	fmt.Fprintf(c.env.Stderr, "restored %s into the database\n", args[0])
	return nil
}
