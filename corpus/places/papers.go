package places

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
)

//go:embed data/papers.tsv
var papersTSV string

// National is the home of a national paper: no area is home.
const National = ""

// Papers maps a paper's name to its home area.
type Papers struct {
	home   map[string]string
	digest string
}

// Unknown is the papers file's name for items whose paper is not known:
// its row gives their home area (the embedded file: 四平市, the archive's
// founding paper, whose pages carry no paper name).
const Unknown = "(unknown)"

var defaultP struct {
	once sync.Once
	p    *Papers
	err  error
}

// DefaultPapers returns the embedded papers file (data/papers.tsv), its
// codes checked against the default gazetteer.
func DefaultPapers() (*Papers, error) {
	defaultP.once.Do(func() {
		g, err := Default()
		if err != nil {
			defaultP.err = err
			return
		}
		defaultP.p, defaultP.err = LoadPapers(strings.NewReader(papersTSV), "data/papers.tsv", g)
	})
	return defaultP.p, defaultP.err
}

// LoadPapers reads a papers file: "paper<TAB>home[<TAB>note]" lines, home
// a division code or - (national); # starts a comment. With a gazetteer,
// every code must be one of its provinces, prefectures or counties. name
// is used in errors.
func LoadPapers(r io.Reader, name string, g *Gazetteer) (*Papers, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &Papers{home: map[string]string{}}
	err = eachLine(string(b), name, func(line int, cells []string) error {
		if len(cells) < 2 || len(cells) > 3 {
			return fmt.Errorf("%s:%d: want paper<TAB>home[<TAB>note]", name, line)
		}
		paper, code := strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1])
		if paper == "" {
			return fmt.Errorf("%s:%d: empty paper name", name, line)
		}
		if paper == Unknown {
			paper = ""
		}
		if _, dup := p.home[paper]; dup {
			return fmt.Errorf("%s:%d: paper %q listed twice", name, line, paper)
		}
		if code == "-" {
			p.home[paper] = National
			return nil
		}
		if !allDigits(code) {
			return fmt.Errorf("%s:%d: home %q is not a division code or -", name, line, code)
		}
		code = normalizeCode(code)
		if g != nil {
			u, ok := g.Unit(code)
			if !ok || u.Level == Township {
				return fmt.Errorf("%s:%d: home %s is no province, prefecture or county", name, line, cells[1])
			}
		}
		p.home[paper] = code
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	p.digest = hex.EncodeToString(sum[:])
	return p, nil
}

// Digest returns the SHA-256 (hex) of the papers file.
func (p *Papers) Digest() string { return p.digest }

// Home returns the code of a paper's home area (National for a national
// paper) and whether the paper is listed. An unlisted paper has no home;
// "" (no paper known) has the home of the file's Unknown row, if any.
func (p *Papers) Home(paper string) (string, bool) {
	c, ok := p.home[strings.TrimSpace(paper)]
	return c, ok
}
