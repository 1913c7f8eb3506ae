package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/model"
)

// DiffCommand compares two answers files: the program score, each category's
// level and score, and the objectives whose answer or value changed.
type DiffCommand struct {
	env *Env
}

const diffUsage = `
Usage: csmm diff OLD NEW [--format table|json|md|csv] [--as-of DATE] [--evidence [SCOPE=]FILE]... [--model FILE]

Scores both answers files as of the same date and prints the program score
and every category's level and score before and after, then each objective
whose answer or value changed in any scope, with the old and new answer and
value per scope. Objectives that did not change are not listed. With
--evidence, both files are scored with the same scanner evidence.

OLD and NEW may also be snapshot export files (getSnapshot?format=json):
then each keeps its own frozen input, model and scores, and the comparison
lists score and level moves, the objectives whose value, status, source or
answer changed with who and when, new and expired evidence and exemptions,
and, across model versions, the objectives added, removed or changed in
meaning (table and md print Markdown; json and csv the comparison).
`

// diffResult is the JSON of a diff; the table is rendered from the same data.
type diffResult struct {
	Program    diffProgram     `json:"program"`
	Categories []diffCategory  `json:"categories"`
	Objectives []diffObjective `json:"objectives"`
}

type diffProgram struct {
	Old      float64 `json:"old"`
	New      float64 `json:"new"`
	Delta    float64 `json:"delta"`
	OldFloor int     `json:"old_floor"`
	NewFloor int     `json:"new_floor"`
}

type diffCategory struct {
	ID       string  `json:"id"`
	OldLevel int     `json:"old_level"`
	NewLevel int     `json:"new_level"`
	OldScore float64 `json:"old_score"`
	NewScore float64 `json:"new_score"`
	Delta    float64 `json:"delta"`
}

type diffObjective struct {
	ID        string         `json:"id"`
	Scope     string         `json:"scope"`
	OldAnswer *assess.Answer `json:"old_answer"`
	NewAnswer *assess.Answer `json:"new_answer"`
	OldValue  *float64       `json:"old_value"`
	NewValue  *float64       `json:"new_value"`

	// inOld and inNew say whether the scope exists in each file.
	inOld, inNew bool
}

