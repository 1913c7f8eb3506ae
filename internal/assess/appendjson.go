package assess

import (
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the compact JSON of r to b: the same bytes as
// json.Marshal(r), written without reflection. The server answers every
// score read with it, and scoring an assessment again after each saved
// answer made encoding as costly as scoring. TestAppendJSONMatchesMarshal
// holds the two encodings equal, every field of every type set.
//
// The writing functions take the buffer and return it grown, as the
// strconv.Append functions do: kept in a local variable rather than in a
// struct behind a pointer, the slice is stored without a write barrier.
func (r *Result) AppendJSON(b []byte) ([]byte, error) {
	var e jsonErr
	b = append(b, `{"model":{"id":`...)
	b = appendJSONString(b, r.Model.ID)
	b = append(b, `,"version":`...)
	b = appendJSONString(b, r.Model.Version)
	b = append(b, `},"as_of":`...)
	b = appendJSONDate(b, r.AsOf)
	b = append(b, `,"program":`...)
	b = e.program(b, &r.Program)
	b = append(b, `,"domains":`...)
	b = appendArray(b, r.Domains, e.domain)
	b = append(b, `,"categories":`...)
	b = appendArray(b, r.Categories, e.category)
	b = append(b, `,"objectives":`...)
	b = appendArray(b, r.Objectives, e.objective)
	b = append(b, `,"scopes":`...)
	b = appendArray(b, r.Scopes, e.scope)
	b = append(b, `,"roadmap":`...)
	b = appendArray(b, r.Roadmap, e.phase)
	b = append(b, '}')
	return b, e.err
}

// jsonErr records the first value JSON cannot hold (a NaN or an infinity),
// as json.Marshal refuses it.
type jsonErr struct{ err error }

// appendArray appends list as a JSON array, each element written by elem,
// or null for a nil list, as encoding/json does.
func appendArray[T any](b []byte, list []T, elem func([]byte, *T) []byte) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, &list[i])
	}
	return append(b, ']')
}

func (e *jsonErr) scope(b []byte, s *ScopeResult) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, s.ID)
	b = append(b, `,"weight":`...)
	b = e.float(b, s.Weight)
	b = append(b, `,"program":`...)
	b = e.program(b, &s.Program)
	b = append(b, `,"domains":`...)
	b = appendArray(b, s.Domains, e.domain)
	b = append(b, `,"categories":`...)
	b = appendArray(b, s.Categories, e.category)
	b = append(b, `,"objectives":`...)
	b = appendArray(b, s.Objectives, e.objective)
	return append(b, '}')
}

// float appends f as encoding/json does: %f between 1e-6 and 1e21, else %e
// with a two-digit exponent at least.
func (e *jsonErr) float(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if e.err == nil {
			e.err = errors.New("json: unsupported value: " + strconv.FormatFloat(f, 'g', -1, 64))
		}
		return append(b, '0')
	}
	return appendJSONFloat(b, f)
}

