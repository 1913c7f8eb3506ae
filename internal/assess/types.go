// Package assess holds assessments (answers, evidence, exemptions, scopes and
// targets) and scores them. Scoring is a pure function: the same input always
// gives the same result, with no I/O, clock or database.
package assess

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
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
// Like time.Time.Sub, it saturates, at 106751 days (about 292 years) either way.
func (d Date) DaysSince(e Date) int {
	a, aok := d.days()
	b, bok := e.days()
	if !aok || !bok {
		return int(d.time().Sub(e.time()).Hours() / 24)
	}
	return int(min(max(a-b, -maxDurationDays), maxDurationDays))
}

// maxDurationDays is the longest time.Duration in whole days.
const maxDurationDays = int64(math.MaxInt64 / (24 * time.Hour))

// days returns the number of days from 1970-01-01 to d, with the month and
// the day normalized as time.Date does (month 13 is January of the next
// year, day 0 the last day of the previous month); ok is false for fields
// too far out of range to compute without overflow, left to package time.
func (d Date) days() (n int64, ok bool) {
	const maxYM, maxDay = 1 << 24, 1 << 32
	if d.Year < -maxYM || d.Year > maxYM || d.Month < -maxYM || d.Month > maxYM || d.Day < -maxDay || d.Day > maxDay {
		return 0, false
	}
	y, m := int64(d.Year), int64(d.Month)-1
	y, m = y+m/12, m%12
	if m < 0 {
		y, m = y-1, m+12
	}
	// Days from civil (H. Hinnant): years counted from March, in eras of
	// 400 years of 146097 days.
	if m < 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	doy := (153*((m+10)%12)+2)/5 + int64(d.Day) - 1
	return era*146097 + yoe*365 + yoe/4 - yoe/100 + doy - 719468, true
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

// Response is a manual answer to one objective in one scope: a word of the
// scale (Answer), or a measured figure (Measure, with Answer empty).
type Response struct {
	Answer Answer `json:"answer,omitempty"`
	// Measure is a measured answer (87 of 120, or 72.5%); nil for a word.
	Measure       *Measure `json:"measure,omitempty"`
	Note          string   `json:"note,omitempty"`
	Justification string   `json:"justification,omitempty"`
	By            string   `json:"by,omitempty"`
	Date          Date     `json:"date"`
}

// Measure is a measured answer: the KPI's own figure. A percentage is kept
// as Measured of 100 with Percent set, so that it is written back as such.
type Measure struct {
	Measured float64 `json:"measured"`
	Of       float64 `json:"of"`
	Percent  bool    `json:"percent,omitempty"`
}

// Valid reports whether 0 <= measured <= of and of > 0.
func (m Measure) Valid() bool { return m.Of > 0 && m.Measured >= 0 && m.Measured <= m.Of }

// Value is measured / of.
func (m Measure) Value() float64 { return m.Measured / m.Of }

// String writes the measure as in an answers file: "72.5%" or "87/120".
func (m Measure) String() string {
	if m.Percent {
		return strconv.FormatFloat(m.Measured, 'f', -1, 64) + "%"
	}
	return strconv.FormatFloat(m.Measured, 'f', -1, 64) + "/" + strconv.FormatFloat(m.Of, 'f', -1, 64)
}

// Value returns the value of a response: its measure, else its word.
// applicable is false for na; ok is false when the response holds neither a
// valid measure nor an answer word.
func (r Response) Value() (v float64, applicable, ok bool) {
	if r.Measure != nil {
		if !r.Measure.Valid() {
			return 0, false, false
		}
		return r.Measure.Value(), true, true
	}
	return r.Answer.Value()
}

// Label is the response as a person reads it: the answer word, or the
// measure ("87/120", "72.5%").
func (r Response) Label() string {
	if r.Measure != nil {
		return r.Measure.String()
	}
	return string(r.Answer)
}

// Equal reports whether two responses are the same (Response holds a
// pointer, so == compares identity).
func (r Response) Equal(o Response) bool {
	if (r.Measure == nil) != (o.Measure == nil) || (r.Measure != nil && *r.Measure != *o.Measure) {
		return false
	}
	r.Measure, o.Measure = nil, nil
	return r == o
}

// CheckEvidence is what one check found in one scope in the scans of one
// day: resources that passed and failed, and muted findings left out of
// both. Supporting marks a supporting check of the objective (shown, and
// used for contradictions, never for the value).
type CheckEvidence struct {
	Check      string `json:"check"`
	Supporting bool   `json:"supporting,omitempty"`
	// Scope is set only where evidence of several scopes is listed together
	// (the roll-up's stale evidence).
	Scope string `json:"scope,omitempty"`
	// Scanned is the date of the scan (the finding's own time, else the
	// file's import time); zero when unknown, and then never stale.
	Scanned Date   `json:"scanned,omitempty"`
	Passed  int    `json:"passed"`
	Failed  int    `json:"failed"`
	Muted   int    `json:"muted"`
	Source  string `json:"source,omitempty"`
}

// Evidence is what scanners found for one objective in one scope. Passed,
// Failed and Muted are the totals of the deciding checks; Checks, when
// present, keeps them per check and scan date (deciding and supporting), so
// that staleness and contradictions can be judged. Evidence without Checks
// (totals only) gives its value as is and is never stale.
type Evidence struct {
	Passed int    `json:"passed"`
	Failed int    `json:"failed"`
	Muted  int    `json:"muted"`
	Source string `json:"source,omitempty"`
	// Checks are the counts per check and scan date.
	Checks []CheckEvidence `json:"checks,omitempty"`
}

// Evaluated reports whether any resource was evaluated, i.e. whether the
// evidence gives a value at all.
func (e Evidence) Evaluated() bool { return e.Passed+e.Failed > 0 }

// Plus adds the counts of o to e, as when several scanner files evidence the
// same objective in the same scope, and names each source once. Per-check
// counts of the same check, role and scan date are added together.
func (e Evidence) Plus(o Evidence) Evidence {
	e.Passed += o.Passed
	e.Failed += o.Failed
	e.Muted += o.Muted
	e.Source = joinSource(e.Source, o.Source)
	if len(o.Checks) > 0 {
		e.Checks = slices.Clone(e.Checks)
	}
	for _, c := range o.Checks {
		i := slices.IndexFunc(e.Checks, func(x CheckEvidence) bool {
			return x.Check == c.Check && x.Supporting == c.Supporting && x.Scanned == c.Scanned
		})
		if i < 0 {
			e.Checks = append(e.Checks, c)
			continue
		}
		x := &e.Checks[i]
		x.Passed += c.Passed
		x.Failed += c.Failed
		x.Muted += c.Muted
		x.Source = joinSource(x.Source, c.Source)
	}
	return e
}

func joinSource(a, b string) string {
	switch {
	case b == "":
		return a
	case a == "":
		return b
	case !slices.Contains(strings.Split(a, ", "), b):
		return a + ", " + b
	}
	return a
}

// Contradiction is a failing check against a manual most/yes answer: the
// check (deciding or supporting) and the resources that failed it in a scope.
type Contradiction struct {
	Check  string `json:"check"`
	Scope  string `json:"scope"`
	Failed int    `json:"failed"`
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

// DefaultEvidenceValidityDays is how long scanner evidence stays valid
// unless configured.
const DefaultEvidenceValidityDays = 90

// Input is everything scoring needs. Targets map category IDs to a level;
// a category absent from Targets has no target.
type Input struct {
	Model   *model.Model
	Scopes  []Scope
	Answers map[Key]Response
	// Saved are answers that replace those of Answers with the same key
	// (answers saved since Answers was built, kept apart so that Answers
	// is shared instead of copied); nil for none. Score reads both; what
	// reads Answers alone must be given an input without Saved.
	Saved        map[Key]Response
	Evidence     map[Key]Evidence
	Exemptions   map[string]Exemption
	Targets      map[string]int
	ValidityDays int
	// EvidenceValidityDays is how long a scan stays valid; 0 means the default.
	EvidenceValidityDays int
	AsOf                 Date
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

// Program is the score of the whole program. When no category is
// applicable, NA is set and score and floor are null in JSON (Score and
// Floor are 0).
type Program struct {
	NA           bool    `json:"-"`
	Score        float64 `json:"score" nullable:"true"`
	Floor        int     `json:"floor" nullable:"true"`
	Completeness float64 `json:"completeness"`
	TargetsSet   int     `json:"targets_set"`
	TargetsMet   int     `json:"targets_met"`
}

// DomainScore is the weighted mean of a domain's category scores. A domain
// with no applicable category has NA set, its score null in JSON (Score 0)
// and is left out of the program's mean.
type DomainScore struct {
	NA           bool    `json:"-"`
	ID           string  `json:"id"`
	Score        float64 `json:"score" nullable:"true"`
	Completeness float64 `json:"completeness"`
}

// CategoryScore is a category's level and score, with what explains them. A
// category none of whose objectives is applicable has Status "na": level,
// score, target, gap and target_met are null in JSON (Level and Score are 0,
// Target, Gap and TargetMet nil) and it is left out of its domain's mean.
type CategoryScore struct {
	ID string `json:"id"`
	// Status is "na" for a not-applicable category, else empty.
	Status       Status   `json:"status,omitempty"`
	Domain       string   `json:"domain"`
	Level        int      `json:"level" nullable:"true"`
	Score        float64  `json:"score" nullable:"true"`
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
	// Contradicted lists the failing checks (deciding or supporting) against
	// a manual most or yes answer (or a measure of at least 0.75) that gives
	// the value, per scope. The value stays the answer's.
	Contradicted []Contradiction `json:"contradicted,omitempty"`
	// StaleEvidence lists evidence older than the evidence validity before
	// the as-of date: it gives no value.
	StaleEvidence []CheckEvidence `json:"stale_evidence,omitempty"`
	// LaterEvidence lists evidence scanned after the as-of date: not known
	// then, so it gives no value either.
	LaterEvidence []CheckEvidence `json:"later_evidence,omitempty"`
	// AnswerAfterAsOf is set when the answer is dated after the as-of date
	// and so counts as unanswered; in per-scope results only.
	AnswerAfterAsOf bool `json:"answer_after_as_of,omitempty"`
}

// NA reports whether the category is not applicable.
func (c CategoryScore) NA() bool { return c.Status == StatusNA }

// MarshalJSON writes null level, score, target, gap and target_met for a
// not-applicable category, keeping the field order of formats.md.
func (c CategoryScore) MarshalJSON() ([]byte, error) {
	out := struct {
		ID           string   `json:"id"`
		Status       Status   `json:"status,omitempty"`
		Domain       string   `json:"domain"`
		Level        *int     `json:"level"`
		Score        *float64 `json:"score"`
		Target       *int     `json:"target"`
		Gap          *float64 `json:"gap"`
		TargetMet    *bool    `json:"target_met"`
		Completeness float64  `json:"completeness"`
		Blocking     []string `json:"blocking"`
		AboveGate    []string `json:"above_gate"`
	}{c.ID, c.Status, c.Domain, nil, nil, c.Target, c.Gap, c.TargetMet, c.Completeness, c.Blocking, c.AboveGate}
	if !c.NA() {
		out.Level, out.Score = &c.Level, &c.Score
	} else {
		out.Target, out.Gap, out.TargetMet = nil, nil, nil
	}
	return json.Marshal(out)
}

// MarshalJSON writes a null score for a domain with no applicable category.
func (d DomainScore) MarshalJSON() ([]byte, error) {
	out := struct {
		ID           string   `json:"id"`
		Score        *float64 `json:"score"`
		Completeness float64  `json:"completeness"`
	}{ID: d.ID, Completeness: d.Completeness}
	if !d.NA {
		out.Score = &d.Score
	}
	return json.Marshal(out)
}

// MarshalJSON writes a null score and floor when nothing is applicable.
func (p Program) MarshalJSON() ([]byte, error) {
	out := struct {
		Score        *float64 `json:"score"`
		Floor        *int     `json:"floor"`
		Completeness float64  `json:"completeness"`
		TargetsSet   int      `json:"targets_set"`
		TargetsMet   int      `json:"targets_met"`
	}{Completeness: p.Completeness, TargetsSet: p.TargetsSet, TargetsMet: p.TargetsMet}
	if !p.NA {
		out.Score, out.Floor = &p.Score, &p.Floor
	}
	return json.Marshal(out)
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

// ProjectedDomain is a domain's projected score; NA (score null in JSON)
// for a domain with no applicable category.
type ProjectedDomain struct {
	ID    string  `json:"id"`
	Score float64 `json:"score" nullable:"true"`
	NA    bool    `json:"-"`
}

// ProjectedCategory is a category's projected level and score; NA (level and
// score null in JSON) for a not-applicable category, which no phase changes.
type ProjectedCategory struct {
	ID    string  `json:"id"`
	Level int     `json:"level" nullable:"true"`
	Score float64 `json:"score" nullable:"true"`
	NA    bool    `json:"-"`
}

// MarshalJSON writes a null score for a not-applicable domain.
func (d ProjectedDomain) MarshalJSON() ([]byte, error) {
	out := struct {
		ID    string   `json:"id"`
		Score *float64 `json:"score"`
	}{ID: d.ID}
	if !d.NA {
		out.Score = &d.Score
	}
	return json.Marshal(out)
}

// MarshalJSON writes a null level and score for a not-applicable category.
func (c ProjectedCategory) MarshalJSON() ([]byte, error) {
	out := struct {
		ID    string   `json:"id"`
		Level *int     `json:"level"`
		Score *float64 `json:"score"`
	}{ID: c.ID}
	if !c.NA {
		out.Level, out.Score = &c.Level, &c.Score
	}
	return json.Marshal(out)
}
