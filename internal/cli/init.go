package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// InitCommand writes a new answers file that lists every objective of the
// model with its title, question and KPI as comments and an empty answer.
type InitCommand struct {
	env *Env
}

const initUsage = `
Usage: csmm init [-o FILE] [--organization NAME] [--scopes ID,ID...] [--model FILE]

Writes an answers file listing every objective of the model, category by
category, with its title, question and KPI as comments and an empty answer,
ready to fill in by hand or with 'csmm assess'. Without -o it prints the file.
`

// Run runs the command.
func (c *InitCommand) Run(ctx context.Context, args []string) error {
	flags := newFlagSet("init")
	var out, org, scopes, modelPath string
	var force bool
	flags.StringVar(&out, "o", "", "write to `FILE` instead of standard output")
	flags.StringVar(&org, "organization", "", "the organization's `NAME`")
	flags.StringVar(&scopes, "scopes", "", "comma-separated scope `IDs`, e.g. production,development (default one scope)")
	flags.BoolVar(&force, "force", false, "overwrite FILE when it exists")
	modelFlag(flags, &modelPath)
	args, err := parseFlags(c.env, flags, initUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("init", args, 0, "no arguments"); err != nil {
		return err
	}
	var ids []string
	if scopes != "" {
		seen := map[string]bool{}
		for _, s := range strings.Split(scopes, ",") {
			s = strings.TrimSpace(s)
			if !assess.ValidScopeID(s) {
				return usageErrorf("init", "init: --scopes: %q is not a scope ID; expected letters, digits, - or _", s)
			}
			if seen[s] {
				return usageErrorf("init", "init: --scopes: %q is listed twice", s)
			}
			seen[s] = true
			ids = append(ids, s)
		}
	}
	m, err := loadModel(modelPath)
	if err != nil {
		return err
	}
	data := answersTemplate(m, org, c.env.today(), ids)
	name := out
	if name == "" || name == "-" {
		name = "template"
	}
	if _, err := assess.ParseFile(name, data, m); err != nil {
		return fmt.Errorf("the generated answers file does not parse: %w", err)
	}
	if out != "" && out != "-" && !force {
		if _, err := os.Stat(out); err == nil {
			return fmt.Errorf("%s already exists; use --force to overwrite it", out)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("init: %w", err)
		}
	}
	if err := writeOutput(c.env, out, data); err != nil {
		return err
	}
	if out != "" && out != "-" {
		fmt.Fprintf(c.env.Stderr, "wrote %s: %d objectives to answer\n", out, len(m.Objectives))
	}
	return nil
}

// answersTemplate returns an answers file for m listing every objective in
// model order with an empty answer and its title, question and KPI as
// comments. scopes may be empty for the single default scope.
func answersTemplate(m *model.Model, org string, date assess.Date, scopes []string) []byte {
	var b bytes.Buffer
	first := "OBJ-2.1"
	if len(m.Objectives) > 0 {
		first = m.Objectives[0].ID
	}
	fmt.Fprintf(&b, "# Answers file for %s (%s): %d objectives.\n", m.Name, m.Ref(), len(m.Objectives))
	b.WriteString("#\n")
	b.WriteString("# Answer each objective with how much of the scope it covers: no, some,\n")
	b.WriteString("# half, most or yes; or na, with a justification, when it does not apply:\n")
	fmt.Fprintf(&b, "#   %s: yes\n", first)
	fmt.Fprintf(&b, "#   %s: {answer: some, note: \"production only\", by: alice}\n", first)
	fmt.Fprintf(&b, "#   %s: {answer: na, justification: \"why it does not apply\"}\n", first)
	if len(scopes) > 1 {
		fmt.Fprintf(&b, "#   %s: {%s: yes, %s: half}   # a different answer per scope\n", first, scopes[0], scopes[1])
	}
	b.WriteString("# An empty answer is unanswered and scores 0. Then run: csmm score FILE\n")
	fmt.Fprintf(&b, "model: %s\n", yamlString(m.Ref()))
	if org != "" {
		fmt.Fprintf(&b, "organization: %s\n", yamlString(org))
	} else {
		b.WriteString("organization: # your organization's name\n")
	}
	fmt.Fprintf(&b, "date: %s             # the date of every answer without its own\n", date)
	b.WriteString("scopes:\n")
	if len(scopes) == 0 {
		b.WriteString("  - {id: default, weight: 1}\n")
	}
	for _, s := range scopes {
		fmt.Fprintf(&b, "  - {id: %s, weight: 1}\n", s)
	}
	b.WriteString("targets:                     # the level each category should reach, chosen on purpose\n")
	b.WriteString("  # default: 3\n")
	if len(m.Categories) > 0 {
		fmt.Fprintf(&b, "  # %s: 4\n", m.Categories[0].ID)
	}
	b.WriteString("answers:\n")
	for _, d := range m.Domains {
		for _, c := range m.DomainCategories(d.ID) {
			fmt.Fprintf(&b, "\n  # == %s: %s (%s) ==\n", c.ID, oneLine(c.Name), oneLine(d.Name))
			for _, o := range m.CategoryObjectives(c.ID) {
				fmt.Fprintf(&b, "\n  # %s (level %d) %s\n", o.ID, o.Level, oneLine(o.Title))
				writeComment(&b, "  #   ", "Question: ", o.Question)
				writeComment(&b, "  #   ", "KPI: ", o.KPI)
				fmt.Fprintf(&b, "  %s:\n", o.ID)
			}
		}
	}
	b.WriteString("\nexemptions:\n")
	fmt.Fprintf(&b, "  # %s: {reason: \"why\", approver: \"who\", until: %s}\n", first, date.AddDays(180))
	return b.Bytes()
}

// writeComment writes text as comment lines of at most about 80 columns.
func writeComment(b *bytes.Buffer, prefix, label, text string) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return
	}
	line := prefix + label
	start := len(line)
	indent := prefix + strings.Repeat(" ", len(label))
	for _, w := range words {
		if len(line) > start && len(line)+1+len(w) > 80 {
			b.WriteString(line + "\n")
			line = indent
			start = len(line)
		}
		if len(line) > start {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
}

// yamlString writes s as a double-quoted scalar (JSON string syntax, which
// YAML reads as the same string).
func yamlString(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}
