package index

import (
	"encoding/json"
	"fmt"

	"newsarchive/corpus"
)

// HeadText joins an article's kicker, title and subtitle, the text of the
// head fields. The line breaks keep the parts apart: no phrase matches
// across them.
func HeadText(a *corpus.Article) string {
	return a.Kicker + "\n" + a.Title + "\n" + a.Subtitle
}

// document returns the Bleve document of an article.
func document(a *corpus.Article) (map[string]any, error) {
	rec, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", a.ID, err)
	}
	head := HeadText(a)
	d := map[string]any{
		FieldHead:       head,
		FieldBody:       a.Body,
		FieldHeadBigram: head,
		FieldBodyBigram: a.Body,
		FieldCounties:   a.Counties,
		FieldCounty:     a.County,
		FieldTopics:     a.Topics,
		FieldTopic:      a.Topic,
		FieldAuthors:    a.Authors,
		FieldPaper:      a.Paper,
		FieldPage:       a.Page,
		FieldSource:     a.Source,
		FieldKind:       a.Kind,
		FieldRecord:     string(compressRecord(rec)),
		FieldID:         a.ID,
	}
	if pairs := countyTopics(a); len(pairs) > 0 {
		d[FieldCountyTopic] = pairs
	}
	if len(a.Aliases) > 0 {
		d[FieldAlias] = a.Aliases
	}
	if a.Date != "" {
		d[FieldDate] = a.Date
	}
	if len(a.Date) >= len("2006-01") {
		d[FieldMonth] = a.Date[:len("2006-01")]
	}
	return d, nil
}

// CountyTopicSep separates the county from the topic in FieldCountyTopic.
const CountyTopicSep = "\x1f"

// countyTopics returns an article's county and topic pairs.
func countyTopics(a *corpus.Article) []string {
	var pairs []string
	for _, c := range a.Counties {
		for _, t := range a.Topics {
			pairs = append(pairs, c+CountyTopicSep+t)
		}
	}
	return pairs
}
