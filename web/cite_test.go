package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html/atom"

	"newsarchive/cite"
	"newsarchive/corpus"
	"newsarchive/search"
	"newsarchive/search/searchtest"
	"newsarchive/web"
)

// cst is China Standard Time, the zone of a download's day and a
// citation's access date.
var cst = time.FixedZone("CST", 8*3600)

// today is the day of a download made now, as its name and access dates
// give it.
func today() time.Time { return time.Now().In(cst) }

// parserDir installs the npm parsers of cite/testdata/js (citation-js and
// @retorquere/bibtex-parser) once into the user cache, keyed by the lock
// file's hash, as cite's own tests do (the same directory).
func parserDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is needed to read the downloads back with citation-js (Node.js 20 or later)")
	}
	src := filepath.Join("..", "cite", "testdata", "js")
	lock, err := os.ReadFile(filepath.Join(src, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "newsarchive", "cite-js-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"package.json", "package-lock.json", "check.cjs"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
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

// parsedItem is a record as citation-js reads it (CSL).
type parsedItem struct {
	ID, Type, Title, URL, Page string
	Container                  string          `json:"container-title"`
	Author                     json.RawMessage `json:"author"`
	Reporter                   json.RawMessage `json:"reporter"`
	Issued, Accessed           *cite.CSLDate
}

// parsed is what the parsers read from a RIS, a BibTeX and a CSL-JSON
// document.
type parsed struct {
	RIS    []parsedItem `json:"ris"`
	BibTeX struct {
		Errors  []json.RawMessage `json:"errors"`
		Entries []struct {
			Type, Key string
			Fields    map[string]json.RawMessage
		} `json:"entries"`
	} `json:"bibtex"`
	BibTeXCite []parsedItem `json:"bibtexCite"`
	CSL        []parsedItem `json:"csl"`
}

// readBack reads the three documents with citation-js and bibtex-parser
// (cite/testdata/js/check.cjs).
func readBack(t *testing.T, ris, bib, csl []byte) parsed {
	t.Helper()
	dir := parserDir(t)
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
	var p parsed
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("%v: %.500s", err, out)
	}
	return p
}

// names reads a CSL name list (citation-js gives RIS reporters as a
// string or a list of strings).
func names(raw json.RawMessage) string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one
	}
	var strs []string
	if json.Unmarshal(raw, &strs) == nil {
		return strings.Join(strs, ";")
	}
	var ns []struct{ Literal, Family, Given string }
	_ = json.Unmarshal(raw, &ns)
	var s []string
	for _, n := range ns {
		s = append(s, n.Literal+n.Family+n.Given)
	}
	return strings.Join(s, ";")
}

// fetchAll gets a path and returns the response (body read) and body.
func fetchAll(t *testing.T, base, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp, b.Bytes()
}

