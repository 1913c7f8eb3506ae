// Package assess holds assessments (answers, evidence, exemptions, scopes and
// targets) and scores them. Scoring is a pure function: the same input always
// gives the same result, with no I/O, clock or database.
package assess

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/model"
)

// Answer is a word of the five-point coverage scale, or na.
type Answer string

// The answer words of an answers file.
const (
	No   Answer = "no"
	Some Answer = "some"
	Half Answer = "half"
	Most Answer = "most"
	Yes  Answer = "yes"
	NA   Answer = "na"
)

// Answers lists every answer word in scale order.
var Answers = []Answer{No, Some, Half, Most, Yes, NA}

// Value returns the coverage value of an answer; applicable is false for na.
// ok is false for a word that is not an answer.
func (a Answer) Value() (v float64, applicable, ok bool) {
	switch a {
	case No:
		return 0, true, true
	case Some:
		return 0.25, true, true
	case Half:
		return 0.5, true, true
	case Most:
		return 0.75, true, true
	case Yes:
		return 1, true, true
	case NA:
		return 0, false, true
	}
	return 0, false, false
}

// Valid reports whether a is one of the answer words.
func (a Answer) Valid() bool { _, _, ok := a.Value(); return ok }

// Date is a calendar date without a time of day or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a date written as YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String formats the date as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.time().Format(time.DateOnly)
}

// DaysSince returns the number of days from e to d (negative when d is earlier).
func (d Date) DaysSince(e Date) int {
	return int(d.time().Sub(e.time()).Hours() / 24)
}

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.DaysSince(e) > 0 }

// AddDays returns the date n days after d.
func (d Date) AddDays(n int) Date { return DateOf(d.time().AddDate(0, 0, n)) }

// MarshalText writes the date as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a date written as YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Scope is a part of the estate assessed on its own (an environment, a
// deployment, a business unit), weighted in the roll-up.
type Scope struct {
	ID     string  `json:"id"`
	Name   string  `json:"name,omitempty"`
	Weight float64 `json:"weight"`
}

// DefaultScope is the scope of an assessment that declares none.
const DefaultScope = "default"

// Key names one objective in one scope.
type Key struct {
	Objective string
	Scope     string
}

// Response is a manual answer to one objective in one scope.
type Response struct {
	Answer        Answer `json:"answer"`
	Note          string `json:"note,omitempty"`
	Justification string `json:"justification,omitempty"`
	By            string `json:"by,omitempty"`
	Date          Date   `json:"date"`
}

// Evidence is what scanners found for one objective in one scope: resources
// that passed and failed the mapped checks, and muted findings left out of both.
type Evidence struct {
	Passed int    `json:"passed"`
	Failed int    `json:"failed"`
	Muted  int    `json:"muted"`
	Source string `json:"source,omitempty"`
}

// Evaluated reports whether any resource was evaluated, i.e. whether the
// evidence gives a value at all.
func (e Evidence) Evaluated() bool { return e.Passed+e.Failed > 0 }

// Plus adds the counts of o to e, as when several scanner files evidence the
// same objective in the same scope, and names each source once.
func (e Evidence) Plus(o Evidence) Evidence {
	e.Passed += o.Passed
	e.Failed += o.Failed
	e.Muted += o.Muted
	switch {
	case o.Source == "":
	case e.Source == "":
		e.Source = o.Source
	case !slices.Contains(strings.Split(e.Source, ", "), o.Source):
		e.Source += ", " + o.Source
	}
	return e
}

// Value is passed / (passed + failed).
func (e Evidence) Value() float64 { return float64(e.Passed) / float64(e.Passed+e.Failed) }

// Exemption excludes an objective in every scope through its expiry date.
type Exemption struct {
	Reason   string `json:"reason"`
	Approver string `json:"approver"`
	Until    Date   `json:"until"`
	// RequestedBy and Comment are shown in reports: who asked for the
	// exemption, and what the approver said with the decision.
	RequestedBy string `json:"requested_by,omitempty"`
	Comment     string `json:"comment,omitempty"`
}

// ValidOn reports whether the exemption is in force on the given date
// (through its expiry date, inclusive).
func (e Exemption) ValidOn(d Date) bool { return !d.After(e.Until) }

// DefaultValidityDays is how long a manual answer stays valid unless configured.
const DefaultValidityDays = 365

// Input is everything scoring needs. Targets map category IDs to a level;
// a category absent from Targets has no target.
type Input struct {
	Model        *model.Model
	Scopes       []Scope
	Answers      map[Key]Response
	Evidence     map[Key]Evidence
	Exemptions   map[string]Exemption
	Targets      map[string]int
	ValidityDays int
	AsOf         Date
}

