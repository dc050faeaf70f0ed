// Package corpus turns a newspaper's bulletin page files into articles: it
// decodes the bytes, reads the page structure (kickers, titles, subtitles,
// bylines, body paragraphs, photo captions), repairs column cuts, finds the
// paper, date and page, and tags each item with its counties and topics.
//
// It knows nothing of the index or of HTTP; its output, Article, is the
// record every other package consumes.
package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Item kinds.
const (
	KindArticle = "article"
	KindPhoto   = "photo"
)

// Article is one item of a bulletin page: an article or a photo with its
// caption. Its JSON form is the archive's record format, a contract: the
// field names and their order do not change.
type Article struct {
	ID       string   `json:"id"`
	Source   string   `json:"source"`
	Ordinal  int      `json:"ordinal"`
	Kind     string   `json:"kind"`
	Paper    string   `json:"paper"`
	Date     string   `json:"date"`
	Page     string   `json:"page"`
	Kicker   string   `json:"kicker"`
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle"`
	Authors  []string `json:"authors"`
	Body     string   `json:"body"`
	Counties []string `json:"counties"`
	County   string   `json:"county"`
	Topics   []string `json:"topics"`
	Topic    string   `json:"topic"`

	// Line is the 1-based line of the source file where the item starts.
	// It is not part of the record.
	Line int `json:"-"`
}

// ArticleID returns the stable id of the item at ordinal in the file whose
// corpus-relative path is source: the same path and ordinal give the same id
// on every run and machine.
func ArticleID(source string, ordinal int) string {
	sum := sha256.Sum256([]byte(source + "#" + strconv.Itoa(ordinal)))
	return hex.EncodeToString(sum[:8])
}
