package engine

import "strconv"

// The keyword fields every engine holds, for Term queries, filters and
// facets. Values are the record's, as they are (display names of places,
// topic labels, author names).
const (
	FieldCounties = "counties" // corpus.Article.Counties (display names)
	// FieldProvinces and FieldPrefectures hold the display names of an
	// article's places and of their ancestors at that level.
	FieldProvinces   = "provinces"
	FieldPrefectures = "prefectures"
	// FieldPlace holds every 6-digit code of an article's places and of
	// their ancestors (220323, 220300, 220000).
	FieldPlace      = "place"
	FieldTopics     = "topics"      // corpus.Article.Topics
	FieldAuthors    = "authors"     // corpus.Article.Authors
	FieldPaper      = "paper"       // corpus.Article.Paper
	FieldKind       = "kind"        // article or photo
	FieldMonth      = "month"       // YYYY-MM of the date
	FieldDate       = "date"        // the date, for DateRange and date filters
	FieldPlaceTopic = "place_topic" // level + PlaceTopicSep + place + PlaceTopicSep + topic
)

// PlaceTopicSep separates the level, the place and the topic in
// FieldPlaceTopic.
const PlaceTopicSep = "\x1f"

// FormatScore is how a relevance score is written in a Cursor.
func FormatScore(score float64) string { return strconv.FormatFloat(score, 'g', -1, 64) }
