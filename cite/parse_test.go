package cite

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/net/html"
)

// testRefs are the records the parsers read back: the real page (nothing
// but titles, authors and ids), an xwlb article and the synthetic one
// with TeX's special characters.
func testRefs(t *testing.T) []Ref {
	var refs []Ref
	for _, a := range realPage(t) {
		refs = append(refs, refOf(a))
	}
	return append(refs, refOf(xwlbArticle(t)), refOf(synthetic()))
}

func exports(t *testing.T, refs []Ref) (ris, bib, csl []byte) {
	t.Helper()
	var r, b, c bytes.Buffer
	if err := RIS(&r, refs...); err != nil {
		t.Fatal(err)
	}
	if err := BibTeX(&b, refs...); err != nil {
		t.Fatal(err)
	}
	if err := CSLJSON(&c, refs...); err != nil {
		t.Fatal(err)
	}
	return r.Bytes(), b.Bytes(), c.Bytes()
}

// TestCSLJSONSchema validates the CSL-JSON export of a result set against
// the official schema (testdata/csl-schema, MIT).
func TestCSLJSONSchema(t *testing.T) {
	_, _, csl := exports(t, testRefs(t))
	f, err := os.Open(filepath.Join("testdata", "csl-schema", "csl-data.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const id = "https://resource.citationstyles.org/schema/v1.0/input/json/csl-data.json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(csl))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("CSL-JSON does not validate: %v", err)
	}
	// The schema itself rejects what it should (it is really applied).
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`[{"id": "x", "type": "newspaper"}]`))
	if sch.Validate(bad) == nil {
		t.Fatal("the schema accepts an unknown type")
	}
}

// risLine is a RIS line: a tag of two capitals or a capital and a digit,
// two spaces, a hyphen, a space, the value.
var risLine = regexp.MustCompile(`^([A-Z][A-Z0-9])  - (.*)$`)

