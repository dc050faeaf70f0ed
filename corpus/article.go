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
	Places   []Place  `json:"places"`
	Topics   []string `json:"topics"`
	Topic    string   `json:"topic"`

	// Line is the 1-based line of the source file where the item starts.
	// It is not part of the record.
	Line int `json:"-"`
	// Aliases are other ids the item answers to (its path-based id, the
	// ids of its file before a move): links made with them redirect to
	// ID. They are not part of the record.
	Aliases []string `json:"-"`
}

// ArticleID returns the path-based id of the item at ordinal in the file
// whose corpus-relative path is source: the same path and ordinal give the
// same id on every run and machine. It is the id of an item whose page
// metadata is not known (see ItemID), and the id every item had before
// schema 6, kept as an alias so that old links still resolve.
func ArticleID(source string, ordinal int) string {
	sum := sha256.Sum256([]byte(source + "#" + strconv.Itoa(ordinal)))
	return hex.EncodeToString(sum[:8])
}

// PageID returns the id of the item at ordinal on the page of paper
// published on date: it depends on what the item is, not on where its
// file lies, so moving or renaming files keeps every id.
func PageID(paper, date, page string, ordinal int) string {
	sum := sha256.Sum256([]byte("page\x00" + paper + "\x00" + date + "\x00" + page + "\x00" + strconv.Itoa(ordinal)))
	return hex.EncodeToString(sum[:8])
}

// ItemID returns the id of an item: PageID when its paper, date and page
// are all known, else the path-based ArticleID.
func ItemID(source, paper, date, page string, ordinal int) string {
	if paper != "" && date != "" && page != "" {
		return PageID(paper, date, page, ordinal)
	}
	return ArticleID(source, ordinal)
}