// TestResultSetCitationsParse downloads a result set as RIS, BibTeX and
// CSL-JSON, read a few articles at a time (many pages), and reads them
// back with citation-js and bibtex-parser: as many records as the total,
// in the order of the JSONL download, each with the record's title,
// paper, authors, date, permalink and today's access date. A download
// cut by its limit still parses.
func TestResultSetCitationsParse(t *testing.T) {
	fx := searchtest.Get(t)
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1, ExportPageSize: 7}})
	query := "?q=" + url.QueryEscape(`"县"`) + "&sort=date"
	_, jl := fetchAll(t, ts.URL, "/api/v1/search.jsonl"+query)
	var want []corpus.Article
	for _, l := range jsonLines(t, jl) {
		b, _ := json.Marshal(l)
		var a corpus.Article
		json.Unmarshal(b, &a)
		want = append(want, a)
	}
	res, err := fx.Searcher.Search(context.Background(), search.Request{Query: `"县"`})
	if err != nil || int(res.Total) != len(want) || len(want) < 50 {
		t.Fatalf("total %d, %d lines: %v", res.Total, len(want), err)
	}
	docs := map[string][]byte{}
	for _, f := range []struct{ path, ctype string }{
		{"/api/v1/search.ris", "application/x-research-info-systems"},
		{"/api/v1/search.bib", "application/x-bibtex"},
		{"/api/v1/search.csl.json", "application/vnd.citationstyles.csl+json"},
	} {
		resp, body := fetchAll(t, ts.URL, f.path+query)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), f.ctype) ||
			resp.Header.Get(web.TotalCountHeader) != strconv.Itoa(len(want)) || resp.Trailer.Get(web.ExportStatusTrailer) != web.ExportComplete {
			t.Fatalf("%s: %d %s total %s trailer %q", f.path, resp.StatusCode, resp.Header.Get("Content-Type"),
				resp.Header.Get(web.TotalCountHeader), resp.Trailer.Get(web.ExportStatusTrailer))
		}
		docs[f.path] = body
	}
	got := readBack(t, docs["/api/v1/search.ris"], docs["/api/v1/search.bib"], docs["/api/v1/search.csl.json"])
	if len(got.RIS) != len(want) || len(got.BibTeX.Entries) != len(want) || len(got.BibTeXCite) != len(want) || len(got.CSL) != len(want) {
		t.Fatalf("read back %d RIS, %d BibTeX (%d citation-js), %d CSL records of %d",
			len(got.RIS), len(got.BibTeX.Entries), len(got.BibTeXCite), len(got.CSL), len(want))
	}
	if len(got.BibTeX.Errors) > 0 {
		t.Errorf("bibtex-parser errors: %s", got.BibTeX.Errors)
	}
	d := today()
	accessed := fmt.Sprint([]int{d.Year(), int(d.Month()), d.Day()})
	day := func(c *cite.CSLDate) string {
		if c == nil || len(c.DateParts) == 0 {
			return ""
		}
		return fmt.Sprint(c.DateParts[0])
	}
	for i, a := range want {
		title := cite.Title(a, "：")
		link := "/articles/" + a.ID
		authors := strings.Join(a.Authors, ";")
		c := got.CSL[i]
		if c.ID != a.ID || c.Type != "article-newspaper" || c.Title != title || c.Container != a.Paper || c.URL != link ||
			names(c.Author) != authors || day(c.Accessed) != accessed {
			t.Errorf("CSL %d = %+v, want %s %q", i, c, a.ID, title)
		}
		if a.Date != "" {
			if dt, _ := time.Parse("2006-01-02", a.Date); day(c.Issued) != fmt.Sprint([]int{dt.Year(), int(dt.Month()), dt.Day()}) {
				t.Errorf("CSL %d issued %v, want %s", i, c.Issued, a.Date)
			}
		}
		if s := got.RIS[i]; s.ID != a.ID || s.Title != title || s.Container != a.Paper || s.URL != link || names(s.Reporter)+names(s.Author) != authors {
			t.Errorf("RIS %d = %+v, want %s %q", i, s, a.ID, title)
		}
		if b := got.BibTeXCite[i]; b.Title != title || b.URL != link || day(b.Accessed) != accessed {
			t.Errorf("BibTeX (citation-js) %d = %+v, want %q", i, b, title)
		}
		e := got.BibTeX.Entries[i]
		if e.Key != cite.BibTeXKey(cite.Ref{Article: a}) || e.Type != "article" {
			t.Errorf("BibTeX %d: %s %s", i, e.Type, e.Key)
		}
	}

	// Cut by a limit: still three documents the parsers read, of 5 records.
	cut := map[string][]byte{}
	for _, p := range []string{"/api/v1/search.ris", "/api/v1/search.bib", "/api/v1/search.csl.json"} {
		resp, body := fetchAll(t, ts.URL, p+query+"&limit=5")
		if resp.StatusCode != 200 || resp.Trailer.Get(web.ExportStatusTrailer) != web.ExportCut {
			t.Fatalf("%s limit=5: %d, trailer %q", p, resp.StatusCode, resp.Trailer.Get(web.ExportStatusTrailer))
		}
		cut[p] = body
	}
	if !bytes.Contains(cut["/api/v1/search.bib"], []byte("@comment{#export-cut limit_reached: ")) {
		t.Errorf("the cut BibTeX does not say so:\n%s", cut["/api/v1/search.bib"])
	}
	got = readBack(t, cut["/api/v1/search.ris"], cut["/api/v1/search.bib"], cut["/api/v1/search.csl.json"])
	if len(got.RIS) != 5 || len(got.BibTeX.Entries) != 5 || len(got.CSL) != 5 || len(got.BibTeX.Errors) > 0 {
		t.Errorf("cut at 5: %d RIS, %d BibTeX (errors %s), %d CSL", len(got.RIS), len(got.BibTeX.Entries), got.BibTeX.Errors, len(got.CSL))
	}
}

// citedArticle is a fixture article with every part a citation uses.
func citedArticle(t *testing.T, fx *searchtest.Fixture) corpus.Article {
	t.Helper()
	for _, a := range fx.Articles {
		if len(a.Authors) > 0 && a.Date != "" && a.Paper != "" && a.Page != "" && a.Title != "" {
			return a
		}
	}
	t.Fatal("no article with authors, date, paper and page in the fixture")
	return corpus.Article{}
}

