package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/csmm/csmm/internal/model"
)

// ModelValidateCommand checks a model file against the schema and the
// model's rules, printing every problem with its file, line and path.
type ModelValidateCommand struct {
	env *Env
}

const modelValidateUsage = `
Usage: csmm model validate FILE

Checks the model file FILE (YAML or JSON) against the model schema and the
model's own rules (unique IDs, known categories and domains, objectives at
every level from 2 to 5). Prints "FILE: valid (N objectives)" and exits 0,
or prints every problem as file:line: path: message and exits 1.
`

// Run runs the command.
func (c *ModelValidateCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("model validate")
	var modelPath string
	modelFlag(fs, &modelPath)
	args, err := parseFlags(c.env, fs, modelValidateUsage, args)
	if err != nil {
		return finish(err)
	}
	if len(args) == 0 && modelPath != "" {
		args = []string{modelPath}
	}
	if err := wantArgs("model validate", args, 1, "FILE"); err != nil {
		return err
	}
	m, err := model.Load(args[0])
	if err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				fmt.Fprintln(c.env.Stdout, p.String())
			}
			return &exitError{code: ExitFailure, msg: fmt.Sprintf("%s: invalid (%d problems)", args[0], len(ve.Problems))}
		}
		return err
	}
	fmt.Fprintf(c.env.Stdout, "%s: valid (%d objectives)\n", args[0], len(m.Objectives))
	return nil
}
