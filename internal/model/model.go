// Package model holds the maturity model: its domains, categories, levels and
// control objectives, loaded from YAML data and validated against a JSON Schema.
// No name of a domain, category, level or objective appears in Go code: the
// built-in CSMM model is embedded data that a custom model can replace.
package model

import (
	"fmt"
	"strconv"

	"github.com/csmm/csmm/internal/lazyregexp"
)

// Mode says where an objective's value may come from.
type Mode string

// The modes an objective may have.
const (
	// ModeManual objectives are answered by a person only.
	ModeManual Mode = "manual"
	// ModeAutomated objectives are answered from scanner evidence, with a
	// manual answer only where there is no evidence.
	ModeAutomated Mode = "automated"
	// ModeEither objectives use a valid manual answer where one exists, else evidence.
	ModeEither Mode = "either"
)

// Model is a maturity model: the levels, the domains, their categories and the
// control objectives of each category, each list in model order.
type Model struct {
	ID          string      `json:"id" yaml:"id"`
	Version     string      `json:"version" yaml:"version"`
	Name        string      `json:"name" yaml:"name"`
	Description string      `json:"description,omitempty" yaml:"description,omitempty"`
	Levels      []Level     `json:"levels" yaml:"levels"`
	Domains     []Domain    `json:"domains" yaml:"domains"`
	Categories  []Category  `json:"categories" yaml:"categories"`
	Objectives  []Objective `json:"objectives" yaml:"objectives"`

	objectiveIndex map[string]int
	categoryIndex  map[string]int
	domainIndex    map[string]int
}