// TestArticleCitationFiles gets an article's RIS, BibTeX and CSL-JSON
// files and its /cite answer: each is what package cite writes for the
// article with its permalink and today's access date, with a file name
// after the article; the parsers read them back; an unknown id is a 404.
func TestArticleCitationFiles(t *testing.T) {
	ts, fx := server(t)
	a := citedArticle(t, fx)
	ref := cite.Ref{Article: a, URL: "/articles/" + a.ID, Accessed: today()}
	var ris, bib, csl bytes.Buffer
	cite.RIS(&ris, ref)
	cite.BibTeX(&bib, ref)
	cite.CSLJSON(&csl, ref)
	base := "/api/v1/articles/" + a.ID + "/cite"
	docs := map[string][]byte{}
	for _, f := range []struct {
		ext, ctype string
		want       []byte
	}{
		{"ris", "application/x-research-info-systems", ris.Bytes()},
		{"bib", "application/x-bibtex", bib.Bytes()},
		{"csl.json", "application/vnd.citationstyles.csl+json", csl.Bytes()},
	} {
		resp, body := fetchAll(t, ts.URL, base+"."+f.ext)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), f.ctype) || !bytes.Equal(body, f.want) {
			t.Errorf("%s: %d %s\n%s\nwant\n%s", f.ext, resp.StatusCode, resp.Header.Get("Content-Type"), body, f.want)
		}
		name := downloadFileName(t, resp.Header.Get("Content-Disposition"))
		if want := web.ArticleDownloadName(a, f.ext); name != want || !strings.HasPrefix(name, "newsarchive-"+string([]rune(a.Title)[:2])) ||
			!strings.HasSuffix(name, "-"+a.ID+"."+f.ext) {
			t.Errorf("%s: file name %q, want %q: the title, the id", f.ext, name, want)
		}
		docs[f.ext] = body
	}
	got := readBack(t, docs["ris"], docs["bib"], docs["csl.json"])
	if len(got.RIS) != 1 || got.RIS[0].Title != cite.Title(a, "：") || len(got.BibTeX.Entries) != 1 || len(got.BibTeX.Errors) > 0 ||
		len(got.CSL) != 1 || got.CSL[0].ID != a.ID {
		t.Errorf("read back: %+v", got)
	}

	status, _, body := get(t, ts, base)
	var cr web.CiteResponse
	if status != 200 || json.Unmarshal(body, &cr) != nil {
		t.Fatalf("/cite: %d %s", status, body)
	}
	if cr.ID != a.ID || !slices.Equal(cr.Citations, cite.All(ref)) || !slices.Equal(cr.Meta, cite.MetaTags(ref)) ||
		cr.Files.RIS != base+".ris" || cr.Files.BibTeX != base+".bib" || cr.Files.CSLJSON != base+".csl.json" {
		t.Errorf("/cite: %s", body)
	}
	if !strings.Contains(cr.Citations[0].Text, "[N/OL]") || !strings.Contains(cr.Citations[0].Text, today().Format("[2006-01-02]")) {
		t.Errorf("GB/T 7714: %q, want [N/OL] and today's access date", cr.Citations[0].Text)
	}
	for _, p := range []string{"/api/v1/articles/0000000000000000/cite.ris", "/api/v1/articles/0000000000000000/cite"} {
		if status, _, body := get(t, ts, p); status != 404 || !strings.Contains(string(body), `"code":"not_found"`) {
			t.Errorf("%s: %d %s", p, status, body)
		}
	}
	if status, _, body := get(t, ts, base+".bib?style=x"); status != 400 || !strings.Contains(string(body), "unknown parameter") {
		t.Errorf("unknown parameter: %d %s", status, body)
	}
}

// downloadFileName is the file name a browser takes from a
// Content-Disposition (filename*, else filename), checking both forms.
func downloadFileName(t *testing.T, cd string) string {
	t.Helper()
	disp, params, err := mime.ParseMediaType(cd)
	if err != nil || disp != "attachment" {
		t.Fatalf("Content-Disposition %q: %v", cd, err)
	}
	// mime decodes filename* (RFC 2231/5987) into filename when present.
	name := params["filename"]
	i := strings.Index(cd, `filename="`)
	if i < 0 {
		t.Fatalf("Content-Disposition %q has no ASCII filename", cd)
	}
	ascii := cd[i+len(`filename="`):]
	ascii = ascii[:strings.IndexByte(ascii, '"')]
	for _, c := range ascii {
		if c > 0x7e || c < 0x20 {
			t.Errorf("filename %q is not ASCII", ascii)
		}
	}
	if !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("Content-Disposition %q has no filename*", cd)
	}
	return name
}

