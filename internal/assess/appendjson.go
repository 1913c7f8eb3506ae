package assess

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the compact JSON of r to b: the same bytes as
// json.Marshal(r), written without reflection. The server answers every
// score read with it, and scoring an assessment again after each saved
// answer made encoding as costly as scoring. TestAppendJSONMatchesMarshal
// holds the two encodings equal, every field of every type set.
func (r *Result) AppendJSON(b []byte) ([]byte, error) {
	j := jsonWriter{b: b}
	j.raw(`{"model":{"id":`)
	j.str(r.Model.ID)
	j.raw(`,"version":`)
	j.str(r.Model.Version)
	j.raw(`},"as_of":`)
	j.date(r.AsOf)
	j.raw(`,"program":`)
	j.program(&r.Program)
	j.raw(`,"domains":`)
	j.domains(r.Domains)
	j.raw(`,"categories":`)
	j.categories(r.Categories)
	j.raw(`,"objectives":`)
	j.objectives(r.Objectives)
	j.raw(`,"scopes":`)
	array(&j, r.Scopes, func(s *ScopeResult) {
		j.raw(`{"id":`)
		j.str(s.ID)
		j.raw(`,"weight":`)
		j.float(s.Weight)
		j.raw(`,"program":`)
		j.program(&s.Program)
		j.raw(`,"domains":`)
		j.domains(s.Domains)
		j.raw(`,"categories":`)
		j.categories(s.Categories)
		j.raw(`,"objectives":`)
		j.objectives(s.Objectives)
		j.b = append(j.b, '}')
	})
	j.raw(`,"roadmap":`)
	j.roadmap(r.Roadmap)
	j.b = append(j.b, '}')
	return j.b, j.err
}

// jsonWriter appends JSON as encoding/json writes it (HTML characters
// escaped, floats in its format); err records a value JSON cannot hold.
type jsonWriter struct {
	b   []byte
	err error
}

func (j *jsonWriter) raw(s string) { j.b = append(j.b, s...) }

func (j *jsonWriter) int(v int) { j.b = strconv.AppendInt(j.b, int64(v), 10) }

func (j *jsonWriter) bool(v bool) { j.b = strconv.AppendBool(j.b, v) }

// float writes f as encoding/json does: %f between 1e-6 and 1e21, else %e
// with a two-digit exponent at least.
func (j *jsonWriter) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if j.err == nil {
			j.err = errors.New("json: unsupported value: " + strconv.FormatFloat(f, 'g', -1, 64))
		}
		j.b = append(j.b, '0')
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	j.b = strconv.AppendFloat(j.b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		if n := len(j.b); n >= 4 && j.b[n-4] == 'e' && j.b[n-3] == '-' && j.b[n-2] == '0' {
			j.b[n-2] = j.b[n-1]
			j.b = j.b[:n-1]
		}
	}
}

func (j *jsonWriter) date(d Date) { j.str(d.String()) }

const hexDigits = "0123456789abcdef"

