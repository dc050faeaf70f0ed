package analysis

import (
	"fmt"

	blevea "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names under which the tokenizers and analyzers are registered with
// Bleve's registry. Each name is both a tokenizer's and an analyzer's (the
// analyzer is the tokenizer alone); use them as a field mapping's Analyzer.
const (
	// WordAnalyzer segments text into words with gse (ranking, similar
	// articles).
	WordAnalyzer = "newsarchive_word"
	// BigramAnalyzer emits overlapping bigrams of searchable characters
	// and the last character of every run alone: every character of a run
	// starts a term. For a field without term vectors or frequencies,
	// queried by term (two characters), prefix (one character) or a
	// conjunction of bigrams verified against the stored text (more).
	BigramAnalyzer = "newsarchive_bigram"
	// UnigramAnalyzer emits one token per searchable character. The
	// current mapping does not use it (schema 1 did, for one-character
	// searches); it stays registered so that an index of schema 1 still
	// opens and can be told to rebuild, and for experiments.
	UnigramAnalyzer = "newsarchive_unigram"
)

func init() {
	tokenizers := map[string]registry.TokenizerConstructor{
		WordAnalyzer:   newWordTokenizer,
		BigramAnalyzer: func(map[string]interface{}, *registry.Cache) (blevea.Tokenizer, error) { return bigramTokenizer{}, nil },
		UnigramAnalyzer: func(map[string]interface{}, *registry.Cache) (blevea.Tokenizer, error) {
			return unigramTokenizer{}, nil
		},
	}
	for name, cons := range tokenizers {
		// Registering a name twice is an error since Bleve v2.5; the names
		// carry our prefix, so a clash is a build mistake worth a panic.
		if err := registry.RegisterTokenizer(name, cons); err != nil {
			panic(fmt.Sprintf("analysis: register tokenizer %s: %v", name, err))
		}
		if err := registry.RegisterAnalyzer(name, analyzerConstructor(name)); err != nil {
			panic(fmt.Sprintf("analysis: register analyzer %s: %v", name, err))
		}
	}
}

// newWordTokenizer builds the word tokenizer, loading the gse segmenter if
// Init has not: the first index or mapping that uses WordAnalyzer pays the
// load.
func newWordTokenizer(map[string]interface{}, *registry.Cache) (blevea.Tokenizer, error) {
	seg, err := segmenter()
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", WordAnalyzer, err)
	}
	return &wordTokenizer{seg: seg, mode: wordMode}, nil
}

// analyzerConstructor returns the constructor of the analyzer made of the
// tokenizer registered under name, without filters: folding happens in the
// tokenizers, which need the original text for their offsets.
func analyzerConstructor(name string) registry.AnalyzerConstructor {
	return func(_ map[string]interface{}, cache *registry.Cache) (blevea.Analyzer, error) {
		tok, err := cache.TokenizerNamed(name)
		if err != nil {
			return nil, fmt.Errorf("analyzer %s: %w", name, err)
		}
		return &blevea.DefaultAnalyzer{Tokenizer: tok}, nil
	}
}

// Words returns the gse words of text, folded, as WordAnalyzer cuts them
// (highlighting marks them for an unquoted query term; similar articles
// weigh them). It loads the segmenter on first use.
func Words(text string) []string {
	seg, err := segmenter()
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range (&wordTokenizer{seg: seg, mode: wordMode}).Tokenize([]byte(text)) {
		out = append(out, string(t.Term))
	}
	return out
}
