package web

import (
	"fmt"
	"slices"
	"testing"
)

func TestTrendsScale(t *testing.T) {
	for _, tc := range []struct {
		top       float64
		whole     bool
		step, max float64
		decimals  int // of the step as a percentage
	}{
		{1, false, 0.25, 1, 0},
		{0.0068, false, 0.002, 0.008, 1},
		{0.3068, false, 0.1, 0.4, 0},
		{0, false, 0.0025, 0.01, 2},
		{7, true, 2, 8, 0},
		{3, true, 1, 3, 0},
		{0, true, 1, 1, 0},
		{361, true, 100, 400, 0},
	} {
		step, top := niceScale(tc.top, tc.whole)
		if abs(step-tc.step) > 1e-12 || abs(top-tc.max) > 1e-12 {
			t.Errorf("niceScale(%v, %v) = %v, %v; want %v, %v", tc.top, tc.whole, step, top, tc.step, tc.max)
		}
		if !tc.whole {
			if d := decimals(step * 100); d != tc.decimals {
				t.Errorf("decimals(%v) = %d, want %d", step*100, d, tc.decimals)
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestTrendsXTicks(t *testing.T) {
	x := func(i int) float64 { return float64(i) }
	months := func(from, n int) []string {
		var out []string
		for m := from; m < from+n; m++ {
			out = append(out, fmtMonth(m))
		}
		return out
	}
	texts := func(ts []tick) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Text)
		}
		return out
	}
	// Few months: each labelled.
	if got := texts(xTicks(months(2023*12+2, 5), x, 0)); !slices.Equal(got, []string{"2023-03", "2023-04", "2023-05", "2023-06", "2023-07"}) {
		t.Errorf("5 months: %v", got)
	}
	// Three years of months: each January.
	if got := texts(xTicks(months(2022*12+5, 37), x, 0)); !slices.Equal(got, []string{"2023", "2024", "2025"}) {
		t.Errorf("37 months: %v", got)
	}
	// 30 years: every third.
	var years []string
	for y := 1990; y < 2020; y++ {
		years = append(years, fmtYear(y))
	}
	got := texts(xTicks(years, x, 0))
	if len(got) != 10 || got[0] != "1990" || got[1] != "1993" {
		t.Errorf("30 years: %v", got)
	}
}

func fmtMonth(m int) string { return fmt.Sprintf("%04d-%02d", m/12, m%12+1) }
func fmtYear(y int) string  { return fmt.Sprintf("%04d", y) }

func TestMarkerShapesDiffer(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range SeriesStyles {
		d := markerPath(s.Marker, 10, 10, 4)
		if d == "" || seen[d] {
			t.Errorf("marker %s: %q", s.Marker, d)
		}
		seen[d] = true
	}
}
