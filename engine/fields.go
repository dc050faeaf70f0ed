package engine

import "strconv"

// The keyword fields every engine holds, for Term queries, filters and
// facets. Values are the record's, as they are (display names of places,
// topic labels, author names).
const (
	FieldCounties    = "counties"     // corpus.Article.Counties
	FieldTopics      = "topics"       // corpus.Article.Topics
	FieldAuthors     = "authors"      // corpus.Article.Authors
	FieldPaper       = "paper"        // corpus.Article.Paper
	FieldKind        = "kind"         // article or photo
	FieldMonth       = "month"        // YYYY-MM of the date
	FieldDate        = "date"         // the date, for DateRange and date filters
	FieldCountyTopic = "county_topic" // county + CountyTopicSep + topic pairs
)

// CountyTopicSep separates the county from the topic in FieldCountyTopic.
const CountyTopicSep = "\x1f"

// FormatScore is how a relevance score is written in a Cursor.
func FormatScore(score float64) string { return strconv.FormatFloat(score, 'g', -1, 64) }
