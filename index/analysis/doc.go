// Package analysis holds the archive's two text analyses for Bleve.
//
// The word analysis (analyzer WordAnalyzer) segments folded text into words
// with gse and serves ranking and similar-article search. The character
// analysis serves exact recall: BigramAnalyzer emits overlapping bigrams of
// searchable characters plus the last character of every run alone, so that
// every character of a run starts a term (a one-character search is a
// prefix lookup, a two-character one a term lookup, a longer one a
// conjunction of bigrams whose candidates the index package verifies
// against the stored text). UnigramAnalyzer (one token per searchable
// character) is no longer used by the mapping; it stays registered for
// indexes of the first schema. A searchable character is a letter, a digit
// or a Han character after folding with textnorm; anything else separates
// runs, and positions leave a gap at each separator so that a phrase never
// matches across punctuation.
//
// Every token's Start and End are byte offsets into the original, unfolded
// field text, and textnorm.String of that slice equals the token's term.
//
// The analyzers are registered with Bleve's registry in init, under the
// names in WordAnalyzer, BigramAnalyzer and UnigramAnalyzer. The gse
// segmenter is loaded once per process from gse's embedded dictionary: call
// Init at program start to add user words (place names) before first use.
// See docs/analysis.md for the design and the measured figures.
package analysis
