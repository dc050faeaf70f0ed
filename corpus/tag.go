package corpus

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"newsarchive/corpus/places"
	"newsarchive/corpus/textnorm"
)

// Evidence is one reason for a tag: a name or keyword found Count times in
// one field of the item, contributing Weight to the tag's score.
type Evidence struct {
	Field  string  `json:"field"`
	Text   string  `json:"text"`
	Kind   string  `json:"kind"`
	Weight float64 `json:"weight"`
	Count  int     `json:"count"`
}

// Score is one tag value (a county or a topic label) with its score and the
// evidence that adds up to it, in order of first mention.
type Score struct {
	Value    string     `json:"value"`
	Score    float64    `json:"score"`
	Evidence []Evidence `json:"evidence"`
}

// Explanation is the evidence behind an item's place and topic tags, in
// the order the tags were assigned. County holds the overlay gazetteer's
// scores (its own format, as before the national gazetteer); Places the
// evidence of every place, whichever decided it.
type Explanation struct {
	County []Score      `json:"county"`
	Places []PlaceScore `json:"places"`
	Topic  []Score      `json:"topic"`
}

// PlaceScore is the evidence for one place: its code and display name,
// its score, and each name that counted for it.
type PlaceScore struct {
	Code    string          `json:"code"`
	Display string          `json:"display"`
	Level   string          `json:"level"`
	Score   float64         `json:"score"`
	Why     []PlaceEvidence `json:"why"`
}

// PlaceEvidence is one name found Count times in one field that counted
// for a place by Rule (a rule of the national gazetteer, see
// docs/tagging.md, or "overlay" for a row of the overlay gazetteer, whose
// Kind is the row's kind), contributing Weight to its score. Via names the
// parent, township or home unit the rule relied on. It is the national
// gazetteer's own evidence type.
type PlaceEvidence = places.Evidence

// RuleOverlay is the PlaceEvidence.Rule of a name read by the overlay
// gazetteer.
const RuleOverlay = "overlay"

// Tagger tags items with places and topics. Places is the national
// gazetteer, Papers the papers' home areas, Gazetteer the overlay (the
// hand-curated rows of one area, by default 四平市) and Taxonomy the
// topics. A nil part leaves its tags empty; a Tagger with a Gazetteer but
// no Places tags as the archive did before the national gazetteer: the
// overlay's units, for every item.
type Tagger struct {
	Places    *places.Gazetteer
	Papers    *places.Papers
	Gazetteer *Gazetteer
	Taxonomy  *Taxonomy

	markers markerCache // the home markers of each home area seen
}

// TaggerFiles names the data files of a Tagger; an empty path selects
// the embedded default file.
type TaggerFiles struct {
	Gazetteer string // the overlay (data/gazetteer.tsv)
	Taxonomy  string // data/taxonomy.tsv
	Papers    string // places/data/papers.tsv
}

// DefaultTagger returns a Tagger over the embedded data files.
func DefaultTagger() (*Tagger, error) {
	return LoadTagger(TaggerFiles{})
}

