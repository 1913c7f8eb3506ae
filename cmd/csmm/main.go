// Command csmm measures cloud security maturity with the Cloud Security
// Maturity Model. main only wires signals and the exit status; the commands
// live in internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/csmm/csmm/internal/cli"
	_ "github.com/csmm/csmm/internal/prefault"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.OSEnv(), os.Args[1:])
	stop()
	os.Exit(code)
}
