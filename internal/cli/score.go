package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// ScoreCommand scores an answers file and prints the result as a table for
// people or as the score JSON of the interchange formats.
type ScoreCommand struct {
	env *Env
}

const scoreUsage = `
Usage: csmm score FILE [--format table|json] [--as-of DATE] [--scope ID] [--evidence [SCOPE=]FILE]... [--model FILE]

Scores the answers file FILE with the model's method and prints the program
score with its floor and completeness, each domain, and each category with
its level, score, target, gap and completeness. Scores in the table are
truncated to one decimal, so the integer part is the level; the JSON carries
the exact values. With several scopes the result is their weighted roll-up;
--scope shows one scope on its own.
`

// Run runs the command.
func (c *ScoreCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("score")
	var format, modelPath, scope string
	asOf := c.env.today()
	formatFlag(fs, &format, "table", "table", "json")
	asOfFlag(fs, &asOf)
	fs.StringVar(&scope, "scope", "", "show the result of scope `ID` instead of the roll-up")
	var evidenceSpecs evidenceOptions
	evidenceSpecs.addFlags(fs)
	modelFlag(fs, &modelPath)
	args, err := parseFlags(c.env, fs, scoreUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("score", args, 1, "FILE"); err != nil {
		return err
	}
	m, f, res, err := scoreAnswers(c.env, modelPath, args[0], asOf, evidenceSpecs)
	if err != nil {
		return err
	}
	view := rollupView(&res)
	if scope != "" {
		sr, err := findScope(&res, scope)
		if err != nil {
			return err
		}
		view = scopeView(sr)
	}
	var out bytes.Buffer
	switch format {
	case "json":
		var v any = &res
		if scope != "" {
			v = scopeJSON{Model: res.Model, AsOf: res.AsOf, ScopeResult: *view.scope}
		}
		if err := writeJSON(&out, v); err != nil {
			return err
		}
	default:
		writeScoreTable(&out, m, f, &res, view, c.env.colour(c.env.Stdout))
	}
	_, err = c.env.Stdout.Write(out.Bytes())
	return err
}

// scopeJSON is the JSON of one scope's result, with the model and date it
// was scored with.
type scopeJSON struct {
	Model assess.ModelRef `json:"model"`
	AsOf  assess.Date     `json:"as_of"`
	assess.ScopeResult
}

// scoreView is the part of a result a table shows: the roll-up or one scope.
type scoreView struct {
	label      string
	program    assess.Program
	domains    []assess.DomainScore
	categories []assess.CategoryScore
	scope      *assess.ScopeResult
}

func rollupView(res *assess.Result) scoreView {
	return scoreView{program: res.Program, domains: res.Domains, categories: res.Categories}
}

func scopeView(sr *assess.ScopeResult) scoreView {
	return scoreView{label: sr.ID, program: sr.Program, domains: sr.Domains, categories: sr.Categories, scope: sr}
}

func findScope(res *assess.Result, id string) (*assess.ScopeResult, error) {
	var ids []string
	for i := range res.Scopes {
		if res.Scopes[i].ID == id {
			return &res.Scopes[i], nil
		}
		ids = append(ids, res.Scopes[i].ID)
	}
	return nil, usageErrorf("score", "unknown scope %q; the file's scopes are %s", id, strings.Join(ids, ", "))
}

// writeJSON writes v as indented JSON without HTML escaping.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	return nil
}

// score formats a score for people: truncated to one decimal.
func score(s float64) string { return fmt.Sprintf("%.1f", assess.Truncate(s)) }

// percent formats a share as a whole percentage, rounded down so that 99.6%
// of answers never shows as complete.
func percent(x float64) string { return fmt.Sprintf("%d%%", int(math.Floor(x*100+1e-9))) }

// gapText is the gap as people read it beside the displayed score: the target
// minus the truncated score, never below zero; "-" without a target.
func gapText(c assess.CategoryScore) string {
	if c.Target == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", math.Max(0, float64(*c.Target)-assess.Truncate(c.Score)))
}

func targetText(c assess.CategoryScore) string {
	if c.Target == nil {
		return "-"
	}
	return fmt.Sprint(*c.Target)
}

// ANSI colours, used only on a terminal without NO_COLOR.
const (
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiBold  = "\x1b[1m"
	ansiReset = "\x1b[0m"
)

type painter bool

