package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/load"
	"github.com/csmm/csmm/internal/evidence/prowler"
	"github.com/csmm/csmm/internal/model"
)

// EvidenceCommand reads scanner files and summarizes each: its format, its
// findings by outcome, which of its checks the model maps to objectives,
// and what each file says about each objective.
type EvidenceCommand struct {
	env *Env
}

const evidenceUsage = `
Usage: csmm evidence FILE... [--format table|json] [--model FILE] [--quiet]

Reads each scanner FILE and prints its summary: the format found, the number
of findings by outcome (pass, fail, manual, other; muted ones are counted by
outcome and also as muted, archived ones only as archived), the check IDs the
model's objectives list (mapped) and the others (unknown), and for each
objective the findings of its checks that passed and failed, without muted
and archived ones.

Formats read (told from the content): prowler-ocsf (Prowler JSON-OCSF, v4
and v5), prowler-csv (Prowler CSV, v2 to v5), prowler-json (Prowler 3 JSON,
Prowler 2 JSON Lines), asff (AWS Security Hub and Prowler ASFF), powerpipe
(Powerpipe and Steampipe control results, JSON or CSV), scoutsuite
(ScoutSuite's scoutsuite_results_*.js; check IDs scoutsuite:PROVIDER:RULE)
and generic-csv (a CSV with the columns check and status, and optionally
resource, account, region, scope, muted, archived and time; check IDs as the model
lists them, such as custom:backup_enabled; status pass, fail, manual or
other), and csmm-collect (the output of csmm collect; parts that could not
be read count as other). A file may be gzip-compressed (.gz), or a zip archive as Prowler
writes its output: each member in a supported format is read and summarized
as ARCHIVE/MEMBER, the others are skipped with a note. Files are read as
streams, in constant memory whatever their size.

Reading a file of several megabytes shows its progress on standard error
when it is a terminal; --quiet turns that off.

To score with evidence, pass --evidence [SCOPE=]FILE to score, report or check:
each objective whose checks the files evaluated gets passed / (passed + failed)
in every scope (or in SCOPE only, or in the scope of a generic CSV row).
A file's findings are as old as the scan time the file carries (shown as
"scanned"); a scan older than the evidence validity (90 days, or
--evidence-validity-days) before the as-of date gives no value and is listed
as stale evidence.
`

// Run runs the command.
func (c *EvidenceCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("evidence")
	var format, modelPath string
	formatFlag(fs, &format, "table", "table", "json")
	modelFlag(fs, &modelPath)
	quiet := fs.Bool("quiet", false, "show no progress while reading")
	args, err := parseFlags(c.env, fs, evidenceUsage, args)
	if err != nil {
		return finish(err)
	}
	if len(args) == 0 {
		return usageErrorf("evidence", "evidence: missing argument; expected FILE...")
	}
	m, err := loadModel(modelPath)
	if err != nil {
		return err
	}
	read, err := readEvidenceFiles(c.env, args, *quiet)
	if err != nil {
		return err
	}
	var files []*evidence.File
	for _, fs := range read {
		files = append(files, fs...)
	}
	ix := evidence.NewIndex(m)
	out := evidenceJSON{Files: make([]fileSummary, len(files))}
	summaries := make([]evidence.Summary, len(files))
	days := make([][2]assess.Date, len(files))
	for i, f := range files {
		summaries[i] = ix.Summarize(f)
		days[i][0], days[i][1] = f.ScanDays()
		out.Files[i] = fileSummary{Summary: summaries[i], ScannedFirst: days[i][0], ScannedLast: days[i][1]}
	}
	var b bytes.Buffer
	switch format {
	case "json":
		if err := writeJSON(&b, out); err != nil {
			return err
		}
	default:
		writeEvidenceTable(&b, m, summaries, days)
	}
	_, err = c.env.Stdout.Write(b.Bytes())
	return err
}

// evidenceJSON is the evidence summary of formats.md.
type evidenceJSON struct {
	Files []fileSummary `json:"files"`
}

// fileSummary is the summary of one file with the scan days of its
// findings: the earliest and the latest,
// absent when the findings carry no time.
type fileSummary struct {
	evidence.Summary
	ScannedFirst assess.Date `json:"scanned_first,omitzero"`
	ScannedLast  assess.Date `json:"scanned_last,omitzero"`
}

// readEvidenceFiles reads every scanner file (the files of each path: one,
// or the members of an archive), reporting every file that cannot be read,
// one per line. Progress goes to env.Stderr when it is a terminal, unless quiet.
func readEvidenceFiles(env *Env, paths []string, quiet bool) ([][]*evidence.File, error) {
	var files [][]*evidence.File
	var problems []string
	var stderr io.Writer = io.Discard
	if env != nil {
		stderr = env.Stderr
	}
	for _, p := range paths {
		opt := load.Options{Skipped: func(name string, err error) {
			fmt.Fprintf(stderr, "csmm: skipped %s\n", err)
		}}
		stop := func() {}
		if !quiet && isTerminal(stderr) {
			opt.Progress = &load.Progress{}
			stop = showProgress(stderr, p, opt.Progress)
		}
		f, err := load.ReadFile(p, opt)
		stop()
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		files = append(files, f)
	}
	if len(problems) > 0 {
		return nil, &problemsError{problems: problems}
	}
	return files, nil
}

