package corpus

import (
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"newsarchive/corpus/textnorm"
)

// Defaults of the taxonomy's tuning; a taxonomy file may change them with
// @field, @min_score and @ratio rows.
var defaultTaxFieldWeights = [tagFieldCount]float64{
	tagKicker: 2, tagTitle: 4, tagSubtitle: 3, tagBody: 1,
}

const (
	// DefaultTopicMinScore is the least score a topic needs to be assigned.
	DefaultTopicMinScore = 4.0
	// DefaultTopicRatio is the least fraction of the best topic's score that
	// another topic needs to be assigned too.
	DefaultTopicRatio = 0.6
)

// taxNeutral is the label cell of a neutral phrase: it matches, and so
// masks the keywords inside it, but scores nothing.
const taxNeutral = "-"

//go:embed data/taxonomy.tsv
var defaultTaxonomyTSV string

var defaultTax struct {
	once sync.Once
	t    *Taxonomy
	err  error
}

// Taxonomy assigns topic labels to items from weighted keywords. It is read
// from a tab-separated file (see docs/tagging.md) and is safe for concurrent
// use once loaded.
type Taxonomy struct {
	labels      []string
	canon       map[string]int // folded label or alias → label
	pats        [][]taxKeyword // per pattern; empty for neutral phrases
	m           *tagMatcher
	fieldWeight [tagFieldCount]float64
	minScore    float64
	ratio       float64
	digest      string // SHA-256 of the file read, see Tagger.Fingerprint
}

type taxKeyword struct {
	label   int
	keyword string // as written in the file
	weight  float64
}

// DefaultTaxonomy returns the embedded taxonomy (data/taxonomy.tsv), parsed
// on first use.
func DefaultTaxonomy() (*Taxonomy, error) {
	defaultTax.once.Do(func() {
		defaultTax.t, defaultTax.err = LoadTaxonomy(strings.NewReader(defaultTaxonomyTSV), "data/taxonomy.tsv")
	})
	return defaultTax.t, defaultTax.err
}

// LoadTaxonomy reads a taxonomy file; name is used in errors, which read
// "name:line: what is wrong".
//
// Rows are label, keyword, weight; a weight of "alias" makes the keyword
// another name of the label (for Canonical), and the label "-" marks a
// neutral phrase that masks the keywords inside it. "@field FIELD WEIGHT",
// "@min_score N" and "@ratio R" rows tune the scoring. Labels are the
// distinct labels in order of first appearance.
func LoadTaxonomy(r io.Reader, name string) (*Taxonomy, error) {
	t := &Taxonomy{
		canon:       make(map[string]int),
		fieldWeight: defaultTaxFieldWeights,
		minScore:    DefaultTopicMinScore,
		ratio:       DefaultTopicRatio,
	}
	patByText := make(map[string]int)
	neutral := make(map[int]bool)
	var patTexts []string
	tt := newTagTable(r, name)
	for {
		cells, err := tt.next()
		if err != nil {
			return nil, err
		}
		if cells == nil {
			break
		}
		switch cells[0] {
		case "@field":
			if err := tt.fieldDirective(cells, &t.fieldWeight); err != nil {
				return nil, err
			}
			continue
		case "@min_score", "@ratio":
			if len(cells) != 2 {
				return nil, tt.errorf("%s wants 1 cell, got %d", cells[0], len(cells)-1)
			}
			v, err := tt.weight(cells[1])
			if err != nil {
				return nil, err
			}
			if cells[0] == "@ratio" {
				if v > 1 {
					return nil, tt.errorf("@ratio %s is above 1", cells[1])
				}
				t.ratio = v
			} else {
				t.minScore = v
			}
			continue
		}
		if strings.HasPrefix(cells[0], "@") {
			return nil, tt.errorf("unknown directive %q (want @field, @min_score or @ratio)", cells[0])
		}
		if len(cells) != 3 {
			return nil, tt.errorf("want 3 tab-separated cells (label, keyword, weight), got %d", len(cells))
		}
		label, kw, wcell := cells[0], cells[1], cells[2]
		if label == "" || kw == "" {
			return nil, tt.errorf("empty label or keyword")
		}
		folded := textnorm.String(kw)

		if label == taxNeutral {
			if wcell != "" && wcell != "0" {
				return nil, tt.errorf("neutral phrase %q takes weight 0 or none, got %q", kw, wcell)
			}
			if _, dup := patByText[folded]; dup {
				return nil, tt.errorf("neutral phrase %q is already a keyword", kw)
			}
			patByText[folded] = len(t.pats)
			neutral[len(t.pats)] = true
			patTexts = append(patTexts, folded)
			t.pats = append(t.pats, nil)
			continue
		}

		li, ok := t.canon[textnorm.String(label)]
		if !ok {
			li = len(t.labels)
			t.labels = append(t.labels, label)
			t.canon[textnorm.String(label)] = li
		} else if t.labels[li] != label {
			return nil, tt.errorf("label %q is another name of %q", label, t.labels[li])
		}

		if wcell == "alias" {
			if other, dup := t.canon[folded]; dup && other != li {
				return nil, tt.errorf("alias %q already names label %q", kw, t.labels[other])
			}
			t.canon[folded] = li
			continue
		}
		w, err := tt.weight(wcell)
		if err != nil {
			return nil, err
		}
		id, ok := patByText[folded]
		if !ok {
			id = len(t.pats)
			patByText[folded] = id
			patTexts = append(patTexts, folded)
			t.pats = append(t.pats, nil)
		}
		if neutral[id] {
			return nil, tt.errorf("keyword %q is already a neutral phrase", kw)
		}
		for _, k := range t.pats[id] {
			if k.label == li {
				return nil, tt.errorf("duplicate keyword %q for label %q", kw, label)
			}
		}
		t.pats[id] = append(t.pats[id], taxKeyword{label: li, keyword: kw, weight: w})
	}
	if len(t.labels) == 0 {
		return nil, fmt.Errorf("%s: no labels", name)
	}
	t.m = newTagMatcher(patTexts)
	t.digest = tt.digest()
	return t, nil
}

