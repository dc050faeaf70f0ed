package index

import (
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"newsarchive/index/analysis"
)

// Field names in the Bleve documents.
const (
	// Word fields (gse words; no term vectors).
	FieldHead = "head" // kicker, title and subtitle
	FieldBody = "body"
	// Exact-recall fields: bigrams and each run's last character, without
	// positions or frequencies (see ExactQuery).
	FieldHeadBigram = "head_x"
	FieldBodyBigram = "body_x"
	// Keyword fields, facetable and sortable.
	//
	// FieldCounties holds the record's counties (display names, unique:
	// 铁东区（四平）; for a city paper also its home prefecture, 四平市).
	FieldCounties = "counties"
	FieldCounty   = "county"
	// FieldProvinces holds the display names of the provinces of an
	// article's places: its province-level places and the province of each
	// prefecture and county-level place (an article tagged 伊通满族自治县 has
	// 吉林省), so that a province filter and facet count everything in it.
	FieldProvinces = "provinces"
	// FieldPrefectures likewise holds its prefecture-level places and the
	// prefecture of each county-level place (伊通满族自治县 → 四平市; none
	// for a county directly under its province, 北京 朝阳区).
	FieldPrefectures = "prefectures"
	// FieldPlace holds the 6-digit code of every place and of each of its
	// ancestors (伊通满族自治县: 220323, 220300, 220000), for place: queries.
	FieldPlace   = "place"
	FieldTopics  = "topics"
	FieldTopic   = "topic"
	FieldAuthors = "authors"
	FieldPaper   = "paper"
	FieldPage    = "page"
	FieldSource  = "source"
	FieldKind    = "kind"
	FieldDate    = "date"
	FieldMonth   = "month" // YYYY-MM of the date, for the date facet
	// FieldID repeats the article id with doc values: sorting ties by it
	// reads a doc value, where Bleve's _id reads every hit's stored fields.
	FieldID = "id"
	// FieldPlaceTopic holds every place and topic pair of an article at
	// each level: level, place and topic joined by PlaceTopicSep
	// ("county\x1f梨树县\x1f农业农村", "prefecture\x1f四平市\x1f农业农村",
	// "province\x1f吉林省\x1f农业农村"; the county level holds the record's
	// counties, the others FieldPrefectures and FieldProvinces), so that one
	// facet gives a place × topic table at any level.
	FieldPlaceTopic = "place_topic"
	// FieldAlias holds the other ids an article answers to (its
	// path-based id, the ids of its file before a move), for redirects.
	FieldAlias = "alias"
	// FieldRecord stores the whole record as JSON; it is not indexed.
	FieldRecord = "record"
)

// NewMapping returns the index mapping: one document type whose fields are
// listed above; nothing is indexed into _all.
func NewMapping() *mapping.IndexMappingImpl {
	words := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analysis.WordAnalyzer
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	// The exact-recall fields only answer "which articles have this
	// term": no term vectors (positions), no frequencies and norms. Phrases
	// are verified against the stored record instead (ExactQuery), which
	// halves the index.
	chars := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analysis.BigramAnalyzer
		f.Store = false
		f.IncludeTermVectors = false
		f.SkipFreqNorm = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(store bool) *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = true
		return f
	}
	record := mapping.NewTextFieldMapping()
	record.Index = false
	record.Store = true
	record.IncludeTermVectors = false
	record.IncludeInAll = false
	record.DocValues = false
	date := mapping.NewDateTimeFieldMapping()
	date.Store = false
	date.IncludeInAll = false
	date.DocValues = true

	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(FieldHead, words())
	doc.AddFieldMappingsAt(FieldBody, words())
	doc.AddFieldMappingsAt(FieldHeadBigram, chars())
	doc.AddFieldMappingsAt(FieldBodyBigram, chars())
	for _, name := range []string{FieldCounties, FieldCounty, FieldProvinces, FieldPrefectures, FieldPlace, FieldTopics, FieldTopic, FieldAuthors, FieldPaper, FieldPage, FieldSource, FieldKind, FieldMonth, FieldID, FieldPlaceTopic} {
		doc.AddFieldMappingsAt(name, kw(false))
	}
	alias := kw(false)
	alias.DocValues = false
	doc.AddFieldMappingsAt(FieldAlias, alias)
	doc.AddFieldMappingsAt(FieldDate, date)
	doc.AddFieldMappingsAt(FieldRecord, record)

	m := mapping.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = keyword.Name
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = bleveindex.BM25Scoring
	return m
}