// TestArticlePageCitations reads the article page: the four styles of
// cite.All as text, the links to the citation files, and the Highwire
// Press and Dublin Core <meta> tags in its <head> with the record's
// values, as Zotero's connector reads them.
func TestArticlePageCitations(t *testing.T) {
	ts, fx := server(t)
	a := citedArticle(t, fx)
	status, _, page := fetchPage(t, ts, "/articles/"+a.ID)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	doc := parse(t, page)
	ref := cite.Ref{Article: a, URL: "/articles/" + a.ID, Accessed: today()}
	for _, c := range cite.All(ref) {
		id := "citation"
		if c.Style != cite.StyleGBT7714 {
			id += "-" + c.Style
		}
		n := find(doc, byID(id))
		if len(n) != 1 || text(n[0]) != c.Text {
			t.Errorf("#%s: %v, want %q", id, n, c.Text)
			continue
		}
		if c.Style == cite.StyleAPA && len(find(n[0], byTag(atom.I))) != 1 {
			t.Errorf("APA: the paper is not in italics")
		}
	}
	for id, want := range map[string]string{"cite-ris": "/cite.ris", "cite-bib": "/cite.bib", "cite-csl": "/cite.csl.json"} {
		n := find(doc, byID(id))
		if len(n) != 1 || attr(n[0], "href") != "/api/v1/articles/"+a.ID+want {
			t.Errorf("#%s: %v", id, n)
			continue
		}
		if resp, _ := fetchAll(t, ts.URL, attr(n[0], "href")); resp.StatusCode != 200 {
			t.Errorf("#%s: %d", id, resp.StatusCode)
		}
	}

	// The tags are in the <head> (a tag the parser had to move out of it
	// would be in the <body>), one per value, in cite.MetaTags's order.
	head := find(doc, byTag(atom.Head))
	if len(head) != 1 {
		t.Fatal("no head")
	}
	var tags []cite.Meta
	meta := map[string][]string{}
	for _, m := range find(head[0], byTag(atom.Meta)) {
		if name := attr(m, "name"); strings.HasPrefix(name, "citation_") || strings.HasPrefix(name, "DC.") || strings.HasPrefix(name, "prism.") {
			tags = append(tags, cite.Meta{Name: name, Content: attr(m, "content")})
			meta[name] = append(meta[name], attr(m, "content"))
		}
	}
	body := find(doc, byTag(atom.Body))
	for _, m := range find(body[0], byTag(atom.Meta)) {
		t.Errorf("a <meta> in the body: %s", attr(m, "name"))
	}
	if !slices.Equal(tags, cite.MetaTags(ref)) {
		t.Errorf("meta tags\n%v\nwant\n%v", tags, cite.MetaTags(ref))
	}
	title := cite.Title(a, "：")
	for name, want := range map[string][]string{
		"citation_title":            {title},
		"citation_author":           a.Authors,
		"citation_publication_date": {strings.ReplaceAll(a.Date, "-", "/")},
		"citation_date":             {a.Date},
		"citation_firstpage":        {a.Page},
		"citation_language":         {"zh"},
		"citation_public_url":       {"/articles/" + a.ID},
		"DC.title":                  {title},
		"DC.creator":                a.Authors,
		"DC.date":                   {a.Date},
		"DC.publisher":              {a.Paper},
		"DC.type":                   {"newspaperArticle"},
		"DC.identifier":             {"/articles/" + a.ID},
		"DC.language":               {"zh"},
		"prism.publicationName":     {a.Paper},
	} {
		if !slices.Equal(meta[name], want) {
			t.Errorf("%s = %q, want %q", name, meta[name], want)
		}
	}
	// Deliberately absent: it would make Zotero save a journal article.
	if _, ok := meta["citation_journal_title"]; ok {
		t.Errorf("citation_journal_title is set")
	}
	links := map[string]string{}
	for _, l := range find(head[0], byTag(atom.Link)) {
		links[attr(l, "rel")] = attr(l, "href")
	}
	if links["schema.DC"] != "http://purl.org/dc/elements/1.1/" || links["schema.prism"] == "" {
		t.Errorf("schema links %v", links)
	}
	// Another page has none.
	_, _, home := fetchPage(t, ts, "/")
	for _, m := range find(parse(t, home), byTag(atom.Meta)) {
		if strings.HasPrefix(attr(m, "name"), "citation_") || strings.HasPrefix(attr(m, "name"), "DC.") {
			t.Errorf("the home page has %s", attr(m, "name"))
		}
	}
}