// Status says how an objective's value was reached.
type Status string

// The statuses of an objective.
const (
	StatusAnswered   Status = "answered"
	StatusUnanswered Status = "unanswered"
	StatusStale      Status = "stale"
	StatusNA         Status = "na"
	StatusExempt     Status = "exempt"
)

// Source says where a value came from.
type Source string

// The sources of a value.
const (
	SourceManual    Source = "manual"
	SourceAutomated Source = "automated"
	SourceNone      Source = "none"
)

// ModelRef names the model a result was scored with.
type ModelRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// Result is every score of one assessment: the roll-up at the top level, each
// scope on its own under Scopes, and the roadmap computed on the roll-up.
type Result struct {
	Model      ModelRef         `json:"model"`
	AsOf       Date             `json:"as_of"`
	Program    Program          `json:"program"`
	Domains    []DomainScore    `json:"domains"`
	Categories []CategoryScore  `json:"categories"`
	Objectives []ObjectiveScore `json:"objectives"`
	Scopes     []ScopeResult    `json:"scopes"`
	Roadmap    []Phase          `json:"roadmap"`
}

// Program is the score of the whole program.
type Program struct {
	Score        float64 `json:"score"`
	Floor        int     `json:"floor"`
	Completeness float64 `json:"completeness"`
	TargetsSet   int     `json:"targets_set"`
	TargetsMet   int     `json:"targets_met"`
}

// DomainScore is the weighted mean of a domain's category scores.
type DomainScore struct {
	ID           string  `json:"id"`
	Score        float64 `json:"score"`
	Completeness float64 `json:"completeness"`
}

// CategoryScore is a category's level and score, with what explains them.
type CategoryScore struct {
	ID           string   `json:"id"`
	Domain       string   `json:"domain"`
	Level        int      `json:"level"`
	Score        float64  `json:"score"`
	Target       *int     `json:"target"`
	Gap          *float64 `json:"gap"`
	TargetMet    *bool    `json:"target_met"`
	Completeness float64  `json:"completeness"`
	// Blocking lists the applicable objectives at level+1 that are not met:
	// the reason the category is not one level higher. Empty at level 5.
	Blocking []string `json:"blocking"`
	// AboveGate lists objectives met at levels above level+1: work that does
	// not raise the score until the gate is passed.
	AboveGate []string `json:"above_gate"`
}

// ObjectiveScore is one objective's effective value and where it came from.
type ObjectiveScore struct {
	ID        string   `json:"id"`
	Category  string   `json:"category"`
	Level     int      `json:"level"`
	Value     *float64 `json:"value"`
	Met       bool     `json:"met"`
	Status    Status   `json:"status"`
	Source    Source   `json:"source"`
	Threshold float64  `json:"threshold"`
	// Answer is the manual answer in this scope, kept and shown even when it
	// is stale or not used; only in per-scope results.
	Answer *Response `json:"answer,omitempty"`
	// Evidence is the automated evidence in this scope; only in per-scope results.
	Evidence *Evidence `json:"evidence,omitempty"`
	// Exemption is the exemption in force, or the expired one that no longer applies.
	Exemption        *Exemption `json:"exemption,omitempty"`
	ExemptionExpired bool       `json:"exemption_expired,omitempty"`
}

// ScopeResult is one scope scored on its own.
type ScopeResult struct {
	ID         string           `json:"id"`
	Weight     float64          `json:"weight"`
	Program    Program          `json:"program"`
	Domains    []DomainScore    `json:"domains"`
	Categories []CategoryScore  `json:"categories"`
	Objectives []ObjectiveScore `json:"objectives"`
}

// Phase is one step of the roadmap: the objectives to meet, and the scores the
// program would have once every objective of this and earlier phases is met.
type Phase struct {
	Phase      int              `json:"phase"`
	Objectives []PhaseObjective `json:"objectives"`
	Projected  ProjectedScores  `json:"projected"`
}

// PhaseObjective is one objective to meet in a roadmap phase.
type PhaseObjective struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Level    int    `json:"level"`
}

// ProjectedScores are the scores after a roadmap phase.
type ProjectedScores struct {
	Program    float64             `json:"program"`
	Floor      int                 `json:"floor"`
	Domains    []ProjectedDomain   `json:"domains"`
	Categories []ProjectedCategory `json:"categories"`
}

// ProjectedDomain is a domain's projected score.
type ProjectedDomain struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// ProjectedCategory is a category's projected level and score.
type ProjectedCategory struct {
	ID    string  `json:"id"`
	Level int     `json:"level"`
	Score float64 `json:"score"`
}