// maxUnknownShown bounds the unknown check IDs the table lists per file.
const maxUnknownShown = 10

// writeEvidenceTable writes the summary of each file, with the first and
// last scan days its findings carry (days, per file; zero when none).
func writeEvidenceTable(w io.Writer, m *model.Model, files []evidence.Summary, days [][2]assess.Date) {
	for i, s := range files {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s)\n", s.Path, s.Format)
		switch first, last := days[i][0], days[i][1]; {
		case first.IsZero():
		case first == last:
			fmt.Fprintf(w, "  scanned %s\n", first)
		default:
			fmt.Fprintf(w, "  scanned %s to %s\n", first, last)
		}
		fmt.Fprintf(w, "  %d findings: %d pass, %d fail, %d manual, %d other; %d muted, %d archived\n",
			s.Findings, s.Status.Pass, s.Status.Fail, s.Status.Manual, s.Status.Other, s.Muted, s.Archived)
		fmt.Fprintf(w, "  checks: %d mapped to %s, %d unknown to it\n", len(s.ChecksMapped), m.Ref(), len(s.ChecksUnknown))
		if n := len(s.ChecksUnknown); n > 0 {
			shown := s.ChecksUnknown[:min(n, maxUnknownShown)]
			more := ""
			if n > len(shown) {
				more = fmt.Sprintf(" and %d more", n-len(shown))
			}
			fmt.Fprintf(w, "  unknown: %s%s\n", strings.Join(shown, ", "), more)
		}
		if v2 := prowler2Checks(s.ChecksUnknown); len(v2) > 0 {
			fmt.Fprintf(w, "  note: %s\n", prowler2Note(v2))
		}
		if len(s.Objectives) == 0 {
			continue
		}
		fmt.Fprintln(w)
		tw := newTable(w)
		tw.row("  OBJECTIVE\tMODE\tPASSED\tFAILED\tMUTED\tVALUE\tTITLE")
		for _, o := range s.Objectives {
			value := "-"
			if e := (assess.Evidence{Passed: o.Passed, Failed: o.Failed}); e.Evaluated() {
				value = percent(e.Value())
			}
			title, mode := "", ""
			if mo, ok := m.Objective(o.ID); ok {
				title, mode = oneLine(mo.Title), string(mo.Mode)
			}
			tw.row("  %s\t%s\t%d\t%d\t%d\t%s\t%s", o.ID, mode, o.Passed, o.Failed, o.Muted, value, title)
		}
		tw.flush()
	}
}

// evidenceFlag collects the repeatable --evidence [SCOPE=]FILE flag.
type evidenceFlag struct{ specs *[]string }

func (f evidenceFlag) String() string {
	if f.specs == nil {
		return ""
	}
	return strings.Join(*f.specs, " ")
}

func (f evidenceFlag) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("expected [SCOPE=]FILE")
	}
	*f.specs = append(*f.specs, s)
	return nil
}

// addEvidenceFlag adds --evidence to a flag set.
func addEvidenceFlag(fs *flag.FlagSet, specs *[]string) {
	fs.Var(evidenceFlag{specs}, "evidence", "score automated objectives from the scanner file `[SCOPE=]FILE`\n(repeatable; without SCOPE= the file counts in every scope;\nsee csmm evidence --help for the formats)")
}

// evidenceOptions are the scanner files of --evidence and the evidence
// validity of --evidence-validity-days (0: the answers file's, else 90).
type evidenceOptions struct {
	specs        []string
	validityDays int
}

// addFlags adds --evidence and --evidence-validity-days to a flag set.
func (o *evidenceOptions) addFlags(fs *flag.FlagSet) {
	addEvidenceFlag(fs, &o.specs)
	fs.IntVar(&o.validityDays, "evidence-validity-days", 0, "evidence older than `DAYS` before the as-of date gives no value\n(default: the answers file's evidence_validity_days, else 90)")
}

// scoreAnswers reads an answers file against the model of --model, adds the
// scanner evidence of --evidence and scores it as of a date: what score,
// report and check share. It warns on stderr about what the score leaves
// out (answers dated after the as-of date, stale evidence).
func scoreAnswers(env *Env, modelPath, path string, asOf assess.Date, ev evidenceOptions) (*model.Model, *assess.File, assess.Result, error) {
	m, f, err := loadAnswers(modelPath, path)
	if err != nil {
		return nil, nil, assess.Result{}, err
	}
	in := f.Input(m, asOf)
	if err := applyEvidence(env.Stderr, &in, m, f, ev); err != nil {
		return nil, nil, assess.Result{}, err
	}
	res := assess.Score(in)
	warnScoring(env, f, res)
	return m, f, res, nil
}

