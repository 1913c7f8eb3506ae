package evidence

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// timeLayouts are the date-time forms scanners write: RFC 3339 and its
// variants with a space for the T, a zone written +hhmm, or no zone at all
// (Prowler's TIMESTAMP and time_dt, ScoutSuite's last_run.time).
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// TimeForms describes the forms ParseTime accepts, for error messages.
const TimeForms = "a date and time such as 2025-02-14T14:27:03Z, 2025-02-14 14:27:03.913874 or 2025-02-14"

// ParseTime reads the time a scanner wrote on a finding or a file. A time
// without a zone is taken as UTC (Prowler writes its local time without one:
// an error of a few hours at most, against an evidence validity counted in
// days). Empty text is the zero time without error.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q; expected %s", s, TimeForms)
}

// UnixTime reads a Unix time, in seconds or in milliseconds: OCSF's time is
// milliseconds since the epoch, but Prowler writes seconds. A figure above
// 1e11 (in seconds, the year 5138) is taken as milliseconds.
func UnixTime(v float64) (time.Time, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 || v >= 1e14 {
		return time.Time{}, fmt.Errorf("%s; expected seconds or milliseconds since 1970-01-01", strconv.FormatFloat(v, 'g', -1, 64))
	}
	if v > 1e11 {
		return time.UnixMilli(int64(v)).UTC(), nil
	}
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// TimeField reads the time of a finding from the first non-empty of a
// record's time fields, given as name-value pairs in order of preference,
// and returns a FieldError naming the field when the value is not a time.
func TimeField(fields ...string) (time.Time, error) {
	for i := 0; i+1 < len(fields); i += 2 {
		if strings.TrimSpace(fields[i+1]) == "" {
			continue
		}
		t, err := ParseTime(fields[i+1])
		if err != nil {
			return time.Time{}, &FieldError{Field: fields[i], Message: err.Error()}
		}
		return t, nil
	}
	return time.Time{}, nil
}

// TimeParser is ParseTime for the findings of one file, which repeat a few
// times (one per scan, or per provider when outputs are merged): it keeps
// the times it has read, up to maxCachedTimes texts, so that a repeated
// text is not parsed again. The zero value is ready to use; it is not safe
// for concurrent use.
type TimeParser struct {
	seen map[string]time.Time
}

// maxCachedTimes bounds the texts a TimeParser keeps; past it, it starts
// over.
const maxCachedTimes = 64

// Parse is ParseTime, answered from the texts already read.
func (p *TimeParser) Parse(s string) (time.Time, error) {
	if t, ok := p.seen[s]; ok {
		return t, nil
	}
	t, err := ParseTime(s)
	if err != nil {
		return t, err
	}
	if p.seen == nil || len(p.seen) >= maxCachedTimes {
		p.seen = make(map[string]time.Time, 8)
	}
	p.seen[strings.Clone(s)] = t
	return t, nil
}

// Field is TimeField through the parser.
func (p *TimeParser) Field(fields ...string) (time.Time, error) {
	for i := 0; i+1 < len(fields); i += 2 {
		if strings.TrimSpace(fields[i+1]) == "" {
			continue
		}
		t, err := p.Parse(fields[i+1])
		if err != nil {
			return time.Time{}, &FieldError{Field: fields[i], Message: err.Error()}
		}
		return t, nil
	}
	return time.Time{}, nil
}
