package index

import (
	"encoding/json"
	"fmt"

	"newsarchive/corpus"
	"newsarchive/engine"
)

// document returns the Bleve document of an article.
func document(a *corpus.Article) (map[string]any, error) {
	rec, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", a.ID, err)
	}
	head := engine.HeadText(a)
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
	pl := engine.PlacesOf(a)
	if len(pl.Provinces) > 0 {
		d[FieldProvinces] = pl.Provinces
	}
	if len(pl.Prefectures) > 0 {
		d[FieldPrefectures] = pl.Prefectures
	}
	if len(pl.Codes) > 0 {
		d[FieldPlace] = pl.Codes
	}
	if pairs := engine.PlaceTopics(a, pl); len(pairs) > 0 {
		d[FieldPlaceTopic] = pairs
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