// appendJSONFloat appends a finite f as encoding/json writes it. Whole
// numbers and hundredths (levels, answer values, thresholds), most of what
// a result holds, are written as integers without the search for the
// shortest digits: under 1e15 a whole number's shortest digits are its
// own, and a number that is the double nearest k/100 (k whole, under 1e8)
// has no shorter digits than those of k/100, every other candidate of as
// many digits or fewer being at least 0.005 away while doubles there are
// less than 1e-8 apart.
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	if abs < 1e15 && f == math.Trunc(f) && (f != 0 || !math.Signbit(f)) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	if abs < 1e6 && f != 0 {
		if k := math.Round(f * 100); k/100 == f {
			n := int64(k)
			if n < 0 {
				b, n = append(b, '-'), -n
			}
			b = strconv.AppendInt(b, n/100, 10)
			switch c := n % 100; {
			case c%10 == 0:
				b = append(b, '.', byte('0'+c/10))
			default:
				b = append(b, '.', byte('0'+c/10), byte('0'+c%10))
			}
			return b
		}
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONDate appends d as a JSON string: "YYYY-MM-DD", or "" when unset.
func appendJSONDate(b []byte, d Date) []byte {
	if d.IsZero() {
		return append(b, `""`...)
	}
	y, m, day := d.Year, d.Month, d.Day
	if y < 0 || y > 9999 || m < time.January || m > time.December || day < 1 || day > 28 && day > daysIn(m, y) {
		// Normalized by package time (2026-13-01 is 2027-01-01).
		return appendJSONString(b, d.String())
	}
	return append(b, '"',
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-',
		byte('0'+day/10), byte('0'+day%10), '"')
}

// daysIn is the number of days of month m of year y.
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

const hexDigits = "0123456789abcdef"

// jsonPlain marks the ASCII bytes a JSON string holds as they are:
// printable, other than ", \, and the <, > and & that encoding/json escapes.
var jsonPlain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s as a JSON string the way encoding/json does by
// default: <, > and & escaped, invalid UTF-8 replaced, U+2028 and U+2029
// escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf && jsonPlain[s[i]] {
		i++
	}
	if i == len(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	start := 0
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonPlain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendJSONInt(b []byte, v int) []byte { return strconv.AppendInt(b, int64(v), 10) }

func appendJSONBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// floatOrNull appends f, or null when na.
func (e *jsonErr) floatOrNull(b []byte, f float64, na bool) []byte {
	if na {
		return append(b, "null"...)
	}
	return e.float(b, f)
}

func appendJSONStrings(b []byte, list []string) []byte {
	return appendArray(b, list, func(b []byte, s *string) []byte { return appendJSONString(b, *s) })
}

func (e *jsonErr) program(b []byte, p *Program) []byte {
	if p.NA {
		b = append(b, `{"score":null,"floor":null`...)
	} else {
		b = append(b, `{"score":`...)
		b = e.float(b, p.Score)
		b = append(b, `,"floor":`...)
		b = appendJSONInt(b, p.Floor)
	}
	b = append(b, `,"completeness":`...)
	b = e.float(b, p.Completeness)
	b = append(b, `,"targets_set":`...)
	b = appendJSONInt(b, p.TargetsSet)
	b = append(b, `,"targets_met":`...)
	b = appendJSONInt(b, p.TargetsMet)
	return append(b, '}')
}

func (e *jsonErr) domain(b []byte, d *DomainScore) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, d.ID)
	b = append(b, `,"score":`...)
	b = e.floatOrNull(b, d.Score, d.NA)
	b = append(b, `,"completeness":`...)
	b = e.float(b, d.Completeness)
	return append(b, '}')
}

func (e *jsonErr) category(b []byte, c *CategoryScore) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, c.ID)
	if c.Status != "" {
		b = append(b, `,"status":`...)
		b = appendJSONString(b, string(c.Status))
	}
	b = append(b, `,"domain":`...)
	b = appendJSONString(b, c.Domain)
	if c.NA() {
		b = append(b, `,"level":null,"score":null,"target":null,"gap":null,"target_met":null`...)
	} else {
		b = append(b, `,"level":`...)
		b = appendJSONInt(b, c.Level)
		b = append(b, `,"score":`...)
		b = e.float(b, c.Score)
		b = append(b, `,"target":`...)
		if c.Target == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONInt(b, *c.Target)
		}
		b = append(b, `,"gap":`...)
		if c.Gap == nil {
			b = append(b, "null"...)
		} else {
			b = e.float(b, *c.Gap)
		}
		b = append(b, `,"target_met":`...)
		if c.TargetMet == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONBool(b, *c.TargetMet)
		}
	}
	b = append(b, `,"completeness":`...)
	b = e.float(b, c.Completeness)
	b = append(b, `,"blocking":`...)
	b = appendJSONStrings(b, c.Blocking)
	b = append(b, `,"above_gate":`...)
	b = appendJSONStrings(b, c.AboveGate)
	return append(b, '}')
}

