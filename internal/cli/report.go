package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/csmm/csmm/internal/report"
)

// ReportCommand writes the maturity report of an answers file in one of the
// report formats.
type ReportCommand struct {
	env *Env
}

const reportUsage = `
Usage: csmm report FILE [--format html|md|json|csv|xlsx|pdf] [-o OUT] [--as-of DATE] [--evidence [SCOPE=]FILE]... [--model FILE]

Scores the answers file FILE and writes the report: the program score,
domains, categories with why each has its level, the roadmap to the targets,
scopes and every objective. Without -o the report goes to standard output,
except xlsx and pdf, which need -o.
`

// Run runs the command.
func (c *ReportCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("report")
	var format, out, modelPath string
	asOf := c.env.today()
	formatFlag(fs, &format, "html", "html", "md", "json", "csv", "xlsx", "pdf")
	fs.StringVar(&out, "o", "", "write to `OUT` instead of standard output")
	asOfFlag(fs, &asOf)
	var evidenceSpecs evidenceOptions
	evidenceSpecs.addFlags(fs)
	modelFlag(fs, &modelPath)
	args, err := parseFlags(c.env, fs, reportUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("report", args, 1, "FILE"); err != nil {
		return err
	}
	binary := format == "xlsx" || format == "pdf"
	if binary && (out == "" || out == "-") {
		return usageErrorf("report", "report: --format %s needs -o FILE", format)
	}
	m, f, res, err := scoreAnswers(c.env, modelPath, args[0], asOf, evidenceSpecs)
	if err != nil {
		return err
	}
	r := report.Build(m, res, report.Meta{
		Organization: f.Organization,
		Assessment:   f.Assessment,
		Scopes:       f.Scopes,
		GeneratedAt:  c.env.now(),
		ValidityDays: f.ValidityDays,
	})
	var b bytes.Buffer
	if err := writeReport(ctx, r, format, &b); err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	if err := writeOutput(c.env, out, b.Bytes()); err != nil {
		return err
	}
	if out != "" && out != "-" {
		fmt.Fprintf(c.env.Stderr, "wrote %s\n", out)
	}
	return nil
}

// writeReport renders r in format.
func writeReport(ctx context.Context, r *report.Report, format string, w io.Writer) error {
	switch format {
	case "md":
		return r.WriteMarkdown(w)
	case "json":
		return r.WriteJSON(w)
	case "csv":
		return r.WriteCSV(w)
	case "xlsx":
		return r.WriteXLSX(w)
	case "pdf":
		html, err := r.HTML()
		if err != nil {
			return err
		}
		return report.WritePDF(ctx, w, html)
	default:
		return r.WriteHTML(w)
	}
}
