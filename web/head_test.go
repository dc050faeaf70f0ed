package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

// TestHEADAnswersLikeGET sends HEAD to every GET route: the same status
// and headers as GET, and no body.
func TestHEADAnswersLikeGET(t *testing.T) {
	fx := searchtest.Get(t)
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}, AdminToken: "s3cret"})
	id := fx.Articles[0].ID
	srv := web.New(serving.Fixed(fx.Engine, fx.Tagger), web.Options{AdminToken: "s3cret"})
	n := 0
	for _, r := range srv.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		path := strings.ReplaceAll(r.Path, ":id", id)
		path = strings.ReplaceAll(path, "*name", "app.css")
		if strings.HasPrefix(path, "/api/v1/trends") || strings.HasPrefix(path, "/api/v1/concordance") {
			path += "?q=" + url.QueryEscape("经济") // they need a query
		}
		n++
		do := func(method string) (*http.Response, string) {
			req, _ := http.NewRequest(method, ts.URL+path, nil)
			req.Header.Set("Authorization", "Bearer s3cret")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, string(b)
		}
		get, getBody := do(http.MethodGet)
		head, headBody := do(http.MethodHead)
		if get.StatusCode != 200 || head.StatusCode != 200 || headBody != "" || getBody == "" ||
			head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("%s: GET %d %q (%d bytes), HEAD %d %q (%d bytes)", path, get.StatusCode, get.Header.Get("Content-Type"), len(getBody),
				head.StatusCode, head.Header.Get("Content-Type"), len(headBody))
		}
	}
	if n < 14 {
		t.Errorf("only %d GET routes", n)
	}
	// Other methods stay 405.
	req, _ := http.NewRequest(http.MethodDelete, ts.URL+"/api/v1/search", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
}
