package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/move"
)

// MigrateCommand moves an answers file to another model version: answers of
// objective IDs the new model keeps are carried over, those of removed IDs
// dropped, and the objectives that need a new answer listed.
type MigrateCommand struct {
	env *Env
}

const migrateUsage = `
Usage: csmm migrate FILE --to MODEL [-o OUT] [--dry-run] [--format text|json] [--model FILE]

Moves an answers file to another model (a built-in version such as
csmm@2.1.0, or a model file). Answers of objectives the new model keeps are
carried over; answers of removed objectives, and answers the new scale
refuses (half on an objective that is now a yes/no fact), are dropped; the
objectives that need a new answer are listed: added ones, ones whose scale
changed, and ones that replace old objectives (with the old answers shown).
The plan goes to standard output (or standard error when the moved file
does); the moved file to OUT, or standard output. With --dry-run only the
plan is shown. FILE is read with the model it names (--model overrides).
`

// Run runs the command.
func (c *MigrateCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("migrate")
	var to, out, format, modelPath string
	var dryRun bool
	fs.StringVar(&to, "to", "", "the `MODEL` to move to: a built-in version (csmm@2.1.0) or a model file")
	fs.StringVar(&out, "o", "", "write the moved answers file to `OUT` instead of standard output")
	fs.BoolVar(&dryRun, "dry-run", false, "show the plan only; write nothing")
	formatFlag(fs, &format, "text", "text", "json")
	modelFlag(fs, &modelPath)
	args, err := parseFlags(c.env, fs, migrateUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("migrate", args, 1, "FILE"); err != nil {
		return err
	}
	if to == "" {
		return usageErrorf("migrate", "migrate: --to is required: the model to move to, such as csmm@2.1.0")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	doc := assess.ParseDocument(args[0], data)
	if modelPath == "" {
		modelPath = doc.ReferencedModel()
	}
	from, err := loadModel(modelPath)
	if err != nil {
		return err
	}
	f, err := doc.Read(from)
	if err != nil {
		return err
	}
	target, err := model.Load(to)
	if err != nil {
		return err
	}
	if target.Ref() == from.Ref() {
		return fmt.Errorf("%s already uses model %s", args[0], target.Ref())
	}
	plan := move.Make(move.Input{From: from, To: target, Answers: f.Answers, Exemptions: f.Exemptions, Targets: f.Targets})
	var report bytes.Buffer
	if format == "json" {
		if err := writeJSON(&report, plan); err != nil {
			return err
		}
	} else {
		writeMigratePlan(&report, args[0], plan)
	}
	if dryRun {
		_, err := c.env.Stdout.Write(report.Bytes())
		return err
	}
	moved := plan.File(f, target)
	encoded := moved.Encode()
	if _, err := assess.ParseFile("moved answers", encoded, target); err != nil {
		return fmt.Errorf("the moved answers file does not read with %s: %w", target.Ref(), err)
	}
	planOut := c.env.Stdout
	if out == "" || out == "-" {
		planOut = c.env.Stderr
	}
	if err := writeOutput(c.env, out, encoded); err != nil {
		return err
	}
	_, err = planOut.Write(report.Bytes())
	return err
}

// writeMigratePlan writes the plan as text.
func writeMigratePlan(w io.Writer, name string, p *move.Plan) {
	fmt.Fprintf(w, "Moving %s from %s to %s\n", name, p.From, p.To)
	fmt.Fprintf(w, "  kept:    %d answer(s)\n", len(p.Kept))
	fmt.Fprintf(w, "  dropped: %d answer(s) of objectives %s does not have\n", len(p.Dropped), p.To)
	for _, a := range p.Dropped {
		fmt.Fprintf(w, "    %s in %s: %s\n", a.Objective, a.Scope, a.Answer)
	}
	if len(p.Refused) > 0 {
		fmt.Fprintf(w, "  refused: %d answer(s) the new scale does not accept\n", len(p.Refused))
		for _, a := range p.Refused {
			fmt.Fprintf(w, "    %s in %s: %s\n", a.Objective, a.Scope, a.Answer)
		}
	}
	if len(p.ExemptionsDropped) > 0 {
		fmt.Fprintf(w, "  exemptions dropped: %s\n", strings.Join(p.ExemptionsDropped, ", "))
	}
	if len(p.TargetsDropped) > 0 {
		fmt.Fprintf(w, "  targets dropped: %s\n", strings.Join(p.TargetsDropped, ", "))
	}
	fmt.Fprintf(w, "Needs a new answer: %d objective(s)\n", len(p.NeedsAnswer))
	for _, n := range p.NeedsAnswer {
		fmt.Fprintf(w, "  %s %s (%s", n.Objective, n.Title, n.Reason)
		if len(n.Replaces) > 0 {
			fmt.Fprintf(w, " %s", strings.Join(n.Replaces, ", "))
		}
		fmt.Fprint(w, ")")
		if len(n.Previous) > 0 {
			var prev []string
			for _, a := range n.Previous {
				prev = append(prev, fmt.Sprintf("%s in %s: %s", a.Objective, a.Scope, a.Answer))
			}
			fmt.Fprintf(w, "; was %s", strings.Join(prev, "; "))
		}
		fmt.Fprintln(w)
	}
}
