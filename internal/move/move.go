// Package move moves an assessment from one model version to another
// (csmm@2.0.0 to csmm@2.1.0): the answers of objective IDs the new model
// keeps are carried over, the answers of removed IDs are dropped, and the
// objectives that need a new answer are listed with the reason. Plan is a
// pure function; the store and the command line apply its result.
package move

import (
	"slices"
	"sort"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// Reason says why an objective needs a new answer in the new model.
type Reason string

// The reasons an objective needs a new answer.
const (
	// ReasonAdded: the objective is new in the target model.
	ReasonAdded Reason = "added"
	// ReasonReplaces: the objective takes over objectives of the old model
	// (its replaces list); their answers are shown, not carried over.
	ReasonReplaces Reason = "replaces"
	// ReasonScale: the objective's scale changed and the old answer is not
	// valid on it (half on a now-binary objective, a measured figure on a
	// yes/no fact).
	ReasonScale Reason = "scale"
)

// Answer is one answer of the old assessment: objective, scope and the
// answer as a person reads it.
type Answer struct {
	Objective string `json:"objective"`
	Scope     string `json:"scope"`
	Answer    string `json:"answer"`
}

// Need is an objective of the new model that needs a new answer. Previous
// lists the old answers that bear on it (its own answers refused by the new
// scale, or the answers of the objectives it replaces), for reference.
type Need struct {
	Objective string   `json:"objective"`
	Title     string   `json:"title"`
	Reason    Reason   `json:"reason"`
	Replaces  []string `json:"replaces,omitempty"`
	Previous  []Answer `json:"previous,omitempty"`
}

// Plan is what moving an assessment from one model to another does.
type Plan struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Kept are the answers carried over (their objective ID is in both
	// models and the answer is valid on the new scale).
	Kept []Answer `json:"kept"`
	// Dropped are the answers of objective IDs the new model does not have.
	Dropped []Answer `json:"dropped"`
	// Refused are answers of kept IDs that the new scale does not accept;
	// they are dropped too and their objective is listed in NeedsAnswer.
	Refused []Answer `json:"refused"`
	// NeedsAnswer lists, in the new model's order, the objectives to answer.
	NeedsAnswer []Need `json:"needs_answer"`
	// ExemptionsDropped and TargetsDropped name the exemptions (objective
	// IDs) and targets (categories) that the new model has no place for.
	ExemptionsDropped []string `json:"exemptions_dropped"`
	TargetsDropped    []string `json:"targets_dropped"`

	// Answers are the answers of the moved assessment.
	Answers map[assess.Key]assess.Response `json:"-"`
	// Exemptions and Targets are those of the moved assessment.
	Exemptions map[string]assess.Exemption `json:"-"`
	Targets    map[string]int              `json:"-"`
}

// Input is the assessment to move.
type Input struct {
	From, To   *model.Model
	Answers    map[assess.Key]assess.Response
	Exemptions map[string]assess.Exemption
	Targets    map[string]int
}

// Accepts reports whether an objective accepts a response: a binary
// objective takes only no, yes and na.
func Accepts(o *model.Objective, r assess.Response) bool {
	if !o.Binary() {
		return true
	}
	switch r.Answer {
	case assess.No, assess.Yes, assess.NA:
		return !isMeasured(r)
	}
	return false
}

// Make computes the move of in from in.From to in.To.
func Make(in Input) *Plan {
	p := &Plan{From: in.From.Ref(), To: in.To.Ref(), Kept: []Answer{}, Dropped: []Answer{}, Refused: []Answer{},
		NeedsAnswer: []Need{}, ExemptionsDropped: []string{}, TargetsDropped: []string{},
		Answers: map[assess.Key]assess.Response{}, Exemptions: map[string]assess.Exemption{}, Targets: map[string]int{}}
	keys := sortedKeys(in.Answers)
	refused := map[string][]Answer{}
	byObjective := map[string][]Answer{}
	for _, k := range keys {
		r := in.Answers[k]
		a := Answer{Objective: k.Objective, Scope: k.Scope, Answer: label(r)}
		byObjective[k.Objective] = append(byObjective[k.Objective], a)
		o, ok := in.To.Objective(k.Objective)
		switch {
		case !ok:
			p.Dropped = append(p.Dropped, a)
		case !Accepts(o, r):
			p.Refused = append(p.Refused, a)
			refused[k.Objective] = append(refused[k.Objective], a)
		default:
			p.Kept = append(p.Kept, a)
			p.Answers[k] = r
		}
	}
	for i := range in.To.Objectives {
		o := &in.To.Objectives[i]
		_, existed := in.From.Objective(o.ID)
		var n *Need
		switch {
		case len(refused[o.ID]) > 0:
			n = &Need{Reason: ReasonScale, Previous: refused[o.ID]}
		case len(o.Replaces) > 0 && !onlyItself(o):
			n = &Need{Reason: ReasonReplaces}
		case !existed:
			n = &Need{Reason: ReasonAdded}
		default:
			continue
		}
		n.Objective, n.Title = o.ID, o.Title
		if len(o.Replaces) > 0 {
			n.Replaces = slices.Clone(o.Replaces)
			if n.Reason != ReasonScale {
				for _, id := range o.Replaces {
					n.Previous = append(n.Previous, byObjective[id]...)
				}
			}
		}
		p.NeedsAnswer = append(p.NeedsAnswer, *n)
	}
	for _, id := range sortedMapKeys(in.Exemptions) {
		if _, ok := in.To.Objective(id); ok {
			p.Exemptions[id] = in.Exemptions[id]
		} else {
			p.ExemptionsDropped = append(p.ExemptionsDropped, id)
		}
	}
	for _, c := range sortedMapKeys(in.Targets) {
		if _, ok := in.To.Category(c); ok {
			p.Targets[c] = in.Targets[c]
		} else {
			p.TargetsDropped = append(p.TargetsDropped, c)
		}
	}
	return p
}

// onlyItself reports whether an objective's replaces list names only its
// own ID (a kept objective, nothing taken over).
func onlyItself(o *model.Objective) bool {
	for _, id := range o.Replaces {
		if id != o.ID {
			return false
		}
	}
	return true
}

func sortedKeys(m map[assess.Key]assess.Response) []assess.Key {
	keys := make([]assess.Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Objective != keys[j].Objective {
			return keys[i].Objective < keys[j].Objective
		}
		return keys[i].Scope < keys[j].Scope
	})
	return keys
}

func sortedMapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// File returns the answers file f moved to the model to: the same
// organization, date, scopes and validity, with the plan's answers,
// exemptions and targets.
func (p *Plan) File(f *assess.File, to *model.Model) *assess.File {
	out := assess.NewFile(to)
	out.Name = f.Name
	out.Organization = f.Organization
	out.Assessment = f.Assessment
	out.Date = f.Date
	out.ValidityDays = f.ValidityDays
	out.Scopes = slices.Clone(f.Scopes)
	out.TargetDefault = f.TargetDefault
	for k, r := range p.Answers {
		out.Answers[k] = r
	}
	for id, e := range p.Exemptions {
		out.Exemptions[id] = e
	}
	for c, l := range p.Targets {
		out.Targets[c] = l
	}
	if f.TargetDefault > 0 {
		for _, c := range to.Categories {
			if _, ok := out.Targets[c.ID]; !ok {
				out.Targets[c.ID] = f.TargetDefault
			}
		}
	}
	return out
}
