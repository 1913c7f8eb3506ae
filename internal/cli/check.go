package cli

import (
	"context"
	"fmt"
)

// CheckCommand gates a pipeline on target levels: it exits 0 when every
// category with a target has reached it and 1 otherwise, listing what to do.
type CheckCommand struct {
	env *Env
}

const checkUsage = `
Usage: csmm check FILE [--as-of DATE] [--evidence [SCOPE=]FILE]... [--model FILE]

Scores the answers file FILE and checks every category that has a target:
a target is met when the category's level is at least the target. Exits 0
when every target is met; otherwise lists each category below its target
with the objectives that close the gap (the roadmap objectives of that
category up to its target) and exits 1.
`

// Run runs the command.
func (c *CheckCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("check")
	var modelPath string
	asOf := c.env.today()
	asOfFlag(fs, &asOf)
	var evidenceSpecs evidenceOptions
	evidenceSpecs.addFlags(fs)
	modelFlag(fs, &modelPath)
	args, err := parseFlags(c.env, fs, checkUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("check", args, 1, "FILE"); err != nil {
		return err
	}
	m, _, res, err := scoreAnswers(c.env, modelPath, args[0], asOf, evidenceSpecs)
	if err != nil {
		return err
	}
	p := painter(c.env.colour(c.env.Stdout))
	w := c.env.Stdout
	if res.Program.TargetsSet == 0 {
		fmt.Fprintf(w, "%s: no targets set; nothing to check\n", args[0])
		return nil
	}
	short := 0
	for _, cs := range res.Categories {
		if cs.Target == nil || cs.Level >= *cs.Target {
			continue
		}
		short++
		name := cs.ID
		if mc, ok := m.Category(cs.ID); ok {
			name = mc.Name
		}
		fmt.Fprintf(w, "%s %s: level %d, target %d %s\n", cs.ID, name, cs.Level, *cs.Target, p.paint(ansiRed, "(below target)"))
		for _, ph := range res.Roadmap {
			for _, po := range ph.Objectives {
				if po.Category != cs.ID {
					continue
				}
				title := ""
				if o, ok := m.Objective(po.ID); ok {
					title = oneLine(o.Title)
				}
				fmt.Fprintf(w, "  %s  %s\n", po.ID, title)
			}
		}
	}
	if short == 0 {
		fmt.Fprintf(w, "%s: %s\n", args[0], p.paint(ansiGreen, fmt.Sprintf("all %d targets met", res.Program.TargetsSet)))
		return nil
	}
	return &exitError{code: ExitFailure, msg: fmt.Sprintf("%s: %d of %d categories below target", args[0], short, res.Program.TargetsSet)}
}