func (p painter) paint(code, s string) string {
	if !p || s == "" {
		return s
	}
	return code + s + ansiReset
}

func writeScoreTable(w io.Writer, m *model.Model, f *assess.File, res *assess.Result, v scoreView, colour bool) {
	p := painter(colour)
	title := f.Organization
	if title == "" {
		title = f.Name
	}
	fmt.Fprintf(w, "%s\n", p.paint(ansiBold, title))
	fmt.Fprintf(w, "Model %s (%s), as of %s\n", m.Name, m.Ref(), res.AsOf)
	switch {
	case v.label != "":
		fmt.Fprintf(w, "Scope %s\n", v.label)
	case len(res.Scopes) > 1:
		parts := make([]string, len(res.Scopes))
		for i, s := range res.Scopes {
			parts[i] = fmt.Sprintf("%s (weight %s)", s.ID, trimFloat(s.Weight))
		}
		fmt.Fprintf(w, "Roll-up of %s\n", strings.Join(parts, ", "))
	}
	if v.program.NA {
		fmt.Fprintf(w, "\nProgram score %s   floor %s   completeness %s",
			p.paint(ansiBold, "n/a"), "n/a", percent(v.program.Completeness))
	} else {
		fmt.Fprintf(w, "\nProgram score %s   floor %d   completeness %s",
			p.paint(ansiBold, score(v.program.Score)), v.program.Floor, percent(v.program.Completeness))
	}
	if v.program.TargetsSet > 0 {
		fmt.Fprintf(w, "   targets met %d of %d", v.program.TargetsMet, v.program.TargetsSet)
	}
	fmt.Fprint(w, "\n\n")

	tw := newTable(w)
	tw.row("DOMAIN\tSCORE\tCOMPLETENESS")
	for _, d := range v.domains {
		name := d.ID
		if md, ok := m.Domain(d.ID); ok {
			name = md.Name
		}
		s := score(d.Score)
		if d.NA {
			s = "n/a"
		}
		tw.row("%s\t%s\t%s", name, s, percent(d.Completeness))
	}
	tw.flush()
	fmt.Fprintln(w)

	tw = newTable(w)
	tw.row("CATEGORY\tNAME\tLEVEL\tSCORE\tTARGET\tGAP\tCOMPLETENESS\t")
	for _, c := range v.categories {
		name := c.ID
		if mc, ok := m.Category(c.ID); ok {
			name = mc.Name
		}
		status := ""
		if c.TargetMet != nil {
			if *c.TargetMet {
				status = p.paint(ansiGreen, "met")
			} else {
				status = p.paint(ansiRed, "below target")
			}
		}
		if c.NA() {
			// Not applicable: no level, score or target.
			tw.row("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", c.ID, name, "n/a", "n/a", "-", "-", percent(c.Completeness), "not applicable")
			continue
		}
		tw.row("%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s", c.ID, name, c.Level, score(c.Score),
			targetText(c), gapText(c), percent(c.Completeness), status)
	}
	tw.flush()
	writeStaleEvidence(w, res, v)
}

// writeStaleEvidence lists, under the table, the scans older than the
// evidence validity before the as-of date that the view's objectives left
// out (they give no value until the scanner runs again): per objective,
// scope and check, with the scan date and the file.
func writeStaleEvidence(w io.Writer, res *assess.Result, v scoreView) {
	objectives := res.Objectives
	if v.scope != nil {
		objectives = v.scope.Objectives
	}
	var tw *table
	for _, o := range objectives {
		for _, c := range o.StaleEvidence {
			if tw == nil {
				fmt.Fprintf(w, "\nStale evidence: scans older than the evidence validity before %s give no value until the scanner runs again.\n\n", res.AsOf)
				tw = newTable(w)
				tw.row("OBJECTIVE\tSCOPE\tCHECK\tSCANNED\tPASSED\tFAILED\tSOURCE")
			}
			scope := c.Scope
			if v.scope != nil {
				scope = v.scope.ID
			}
			check := c.Check
			if c.Supporting {
				check += " (supporting)"
			}
			tw.row("%s\t%s\t%s\t%s\t%d\t%d\t%s", o.ID, scope, check, c.Scanned, c.Passed, c.Failed, c.Source)
		}
	}
	if tw != nil {
		tw.flush()
	}
}

func trimFloat(x float64) string { return fmt.Sprint(x) }
