package cli

import (
	"context"
	"fmt"

	"github.com/csmm/csmm/internal/server"
)

// ServeCommand runs the web application and the JSON API until interrupted.
type ServeCommand struct {
	env *Env
}

const serveUsage = `
Usage: csmm serve [flags]

Runs the web application and the JSON API on one port, with the database
given by --db (an SQLite file, created when missing, or a postgres:// URL).
Every flag can also be set with the CSMM_* environment variable named in its
description; flags win. On SIGINT or SIGTERM the server stops accepting
connections and finishes the requests in flight.
`

// Run runs the command.
func (c *ServeCommand) Run(ctx context.Context, args []string) error {
	cfg, envErr := server.ConfigFromEnv(c.env.getenv)
	fs := newFlagSet("serve")
	server.RegisterFlags(fs, &cfg)
	args, err := parseFlags(c.env, fs, serveUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("serve", args, 0, "no arguments"); err != nil {
		return err
	}
	if envErr != nil {
		return fmt.Errorf("environment: %w", envErr)
	}
	logger, err := server.NewLogger(c.env.Stderr, cfg)
	if err != nil {
		return usageErrorf("serve", "serve: %v", err)
	}
	return server.Run(ctx, cfg, logger)
}