// LoadTagger returns a Tagger over the given data files and the embedded
// national gazetteer.
func LoadTagger(files TaggerFiles) (*Tagger, error) {
	var (
		t   Tagger
		err error
	)
	if t.Places, err = places.Default(); err != nil {
		return nil, fmt.Errorf("national gazetteer: %w", err)
	}
	if files.Papers == "" {
		t.Papers, err = places.DefaultPapers()
	} else {
		t.Papers, err = loadFile(files.Papers, func(r io.Reader, name string) (*places.Papers, error) {
			return places.LoadPapers(r, name, t.Places)
		})
	}
	if err != nil {
		return nil, err
	}
	if files.Gazetteer == "" {
		t.Gazetteer, err = DefaultGazetteer()
	} else {
		t.Gazetteer, err = loadFile(files.Gazetteer, LoadGazetteer)
	}
	if err != nil {
		return nil, err
	}
	if files.Taxonomy == "" {
		t.Taxonomy, err = DefaultTaxonomy()
	} else {
		t.Taxonomy, err = loadFile(files.Taxonomy, LoadTaxonomy)
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func loadFile[T any](path string, load func(io.Reader, string) (*T, error)) (*T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	return load(f, path)
}

// Apply sets a.Places, a.Counties, a.County, a.Topics and a.Topic and
// returns the evidence. The slices are empty (not nil) when nothing is
// found. See placeTags for how the national gazetteer and the overlay
// share the work.
func (t *Tagger) Apply(a *Article) Explanation {
	f := foldArticle(a)
	ex := Explanation{County: []Score{}, Places: []PlaceScore{}, Topic: []Score{}}
	if t.Places == nil {
		if t.Gazetteer != nil {
			ex.County = t.Gazetteer.tag(&f, a.Date)
		}
		a.Counties, a.County = scoreValues(ex.County)
		a.Places = t.overlayPlaces(ex.County)
	} else {
		ex.County, ex.Places = t.placeTags(&f, a)
	}
	if t.Taxonomy != nil {
		ex.Topic = t.Taxonomy.tag(&f)
	}
	a.Topics, a.Topic = scoreValues(ex.Topic)
	return ex
}

func scoreValues(s []Score) ([]string, string) {
	vals := make([]string, len(s))
	for i, sc := range s {
		vals[i] = sc.Value
	}
	if len(vals) == 0 {
		return vals, ""
	}
	return vals, vals[0]
}

// The fields of an item that tagging reads, in reading order.
const (
	tagKicker = iota
	tagTitle
	tagSubtitle
	tagBody
	tagFieldCount
)

// tagFieldNames are the Evidence.Field names, indexed like tagFields.
var tagFieldNames = [tagFieldCount]string{"kicker", "title", "subtitle", "body"}

// tagFields holds an item's folded fields (textnorm.String), indexed by
// tagKicker..tagBody.
type tagFields [tagFieldCount]string

func foldArticle(a *Article) tagFields {
	return tagFields{
		textnorm.String(a.Kicker),
		textnorm.String(a.Title),
		textnorm.String(a.Subtitle),
		textnorm.String(a.Body),
	}
}

func tagFieldIndex(name string) (int, bool) {
	for i, n := range tagFieldNames {
		if n == name {
			return i, true
		}
	}
	return 0, false
}

// countFactor damps repeated mentions: the n-th mention of the same text in
// the same field adds less than the first (1, 2, 2.58, 3, … for n = 1, 2, 3, 4).
func countFactor(n int) float64 {
	return 1 + math.Log2(float64(n))
}

// roundScore rounds to three decimals, so that scores print compactly and
// compare equal when they are equal on paper.
func roundScore(x float64) float64 {
	return math.Round(x*1000) / 1000
}

// tagMatcher finds every occurrence of a fixed set of patterns in one pass:
// at each rune of the text it tries only the patterns that start with that
// rune, longest first. A bit set of first runes (by their low 16 bits)
// skips the map look-up for most runes.
type tagMatcher struct {
	pats  []string
	first map[rune][]int
	may   [1 << 10]uint64
}

func newTagMatcher(pats []string) *tagMatcher {
	m := &tagMatcher{pats: pats, first: make(map[rune][]int)}
	for i, p := range pats {
		r, _ := utf8.DecodeRuneInString(p)
		m.first[r] = append(m.first[r], i)
		m.may[(r&0xFFFF)>>6] |= 1 << (r & 63)
	}
	for _, ids := range m.first {
		slices.SortStableFunc(ids, func(a, b int) int { return cmp.Compare(len(pats[b]), len(pats[a])) })
	}
	return m
}

// tagHit is one pattern occurrence: byte offsets into the folded text.
type tagHit struct {
	start, end, pat int
}

// all appends every occurrence of every pattern in s to hits, ordered by
// start and, at one start, longest first.
func (m *tagMatcher) all(s string, hits []tagHit) []tagHit {
	for i, r := range s {
		if m.may[(r&0xFFFF)>>6]&(1<<(r&63)) == 0 {
			continue
		}
		ids, ok := m.first[r]
		if !ok {
			continue
		}
		rest := s[i:]
		for _, id := range ids {
			if strings.HasPrefix(rest, m.pats[id]) {
				hits = append(hits, tagHit{i, i + len(m.pats[id]), id})
			}
		}
	}
	return hits
}

// leftmostLongest keeps, from hits ordered as tagMatcher.all returns them,
// the leftmost-longest non-overlapping ones, filtering in place.
func leftmostLongest(hits []tagHit) []tagHit {
	out := hits[:0]
	end := 0
	for _, h := range hits {
		if h.start >= end {
			out = append(out, h)
			end = h.end
		}
	}
	return out
}

// tagTable reads the tab-separated data files of the gazetteer and the
// taxonomy: "#" starts a comment line, blank lines are skipped, cells are
// trimmed, and errors name the file and line.
type tagTable struct {
	name string
	sc   *bufio.Scanner
	line int
	sum  hash.Hash // of every byte read, for Tagger.Fingerprint
}

func newTagTable(r io.Reader, name string) *tagTable {
	h := sha256.New()
	sc := bufio.NewScanner(io.TeeReader(r, h))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	return &tagTable{name: name, sc: sc, sum: h}
}

// digest is the SHA-256 (hex) of the bytes read so far: of the whole file
// once next has returned nil.
func (t *tagTable) digest() string { return hex.EncodeToString(t.sum.Sum(nil)) }

// next returns the cells of the next data row, or nil at the end.
func (t *tagTable) next() ([]string, error) {
	for t.sc.Scan() {
		t.line++
		s := t.sc.Text()
		if t.line == 1 {
			s = strings.TrimPrefix(s, "\uFEFF")
		}
		s = strings.TrimRight(s, "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(strings.TrimSpace(s), "#") {
			continue
		}
		cells := strings.Split(s, "\t")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		return cells, nil
	}
	if err := t.sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: read: %w", t.name, t.line+1, err)
	}
	return nil, nil
}

// errorf returns an error naming the current line.
func (t *tagTable) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", t.name, t.line, fmt.Sprintf(format, args...))
}

// weight parses a non-negative weight cell.
func (t *tagTable) weight(cell string) (float64, error) {
	w, err := strconv.ParseFloat(cell, 64)
	if err != nil || w < 0 || math.IsInf(w, 0) || math.IsNaN(w) {
		return 0, t.errorf("weight %q is not a non-negative number", cell)
	}
	return w, nil
}

// fieldDirective applies "@field NAME WEIGHT" to weights.
func (t *tagTable) fieldDirective(cells []string, weights *[tagFieldCount]float64) error {
	if len(cells) != 3 {
		return t.errorf("@field wants 2 cells (field, weight), got %d", len(cells)-1)
	}
	i, ok := tagFieldIndex(cells[1])
	if !ok {
		return t.errorf("unknown field %q (want kicker, title, subtitle or body)", cells[1])
	}
	w, err := t.weight(cells[2])
	if err != nil {
		return err
	}
	weights[i] = w
	return nil
}

// sortScores orders scores by score (descending), then first mention, then
// the data file's order: rank holds each value's (first mention, file order).
func sortScores(s []Score, rank map[string][2]int) {
	slices.SortStableFunc(s, func(a, b Score) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		ra, rb := rank[a.Value], rank[b.Value]
		if c := cmp.Compare(ra[0], rb[0]); c != 0 {
			return c
		}
		return cmp.Compare(ra[1], rb[1])
	})
}
