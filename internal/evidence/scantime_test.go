package evidence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/evidence"
)

func TestParseTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2021-09-28T16:10:00.087Z", utc(2021, 9, 28, 16, 10, 0, 87e6), ""},        // ASFF
		{"2023-03-18T15:43:31+01:00", utc(2023, 3, 18, 14, 43, 31, 0), ""},         // RFC 3339 with a zone
		{"2025-02-14 14:27:03.913874", utc(2025, 2, 14, 14, 27, 3, 913874000), ""}, // Prowler CSV TIMESTAMP
		{"2024-06-03T14:15:19.382075", utc(2024, 6, 3, 14, 15, 19, 382075000), ""}, // OCSF time_dt
		{"2021-10-01 20:47:09+0200", utc(2021, 10, 1, 18, 47, 9, 0), ""},           // ScoutSuite last_run.time
		{"2026-11-20", utc(2026, 11, 20, 0, 0, 0, 0), ""},                          // a date
		{"  2026-11-20T23:30:00-02:00 ", utc(2026, 11, 21, 1, 30, 0, 0), ""},       // the next day in UTC
		{"", time.Time{}, ""}, // no time
		{"20/11/2026", time.Time{}, `"20/11/2026"; expected a date and time`}, // not a form read
		{"2026-13-01", time.Time{}, `"2026-13-01"; expected a date and time`}, // no 13th month
	}
	for _, tt := range tests {
		got, err := evidence.ParseTime(tt.in)
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("ParseTime(%q) error %v, want %s...", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v in UTC", tt.in, got, err, tt.want)
		}
	}
	var p evidence.TimeParser
	for range 2 { // the second call is answered from the first
		if got, err := p.Parse("2025-02-14 14:27:03"); err != nil || !got.Equal(utc(2025, 2, 14, 14, 27, 3, 0)) {
			t.Errorf("TimeParser.Parse = %v, %v", got, err)
		}
	}
	if _, err := p.Field("TIMESTAMP", "x"); err == nil || !strings.HasPrefix(err.Error(), `TIMESTAMP: "x"; expected`) {
		t.Errorf("TimeParser.Field error %v, want one naming TIMESTAMP", err)
	}
}

func TestUnixTime(t *testing.T) {
	tests := []struct {
		in   float64
		want time.Time
		bad  bool
	}{
		{1739539623, time.Date(2025, 2, 14, 13, 27, 3, 0, time.UTC), false},       // seconds, as Prowler writes
		{1739539623500, time.Date(2025, 2, 14, 13, 27, 3, 5e8, time.UTC), false},  // milliseconds, as OCSF defines
		{1739539623.25, time.Date(2025, 2, 14, 13, 27, 3, 25e7, time.UTC), false}, // fractional seconds
		{0, time.Time{}, true},
		{-5, time.Time{}, true},
		{1e15, time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := evidence.UnixTime(tt.in)
		if (err != nil) != tt.bad || !got.Equal(tt.want) {
			t.Errorf("UnixTime(%v) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
}