func (e *jsonErr) objective(b []byte, o *ObjectiveScore) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, o.ID)
	b = append(b, `,"category":`...)
	b = appendJSONString(b, o.Category)
	b = append(b, `,"level":`...)
	b = appendJSONInt(b, o.Level)
	b = append(b, `,"value":`...)
	if o.Value == nil {
		b = append(b, "null"...)
	} else {
		b = e.float(b, *o.Value)
	}
	if o.Met {
		b = append(b, `,"met":true,"status":`...)
	} else {
		b = append(b, `,"met":false,"status":`...)
	}
	b = appendJSONString(b, string(o.Status))
	b = append(b, `,"source":`...)
	b = appendJSONString(b, string(o.Source))
	b = append(b, `,"threshold":`...)
	b = e.float(b, o.Threshold)
	if o.Answer != nil {
		b = append(b, `,"answer":`...)
		b = e.response(b, o.Answer)
	}
	if o.Evidence != nil {
		b = append(b, `,"evidence":`...)
		b = appendJSONEvidence(b, o.Evidence)
	}
	if o.Exemption != nil {
		b = append(b, `,"exemption":`...)
		b = appendJSONExemption(b, o.Exemption)
	}
	if o.ExemptionExpired {
		b = append(b, `,"exemption_expired":true`...)
	}
	if len(o.Contradicted) > 0 {
		b = append(b, `,"contradicted":`...)
		b = appendArray(b, o.Contradicted, appendJSONContradiction)
	}
	if len(o.StaleEvidence) > 0 {
		b = append(b, `,"stale_evidence":`...)
		b = appendArray(b, o.StaleEvidence, appendJSONCheck)
	}
	if len(o.LaterEvidence) > 0 {
		b = append(b, `,"later_evidence":`...)
		b = appendArray(b, o.LaterEvidence, appendJSONCheck)
	}
	if o.AnswerAfterAsOf {
		b = append(b, `,"answer_after_as_of":true`...)
	}
	return append(b, '}')
}

func appendJSONContradiction(b []byte, c *Contradiction) []byte {
	b = append(b, `{"check":`...)
	b = appendJSONString(b, c.Check)
	b = append(b, `,"scope":`...)
	b = appendJSONString(b, c.Scope)
	b = append(b, `,"failed":`...)
	b = appendJSONInt(b, c.Failed)
	return append(b, '}')
}

func (e *jsonErr) response(b []byte, r *Response) []byte {
	// Each field that is written is preceded by a comma but the first:
	// sep is '{' until one is written.
	sep := byte('{')
	if r.Answer != "" {
		b = append(b, sep)
		sep = ','
		b = append(b, `"answer":`...)
		b = appendJSONString(b, string(r.Answer))
	}
	if r.Measure != nil {
		b = append(b, sep)
		sep = ','
		b = append(b, `"measure":{"measured":`...)
		b = e.float(b, r.Measure.Measured)
		b = append(b, `,"of":`...)
		b = e.float(b, r.Measure.Of)
		if r.Measure.Percent {
			b = append(b, `,"percent":true`...)
		}
		b = append(b, '}')
	}
	if r.Note != "" {
		b = append(b, sep)
		sep = ','
		b = append(b, `"note":`...)
		b = appendJSONString(b, r.Note)
	}
	if r.Justification != "" {
		b = append(b, sep)
		sep = ','
		b = append(b, `"justification":`...)
		b = appendJSONString(b, r.Justification)
	}
	if r.By != "" {
		b = append(b, sep)
		sep = ','
		b = append(b, `"by":`...)
		b = appendJSONString(b, r.By)
	}
	b = append(b, sep)
	b = append(b, `"date":`...)
	b = appendJSONDate(b, r.Date)
	return append(b, '}')
}

