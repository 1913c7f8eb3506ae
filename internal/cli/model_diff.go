package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/model"
)

// ModelDiffCommand lists what changed between two models: objectives
// added, removed, reworded, rescaled, remoded, rethresholded or re-checked,
// and the replaces links of the new model.
type ModelDiffCommand struct {
	env *Env
}

const modelDiffUsage = `
Usage: csmm model diff OLD NEW [--format text|json]

Compares two models, each a model file or a built-in version such as
csmm@2.0.0, and lists the objectives added (with the old objectives each
replaces), removed (with the new objectives that replace them), reworded
(title, KPI or question changed), and changed in scale, mode, threshold,
deciding checks or supporting checks.
`

// modelDiff is the result of csmm model diff, also its JSON.
type modelDiff struct {
	Old        modelRef              `json:"old"`
	New        modelRef              `json:"new"`
	Categories categoryDiff          `json:"categories"`
	Added      []addedObjective      `json:"added"`
	Removed    []removedObjective    `json:"removed"`
	Changed    []changedObjective    `json:"changed"`
	Replaces   []replacesLink        `json:"replaces"`
	Unresolved []unresolvedReplacing `json:"unresolved_replaces"`
}

type modelRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

type categoryDiff struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

type addedObjective struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Replaces []string `json:"replaces"`
}

type removedObjective struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// ReplacedBy are the new objectives that list this one in replaces.
	ReplacedBy []string `json:"replaced_by"`
}

// fieldChange is one field of an objective that changed.
type fieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

type changedObjective struct {
	ID string `json:"id"`
	// Reworded lists which of title, kpi and question changed.
	Reworded []string      `json:"reworded"`
	Changes  []fieldChange `json:"changes"`
	// ChecksAdded and the others list deciding and supporting check changes;
	// Replaces is the new replaces list when it differs from the old one.
	ChecksAdded             []string `json:"checks_added"`
	ChecksRemoved           []string `json:"checks_removed"`
	SupportingChecksAdded   []string `json:"supporting_checks_added"`
	SupportingChecksRemoved []string `json:"supporting_checks_removed"`
	Replaces                []string `json:"replaces"`
}

// replacesLink is one objective of the new model and the old ones it takes over.
type replacesLink struct {
	ID       string   `json:"id"`
	Replaces []string `json:"replaces"`
}

// unresolvedReplacing is a replaces entry naming no objective of the old model.
type unresolvedReplacing struct {
	ID      string `json:"id"`
	Missing string `json:"missing"`
}