// str writes s as a JSON string the way encoding/json does by default:
// <, > and & escaped, invalid UTF-8 replaced, U+2028 and U+2029 escaped.
func (j *jsonWriter) str(s string) {
	b := append(j.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
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
	j.b = append(b, '"')
}

// array writes list as a JSON array (null when nil), each element by elem.
func array[T any](j *jsonWriter, list []T, elem func(*T)) {
	if list == nil {
		j.raw("null")
		return
	}
	j.b = append(j.b, '[')
	for i := range list {
		if i > 0 {
			j.b = append(j.b, ',')
		}
		elem(&list[i])
	}
	j.b = append(j.b, ']')
}

// floatOrNull writes f, or null when na.
func (j *jsonWriter) floatOrNull(f float64, na bool) {
	if na {
		j.raw("null")
	} else {
		j.float(f)
	}
}

func (j *jsonWriter) strings(list []string) {
	array(j, list, func(v *string) { j.str(*v) })
}

func (j *jsonWriter) program(p *Program) {
	if p.NA {
		j.raw(`{"score":null,"floor":null`)
	} else {
		j.raw(`{"score":`)
		j.float(p.Score)
		j.raw(`,"floor":`)
		j.int(p.Floor)
	}
	j.raw(`,"completeness":`)
	j.float(p.Completeness)
	j.raw(`,"targets_set":`)
	j.int(p.TargetsSet)
	j.raw(`,"targets_met":`)
	j.int(p.TargetsMet)
	j.b = append(j.b, '}')
}

func (j *jsonWriter) domains(list []DomainScore) {
	array(j, list, func(d *DomainScore) {
		j.raw(`{"id":`)
		j.str(d.ID)
		j.raw(`,"score":`)
		j.floatOrNull(d.Score, d.NA)
		j.raw(`,"completeness":`)
		j.float(d.Completeness)
		j.b = append(j.b, '}')
	})
}

func (j *jsonWriter) categories(list []CategoryScore) {
	array(j, list, func(c *CategoryScore) {
		j.raw(`{"id":`)
		j.str(c.ID)
		if c.Status != "" {
			j.raw(`,"status":`)
			j.str(string(c.Status))
		}
		j.raw(`,"domain":`)
		j.str(c.Domain)
		if c.NA() {
			j.raw(`,"level":null,"score":null,"target":null,"gap":null,"target_met":null`)
		} else {
			j.raw(`,"level":`)
			j.int(c.Level)
			j.raw(`,"score":`)
			j.float(c.Score)
			j.raw(`,"target":`)
			if c.Target == nil {
				j.raw("null")
			} else {
				j.int(*c.Target)
			}
			j.raw(`,"gap":`)
			if c.Gap == nil {
				j.raw("null")
			} else {
				j.float(*c.Gap)
			}
			j.raw(`,"target_met":`)
			if c.TargetMet == nil {
				j.raw("null")
			} else {
				j.bool(*c.TargetMet)
			}
		}
		j.raw(`,"completeness":`)
		j.float(c.Completeness)
		j.raw(`,"blocking":`)
		j.strings(c.Blocking)
		j.raw(`,"above_gate":`)
		j.strings(c.AboveGate)
		j.b = append(j.b, '}')
	})
}

func (j *jsonWriter) objectives(list []ObjectiveScore) {
	array(j, list, func(o *ObjectiveScore) {
		j.raw(`{"id":`)
		j.str(o.ID)
		j.raw(`,"category":`)
		j.str(o.Category)
		j.raw(`,"level":`)
		j.int(o.Level)
		j.raw(`,"value":`)
		if o.Value == nil {
			j.raw("null")
		} else {
			j.float(*o.Value)
		}
		j.raw(`,"met":`)
		j.bool(o.Met)
		j.raw(`,"status":`)
		j.str(string(o.Status))
		j.raw(`,"source":`)
		j.str(string(o.Source))
		j.raw(`,"threshold":`)
		j.float(o.Threshold)
		if o.Answer != nil {
			j.raw(`,"answer":`)
			j.response(o.Answer)
		}
		if o.Evidence != nil {
			j.raw(`,"evidence":`)
			j.evidence(o.Evidence)
		}
		if o.Exemption != nil {
			j.raw(`,"exemption":`)
			j.exemption(o.Exemption)
		}
		if o.ExemptionExpired {
			j.raw(`,"exemption_expired":true`)
		}
		if len(o.Contradicted) > 0 {
			j.raw(`,"contradicted":`)
			array(j, o.Contradicted, func(c *Contradiction) {
				j.raw(`{"check":`)
				j.str(c.Check)
				j.raw(`,"scope":`)
				j.str(c.Scope)
				j.raw(`,"failed":`)
				j.int(c.Failed)
				j.b = append(j.b, '}')
			})
		}
		if len(o.StaleEvidence) > 0 {
			j.raw(`,"stale_evidence":`)
			j.checks(o.StaleEvidence)
		}
		if len(o.LaterEvidence) > 0 {
			j.raw(`,"later_evidence":`)
			j.checks(o.LaterEvidence)
		}
		if o.AnswerAfterAsOf {
			j.raw(`,"answer_after_as_of":true`)
		}
		j.b = append(j.b, '}')
	})
}

func (j *jsonWriter) response(r *Response) {
	j.b = append(j.b, '{')
	comma := false
	field := func(name string) {
		if comma {
			j.b = append(j.b, ',')
		}
		comma = true
		j.b = append(j.b, '"')
		j.raw(name)
		j.raw(`":`)
	}
	if r.Answer != "" {
		field("answer")
		j.str(string(r.Answer))
	}
	if r.Measure != nil {
		field("measure")
		j.raw(`{"measured":`)
		j.float(r.Measure.Measured)
		j.raw(`,"of":`)
		j.float(r.Measure.Of)
		if r.Measure.Percent {
			j.raw(`,"percent":true`)
		}
		j.b = append(j.b, '}')
	}
	if r.Note != "" {
		field("note")
		j.str(r.Note)
	}
	if r.Justification != "" {
		field("justification")
		j.str(r.Justification)
	}
	if r.By != "" {
		field("by")
		j.str(r.By)
	}
	field("date")
	j.date(r.Date)
	j.b = append(j.b, '}')
}

func (j *jsonWriter) evidence(e *Evidence) {
	j.raw(`{"passed":`)
	j.int(e.Passed)
	j.raw(`,"failed":`)
	j.int(e.Failed)
	j.raw(`,"muted":`)
	j.int(e.Muted)
	if e.Source != "" {
		j.raw(`,"source":`)
		j.str(e.Source)
	}
	if len(e.Checks) > 0 {
		j.raw(`,"checks":`)
		j.checks(e.Checks)
	}
	j.b = append(j.b, '}')
}

func (j *jsonWriter) checks(list []CheckEvidence) {
	array(j, list, func(c *CheckEvidence) {
		j.raw(`{"check":`)
		j.str(c.Check)
		if c.Supporting {
			j.raw(`,"supporting":true`)
		}
		if c.Scope != "" {
			j.raw(`,"scope":`)
			j.str(c.Scope)
		}
		j.raw(`,"scanned":`)
		j.date(c.Scanned)
		j.raw(`,"passed":`)
		j.int(c.Passed)
		j.raw(`,"failed":`)
		j.int(c.Failed)
		j.raw(`,"muted":`)
		j.int(c.Muted)
		if c.Source != "" {
			j.raw(`,"source":`)
			j.str(c.Source)
		}
		j.b = append(j.b, '}')
	})
}

func (j *jsonWriter) exemption(e *Exemption) {
	j.raw(`{"reason":`)
	j.str(e.Reason)
	j.raw(`,"approver":`)
	j.str(e.Approver)
	j.raw(`,"until":`)
	j.date(e.Until)
	if e.RequestedBy != "" {
		j.raw(`,"requested_by":`)
		j.str(e.RequestedBy)
	}
	if e.Comment != "" {
		j.raw(`,"comment":`)
		j.str(e.Comment)
	}
	j.b = append(j.b, '}')
}

func (j *jsonWriter) roadmap(list []Phase) {
	array(j, list, func(p *Phase) {
		j.raw(`{"phase":`)
		j.int(p.Phase)
		j.raw(`,"objectives":`)
		array(j, p.Objectives, func(o *PhaseObjective) {
			j.raw(`{"id":`)
			j.str(o.ID)
			j.raw(`,"category":`)
			j.str(o.Category)
			j.raw(`,"level":`)
			j.int(o.Level)
			j.b = append(j.b, '}')
		})
		j.raw(`,"projected":{"program":`)
		j.float(p.Projected.Program)
		j.raw(`,"floor":`)
		j.int(p.Projected.Floor)
		j.raw(`,"domains":`)
		array(j, p.Projected.Domains, func(d *ProjectedDomain) {
			j.raw(`{"id":`)
			j.str(d.ID)
			j.raw(`,"score":`)
			j.floatOrNull(d.Score, d.NA)
			j.b = append(j.b, '}')
		})
		j.raw(`,"categories":`)
		array(j, p.Projected.Categories, func(c *ProjectedCategory) {
			j.raw(`{"id":`)
			j.str(c.ID)
			if c.NA {
				j.raw(`,"level":null,"score":null`)
			} else {
				j.raw(`,"level":`)
				j.int(c.Level)
				j.raw(`,"score":`)
				j.float(c.Score)
			}
			j.b = append(j.b, '}')
		})
		j.raw(`}}`)
	})
}
