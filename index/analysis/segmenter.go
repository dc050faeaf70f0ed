package analysis

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/go-ego/gse"

	"newsarchive/corpus/textnorm"
)

// dictName selects gse's embedded dictionary. Text is folded to simplified
// characters before segmentation, so the simplified dictionary suffices;
// "zh" (simplified plus traditional) costs more memory and scores no better
// (see docs/analysis.md).
const dictName = "zh_s"

// userWordFreq is the dictionary frequency given to user words: that of a
// common word (自治县 has 4055, 满族 1499), high enough that a user word
// found in the text is always kept whole.
const userWordFreq = 10000

// ErrLoaded is returned by Init when the segmenter was already loaded, by an
// earlier Init or by a first tokenization.
var ErrLoaded = errors.New("analysis: gse segmenter already loaded")

var (
	segPtr atomic.Pointer[gse.Segmenter]
	segMu  sync.Mutex
	segErr error
)

// Init loads the gse segmenter with its embedded dictionary and adds
// extraWords (folded: traditional and full-width forms are accepted) as
// user words that segmentation keeps whole. A program calls it once at
// start, before the first analysis; loading takes about 2 s and 130 MB.
// Without Init the segmenter is loaded without user words on first use.
// Init returns ErrLoaded when the segmenter is already loaded, and an error
// for an empty word or one containing white space.
func Init(extraWords []string) error {
	words, err := cleanUserWords(extraWords)
	if err != nil {
		return err
	}
	segMu.Lock()
	defer segMu.Unlock()
	if segPtr.Load() != nil || segErr != nil {
		return ErrLoaded
	}
	seg, err := loadSegmenter(words)
	if err != nil {
		segErr = err
		return err
	}
	segPtr.Store(seg)
	return nil
}

// segmenter returns the process's segmenter, loading it without user words
// on first use.
func segmenter() (*gse.Segmenter, error) {
	if seg := segPtr.Load(); seg != nil {
		return seg, nil
	}
	segMu.Lock()
	defer segMu.Unlock()
	if seg := segPtr.Load(); seg != nil {
		return seg, nil
	}
	if segErr != nil {
		return nil, segErr
	}
	seg, err := loadSegmenter(nil)
	if err != nil {
		segErr = err
		return nil, err
	}
	segPtr.Store(seg)
	return seg, nil
}

// cleanUserWords folds the words and rejects unusable ones.
func cleanUserWords(words []string) ([]string, error) {
	out := make([]string, 0, len(words))
	for _, w := range words {
		f := textnorm.String(strings.TrimSpace(w))
		if f == "" {
			return nil, fmt.Errorf("analysis: user word %q is empty", w)
		}
		if strings.IndexFunc(f, unicode.IsSpace) >= 0 {
			return nil, fmt.Errorf("analysis: user word %q contains white space", w)
		}
		out = append(out, f)
	}
	return out, nil
}

// embeddedDictTokens is about the number of tokens of gse's embedded
// simplified dictionary (352,275): the token table is allocated once at
// that size instead of growing by copies, which took a fifth of the load.
const embeddedDictTokens = 360_000

// loadSegmenter builds a segmenter from gse's embedded dictionary (compiled
// into the binary: no file and no network is needed) plus the user words.
//
// The user words go in first: the dictionary's own entry for one of them
// is then skipped (gse keeps the first), and gse computes every token's
// path distance once, at the end of the dictionary load. Adding them after
// meant a second pass over the whole dictionary (0.6 s).
func loadSegmenter(words []string) (*gse.Segmenter, error) {
	textnorm.Init()
	seg := &gse.Segmenter{SkipLog: true}
	seg.Dict = gse.NewDict()
	seg.Init()
	seg.Dict.Tokens = make([]gse.Token, 0, embeddedDictTokens+len(words))
	for _, w := range words {
		if err := seg.AddToken(w, userWordFreq, "ns"); err != nil {
			return nil, fmt.Errorf("analysis: add user word %q: %w", w, err)
		}
	}
	if err := seg.LoadDictEmbed(dictName); err != nil {
		return nil, fmt.Errorf("analysis: load gse embedded dictionary %q: %w", dictName, err)
	}
	return seg, nil
}