// Level is one of the five maturity levels.
type Level struct {
	Level       int    `json:"level" yaml:"level"`
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

// Domain groups categories; its score is the weighted mean of theirs.
type Domain struct {
	ID          string  `json:"id" yaml:"id"`
	Name        string  `json:"name" yaml:"name"`
	Description string  `json:"description,omitempty" yaml:"description,omitempty"`
	Weight      float64 `json:"weight" yaml:"weight"`
}

// Category is scored to a level from its objectives.
type Category struct {
	ID          string  `json:"id" yaml:"id"`
	Domain      string  `json:"domain" yaml:"domain"`
	Name        string  `json:"name" yaml:"name"`
	Description string  `json:"description,omitempty" yaml:"description,omitempty"`
	Weight      float64 `json:"weight" yaml:"weight"`
	// Levels describe, in the category's own terms, what it looks like at
	// levels 2 to 5 (its ladder). Optional; at most one entry per level.
	Levels []CategoryLevel `json:"levels,omitempty" yaml:"levels,omitempty"`
}

// CategoryLevel is one rung of a category's ladder.
type CategoryLevel struct {
	Level       int    `json:"level" yaml:"level"`
	Description string `json:"description" yaml:"description"`
}

// Rung returns the category's own description of a level, or "" when the
// model has none.
func (c *Category) Rung(level int) string {
	for _, l := range c.Levels {
		if l.Level == level {
			return l.Description
		}
	}
	return ""
}

// Scale says which manual answers an objective accepts.
type Scale string

// The scales of an objective.
const (
	// ScaleCoverage objectives take the five-point coverage scale or a
	// measured figure (measured of a total, or a percentage).
	ScaleCoverage Scale = "coverage"
	// ScaleBinary objectives state a yes/no fact: only no, yes and na.
	ScaleBinary Scale = "binary"
)

// Size is a T-shirt size of the work an objective needs.
type Size string

// The sizes of an effort estimate.
const (
	SizeS  Size = "S"
	SizeM  Size = "M"
	SizeL  Size = "L"
	SizeXL Size = "XL"
)

// Spend is the kind of money an objective needs beyond people's time.
type Spend string

// The kinds of spend of an effort estimate.
const (
	SpendNone    Spend = "none"
	SpendLicense Spend = "license"
	SpendService Spend = "service"
)

// Effort estimates the work to meet an objective: a size, a range of
// person-weeks [min, max] and the kind of spend.
type Effort struct {
	Size        Size   `json:"size" yaml:"size"`
	PersonWeeks [2]int `json:"person_weeks" yaml:"person_weeks"`
	Spend       Spend  `json:"spend" yaml:"spend"`
}

// References map an objective to framework controls: CSA Cloud Controls
// Matrix v4, NIST CSF 2.0 and CIS Controls v8.1 identifiers.
type References struct {
	CCM     []string `json:"ccm" yaml:"ccm"`
	NISTCSF []string `json:"nist_csf" yaml:"nist_csf"`
	CIS     []string `json:"cis" yaml:"cis"`
}

// Empty reports whether no reference is given.
func (r References) Empty() bool { return len(r.CCM)+len(r.NISTCSF)+len(r.CIS) == 0 }

// Objective is one measurable control objective at one level of a category.
type Objective struct {
	ID        string   `json:"id" yaml:"id"`
	Category  string   `json:"category" yaml:"category"`
	Level     int      `json:"level" yaml:"level"`
	Title     string   `json:"title" yaml:"title"`
	KPI       string   `json:"kpi" yaml:"kpi"`
	Question  string   `json:"question" yaml:"question"`
	Guidance  string   `json:"guidance" yaml:"guidance"`
	Threshold float64  `json:"threshold" yaml:"threshold"`
	Mode      Mode     `json:"mode" yaml:"mode"`
	Controls  Controls `json:"controls" yaml:"controls"`
	Checks    []string `json:"checks" yaml:"checks"`
	// Scale is coverage (the default) or binary (a yes/no fact).
	Scale Scale `json:"scale" yaml:"scale"`
	// SupportingChecks are related scanner checks: shown beside the answer
	// and used to flag contradictions, never giving a value.
	SupportingChecks []string `json:"supporting_checks" yaml:"supporting_checks"`
	// References map the objective to framework controls.
	References References `json:"references" yaml:"references"`
	// Effort is the estimated work to meet the objective; nil when the
	// model gives none.
	Effort *Effort `json:"effort,omitempty" yaml:"effort,omitempty"`
	// Replaces lists the objective IDs of an earlier model version whose
	// practice this objective takes over (merged, split or changed meaning).
	Replaces []string `json:"replaces,omitempty" yaml:"replaces,omitempty"`
}

// Binary reports whether the objective accepts only no, yes and na.
func (o *Objective) Binary() bool { return o.Scale == ScaleBinary }

// AllChecks returns the deciding checks followed by the supporting ones.
func (o *Objective) AllChecks() []string {
	out := make([]string, 0, len(o.Checks)+len(o.SupportingChecks))
	out = append(out, o.Checks...)
	return append(out, o.SupportingChecks...)
}

// Controls are sample technical controls per cloud provider.
type Controls struct {
	AWS   []string `json:"aws" yaml:"aws"`
	Azure []string `json:"azure" yaml:"azure"`
	GCP   []string `json:"gcp" yaml:"gcp"`
}

// MinLevel and MaxLevel bound the maturity levels. Level 1 has no objectives.
const (
	MinLevel = 1
	MaxLevel = 5
)

var objectiveIDPattern = lazyregexp.New(`^([A-Z][A-Z0-9]{0,9})-([1-9])\.([1-9][0-9]*)$`)

// ParseObjectiveID splits an objective ID of the form CAT-LEVEL.N.
func ParseObjectiveID(id string) (category string, level, n int, ok bool) {
	m := objectiveIDPattern.FindStringSubmatch(id)
	if m == nil {
		return "", 0, 0, false
	}
	level, _ = strconv.Atoi(m[2])
	n, _ = strconv.Atoi(m[3])
	return m[1], level, n, true
}

// Ref is the model's reference as written in an answers file: id@version.
func (m *Model) Ref() string { return m.ID + "@" + m.Version }

// index builds the lookup maps; called once after loading.
func (m *Model) index() {
	m.objectiveIndex = make(map[string]int, len(m.Objectives))
	for i, o := range m.Objectives {
		m.objectiveIndex[o.ID] = i
	}
	m.categoryIndex = make(map[string]int, len(m.Categories))
	for i, c := range m.Categories {
		m.categoryIndex[c.ID] = i
	}
	m.domainIndex = make(map[string]int, len(m.Domains))
	for i, d := range m.Domains {
		m.domainIndex[d.ID] = i
	}
}

// Objective returns the objective with the given ID.
func (m *Model) Objective(id string) (*Objective, bool) {
	i, ok := m.objectiveIndex[id]
	if !ok {
		return nil, false
	}
	return &m.Objectives[i], true
}

// Category returns the category with the given ID.
func (m *Model) Category(id string) (*Category, bool) {
	i, ok := m.categoryIndex[id]
	if !ok {
		return nil, false
	}
	return &m.Categories[i], true
}

// Domain returns the domain with the given ID.
func (m *Model) Domain(id string) (*Domain, bool) {
	i, ok := m.domainIndex[id]
	if !ok {
		return nil, false
	}
	return &m.Domains[i], true
}

// LevelName returns the name of a level, or "Level N" when the model has none.
func (m *Model) LevelName(level int) string {
	for _, l := range m.Levels {
		if l.Level == level {
			return l.Name
		}
	}
	return fmt.Sprintf("Level %d", level)
}

// CategoryObjectives returns the objectives of a category in model order.
func (m *Model) CategoryObjectives(category string) []*Objective {
	var out []*Objective
	for i := range m.Objectives {
		if m.Objectives[i].Category == category {
			out = append(out, &m.Objectives[i])
		}
	}
	return out
}

// DomainCategories returns the categories of a domain in model order.
func (m *Model) DomainCategories(domain string) []*Category {
	var out []*Category
	for i := range m.Categories {
		if m.Categories[i].Domain == domain {
			out = append(out, &m.Categories[i])
		}
	}
	return out
}

// CategoryOrder returns the position of a category in the model, for sorting.
func (m *Model) CategoryOrder(id string) int { return m.categoryIndex[id] }

// DomainOrder returns the position of a domain in the model, for sorting.
func (m *Model) DomainOrder(id string) int { return m.domainIndex[id] }

// ObjectiveIndex returns the index of an objective in m.Objectives.
func (m *Model) ObjectiveIndex(id string) (int, bool) {
	i, ok := m.objectiveIndex[id]
	return i, ok
}

// ObjectiveOrder returns the position of an objective in the model, for sorting.
func (m *Model) ObjectiveOrder(id string) int { return m.objectiveIndex[id] }