// Run runs the command.
func (c *ModelDiffCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("model diff")
	var format string
	formatFlag(fs, &format, "text", "text", "json")
	args, err := parseFlags(c.env, fs, modelDiffUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("model diff", args, 2, "OLD NEW"); err != nil {
		return err
	}
	oldM, err := loadModel(args[0])
	if err != nil {
		return err
	}
	newM, err := loadModel(args[1])
	if err != nil {
		return err
	}
	d := diffModels(oldM, newM)
	var b bytes.Buffer
	if format == "json" {
		if err := writeJSON(&b, d); err != nil {
			return err
		}
	} else {
		writeModelDiff(&b, d)
	}
	_, err = c.env.Stdout.Write(b.Bytes())
	return err
}

// diffModels compares two models objective by objective, in the new model's
// order (removed ones in the old model's order).
func diffModels(oldM, newM *model.Model) modelDiff {
	d := modelDiff{
		Old: modelRef{oldM.ID, oldM.Version}, New: modelRef{newM.ID, newM.Version},
		Categories: categoryDiff{Added: []string{}, Removed: []string{}},
		Added:      []addedObjective{}, Removed: []removedObjective{}, Changed: []changedObjective{},
		Replaces: []replacesLink{}, Unresolved: []unresolvedReplacing{},
	}
	for _, c := range newM.Categories {
		if _, ok := oldM.Category(c.ID); !ok {
			d.Categories.Added = append(d.Categories.Added, c.ID)
		}
	}
	for _, c := range oldM.Categories {
		if _, ok := newM.Category(c.ID); !ok {
			d.Categories.Removed = append(d.Categories.Removed, c.ID)
		}
	}
	replacedBy := map[string][]string{}
	for i := range newM.Objectives {
		n := &newM.Objectives[i]
		if len(n.Replaces) > 0 {
			d.Replaces = append(d.Replaces, replacesLink{ID: n.ID, Replaces: n.Replaces})
			for _, r := range n.Replaces {
				replacedBy[r] = append(replacedBy[r], n.ID)
				if _, ok := oldM.Objective(r); !ok {
					d.Unresolved = append(d.Unresolved, unresolvedReplacing{ID: n.ID, Missing: r})
				}
			}
		}
		o, ok := oldM.Objective(n.ID)
		if !ok {
			d.Added = append(d.Added, addedObjective{ID: n.ID, Title: oneLine(n.Title), Replaces: orEmpty(n.Replaces)})
			continue
		}
		if ch, changed := compareObjective(o, n); changed {
			d.Changed = append(d.Changed, ch)
		}
	}
	for i := range oldM.Objectives {
		o := &oldM.Objectives[i]
		if _, ok := newM.Objective(o.ID); !ok {
			d.Removed = append(d.Removed, removedObjective{ID: o.ID, Title: oneLine(o.Title), ReplacedBy: orEmpty(replacedBy[o.ID])})
		}
	}
	return d
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// compareObjective compares the two versions of an objective with the same ID.
func compareObjective(o, n *model.Objective) (changedObjective, bool) {
	ch := changedObjective{ID: n.ID, Reworded: []string{}, Changes: []fieldChange{}, Replaces: []string{}}
	if !slices.Equal(o.Replaces, n.Replaces) {
		ch.Replaces = orEmpty(n.Replaces)
	}
	for _, f := range []struct{ name, old, new string }{
		{"title", o.Title, n.Title}, {"kpi", o.KPI, n.KPI}, {"question", o.Question, n.Question},
	} {
		if oneLine(f.old) != oneLine(f.new) {
			ch.Reworded = append(ch.Reworded, f.name)
		}
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	for _, f := range []fieldChange{
		{"level", strconv.Itoa(o.Level), strconv.Itoa(n.Level)},
		{"scale", string(o.Scale), string(n.Scale)},
		{"mode", string(o.Mode), string(n.Mode)},
		{"threshold", num(o.Threshold), num(n.Threshold)},
	} {
		if f.Old != f.New {
			ch.Changes = append(ch.Changes, f)
		}
	}
	ch.ChecksAdded, ch.ChecksRemoved = listDiff(o.Checks, n.Checks)
	ch.SupportingChecksAdded, ch.SupportingChecksRemoved = listDiff(o.SupportingChecks, n.SupportingChecks)
	changed := len(ch.Reworded)+len(ch.Changes)+len(ch.ChecksAdded)+len(ch.ChecksRemoved)+
		len(ch.SupportingChecksAdded)+len(ch.SupportingChecksRemoved)+len(ch.Replaces) > 0
	return ch, changed
}

// listDiff returns the items of n not in o and of o not in n, each in its
// list's order.
func listDiff(o, n []string) (added, removed []string) {
	added, removed = []string{}, []string{}
	for _, x := range n {
		if !slices.Contains(o, x) {
			added = append(added, x)
		}
	}
	for _, x := range o {
		if !slices.Contains(n, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}

func writeModelDiff(w io.Writer, d modelDiff) {
	fmt.Fprintf(w, "Model %s@%s -> %s@%s: %d added, %d removed, %d changed objectives\n",
		d.Old.ID, d.Old.Version, d.New.ID, d.New.Version, len(d.Added), len(d.Removed), len(d.Changed))
	if len(d.Categories.Added)+len(d.Categories.Removed) > 0 {
		fmt.Fprintf(w, "\nCategories: added %s; removed %s\n", listOrNone(d.Categories.Added), listOrNone(d.Categories.Removed))
	}
	if len(d.Added) > 0 {
		fmt.Fprintln(w, "\nAdded:")
		for _, a := range d.Added {
			fmt.Fprintf(w, "  + %s %s", a.ID, a.Title)
			if len(a.Replaces) > 0 {
				fmt.Fprintf(w, " (replaces %s)", strings.Join(a.Replaces, ", "))
			}
			fmt.Fprintln(w)
		}
	}
	if len(d.Removed) > 0 {
		fmt.Fprintln(w, "\nRemoved:")
		for _, r := range d.Removed {
			fmt.Fprintf(w, "  - %s %s", r.ID, r.Title)
			if len(r.ReplacedBy) > 0 {
				fmt.Fprintf(w, " (replaced by %s)", strings.Join(r.ReplacedBy, ", "))
			}
			fmt.Fprintln(w)
		}
	}
	if len(d.Changed) > 0 {
		fmt.Fprintln(w, "\nChanged:")
		for _, c := range d.Changed {
			var parts []string
			if len(c.Reworded) > 0 {
				parts = append(parts, "reworded ("+strings.Join(c.Reworded, ", ")+")")
			}
			for _, f := range c.Changes {
				parts = append(parts, fmt.Sprintf("%s %s -> %s", f.Field, f.Old, f.New))
			}
			for _, l := range []struct {
				label string
				ids   []string
			}{
				{"checks +", c.ChecksAdded}, {"checks -", c.ChecksRemoved},
				{"supporting checks +", c.SupportingChecksAdded}, {"supporting checks -", c.SupportingChecksRemoved},
				{"replaces ", c.Replaces},
			} {
				if len(l.ids) > 0 {
					parts = append(parts, l.label+strings.Join(l.ids, ", "))
				}
			}
			fmt.Fprintf(w, "  ~ %s: %s\n", c.ID, strings.Join(parts, "; "))
		}
	}
	for _, u := range d.Unresolved {
		fmt.Fprintf(w, "\nwarning: %s replaces %s, which the old model does not have\n", u.ID, u.Missing)
	}
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}
