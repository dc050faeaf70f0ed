// Package opensearch is the archive's second search engine: an OpenSearch
// 2.19 cluster (stock nodes with the analysis-common module, no other
// plugin) holding the same articles as the embedded Bleve index, with the
// same exact-recall contract. See docs/opensearch.md.
//
// The archive does the analysis the engine cannot do without plugins: it
// folds the text with corpus/textnorm (traditional to simplified, full to
// half width, case) and cuts it into runs of searchable characters with
// the rule of index/analysis (analysis.Searchable), then sends, beside the
// record, the exact-recall tokens of the head and the body as
// space-separated words (see Document). The engine only splits them at
// spaces (the whitespace tokenizer), so it indexes exactly the terms the
// Bleve index has: no character class of the engine's own decides what is
// searchable.
//
// Client talks to the cluster (through opensearch-go's transport: several
// node URLs, retries, dead-node handling). Its write side builds
// generations: a concrete index NAME-gen-… per load, made current by one
// alias swap (Load, Generations, Rollback, Prune). Its read side answers
// what the search package needs: exact totals, matches with keyword
// filters sorted by date or relevance with search_after cursors, exact
// facet counts and records by id (Search, Count, Facets, Records).
//
// Bulk NDJSON for an offline load (newsarchive export) is written by
// Writer; Mapping is the index body it is loaded into.
package opensearch