// warnScoring writes a warning per answer dated after the as-of date (it
// counts as unanswered), per objective and scope with stale or later
// evidence (it gives no value), and a count of contradicted objectives.
func warnScoring(env *Env, f *assess.File, res assess.Result) {
	for _, p := range f.AnswersAfter(res.AsOf) {
		fmt.Fprintf(env.Stderr, "csmm: warning: %s\n", p)
	}
	contradicted := 0
	for _, o := range res.Objectives {
		for _, c := range o.StaleEvidence {
			fmt.Fprintf(env.Stderr, "csmm: warning: %s in scope %s: stale evidence from %s (scanned %s) gives no value\n", o.ID, c.Scope, c.Check, c.Scanned)
		}
		for _, c := range o.LaterEvidence {
			fmt.Fprintf(env.Stderr, "csmm: warning: %s in scope %s: evidence from %s scanned %s, after the as-of date %s, gives no value\n", o.ID, c.Scope, c.Check, c.Scanned, res.AsOf)
		}
		if len(o.Contradicted) > 0 {
			contradicted++
		}
	}
	if contradicted > 0 {
		fmt.Fprintf(env.Stderr, "csmm: warning: %d objectives answered most or yes have failing checks (contradicted); the report lists them\n", contradicted)
	}
}

// applyEvidence reads the scanner files of --evidence and sets the evidence
// of the scoring input: per objective and scope, the findings of the mapped
// checks that passed and failed, added up over the files. It warns on stderr
// about files whose Prowler 2 check names give no evidence.
func applyEvidence(stderr io.Writer, in *assess.Input, m *model.Model, f *assess.File, ev evidenceOptions) error {
	if ev.validityDays > 0 {
		in.EvidenceValidityDays = ev.validityDays
	}
	specs := ev.specs
	if len(specs) == 0 {
		return nil
	}
	var scopes []string
	for _, s := range f.Scopes {
		scopes = append(scopes, s.ID)
	}
	if len(scopes) == 0 {
		scopes = []string{assess.DefaultScope}
	}
	var scoped []evidence.Scoped
	var paths []string
	for _, spec := range specs {
		scope, path := splitEvidenceSpec(spec, scopes)
		if scope != "" && !slices.Contains(scopes, scope) {
			return fmt.Errorf("--evidence %s: unknown scope %q; the answers file's scopes are %s", spec, scope, strings.Join(scopes, ", "))
		}
		scoped = append(scoped, evidence.Scoped{Scope: scope})
		paths = append(paths, path)
	}
	files, err := readEvidenceFiles(nil, paths, true)
	if err != nil {
		return err
	}
	var all []evidence.Scoped
	for i := range scoped {
		for _, f := range files[i] {
			all = append(all, evidence.Scoped{Scope: scoped[i].Scope, File: f})
			var checks []string
			for _, o := range f.Outcomes {
				checks = append(checks, o.CheckID)
			}
			if v2 := prowler2Checks(checks); len(v2) > 0 {
				fmt.Fprintf(stderr, "csmm: warning: %s: %s\n", f.Path, prowler2Note(v2))
			}
		}
	}
	found, err := evidence.NewIndex(m).Evidence(all, scopes)
	if err != nil {
		return err
	}
	if in.Evidence == nil {
		in.Evidence = map[assess.Key]assess.Evidence{}
	}
	for k, e := range found {
		in.Evidence[k] = in.Evidence[k].Plus(e)
	}
	return nil
}

// splitEvidenceSpec splits SCOPE=FILE. Text before the first '=' is a
// scope unless it holds a path separator, or it names no scope while the
// whole spec names an existing file.
func splitEvidenceSpec(spec string, scopes []string) (scope, path string) {
	before, after, ok := strings.Cut(spec, "=")
	if !ok || before == "" || strings.ContainsAny(before, `/\`) {
		return "", spec
	}
	if !slices.Contains(scopes, before) {
		if _, err := os.Stat(spec); err == nil {
			return "", spec
		}
	}
	return before, after
}

// prowler2Checks returns the Prowler 2 check names among check IDs
// (prowler:aws:check11), sorted and without repeats.
func prowler2Checks(ids []string) []string {
	var out []string
	for _, id := range ids {
		if prowler.IsV2Check(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// prowler2Note says why Prowler 2 check names give no evidence.
func prowler2Note(v2 []string) string {
	shown := v2[:min(len(v2), 5)]
	more := ""
	if len(v2) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(v2)-len(shown))
	}
	return fmt.Sprintf("%s%s: Prowler 2 check names, which csmm cannot translate to current check IDs (Prowler's check metadata lists no Prowler 2 name as an alias); their findings give no evidence: scan again with Prowler 3 or later",
		strings.Join(shown, ", "), more)
}
