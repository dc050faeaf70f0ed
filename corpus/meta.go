package corpus

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Meta is a page's metadata: the paper, the date of issue (YYYY-MM-DD) and
// the page (版). What is unknown stays empty; a date is never guessed.
type Meta struct {
	Paper string `json:"paper"`
	Date  string `json:"date"`
	Page  string `json:"page"`
}

// Merge fills the fields of m that are empty from other.
func (m Meta) Merge(other Meta) Meta {
	if m.Paper == "" {
		m.Paper = other.Paper
	}
	if m.Date == "" {
		m.Date = other.Date
	}
	if m.Page == "" {
		m.Page = other.Page
	}
	return m
}

type lineWarning struct {
	line int
	msg  string
}

type frontMatter struct {
	Meta
	warnings []lineWarning
}

// readFrontMatter reads an optional front-matter block at the top of a page:
// a line "---", lines "key: value" (paper, date, page, edition) and a
// closing "---". It returns the index of the first line after it.
func readFrontMatter(lines []string) (frontMatter, int, error) {
	var fm frontMatter
	first := 0
	for first < len(lines) && trimSpace(lines[first]) == "" {
		first++
	}
	if first == len(lines) || trimSpace(lines[first]) != "---" {
		return fm, 0, nil
	}
	var edition string
	for i := first + 1; i < len(lines); i++ {
		s := trimSpace(lines[i])
		if s == "---" {
			if fm.Page == "" {
				fm.Page = edition
			}
			return fm, i + 1, nil
		}
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		key, value, ok := strings.Cut(s, ":")
		if !ok {
			key, value, ok = strings.Cut(s, "：")
		}
		if !ok {
			fm.warnings = append(fm.warnings, lineWarning{i + 1, fmt.Sprintf("front matter line %q is not \"key: value\"", s)})
			continue
		}
		key = strings.ToLower(trimSpace(key))
		value = strings.Trim(trimSpace(value), `"'`)
		switch key {
		case "paper":
			fm.Paper = value
		case "date":
			d, err := NormalizeDate(value)
			var outside *DateRangeError
			if errors.As(err, &outside) {
				fm.warnings = append(fm.warnings, lineWarning{i + 1, outsideRange("front matter", outside.Date)})
				continue
			}
			if err != nil {
				fm.warnings = append(fm.warnings, lineWarning{i + 1, fmt.Sprintf("front matter date: %v", err)})
				continue
			}
			fm.Date = d
		case "page":
			fm.Page = normalizePage(value)
		case "edition":
			edition = normalizePage(value)
		}
	}
	return fm, 0, fmt.Errorf("line %d: front matter opened with --- is never closed", first+1)
}

var dateForms = []*regexp.Regexp{
	regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`),
	regexp.MustCompile(`^(\d{4})/(\d{1,2})/(\d{1,2})$`),
	regexp.MustCompile(`^(\d{4})\.(\d{1,2})\.(\d{1,2})$`),
	regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`),
	regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日$`),
}

// NormalizeDate turns a date written as 2023-04-15, 2023/4/15, 2023.4.15,
// 20230415 or 2023年4月15日 into YYYY-MM-DD, and rejects dates that do not
// exist. A real date outside the archive's range (MinDate..MaxDate) is a
// *DateRangeError holding it as YYYY-MM-DD.
func NormalizeDate(s string) (string, error) {
	s = trimSpace(s)
	for _, re := range dateForms {
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
			return "", fmt.Errorf("%q is not a valid date", s)
		}
		if !DateInRange(t) {
			return "", &DateRangeError{Date: t.Format("2006-01-02")}
		}
		return t.Format("2006-01-02"), nil
	}
	return "", fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
}

// normalizePage writes a page number without leading zeros ("02" → "2");
// other page names (A3) stay as they are.
func normalizePage(s string) string {
	s = trimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return strconv.Itoa(n)
	}
	return s
}

var (
	nameDate = regexp.MustCompile(`(?:^|[^0-9])(\d{4})-?(\d{2})-?(\d{2})(?:[^0-9]|$)`)
	namePage = []*regexp.Regexp{
		regexp.MustCompile(`第0*(\d+)版`),
		regexp.MustCompile(`(?i)(?:^|[^a-z0-9])p0*(\d{1,3})(?:[^a-z0-9]|$)`),
		regexp.MustCompile(`_0*(\d{1,3})(?:[^a-zA-Z0-9]|$)`),
	}
)

// MetaFromFileName reads a date (20230415, 2023-04-15) and a page (p2, _02,
// 第2版) from a file name. The paper never comes from a file name. A date
// outside the archive's range is left empty (FileNameMeta says why).
func MetaFromFileName(name string) Meta {
	m, _ := FileNameMeta(name)
	return m
}

// FileNameMeta is MetaFromFileName, with a warning when the name holds a
// real date outside the archive's range, which is left empty: "file name
// date 1799-12-31 is outside 1800–2200 (left empty)"; "" otherwise.
func FileNameMeta(name string) (m Meta, warning string) {
	base := filepath.Base(name)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	// The first run of digits that is a real date (in the range or not).
	for _, idx := range nameDate.FindAllStringSubmatchIndex(base, -1) {
		y, mo, d := base[idx[2]:idx[3]], base[idx[4]:idx[5]], base[idx[6]:idx[7]]
		date, err := NormalizeDate(y + "-" + mo + "-" + d)
		var outside *DateRangeError
		switch {
		case err == nil:
			m.Date = date
		case errors.As(err, &outside):
			warning = outsideRange("file name", outside.Date)
		default:
			continue
		}
		// Do not read the date's own digits as a page.
		base = base[:idx[2]] + " " + base[idx[7]:]
		break
	}
	for _, re := range namePage {
		if sub := re.FindStringSubmatch(base); sub != nil {
			m.Page = normalizePage(sub[1])
			break
		}
	}
	return m, warning
}

// ManifestName is the file in a corpus root that gives metadata per file.
const ManifestName = "manifest.csv"

// Manifest maps corpus-relative paths (with forward slashes) to their rows.
type Manifest map[string]ManifestEntry

// ManifestEntry is a manifest row: the file's metadata, and warnings about
// the row (a date outside the archive's range, left empty), to be reported
// with the file.
type ManifestEntry struct {
	Meta
	Problems []Problem
}

// ReadManifest reads a manifest.csv with the header path,paper,date,page.
// A missing file is an empty manifest. A date that is not a date is an
// error; a real date outside the archive's range is left empty, with a
// warning in the row's entry.
func ReadManifest(path string) (Manifest, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Manifest{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	defer f.Close()
	return parseManifest(f, path)
}

func parseManifest(r io.Reader, name string) (Manifest, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: read header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(trimSpace(h))] = i
	}
	if _, ok := col["path"]; !ok {
		return nil, fmt.Errorf("%s:1: header has no \"path\" column (want path,paper,date,page)", name)
	}
	get := func(rec []string, key string) string {
		if i, ok := col[key]; ok && i < len(rec) {
			return trimSpace(rec[i])
		}
		return ""
	}
	m := Manifest{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return m, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p := filepath.ToSlash(filepath.Clean(get(rec, "path")))
		e := ManifestEntry{Meta: Meta{Paper: get(rec, "paper"), Page: normalizePage(get(rec, "page"))}}
		if d := get(rec, "date"); d != "" {
			var outside *DateRangeError
			e.Date, err = NormalizeDate(d)
			switch {
			case errors.As(err, &outside):
				e.Problems = append(e.Problems, Problem{Path: name, Line: line, Message: outsideRange("manifest", outside.Date)})
			case err != nil:
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
		}
		m[p] = e
	}
}
