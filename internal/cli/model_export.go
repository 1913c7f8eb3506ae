package cli

import (
	"bytes"
	"context"
	"encoding/csv"
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
Usage: csmm model export [--format json|yaml|md|csv] [-o FILE] [--model FILE|csmm@VERSION]

Prints the model in use (the newest built-in model unless --model names
another file or built-in version): json is the model export interchange
format, yaml a model file that --model accepts, md a readable catalogue of
levels, domains, categories (with their ladders) and every objective with
its KPI, question, guidance, scale, controls, checks, supporting checks,
framework references, effort and the objectives it replaces, csv one row per
objective with lists joined by "; ".
`

// Run runs the command.
func (c *ModelExportCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("model export")
	var format, out, modelPath string
	formatFlag(fs, &format, "json", "json", "yaml", "md", "csv")
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
	case "csv":
		if err := writeModelCSV(&b, m); err != nil {
			return err
		}
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
			if len(c.Levels) > 0 {
				fmt.Fprint(w, "\n| Level | What it looks like |\n|---|---|\n")
				for _, l := range c.Levels {
					fmt.Fprintf(w, "| %d %s | %s |\n", l.Level, cell(m.LevelName(l.Level)), cell(l.Description))
				}
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
	fmt.Fprintf(w, "- **Mode:** %s; **scale:** %s; **threshold:** %s\n", o.Mode, o.Scale, strconv.FormatFloat(o.Threshold, 'f', -1, 64))
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
	if len(o.SupportingChecks) > 0 {
		checks := make([]string, len(o.SupportingChecks))
		for i, ch := range o.SupportingChecks {
			checks[i] = "`" + ch + "`"
		}
		fmt.Fprintf(w, "- **Supporting checks** (shown beside the answer, never a value): %s\n", strings.Join(checks, ", "))
	}
	refs := []struct {
		name string
		ids  []string
	}{{"CSA CCM v4", o.References.CCM}, {"NIST CSF 2.0", o.References.NISTCSF}, {"CIS Controls v8.1", o.References.CIS}}
	var parts []string
	for _, r := range refs {
		if len(r.ids) > 0 {
			parts = append(parts, r.name+": "+strings.Join(r.ids, ", "))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "- **References:** %s\n", strings.Join(parts, "; "))
	}
	if e := o.Effort; e != nil {
		fmt.Fprintf(w, "- **Effort:** %s, %d to %d person-weeks, spend: %s\n", e.Size, e.PersonWeeks[0], e.PersonWeeks[1], e.Spend)
	}
	if len(o.Replaces) > 0 {
		fmt.Fprintf(w, "- **Replaces:** %s\n", strings.Join(o.Replaces, ", "))
	}
}

// modelCSVHeader names the columns of csmm model export --format csv.
var modelCSVHeader = []string{
	"id", "domain", "category", "level", "title", "kpi", "question", "guidance", "mode", "scale", "threshold",
	"controls_aws", "controls_azure", "controls_gcp", "checks", "supporting_checks",
	"ccm", "nist_csf", "cis", "effort_size", "effort_person_weeks_min", "effort_person_weeks_max", "effort_spend", "replaces",
}

// writeModelCSV writes one row per objective in model order, lists joined
// by "; " and an objective without an effort estimate with empty effort cells.
func writeModelCSV(w io.Writer, m *model.Model) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(modelCSVHeader); err != nil {
		return err
	}
	list := func(l []string) string { return strings.Join(l, "; ") }
	for i := range m.Objectives {
		o := &m.Objectives[i]
		domain := ""
		if c, ok := m.Category(o.Category); ok {
			domain = c.Domain
		}
		size, pmin, pmax, spend := "", "", "", ""
		if e := o.Effort; e != nil {
			size, pmin, pmax, spend = string(e.Size), strconv.Itoa(e.PersonWeeks[0]), strconv.Itoa(e.PersonWeeks[1]), string(e.Spend)
		}
		row := []string{
			o.ID, domain, o.Category, strconv.Itoa(o.Level), oneLine(o.Title), oneLine(o.KPI), oneLine(o.Question), oneLine(o.Guidance),
			string(o.Mode), string(o.Scale), strconv.FormatFloat(o.Threshold, 'f', -1, 64),
			list(o.Controls.AWS), list(o.Controls.Azure), list(o.Controls.GCP), list(o.Checks), list(o.SupportingChecks),
			list(o.References.CCM), list(o.References.NISTCSF), list(o.References.CIS), size, pmin, pmax, spend, list(o.Replaces),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// oneLine joins the lines of a text so that it stays inside one list item.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cell makes text safe inside a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(oneLine(s), "|", `\|`) }