// TestRISStrict reads the RIS export with the rules of the RIS
// specification (RefMan, 2011): CRLF lines, every record from TY to ER,
// known tags only, one-line values, dates YYYY/MM/DD/.
func TestRISStrict(t *testing.T) {
	refs := testRefs(t)
	ris, _, _ := exports(t, refs)
	known := map[string]bool{"TY": true, "AU": true, "TI": true, "T2": true, "DA": true, "PY": true, "SP": true, "UR": true, "Y2": true, "LA": true, "DB": true, "ID": true, "ER": true}
	if bytes.Contains(bytes.ReplaceAll(ris, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatal("a line not ended by CRLF")
	}
	sc := bufio.NewScanner(bytes.NewReader(ris))
	var records []map[string][]string
	var cur map[string][]string
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		m := risLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %d is not a RIS line: %q", n, line)
		}
		tag, val := m[1], m[2]
		if !known[tag] {
			t.Fatalf("line %d: tag %s", n, tag)
		}
		switch {
		case tag == "TY":
			if cur != nil {
				t.Fatalf("line %d: TY inside a record", n)
			}
			cur = map[string][]string{}
		case cur == nil:
			t.Fatalf("line %d: %s outside a record", n, tag)
		case tag == "ER":
			if val != "" {
				t.Fatalf("line %d: ER with a value", n)
			}
			records = append(records, cur)
			cur = nil
			continue
		}
		if tag != "ER" && val == "" {
			t.Fatalf("line %d: %s with no value", n, tag)
		}
		if (tag == "DA" || tag == "Y2") && !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/$`).MatchString(val) {
			t.Fatalf("line %d: date %q", n, val)
		}
		cur[tag] = append(cur[tag], val)
	}
	if cur != nil {
		t.Fatal("the last record has no ER")
	}
	if len(records) != len(refs) {
		t.Fatalf("%d records for %d refs", len(records), len(refs))
	}
	for i, rec := range records {
		a := refs[i].Article
		if rec["TY"][0] != "NEWS" || rec["ID"][0] != a.ID || rec["TI"][0] != Title(a, "：") || strings.Join(rec["AU"], ";") != strings.Join(a.Authors, ";") {
			t.Errorf("record %d = %v for %+v", i, rec, a)
		}
		if a.Date != "" && rec["DA"][0] != strings.ReplaceAll(a.Date, "-", "/")+"/" {
			t.Errorf("record %d date %v", i, rec["DA"])
		}
	}
}

// checkDir installs the npm parsers of testdata/js (citation-js and
// @retorquere/bibtex-parser, the BibTeX parser of Better BibTeX for
// Zotero) once into the user cache, keyed by the lock file's hash.
func checkDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is needed to read the exports back with citation-js (Node.js 20 or later)")
	}
	lock, err := os.ReadFile(filepath.Join("testdata", "js", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "newsarchive", "cite-js-"+hex.EncodeToString(sum[:6]))
	for _, f := range []string{"package.json", "package-lock.json", "check.cjs"} {
		b, err := os.ReadFile(filepath.Join("testdata", "js", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@citation-js", "core")); errors.Is(err, os.ErrNotExist) {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	return dir
}

// TestParsersReadBack reads the result-set exports with citation-js
// (RIS, BibTeX, CSL-JSON) and @retorquere/bibtex-parser (BibTeX) and
// checks that every record comes back with its title, authors, paper,
// date, page and URL.
func TestParsersReadBack(t *testing.T) {
	refs := testRefs(t)
	ris, bib, csl := exports(t, refs)
	dir := checkDir(t)
	tmp := t.TempDir()
	paths := []string{filepath.Join(tmp, "x.ris"), filepath.Join(tmp, "x.bib"), filepath.Join(tmp, "x.json")}
	for i, b := range [][]byte{ris, bib, csl} {
		if err := os.WriteFile(paths[i], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("node", append([]string{filepath.Join(dir, "check.cjs")}, paths...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node check.cjs: %v\n%s", err, stderr.String())
	}
	type name struct{ Literal, Family, Given, Name string }
	type item struct {
		ID, Type, Title, URL, Page, Language string
		Container                            string          `json:"container-title"`
		Author, Reporter                     []name          `json:"-"`
		RawAuthor                            json.RawMessage `json:"author"`
		RawReporter                          json.RawMessage `json:"reporter"`
		Issued                               *CSLDate
		Accessed                             *CSLDate
	}
	var got struct {
		RIS    []item `json:"ris"`
		BibTeX struct {
			Errors  []json.RawMessage `json:"errors"`
			Entries []struct {
				Type, Key string
				Fields    map[string]json.RawMessage
			} `json:"entries"`
		} `json:"bibtex"`
		BibTeXCite []item `json:"bibtexCite"`
		CSL        []item `json:"csl"`
		CSLAPA     string `json:"cslAPA"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// names reads a CSL name list; citation-js gives RIS reporters as a
	// string or a list of strings.
	names := func(raw json.RawMessage) string {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			return one
		}
		var strs []string
		if json.Unmarshal(raw, &strs) == nil {
			return strings.Join(strs, ";")
		}
		var ns []name
		_ = json.Unmarshal(raw, &ns)
		var s []string
		for _, n := range ns {
			s = append(s, n.Literal+n.Family+n.Given+n.Name)
		}
		return strings.Join(s, ";")
	}
	day := func(d *CSLDate) string {
		if d == nil || len(d.DateParts) == 0 {
			return ""
		}
		return fmt.Sprint(d.DateParts[0])
	}
	if len(got.RIS) != len(refs) || len(got.BibTeXCite) != len(refs) || len(got.CSL) != len(refs) || len(got.BibTeX.Entries) != len(refs) {
		t.Fatalf("read back %d RIS, %d BibTeX (%d citation-js), %d CSL records of %d", len(got.RIS), len(got.BibTeX.Entries), len(got.BibTeXCite), len(got.CSL), len(refs))
	}
	if len(got.BibTeX.Errors) > 0 {
		t.Errorf("bibtex-parser errors: %s", got.BibTeX.Errors)
	}
	for i, r := range refs {
		a := r.Article
		title := Title(a, "：")
		authors := strings.Join(r.authors(), ";")
		var issued string
		if d := r.date(); d.ok {
			issued = fmt.Sprint([]int{d.y, d.m, d.d})
		}
		// CSL-JSON: everything, exactly.
		c := got.CSL[i]
		if c.ID != a.ID || c.Type != "article-newspaper" || c.Title != title || c.Container != a.Paper || c.Page != a.Page ||
			c.URL != r.URL || names(c.RawAuthor) != authors || day(c.Issued) != issued || day(c.Accessed) != "[2026 12 2]" {
			t.Errorf("CSL %d = %+v (authors %s), want %+v", i, c, names(c.RawAuthor), a)
		}
		// BibTeX through citation-js: the same, TeX escapes undone.
		b := got.BibTeXCite[i]
		if b.Title != title || b.Container != a.Paper || b.Page != a.Page || b.URL != r.URL || names(b.RawAuthor) != authors || day(b.Issued) != issued || day(b.Accessed) != "[2026 12 2]" {
			t.Errorf("BibTeX (citation-js) %d = %+v, want %+v", i, b, a)
		}
		// BibTeX through bibtex-parser: the key, title and authors.
		e := got.BibTeX.Entries[i]
		var bt string
		_ = json.Unmarshal(e.Fields["title"], &bt)
		if e.Type != "article" || e.Key != BibTeXKey(r) || bt != title || names(e.Fields["author"]) != authors {
			t.Errorf("BibTeX (bibtex-parser) %d = %s %s %q %s, want %s %q %s", i, e.Type, e.Key, bt, e.Fields["author"], BibTeXKey(r), title, authors)
		}
		// RIS through citation-js: NEWS is article-newspaper; its
		// mapping takes AU of NEWS as reporter and the year of PY.
		s := got.RIS[i]
		if s.Type != "article-newspaper" || s.ID != a.ID || s.Title != title || s.Container != a.Paper || s.Page != a.Page || s.URL != r.URL ||
			names(s.RawReporter)+names(s.RawAuthor) != authors || day(s.Accessed) != "[2026 12 2]" {
			t.Errorf("RIS %d = %+v (authors %s%s), want %+v", i, s, names(s.RawReporter), names(s.RawAuthor), a)
		}
		if r.date().ok && (s.Issued == nil || s.Issued.DateParts[0][0] != r.date().y) {
			t.Errorf("RIS %d: issued %v, want year %d", i, s.Issued, r.date().y)
		}
	}
	// citeproc renders the CSL-JSON (APA): the names and papers are there.
	if !strings.Contains(got.CSLAPA, "新闻联播") || !strings.Contains(got.CSLAPA, "孙月秋") {
		t.Errorf("citation-js APA bibliography:\n%s", got.CSLAPA)
	}
}

