package web

import (
	"fmt"
	"strconv"
	"time"

	"newsarchive/search"
)

// The timeline of a results page: matching articles per month, or per
// year when the period shown is longer than timelineMaxMonths, drawn as
// SVG on the server from the response's date facet. Each bar is a link
// that narrows the search to its period (from/to).
//
// The date facet ignores the from/to filter (facets are disjunctive), so
// it still covers the whole span of the query. The period shown is the
// span of the facet; with a from/to filter it is the filter's period (a
// click on a year bar shows that year's months), widened to whole calendar
// years when it is shorter than a year (a click on a month bar shows its
// year, the month marked).

// timelineMaxMonths is the longest period drawn per month.
const timelineMaxMonths = 72

// Geometry of the SVG's viewBox.
const (
	tlWidth      = 720
	tlPlotTop    = 16 // room for the count above the tallest bar
	tlPlotHeight = 110
	tlHeight     = tlPlotTop + tlPlotHeight + 34
	tlPad        = 16 // left and right, so that edge labels fit
	tlMaxBar     = 40 // the widest bar
)

type timeline struct {
	ByYear     bool
	Width      int
	Height     int
	Base       int // y of the bars' baseline
	Bars       []bar
	Ticks      []tick
	Max        int
	Start, End string // the period shown, as labels
	Whole      string // the search without from/to, when they are set
	// Counted: each bar carries its count above it (there are few enough
	// bars for the numbers to fit); the table beside the chart has them
	// all in any case.
	Counted bool
}

// tlCountedBars is the most bars that carry their count as a label.
const tlCountedBars = 24

// Narrowed reports whether some bars are outside the date filter.
func (tl *timeline) Narrowed() bool {
	for _, b := range tl.Bars {
		if !b.Selected {
			return tl.Whole != ""
		}
	}
	return false
}

type bar struct {
	Period   string // 2024-05 or 2024
	Label    string // 2024年5月
	Count    int
	URL      string // narrows to the period
	From     string
	To       string
	SlotX    float64
	SlotW    float64
	X, W     float64
	Y, H     float64
	CountX   float64 // where the count label is drawn
	CountY   float64
	Current  bool // the search is narrowed to exactly this period
	Selected bool // the period overlaps the search's date filter
}

type tick struct {
	X, Y float64
	Text string
}

// newTimeline draws the date facet; nil when it has no dated article.
func newTimeline(st state, r search.Request, months []search.FacetValue) *timeline {
	counts := map[int]int{}
	lo, hi := -1, -1
	for _, fv := range months {
		m, ok := monthIndex(fv.Value)
		if !ok || fv.Count == 0 {
			continue
		}
		counts[m] += fv.Count
		if lo < 0 || m < lo {
			lo = m
		}
		if m > hi {
			hi = m
		}
	}
	if lo < 0 {
		return nil
	}
	// With a date filter, show its months; a period shorter than a year
	// shows the calendar years around it, with its bars marked.
	selLo, selHi := -1, -1
	if t, err := time.Parse("2006-01-02", r.From); err == nil {
		selLo = t.Year()*12 + int(t.Month()) - 1
	}
	if t, err := time.Parse("2006-01-02", r.To); err == nil {
		selHi = t.Year()*12 + int(t.Month()) - 1
	}
	narrowed := selLo >= 0 || selHi >= 0
	if narrowed {
		if selLo < 0 {
			selLo = lo
		}
		if selHi < 0 {
			selHi = hi
		}
		if selHi-selLo+1 < 12 {
			lo, hi = selLo/12*12, selHi/12*12+11
		} else {
			lo, hi = max(lo, selLo), min(hi, selHi)
		}
		if lo > hi {
			return nil
		}
	}
	tl := &timeline{Width: tlWidth, Height: tlHeight, Base: tlPlotTop + tlPlotHeight, ByYear: hi-lo+1 > timelineMaxMonths}
	if narrowed {
		tl.Whole = st.url(setPeriod("", ""))
	}
	inSelection := func(from, to string) bool {
		return narrowed && (r.From == "" || to >= r.From) && (r.To == "" || from <= r.To)
	}

	type period struct {
		key, label, from, to string
		year, month          int
		count                int
	}
	var periods []period
	if tl.ByYear {
		for y := lo / 12; y <= hi/12; y++ {
			p := period{key: strconv.Itoa(y), label: fmt.Sprintf("%d年", y), year: y,
				from: fmt.Sprintf("%04d-01-01", y), to: fmt.Sprintf("%04d-12-31", y)}
			for m := y * 12; m < y*12+12; m++ {
				p.count += counts[m]
			}
			periods = append(periods, p)
		}
	} else {
		for m := lo; m <= hi; m++ {
			y, mo := m/12, m%12+1
			last := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			periods = append(periods, period{key: fmt.Sprintf("%04d-%02d", y, mo), label: fmt.Sprintf("%d年%d月", y, mo),
				year: y, month: mo, count: counts[m],
				from: fmt.Sprintf("%04d-%02d-01", y, mo), to: fmt.Sprintf("%04d-%02d-%02d", y, mo, last)})
		}
	}
	for _, p := range periods {
		tl.Max = max(tl.Max, p.count)
	}
	tl.Start, tl.End = periods[0].label, periods[len(periods)-1].label

	n := len(periods)
	tl.Counted = n <= tlCountedBars
	slot := float64(tlWidth-2*tlPad) / float64(n)
	barW := max(min(slot-min(slot*0.2, 4), tlMaxBar), 1)
	for i, p := range periods {
		left := tlPad + float64(i)*slot
		b := bar{Period: p.key, Label: p.label, Count: p.count, From: p.from, To: p.to,
			SlotX: round1(left), SlotW: round1(slot),
			X: round1(left + (slot-barW)/2), W: round1(barW),
			Current: r.From == p.from && r.To == p.to, Selected: inSelection(p.from, p.to)}
		if p.count > 0 {
			b.URL = st.url(setPeriod(p.from, p.to))
			b.H = round1(max(float64(p.count)/float64(tl.Max)*tlPlotHeight, 2))
			b.Y = round1(float64(tl.Base) - b.H)
		}
		b.CountX = round1(left + slot/2)
		b.CountY = round1(float64(tl.Base) - b.H - 3)
		tl.Bars = append(tl.Bars, b)

		// Labels: each month when few, else each January (and the first
		// bar); each year, or every fifth when there are many.
		x := round1(tlPad + float64(i)*slot + slot/2)
		line1, line2 := float64(tl.Base+14), float64(tl.Base+28)
		switch {
		case tl.ByYear:
			if n <= 20 || p.year%5 == 0 || i == 0 {
				tl.Ticks = append(tl.Ticks, tick{x, line1, strconv.Itoa(p.year)})
			}
		case n <= 18:
			tl.Ticks = append(tl.Ticks, tick{x, line1, fmt.Sprintf("%d月", p.month)})
			if i == 0 || p.month == 1 {
				tl.Ticks = append(tl.Ticks, tick{x, line2, strconv.Itoa(p.year)})
			}
		default:
			if p.month == 1 || (i == 0 && p.month <= 10) {
				tl.Ticks = append(tl.Ticks, tick{x, line1, strconv.Itoa(p.year)})
			}
		}
	}
	return tl
}

// monthIndex reads YYYY-MM as months since year 0.
func monthIndex(s string) (int, bool) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return 0, false
	}
	return t.Year()*12 + int(t.Month()) - 1, true
}

func round1(x float64) float64 { return float64(int(x*10+0.5)) / 10 }
