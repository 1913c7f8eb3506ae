// Package model holds the maturity model: its domains, categories, levels and
// control objectives, loaded from YAML data and validated against a JSON Schema.
// No name of a domain, category, level or objective appears in Go code: the
// built-in CSMM model is embedded data that a custom model can replace.
package model

import (
	"fmt"
	"regexp"
	"strconv"
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
}

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

var objectiveIDPattern = regexp.MustCompile(`^([A-Z][A-Z0-9]{0,9})-([1-9])\.([1-9][0-9]*)$`)

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

// ObjectiveOrder returns the position of an objective in the model, for sorting.
func (m *Model) ObjectiveOrder(id string) int { return m.objectiveIndex[id] }
