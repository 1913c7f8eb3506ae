package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/model"
	"gopkg.in/yaml.v3"
)

// ModelExportCommand prints the model in use: JSON (the interchange format),
// YAML (a model file) or Markdown (a readable catalogue).
type ModelExportCommand struct {
	env *Env
}

const modelExportUsage = `
Usage: csmm model export [--format json|yaml|md] [-o FILE] [--model FILE]

Prints the model in use (the built-in model unless --model names another):
json is the model export interchange format, yaml a model file that --model
accepts, md a readable catalogue of levels, domains, categories and every
objective with its KPI, question, guidance, controls and checks.
`

// Run runs the command.
func (c *ModelExportCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("model export")
	var format, out, modelPath string
	formatFlag(fs, &format, "json", "json", "yaml", "md")
	fs.StringVar(&out, "o", "", "write to `FILE` instead of standard output")
	modelFlag(fs, &modelPath)
	args, err := parseFlags(c.env, fs, modelExportUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("model export", args, 0, "no arguments"); err != nil {
		return err
	}
	m, err := loadModel(modelPath)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	switch format {
	case "yaml":
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(m); err != nil {
			return fmt.Errorf("encode yaml: %w", err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("encode yaml: %w", err)
		}
	case "md":
		writeModelMarkdown(&b, m)
	default:
		if err := writeJSON(&b, m); err != nil {
			return err
		}
	}
	return writeOutput(c.env, out, b.Bytes())
}

// writeModelMarkdown writes the model as a catalogue: levels, then each
// domain and category with its objectives in model order.
func writeModelMarkdown(w io.Writer, m *model.Model) {
	fmt.Fprintf(w, "# %s\n\nModel `%s`, version %s, %d objectives.\n", m.Name, m.ID, m.Version, len(m.Objectives))
	if m.Description != "" {
		fmt.Fprintf(w, "\n%s\n", m.Description)
	}
	fmt.Fprint(w, "\n## Levels\n\n| Level | Name | Description |\n|---|---|---|\n")
	for _, l := range m.Levels {
		fmt.Fprintf(w, "| %d | %s | %s |\n", l.Level, cell(l.Name), cell(l.Description))
	}
	for _, d := range m.Domains {
		fmt.Fprintf(w, "\n## %s\n", d.Name)
		if d.Description != "" {
			fmt.Fprintf(w, "\n%s\n", d.Description)
		}
		for _, c := range m.DomainCategories(d.ID) {
			fmt.Fprintf(w, "\n### %s %s\n", c.ID, c.Name)
			if c.Description != "" {
				fmt.Fprintf(w, "\n%s\n", c.Description)
			}
			for _, o := range m.CategoryObjectives(c.ID) {
				writeObjectiveMarkdown(w, m, o)
			}
		}
	}
}

func writeObjectiveMarkdown(w io.Writer, m *model.Model, o *model.Objective) {
	fmt.Fprintf(w, "\n#### %s %s\n\n", o.ID, o.Title)
	fmt.Fprintf(w, "- **Level:** %d, %s\n", o.Level, m.LevelName(o.Level))
	fmt.Fprintf(w, "- **KPI:** %s\n", oneLine(o.KPI))
	fmt.Fprintf(w, "- **Question:** %s\n", oneLine(o.Question))
	if o.Guidance != "" {
		fmt.Fprintf(w, "- **Guidance:** %s\n", oneLine(o.Guidance))
	}
	fmt.Fprintf(w, "- **Mode:** %s; **threshold:** %s\n", o.Mode, strconv.FormatFloat(o.Threshold, 'f', -1, 64))
	providers := []struct {
		name     string
		controls []string
	}{{"AWS", o.Controls.AWS}, {"Azure", o.Controls.Azure}, {"GCP", o.Controls.GCP}}
	hasControls := false
	for _, p := range providers {
		hasControls = hasControls || len(p.controls) > 0
	}
	if hasControls {
		fmt.Fprint(w, "- **Controls:**\n")
		for _, p := range providers {
			if len(p.controls) > 0 {
				fmt.Fprintf(w, "  - %s: %s\n", p.name, strings.Join(p.controls, "; "))
			}
		}
	}
	if len(o.Checks) > 0 {
		checks := make([]string, len(o.Checks))
		for i, ch := range o.Checks {
			checks[i] = "`" + ch + "`"
		}
		fmt.Fprintf(w, "- **Checks:** %s\n", strings.Join(checks, ", "))
	}
}

// oneLine joins the lines of a text so that it stays inside one list item.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cell makes text safe inside a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(oneLine(s), "|", `\|`) }
