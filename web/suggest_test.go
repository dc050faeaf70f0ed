package web_test

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

type suggestResponse struct {
	Total       uint64 `json:"total"`
	Suggestions []struct {
		Query string `json:"query"`
		Hits  uint64 `json:"hits"`
	} `json:"suggestions"`
	Authors []struct {
		Name  string `json:"name"`
		Hits  uint64 `json:"hits"`
		Query string `json:"query"`
	} `json:"authors"`
}

func suggestAPI(t *testing.T, ts *httptest.Server, q string) suggestResponse {
	t.Helper()
	status, _, resp := get(t, ts, "/api/v1/search?q="+url.QueryEscape(q))
	if status != 200 {
		t.Fatalf("%s: status %d: %s", q, status, resp)
	}
	var out suggestResponse
	if err := json.Unmarshal(resp, &out); err != nil {
		t.Fatalf("%s: %v: %s", q, err, resp)
	}
	return out
}

// TestSuggestionsAndAuthorHints: the API's suggestions and authors, their
// counts equal to the searches they name, and the results page's links to
// them.
func TestSuggestionsAndAuthorHints(t *testing.T) {
	ts, _ := server(t)
	typo := suggestAPI(t, ts, "乡村振新")
	if len(typo.Suggestions) == 0 || typo.Suggestions[0].Query != "乡村振兴" {
		t.Fatalf("乡村振新: suggestions %+v", typo.Suggestions)
	}
	if right := suggestAPI(t, ts, "乡村振兴"); right.Total != typo.Suggestions[0].Hits || len(right.Suggestions) != 0 {
		t.Errorf("乡村振兴: %d hits, suggestions %+v; the suggestion said %d", right.Total, right.Suggestions, typo.Suggestions[0].Hits)
	}
	name := suggestAPI(t, ts, "赵雪")
	if len(name.Authors) != 1 || name.Authors[0].Name != "赵雪" || name.Authors[0].Query != "author:赵雪" {
		t.Fatalf("赵雪: authors %+v", name.Authors)
	}
	if by := suggestAPI(t, ts, "author:赵雪"); by.Total != name.Authors[0].Hits || by.Total == 0 || name.Total < by.Total {
		t.Errorf("author:赵雪 %d hits, hint %d, 赵雪 %d", by.Total, name.Authors[0].Hits, name.Total)
	}
	if near, exact := suggestAPI(t, ts, `"乡村 振兴"~5`), suggestAPI(t, ts, `"乡村振兴"`); near.Total < exact.Total || exact.Total == 0 {
		t.Errorf(`"乡村 振兴"~5: %d hits, "乡村振兴" %d`, near.Total, exact.Total)
	}

	links := func(q, id string) []string {
		status, _, body := fetchPage(t, ts, "/search?q="+url.QueryEscape(q)+"&topic="+url.QueryEscape("农业农村"))
		if status != 200 {
			t.Fatalf("%s: status %d", q, status)
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		var walk func(n *html.Node, in bool)
		walk = func(n *html.Node, in bool) {
			if n.Type == html.ElementNode && attr(n, "id") == id {
				in = true
			}
			if in && n.Type == html.ElementNode && n.Data == "a" {
				// The link's path and parameters, decoded, and its text.
				u, err := url.Parse(attr(n, "href"))
				if err != nil {
					t.Fatalf("link %q: %v", attr(n, "href"), err)
				}
				out = append(out, u.Path+"?"+u.Query().Encode()+" "+strings.TrimSpace(text(n)))
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, in)
			}
		}
		walk(doc, false)
		return out
	}
	got := links("乡村振新", "suggestions")
	want := "/search?" + (url.Values{"q": {"乡村振兴"}, "topic": {"农业农村"}}).Encode() + " 乡村振兴"
	if len(got) == 0 || got[0] != want {
		t.Errorf("did-you-mean links %q", got)
	}
	got = links("赵雪", "author-hints")
	want = "/search?" + (url.Values{"q": {"author:赵雪"}}).Encode() + " 作者 赵雪: 2 篇"
	if len(got) != 1 || got[0] != want {
		t.Errorf("author hint links %q, want %q", got, want)
	}
}
