package cli

import (
	"context"
	"flag"

	"github.com/csmm/csmm/internal/server"
	"github.com/csmm/csmm/internal/store"
)

// dbFlag adds --db, defaulting like csmm serve: CSMM_DATABASE_URL, else the
// server's default database file.
func dbFlag(env *Env, fs *flag.FlagSet, v *string) {
	def := env.getenv(server.EnvDatabaseURL)
	if def == "" {
		def = server.DefaultConfig().DatabaseURL
	}
	fs.StringVar(v, "db", def, "database: an SQLite file path or a postgres:// `URL` ("+server.EnvDatabaseURL+")")
}

// openStore opens the database (applying pending migrations).
func openStore(ctx context.Context, dsn string) (*store.Store, error) {
	return store.Open(ctx, dsn)
}
