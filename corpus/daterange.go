package corpus

import (
	"fmt"
	"time"
)

// The archive's date range: the only dates it stores and searches. A date
// of a record outside it (in front matter, a manifest or a file name) is
// reported and left empty, and a query or filter naming one is refused.
// The range is well inside what every part of the system can represent
// (Go's time.UnixNano covers 1678–2262, and Bleve stores dates as Unix
// nanoseconds), and it holds every newspaper the archive may receive.
const (
	MinYear = 1800
	MaxYear = 2200
	// MinDate and MaxDate are the first and last days of the range, both
	// included.
	MinDate = "1800-01-01"
	MaxDate = "2200-12-31"
)

// DateInRange reports whether the calendar day of t is within MinDate and
// MaxDate.
func DateInRange(t time.Time) bool {
	return t.Year() >= MinYear && t.Year() <= MaxYear
}

// DateRangeError is a date, as it was written, that names a day or period
// outside the archive's range.
type DateRangeError struct {
	Date string
}

func (e *DateRangeError) Error() string {
	return fmt.Sprintf("date %s is outside the archive's range %s..%s", e.Date, MinDate, MaxDate)
}

// outsideRange is the warning about a record's date outside the range,
// which is left empty: "<where> date 0001-01-01 is outside 1800–2200 (left
// empty)".
func outsideRange(where, date string) string {
	return fmt.Sprintf("%s date %s is outside %d–%d (left empty)", where, date, MinYear, MaxYear)
}
