package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/csmm/csmm/internal/api"
)

// OpenAPICommand prints the OpenAPI document the server serves at
// /api/v1/openapi.json, for linters and client generators that work
// without a running server.
type OpenAPICommand struct {
	env *Env
}

const openapiUsage = `
Usage: csmm openapi [--base-url URL]

Prints the OpenAPI 3.1 document of the JSON API, as csmm serve serves it at
/api/v1/openapi.json: indented JSON on standard output. With --base-url, the
document's server is URL/api/v1, as when csmm serve runs with that
--base-url; without it, /api/v1, relative to where the document is read.
`

// Run runs the command.
func (c *OpenAPICommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("openapi")
	baseURL := fs.String("base-url", "", "the server's public `URL`, e.g. https://csmm.example.com")
	args, err := parseFlags(c.env, fs, openapiUsage, args)
	if err != nil {
		return finish(err)
	}
	if len(args) > 0 {
		return usageErrorf("openapi", "openapi: unexpected argument %q; expected no arguments", args[0])
	}
	data, err := json.MarshalIndent(api.New(api.Options{BaseURL: *baseURL}).OpenAPI(), "", "  ")
	if err != nil {
		return fmt.Errorf("encode the OpenAPI document: %w", err)
	}
	_, err = fmt.Fprintf(c.env.Stdout, "%s\n", data)
	return err
}
