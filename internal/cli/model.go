package cli

import (
	"context"
	"fmt"
)

// ModelCommand groups the commands that work on a maturity model itself.
type ModelCommand struct {
	env *Env
}

const modelUsage = `Usage: csmm model <command> [arguments]

Commands:

	validate FILE     check a model file and print every problem
	export            print the model as json, yaml or a markdown catalogue
	import FILE       turn a spreadsheet (xlsx or csv) into a model file
	diff OLD NEW      list what changed between two models (files or csmm@VERSION)

Run 'csmm model <command> --help' for a command's usage.
`

// Run runs the command.
func (c *ModelCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.env.Stderr, modelUsage)
		return usageErrorf("", "model: missing command; expected validate, export, import or diff")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(c.env.Stdout, modelUsage)
		return nil
	case "validate":
		return (&ModelValidateCommand{env: c.env}).Run(ctx, args[1:])
	case "export":
		return (&ModelExportCommand{env: c.env}).Run(ctx, args[1:])
	case "import":
		return (&ModelImportCommand{env: c.env}).Run(ctx, args[1:])
	case "diff":
		return (&ModelDiffCommand{env: c.env}).Run(ctx, args[1:])
	}
	return usageErrorf("", "model: unknown command %q; expected validate, export, import or diff", args[0])
}
