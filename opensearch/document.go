package opensearch

import (
	"strings"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	"newsarchive/engine"
	"newsarchive/index/analysis"
)

// Document is an article as the engine stores it: the archive's record
// (corpus.Article's JSON fields, in its order) plus month, and the
// analysis the archive does for the engine, which searches leave out of
// their answers (sourceExcludes) but _source keeps, so that _reindex
// copies a document whole:
//
//   - HeadX, BodyX: per run of searchable characters of the folded head
//     (kicker, title and subtitle, as engine.HeadText joins them) or body,
//     its overlapping bigrams and its last character alone, separated by
//     spaces: the terms of the Bleve index's bigram fields, at
//     consecutive positions. Consecutive bigrams at consecutive
//     positions are a substring of one run (a run's final single
//     character stands between runs), so a run of three or more
//     characters is a phrase of its bigrams, exactly.
//   - HeadC, BodyC: the distinct searchable characters, for a
//     one-character run (a term lookup).
//   - HeadW, BodyW: the gse words of the folded head and body
//     (analysis.Words, the Bleve index's word fields), space-separated,
//     for the word path of unquoted terms and for ranking.
//   - Provinces, Prefectures, PlaceCodes, PlaceTopic: the keyword values
//     of engine.FieldProvinces, FieldPrefectures, FieldPlace and
//     FieldPlaceTopic (engine.PlacesOf, engine.PlaceTopics).
//   - Aliases: the article's other ids (corpus.Article.Aliases), for
//     Record's MovedError.
//
// An empty date is left out, since a date field does not take "".
type Document struct {
	ID       string         `json:"id"`
	Source   string         `json:"source"`
	Ordinal  int            `json:"ordinal"`
	Kind     string         `json:"kind"`
	Paper    string         `json:"paper"`
	Date     string         `json:"date,omitempty"`
	Month    string         `json:"month,omitempty"`
	Page     string         `json:"page"`
	Kicker   string         `json:"kicker"`
	Title    string         `json:"title"`
	Subtitle string         `json:"subtitle"`
	Authors  []string       `json:"authors"`
	Body     string         `json:"body"`
	Counties []string       `json:"counties"`
	County   string         `json:"county"`
	Places   []corpus.Place `json:"places"`
	Topics   []string       `json:"topics"`
	Topic    string         `json:"topic"`

	Provinces   []string `json:"provinces,omitempty"`
	Prefectures []string `json:"prefectures,omitempty"`
	PlaceCodes  []string `json:"place,omitempty"`
	PlaceTopic  []string `json:"place_topic,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`

	HeadX string `json:"head_x"`
	BodyX string `json:"body_x"`
	HeadC string `json:"head_c"`
	BodyC string `json:"body_c"`
	HeadW string `json:"head_w"`
	BodyW string `json:"body_w"`
}

// NewDocument returns the document of an article.
func NewDocument(a *corpus.Article) Document {
	d := Document{
		ID: a.ID, Source: a.Source, Ordinal: a.Ordinal, Kind: a.Kind, Paper: a.Paper, Date: a.Date, Page: a.Page,
		Kicker: a.Kicker, Title: a.Title, Subtitle: a.Subtitle, Authors: nonNil(a.Authors), Body: a.Body,
		Counties: nonNil(a.Counties), County: a.County, Places: a.Places, Topics: nonNil(a.Topics), Topic: a.Topic,
	}
	if d.Places == nil {
		d.Places = []corpus.Place{}
	}
	if len(a.Date) >= len("2006-01") {
		d.Month = a.Date[:len("2006-01")]
	}
	pl := engine.PlacesOf(a)
	d.Provinces, d.Prefectures, d.PlaceCodes = pl.Provinces, pl.Prefectures, pl.Codes
	d.PlaceTopic = engine.PlaceTopics(a, pl)
	d.Aliases = a.Aliases
	head := engine.HeadText(a)
	d.HeadX, d.HeadC = ExactTokens(head)
	d.BodyX, d.BodyC = ExactTokens(a.Body)
	d.HeadW, d.BodyW = WordTokens(head), WordTokens(a.Body)
	return d
}

// Article returns the record of a document.
func (d *Document) Article() corpus.Article {
	a := corpus.Article{
		ID: d.ID, Source: d.Source, Ordinal: d.Ordinal, Kind: d.Kind, Paper: d.Paper, Date: d.Date, Page: d.Page,
		Kicker: d.Kicker, Title: d.Title, Subtitle: d.Subtitle, Authors: d.Authors, Body: d.Body,
		Counties: d.Counties, County: d.County, Places: d.Places, Topics: d.Topics, Topic: d.Topic,
		Aliases: d.Aliases,
	}
	return a
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// WordTokens returns the gse words of a text as the fields *_w hold them:
// folded, space-separated (a space inside a word, which gse does not
// make, would split it).
func WordTokens(s string) string { return strings.Join(analysis.Words(s), " ") }

// ExactTokens returns the exact-recall tokens of a text, as the fields
// *_x and *_c of a Document hold them: the bigrams and last characters of
// its runs of searchable characters (folded), and its distinct searchable
// characters, each space-separated.
func ExactTokens(s string) (bigrams, chars string) {
	var bg, ch strings.Builder
	bg.Grow(len(s) * 2)
	seen := map[rune]bool{}
	var prev rune
	inRun := false
	sep := func(b *strings.Builder) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
	}
	for _, r := range s {
		f := textnorm.Rune(r)
		if !analysis.Searchable(f) {
			if inRun {
				sep(&bg)
				bg.WriteRune(prev)
			}
			inRun = false
			continue
		}
		if !seen[f] {
			seen[f] = true
			sep(&ch)
			ch.WriteRune(f)
		}
		if inRun {
			sep(&bg)
			bg.WriteRune(prev)
			bg.WriteRune(f)
		}
		prev, inRun = f, true
	}
	if inRun {
		sep(&bg)
		bg.WriteRune(prev)
	}
	return bg.String(), ch.String()
}