// TestMetaTagsZotero renders the tags as the web package will and reads
// them as Zotero's Embedded Metadata translator does: its Highwire
// mapping (citation_title → title, citation_date → date, citation_author
// → creators, citation_firstpage → pages, citation_language → language),
// the item type it infers (citation_journal_title would force
// journalArticle; DC.type newspaperArticle, an item type, makes it a
// newspaper article) and the publication (prism.publicationName).
func TestMetaTagsZotero(t *testing.T) {
	page := template.Must(template.New("head").Parse(`<!doctype html><html lang="zh"><head><meta charset="utf-8">
{{range .Links}}<link rel="{{index . 0}}" href="{{index . 1}}">
{{end}}{{range .Tags}}<meta name="{{.Name}}" content="{{.Content}}">
{{end}}<title>t</title></head><body></body></html>`))
	syn := synthetic()
	syn.Title = `"引号" <b>&标题`
	for _, a := range append(realPage(t), xwlbArticle(t), syn) {
		r := refOf(a)
		var buf bytes.Buffer
		if err := page.Execute(&buf, map[string]any{"Links": MetaLinks, "Tags": MetaTags(r)}); err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(&buf)
		if err != nil {
			t.Fatal(err)
		}
		meta := map[string][]string{}
		var walk func(*html.Node, bool)
		walk = func(n *html.Node, inHead bool) {
			if n.Type == html.ElementNode && n.Data == "head" {
				inHead = true
			}
			if n.Type == html.ElementNode && n.Data == "meta" {
				if !inHead {
					t.Errorf("a meta tag outside the head")
				}
				var name, content string
				for _, at := range n.Attr {
					switch at.Key {
					case "name":
						name = at.Val
					case "content":
						content = at.Val
					}
				}
				if name != "" {
					if strings.TrimSpace(content) == "" {
						t.Errorf("%s: meta %s is empty", a.ID, name)
					}
					meta[name] = append(meta[name], content)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, inHead)
			}
		}
		walk(doc, false)
		one := func(name string) string {
			if len(meta[name]) > 1 {
				t.Errorf("%s: %d %s tags", a.ID, len(meta[name]), name)
			}
			if len(meta[name]) == 0 {
				return ""
			}
			return meta[name][0]
		}
		title := Title(a, "：")
		if one("citation_title") != title || one("DC.title") != title {
			t.Errorf("%s: title %q / %q, want %q", a.ID, one("citation_title"), one("DC.title"), title)
		}
		if strings.Join(meta["citation_author"], ";") != strings.Join(a.Authors, ";") || strings.Join(meta["DC.creator"], ";") != strings.Join(a.Authors, ";") {
			t.Errorf("%s: authors %v / %v, want %v", a.ID, meta["citation_author"], meta["DC.creator"], a.Authors)
		}
		if one("citation_date") != a.Date || one("DC.date") != a.Date || one("citation_publication_date") != strings.ReplaceAll(a.Date, "-", "/") {
			t.Errorf("%s: dates %v", a.ID, meta)
		}
		if one("citation_firstpage") != a.Page || one("prism.publicationName") != a.Paper || one("DC.publisher") != a.Paper {
			t.Errorf("%s: page or paper %v", a.ID, meta)
		}
		if len(meta["citation_journal_title"]) > 0 {
			t.Errorf("%s: citation_journal_title makes Zotero save a journal article", a.ID)
		}
		if one("DC.type") != "newspaperArticle" || one("DC.language") != "zh" || one("citation_language") != "zh" ||
			one("DC.identifier") != r.URL || one("citation_public_url") != r.URL {
			t.Errorf("%s: type, language or URL %v", a.ID, meta)
		}
	}
}
