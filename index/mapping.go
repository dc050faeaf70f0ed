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
	FieldCounties = "counties"
	FieldCounty   = "county"
	FieldTopics   = "topics"
	FieldTopic    = "topic"
	FieldAuthors  = "authors"
	FieldPaper    = "paper"
	FieldPage     = "page"
	FieldSource   = "source"
	FieldKind     = "kind"
	FieldDate     = "date"
	FieldMonth    = "month" // YYYY-MM of the date, for the date facet
	// FieldID repeats the article id with doc values: sorting ties by it
	// reads a doc value, where Bleve's _id reads every hit's stored fields.
	FieldID = "id"
	// FieldCountyTopic holds every county and topic pair of an article
	// ("梨树县" + CountyTopicSep + "农业农村"), so that one facet gives a
	// county × topic table.
	FieldCountyTopic = "county_topic"
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
	for _, name := range []string{FieldCounties, FieldCounty, FieldTopics, FieldTopic, FieldAuthors, FieldPaper, FieldPage, FieldSource, FieldKind, FieldMonth, FieldID, FieldCountyTopic} {
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
