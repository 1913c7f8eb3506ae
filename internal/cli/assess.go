package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// AssessCommand is the questionnaire in the terminal: it asks every
// unanswered objective, category by category and scope by scope, and saves
// the answers file after every answer so that it can be stopped and resumed.
type AssessCommand struct {
	env *Env
}

const assessUsage = `
Usage: csmm assess FILE [--category CAT] [--by NAME] [--model FILE]

Asks the questions of the answers file FILE (create one with 'csmm init'),
category by category, starting at the first unanswered objective. For each
objective it shows the question and KPI and reads an answer:

	no, some, half, most, yes   how much of the scope the objective covers
	na                          it does not apply (asks for a justification)
	skip                        leave it unanswered for now
	quit                        stop; the answers so far are saved

then an optional note. With several scopes it asks once per scope. The file
is rewritten after every answer (atomically), so an interrupted session
loses nothing. Answers are read from standard input, one per line.
`

// Run runs the command.
func (c *AssessCommand) Run(ctx context.Context, args []string) error {
	flags := newFlagSet("assess")
	var modelPath, category, by string
	flags.StringVar(&category, "category", "", "ask only the objectives of category `CAT`")
	flags.StringVar(&by, "by", "", "record `NAME` as the person answering")
	modelFlag(flags, &modelPath)
	args, err := parseFlags(c.env, flags, assessUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("assess", args, 1, "FILE"); err != nil {
		return err
	}
	m, f, err := loadAnswers(modelPath, args[0])
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w; create it first with: csmm init -o %s", err, args[0])
	}
	if err != nil {
		return err
	}
	if category != "" {
		if _, ok := m.Category(category); !ok {
			ids := make([]string, len(m.Categories))
			for i, c := range m.Categories {
				ids[i] = c.ID
			}
			return usageErrorf("assess", "assess: unknown category %q; expected one of %s", category, strings.Join(ids, ", "))
		}
	}
	s := &session{
		ctx: ctx, env: c.env, m: m, f: f, path: args[0], by: by,
		in: bufio.NewReader(c.env.Stdin), out: c.env.Stdout, today: c.env.today(),
	}
	err = s.run(category)
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	left := s.unanswered()
	fmt.Fprintf(s.out, "\n%d answers saved to %s; %d objective-scope pairs left unanswered.\n", s.saved, s.path, left)
	if left == 0 {
		fmt.Fprintf(s.out, "Every objective is answered. Score it with: csmm score %s\n", s.path)
	}
	return nil
}

var errStop = errors.New("stopped")

type session struct {
	ctx   context.Context
	env   *Env
	m     *model.Model
	f     *assess.File
	path  string
	by    string
	in    *bufio.Reader
	out   io.Writer
	today assess.Date
	saved int
}

func (s *session) scopes() []assess.Scope {
	if len(s.f.Scopes) == 0 {
		return []assess.Scope{{ID: assess.DefaultScope, Weight: 1}}
	}
	return s.f.Scopes
}

// exempt reports whether an exemption in force today covers the objective:
// it needs no answer.
func (s *session) exempt(id string) bool {
	e, ok := s.f.Exemptions[id]
	return ok && e.ValidOn(s.today)
}

func (s *session) unanswered() int {
	n := 0
	for _, o := range s.m.Objectives {
		if s.exempt(o.ID) {
			continue
		}
		for _, sc := range s.scopes() {
			if _, ok := s.f.Answers[assess.Key{Objective: o.ID, Scope: sc.ID}]; !ok {
				n++
			}
		}
	}
	return n
}

func (s *session) run(category string) error {
	multi := len(s.scopes()) > 1
	for _, d := range s.m.Domains {
		for _, c := range s.m.DomainCategories(d.ID) {
			if category != "" && c.ID != category {
				continue
			}
			header := false
			objs := s.m.CategoryObjectives(c.ID)
			for i, o := range objs {
				if s.exempt(o.ID) {
					continue
				}
				var ask []assess.Scope
				for _, sc := range s.scopes() {
					if _, ok := s.f.Answers[assess.Key{Objective: o.ID, Scope: sc.ID}]; !ok {
						ask = append(ask, sc)
					}
				}
				if len(ask) == 0 {
					continue
				}
				if !header {
					fmt.Fprintf(s.out, "\n== %s %s (%s) ==\n", c.ID, oneLine(c.Name), oneLine(d.Name))
					header = true
				}
				fmt.Fprintf(s.out, "\n[%d/%d] %s (level %d) %s\n", i+1, len(objs), o.ID, o.Level, oneLine(o.Title))
				fmt.Fprintf(s.out, "  Question: %s\n", oneLine(o.Question))
				fmt.Fprintf(s.out, "  KPI: %s\n", oneLine(o.KPI))
				for _, sc := range ask {
					label := ""
					if multi {
						label = " for " + sc.ID
					}
					if err := s.ask(o, sc.ID, label); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// ask reads one answer for one objective in one scope and saves the file.
// A binary objective (a yes/no fact) offers no, yes and na; a coverage one
// also takes a measured figure such as 87/120 or 72.5%.
func (s *session) ask(o *model.Objective, scope, label string) error {
	choices, expected := "no/some/half/most/yes/na or 87/120 or 72.5%/skip/quit", "no, some, half, most, yes, na, a measure such as 87/120 or 72.5%, skip or quit"
	if o.Binary() {
		choices, expected = "no/yes/na/skip/quit", "no, yes, na, skip or quit (a yes/no fact)"
	}
	for {
		line, err := s.prompt(fmt.Sprintf("  Answer%s [%s]: ", label, choices))
		if err != nil {
			return err
		}
		word := strings.ToLower(line)
		switch word {
		case "":
			continue
		case "quit", "q":
			return errStop
		case "skip", "s":
			return nil
		}
		r := assess.Response{By: s.by, Date: s.today}
		a := assess.Answer(word)
		measure, isMeasure, merr := assess.ParseMeasure(word)
		switch {
		case isMeasure && !o.Binary() && merr == nil:
			r.Measure = &measure
		case isMeasure && merr != nil && !o.Binary():
			fmt.Fprintf(s.out, "  %s\n", merr)
			continue
		case !a.Valid() || isMeasure || (o.Binary() && a != assess.No && a != assess.Yes && a != assess.NA):
			fmt.Fprintf(s.out, "  %q is not an answer; expected %s\n", line, expected)
			continue
		default:
			r.Answer = a
		}
		if a == assess.NA {
			for r.Justification == "" {
				if r.Justification, err = s.prompt("  Why does it not apply? (required): "); err != nil {
					return err
				}
			}
		}
		if r.Note, err = s.prompt("  Note (optional, Enter to skip): "); err != nil {
			return err
		}
		s.f.Answers[assess.Key{Objective: o.ID, Scope: scope}] = r
		if err := writeFileAtomic(s.path, s.f.Encode(), 0o644); err != nil {
			return err
		}
		s.saved++
		return nil
	}
}

// prompt prints a prompt and reads one line; end of input stops the session.
func (s *session) prompt(p string) (string, error) {
	if err := s.ctx.Err(); err != nil {
		return "", errStop
	}
	fmt.Fprint(s.out, p)
	line, err := s.in.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		fmt.Fprintln(s.out)
		if errors.Is(err, io.EOF) {
			return "", errStop
		}
		return "", fmt.Errorf("read answer: %w", err)
	}
	return strings.TrimSpace(line), nil
}