// Run runs the command.
func (c *DiffCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("diff")
	var format, modelPath string
	asOf := c.env.today()
	formatFlag(fs, &format, "table", "table", "json", "md", "csv")
	asOfFlag(fs, &asOf)
	var evidenceSpecs evidenceOptions
	evidenceSpecs.addFlags(fs)
	modelFlag(fs, &modelPath)
	args, err := parseFlags(c.env, fs, diffUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("diff", args, 2, "OLD NEW"); err != nil {
		return err
	}
	if snaps, err := readSnapshots(args); err != nil || snaps != nil {
		if err != nil {
			return err
		}
		return c.diffSnapshots(snaps, format)
	}
	if format == "md" || format == "csv" {
		return fmt.Errorf("--format %s compares snapshot export files; answers files print table or json", format)
	}
	m, oldFile, err := loadAnswers(modelPath, args[0])
	if err != nil {
		return err
	}
	newFile, err := assess.ReadFile(args[1], m)
	if err != nil {
		return err
	}
	oldIn, newIn := oldFile.Input(m, asOf), newFile.Input(m, asOf)
	if err := applyEvidence(c.env.Stderr, &oldIn, m, oldFile, evidenceSpecs); err != nil {
		return err
	}
	if err := applyEvidence(io.Discard, &newIn, m, newFile, evidenceSpecs); err != nil { // warned once, above
		return err
	}
	warnScoring(c.env, oldFile, assess.Score(oldIn))
	warnScoring(c.env, newFile, assess.Score(newIn))
	d := diffFiles(m, oldFile, newFile, oldIn, newIn)
	var out bytes.Buffer
	if format == "json" {
		if err := writeJSON(&out, d); err != nil {
			return err
		}
	} else {
		writeDiffTable(&out, m, d, args[0], args[1])
	}
	_, err = c.env.Stdout.Write(out.Bytes())
	return err
}

// diffFiles scores both files' inputs and compares them.
func diffFiles(m *model.Model, oldFile, newFile *assess.File, oldIn, newIn assess.Input) diffResult {
	oldRes := assess.Score(oldIn)
	newRes := assess.Score(newIn)
	d := diffResult{
		Program: diffProgram{
			Old: oldRes.Program.Score, New: newRes.Program.Score, Delta: newRes.Program.Score - oldRes.Program.Score,
			OldFloor: oldRes.Program.Floor, NewFloor: newRes.Program.Floor,
		},
		Categories: make([]diffCategory, len(m.Categories)),
		Objectives: []diffObjective{},
	}
	for i := range m.Categories {
		o, n := oldRes.Categories[i], newRes.Categories[i]
		d.Categories[i] = diffCategory{ID: o.ID, OldLevel: o.Level, NewLevel: n.Level, OldScore: o.Score, NewScore: n.Score, Delta: n.Score - o.Score}
	}
	// Every scope of either file, the old file's first.
	var scopes []string
	seen := map[string]bool{}
	for _, rs := range [][]assess.ScopeResult{oldRes.Scopes, newRes.Scopes} {
		for _, s := range rs {
			if !seen[s.ID] {
				seen[s.ID] = true
				scopes = append(scopes, s.ID)
			}
		}
	}
	oldScope, newScope := scopeIndex(&oldRes), scopeIndex(&newRes)
	for i, obj := range m.Objectives {
		for _, sc := range scopes {
			do := diffObjective{ID: obj.ID, Scope: sc}
			if si, ok := oldScope[sc]; ok {
				do.inOld = true
				do.OldAnswer = answerOf(oldFile, obj.ID, sc)
				do.OldValue = oldRes.Scopes[si].Objectives[i].Value
			}
			if si, ok := newScope[sc]; ok {
				do.inNew = true
				do.NewAnswer = answerOf(newFile, obj.ID, sc)
				do.NewValue = newRes.Scopes[si].Objectives[i].Value
			}
			// A scope that only one file has changes the objectives answered
			// there; its unanswered objectives did not change.
			valueChanged := do.inOld && do.inNew && !sameValue(do.OldValue, do.NewValue)
			if !sameAnswer(do.OldAnswer, do.NewAnswer) || valueChanged {
				d.Objectives = append(d.Objectives, do)
			}
		}
	}
	return d
}

func scopeIndex(res *assess.Result) map[string]int {
	idx := make(map[string]int, len(res.Scopes))
	for i, s := range res.Scopes {
		idx[s.ID] = i
	}
	return idx
}

func answerOf(f *assess.File, id, scope string) *assess.Answer {
	r, ok := f.Answers[assess.Key{Objective: id, Scope: scope}]
	if !ok {
		return nil
	}
	// The answer as written: the word, or the measure (87/120, 72.5%).
	a := assess.Answer(r.Label())
	return &a
}

func sameAnswer(a, b *assess.Answer) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func sameValue(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-12
}

func writeDiffTable(w io.Writer, m *model.Model, d diffResult, oldName, newName string) {
	fmt.Fprintf(w, "%s -> %s\n\n", oldName, newName)
	fmt.Fprintf(w, "Program score %s -> %s (%s)   floor %d -> %d\n\n",
		score(d.Program.Old), score(d.Program.New), delta(d.Program.Old, d.Program.New), d.Program.OldFloor, d.Program.NewFloor)
	tw := newTable(w)
	tw.row("CATEGORY\tNAME\tLEVEL\tSCORE\tDELTA")
	for _, c := range d.Categories {
		name := c.ID
		if mc, ok := m.Category(c.ID); ok {
			name = mc.Name
		}
		tw.row("%s\t%s\t%d -> %d\t%s -> %s\t%s", c.ID, name, c.OldLevel, c.NewLevel,
			score(c.OldScore), score(c.NewScore), delta(c.OldScore, c.NewScore))
	}
	tw.flush()
	fmt.Fprintln(w)
	if len(d.Objectives) == 0 {
		fmt.Fprintln(w, "No answer or value changed.")
		return
	}
	tw = newTable(w)
	tw.row("OBJECTIVE\tSCOPE\tOLD\tNEW")
	for _, o := range d.Objectives {
		tw.row("%s\t%s\t%s\t%s", o.ID, o.Scope, answerValue(o.inOld, o.OldAnswer, o.OldValue), answerValue(o.inNew, o.NewAnswer, o.NewValue))
	}
	tw.flush()
}

// delta is the change between two displayed (truncated) scores, signed.
func delta(oldScore, newScore float64) string {
	d := assess.Truncate(newScore) - assess.Truncate(oldScore)
	if math.Abs(d) < 0.05 {
		return "0.0"
	}
	return fmt.Sprintf("%+.1f", d)
}

// answerValue shows an answer and the value it scored, e.g. "most (0.75)";
// "-" for no answer; the value says when an answer is stale or exempt (0 or
// excluded).
func answerValue(inScope bool, a *assess.Answer, v *float64) string {
	if !inScope {
		return "(no such scope)"
	}
	s := "-"
	if a != nil {
		s = string(*a)
	}
	if v == nil {
		return s + " (excluded)"
	}
	return s + " (" + strconv.FormatFloat(*v, 'f', -1, 64) + ")"
}

// readSnapshots reads OLD and NEW as snapshot export files. It returns nil
// when neither is one, and an error when only one is or one does not read.
func readSnapshots(paths []string) ([]history.Side, error) {
	var sides []history.Side
	isSnap := make([]bool, len(paths))
	datas := make([][]byte, len(paths))
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		datas[i] = data
		isSnap[i] = bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) && bytes.Contains(data, []byte(`"`+history.FileFormat+`"`))
	}
	if !isSnap[0] && !isSnap[1] {
		return nil, nil
	}
	if isSnap[0] != isSnap[1] {
		return nil, fmt.Errorf("%s and %s: compare two answers files or two snapshot export files, not one of each", paths[0], paths[1])
	}
	for i, p := range paths {
		snap, m, err := history.ReadFile(p, datas[i])
		if err != nil {
			return nil, err
		}
		sides = append(sides, history.SideOf(snap, m))
	}
	return sides, nil
}

// diffSnapshots compares two snapshot export files.
func (c *DiffCommand) diffSnapshots(sides []history.Side, format string) error {
	cmp := history.Compare(sides[0], sides[1])
	var out bytes.Buffer
	var err error
	switch format {
	case "json":
		err = writeJSON(&out, cmp)
	case "csv":
		err = cmp.WriteCSV(&out)
	default:
		err = cmp.WriteMarkdown(&out)
	}
	if err != nil {
		return err
	}
	_, err = c.env.Stdout.Write(out.Bytes())
	return err
}
