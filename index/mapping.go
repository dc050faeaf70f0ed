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
	// Exact-recall fields: bigrams with positions, and unigrams.
	FieldHeadBigram  = "head_x"
	FieldBodyBigram  = "body_x"
	FieldHeadUnigram = "head_1"
	FieldBodyUnigram = "body_1"
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
	chars := func(analyzer string, positions bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = positions
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
	doc.AddFieldMappingsAt(FieldHeadBigram, chars(analysis.BigramAnalyzer, true))
	doc.AddFieldMappingsAt(FieldBodyBigram, chars(analysis.BigramAnalyzer, true))
	doc.AddFieldMappingsAt(FieldHeadUnigram, chars(analysis.UnigramAnalyzer, false))
	doc.AddFieldMappingsAt(FieldBodyUnigram, chars(analysis.UnigramAnalyzer, false))
	for _, name := range []string{FieldCounties, FieldCounty, FieldTopics, FieldTopic, FieldAuthors, FieldPaper, FieldPage, FieldSource, FieldKind} {
		doc.AddFieldMappingsAt(name, kw(false))
	}
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