// Labels returns the topic labels in file order.
func (t *Taxonomy) Labels() []string {
	return slices.Clone(t.labels)
}

// Canonical returns the label that name (a label or one of its aliases, in
// any of the forms textnorm folds alike) stands for.
func (t *Taxonomy) Canonical(name string) (string, bool) {
	i, ok := t.canon[textnorm.String(strings.TrimSpace(name))]
	if !ok {
		return "", false
	}
	return t.labels[i], true
}

// Tag returns the topics assigned to an item, best first: every label whose
// score reaches both the minimum score and the ratio of the best score.
func (t *Taxonomy) Tag(a *Article) []Score {
	f := foldArticle(a)
	return t.tag(&f)
}

// taxMention counts one keyword of one label in one field.
type taxMention struct {
	field int
	kw    *taxKeyword
	count int
	first int
}

func (t *Taxonomy) tag(f *tagFields) []Score {
	var (
		mentions []taxMention
		hits     []tagHit
	)
	index := make(map[[2]int]int) // (field, keyword pointer index) → mention
	for fi, text := range f {
		if text == "" {
			continue
		}
		hits = leftmostLongest(t.m.all(text, hits[:0]))
		for _, h := range hits {
			for ki := range t.pats[h.pat] {
				kw := &t.pats[h.pat][ki]
				if kw.weight == 0 {
					continue
				}
				key := [2]int{fi, h.pat<<8 | ki}
				if mi, ok := index[key]; ok {
					mentions[mi].count++
					continue
				}
				index[key] = len(mentions)
				mentions = append(mentions, taxMention{field: fi, kw: kw, count: 1, first: fi<<32 | h.start})
			}
		}
	}

	scores := make([]Score, 0, 4)
	byLabel := make(map[int]int)
	rank := make(map[string][2]int)
	for _, m := range mentions {
		w := t.fieldWeight[m.field] * m.kw.weight * countFactor(m.count)
		si, ok := byLabel[m.kw.label]
		if !ok {
			si = len(scores)
			byLabel[m.kw.label] = si
			rank[t.labels[m.kw.label]] = [2]int{m.first, m.kw.label}
			scores = append(scores, Score{Value: t.labels[m.kw.label], Evidence: []Evidence{}})
		}
		scores[si].Score += w
		scores[si].Evidence = append(scores[si].Evidence, Evidence{
			Field: tagFieldNames[m.field], Text: m.kw.keyword, Kind: "keyword",
			Weight: roundScore(w), Count: m.count,
		})
	}
	top := 0.0
	for i := range scores {
		scores[i].Score = roundScore(scores[i].Score)
		top = max(top, scores[i].Score)
	}
	kept := scores[:0]
	for _, s := range scores {
		if s.Score >= t.minScore && s.Score >= t.ratio*top {
			kept = append(kept, s)
		}
	}
	sortScores(kept, rank)
	return kept
}
