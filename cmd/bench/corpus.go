package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"newsarchive/corpus"
)

// scaledCorpus describes a corpus written by buildCorpus.
type scaledCorpus struct {
	Dir      string `json:"dir"`
	Target   int    `json:"target"`   // the article count asked for
	Articles int    `json:"articles"` // "### " headings written (the parser may find a few more or fewer items)
	Files    int    `json:"files"`
	Bytes    int64  `json:"bytes"` // raw text on disk
	Copies   int    `json:"copies"`
}

// papers are the paper names the copies cycle through.
var papers = []string{"新闻联播", "四平日报", "梨树日报", "伊通日报", "双辽日报", "公主岭日报", "铁西周报"}

// countySentences are appended to an article's first paragraph so that the
// county facets vary; %s is a unit of the gazetteer.
var countySentences = []string{
	"%s干部群众认真收看这一报道，表示要结合实际抓好落实。",
	"记者在%s采访时了解到，当地正在加紧推进相关工作。",
	"%s有关部门负责人表示，将把这项工作做细做实。",
}

// buildCorpus writes, into dir, copies of the xwlb files of src until they
// hold at least target articles. Copy c (c = 0, 1, ...) lives in dir/cNN,
// has every front-matter date shifted back by 3c years (xwlb spans less
// than three years, so copies never share a day), cycles the paper name
// through papers, and gets, in two articles of three, a sentence naming
// one of the gazetteer's units appended to the first paragraph, so that
// county filters and facets select something. The text is otherwise the
// real text. A finished corpus is marked with corpus.json and reused.
func buildCorpus(src, dir string, target int, units []string) (*scaledCorpus, error) {
	marker := filepath.Join(dir, "corpus.json")
	if b, err := os.ReadFile(marker); err == nil {
		var sc scaledCorpus
		if json.Unmarshal(b, &sc) == nil && sc.Target == target {
			sc.Dir = filepath.Join(dir, "text")
			return &sc, nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	files, err := corpus.FindFiles(src)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no bulletin files in %s", src)
	}
	text := filepath.Join(dir, "text")
	sc := &scaledCorpus{Dir: text, Target: target}
	for c := 0; sc.Articles < target; c++ {
		sc.Copies = c + 1
		for i, f := range files {
			if sc.Articles >= target {
				break
			}
			data, err := os.ReadFile(f.Path)
			if err != nil {
				return nil, err
			}
			out, n, err := rewriteFile(data, c, i, papers[(c*3+i)%len(papers)], units)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Path, err)
			}
			path := filepath.Join(text, fmt.Sprintf("c%02d", c), filepath.FromSlash(f.Source))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, out, 0o644); err != nil {
				return nil, err
			}
			sc.Files++
			sc.Articles += n
			sc.Bytes += int64(len(out))
		}
	}
	b, _ := json.MarshalIndent(sc, "", "  ")
	if err := os.WriteFile(marker, b, 0o644); err != nil {
		return nil, err
	}
	return sc, nil
}

// rewriteFile returns file i of copy c with its date shifted, its paper
// set, and counties injected; n is its number of "### " headings.
func rewriteFile(data []byte, c, i int, paper string, units []string) (out []byte, n int, err error) {
	lines := strings.Split(string(data), "\n")
	var b bytes.Buffer
	b.Grow(len(data) + 1024)
	inFront, frontDone := false, false
	article, injected := -1, true
	for li, line := range lines {
		s := strings.TrimSpace(line)
		switch {
		case !frontDone && s == "---":
			if inFront {
				frontDone = true
			}
			inFront = !inFront
		case inFront && strings.HasPrefix(s, "date:"):
			d, err := time.Parse("2006-01-02", strings.TrimSpace(strings.TrimPrefix(s, "date:")))
			if err != nil {
				return nil, 0, fmt.Errorf("line %d: %w", li+1, err)
			}
			line = "date: " + d.AddDate(-3*c, 0, 0).Format("2006-01-02")
		case inFront && strings.HasPrefix(s, "paper:"):
			line = "paper: " + paper
		case strings.HasPrefix(s, "### "):
			n++
			article++
			injected = false
		case !injected && s != "" && !strings.HasPrefix(s, "#"):
			// The article's first paragraph.
			injected = true
			h := fnv.New32a()
			h.Write([]byte(strconv.Itoa(c) + "/" + strconv.Itoa(i) + "/" + strconv.Itoa(article)))
			v := int(h.Sum32())
			if v%3 != 0 {
				u := units[(v/3)%len(units)]
				line += fmt.Sprintf(countySentences[(v/7)%len(countySentences)], u)
			}
		}
		b.WriteString(line)
		if li < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), n, nil
}
