package cli

import (
	"context"
	"fmt"
	"io"
)

// BackupCommand writes a consistent backup of the server's database while
// the server keeps running.
type BackupCommand struct {
	env *Env
}

const backupUsage = `
Usage: csmm backup [--db URL] -o FILE

Writes a consistent snapshot of every table of the database to FILE (JSON
lines; '-' for standard output), read in one transaction while the server
keeps serving. The file holds password and token hashes: it is created
readable by its owner only. 'csmm restore' loads it into an empty database
of either kind (SQLite or PostgreSQL).
`

// Run runs the command.
func (c *BackupCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("backup")
	var db, out string
	dbFlag(c.env, fs, &db)
	fs.StringVar(&out, "o", "", "write the backup to `FILE` ('-' for standard output)")
	args, err := parseFlags(c.env, fs, backupUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("backup", args, 0, "no arguments"); err != nil {
		return err
	}
	if out == "" {
		return usageErrorf("backup", "backup: -o FILE is required ('-' for standard output)")
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	if out == "-" {
		return st.Backup(ctx, c.env.Stdout)
	}
	if err := writeFileAtomicFunc(out, 0o600, func(w io.Writer) error { return st.Backup(ctx, w) }); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "wrote backup %s\n", out)
	return nil
}
