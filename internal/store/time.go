package store

import (
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/csmm/csmm/internal/assess"
)

// Times are stored as Unix microseconds in UTC in both dialects, so that
// comparisons are integer comparisons and a backup moves between SQLite and
// PostgreSQL unchanged. The zero time is stored as NULL.

// micros returns the stored form of t: NULL for the zero time.
func micros(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timeCol scans a stored time into a time.Time; NULL gives the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

// dateCol scans a stored YYYY-MM-DD date into an assess.Date.
type dateCol struct{ d *assess.Date }

func (c dateCol) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case nil:
		*c.d = assess.Date{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scan date: unexpected %T", v)
	}
	if s == "" {
		*c.d = assess.Date{}
		return nil
	}
	d, err := assess.ParseDate(s)
	if err != nil {
		return fmt.Errorf("scan date: %w", err)
	}
	*c.d = d
	return nil
}