func appendJSONEvidence(b []byte, e *Evidence) []byte {
	b = append(b, `{"passed":`...)
	b = appendJSONInt(b, e.Passed)
	b = append(b, `,"failed":`...)
	b = appendJSONInt(b, e.Failed)
	b = append(b, `,"muted":`...)
	b = appendJSONInt(b, e.Muted)
	if e.Source != "" {
		b = append(b, `,"source":`...)
		b = appendJSONString(b, e.Source)
	}
	if len(e.Checks) > 0 {
		b = append(b, `,"checks":`...)
		b = appendArray(b, e.Checks, appendJSONCheck)
	}
	return append(b, '}')
}

func appendJSONCheck(b []byte, c *CheckEvidence) []byte {
	b = append(b, `{"check":`...)
	b = appendJSONString(b, c.Check)
	if c.Supporting {
		b = append(b, `,"supporting":true`...)
	}
	if c.Scope != "" {
		b = append(b, `,"scope":`...)
		b = appendJSONString(b, c.Scope)
	}
	b = append(b, `,"scanned":`...)
	b = appendJSONDate(b, c.Scanned)
	b = append(b, `,"passed":`...)
	b = appendJSONInt(b, c.Passed)
	b = append(b, `,"failed":`...)
	b = appendJSONInt(b, c.Failed)
	b = append(b, `,"muted":`...)
	b = appendJSONInt(b, c.Muted)
	if c.Source != "" {
		b = append(b, `,"source":`...)
		b = appendJSONString(b, c.Source)
	}
	return append(b, '}')
}

func appendJSONExemption(b []byte, e *Exemption) []byte {
	b = append(b, `{"reason":`...)
	b = appendJSONString(b, e.Reason)
	b = append(b, `,"approver":`...)
	b = appendJSONString(b, e.Approver)
	b = append(b, `,"until":`...)
	b = appendJSONDate(b, e.Until)
	if e.RequestedBy != "" {
		b = append(b, `,"requested_by":`...)
		b = appendJSONString(b, e.RequestedBy)
	}
	if e.Comment != "" {
		b = append(b, `,"comment":`...)
		b = appendJSONString(b, e.Comment)
	}
	return append(b, '}')
}

func (e *jsonErr) phase(b []byte, p *Phase) []byte {
	b = append(b, `{"phase":`...)
	b = appendJSONInt(b, p.Phase)
	b = append(b, `,"objectives":`...)
	b = appendArray(b, p.Objectives, appendJSONPhaseObjective)
	b = append(b, `,"projected":{"program":`...)
	b = e.float(b, p.Projected.Program)
	b = append(b, `,"floor":`...)
	b = appendJSONInt(b, p.Projected.Floor)
	b = append(b, `,"domains":`...)
	b = appendArray(b, p.Projected.Domains, e.projectedDomain)
	b = append(b, `,"categories":`...)
	b = appendArray(b, p.Projected.Categories, e.projectedCategory)
	return append(b, `}}`...)
}

func appendJSONPhaseObjective(b []byte, o *PhaseObjective) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, o.ID)
	b = append(b, `,"category":`...)
	b = appendJSONString(b, o.Category)
	b = append(b, `,"level":`...)
	b = appendJSONInt(b, o.Level)
	return append(b, '}')
}

func (e *jsonErr) projectedDomain(b []byte, d *ProjectedDomain) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, d.ID)
	b = append(b, `,"score":`...)
	b = e.floatOrNull(b, d.Score, d.NA)
	return append(b, '}')
}

func (e *jsonErr) projectedCategory(b []byte, c *ProjectedCategory) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, c.ID)
	if c.NA {
		b = append(b, `,"level":null,"score":null`...)
	} else {
		b = append(b, `,"level":`...)
		b = appendJSONInt(b, c.Level)
		b = append(b, `,"score":`...)
		b = e.float(b, c.Score)
	}
	return append(b, '}')
}
