// Package index stores articles in a Bleve index whose analysis is built on
// gse, and keeps it up to date with a corpus directory.
//
// Every text is indexed twice, for two purposes: word fields (gse words, for
// BM25 ranking and similar articles) and character fields (bigrams and each
// run's last character, without positions: the exact-recall path that finds
// any substring, its candidates verified against the stored record; see
// ExactPhraseQuery). See docs/analysis.md and docs/performance.md.
//
// An index on disk is a directory of generations: each generation is a
// complete Bleve index, and the file CURRENT names the one in use. A rebuild
// writes a new generation beside the old one and switches CURRENT with an
// atomic rename, so a failed or killed run never damages the index that
// readers use.
package index
