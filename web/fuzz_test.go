package web_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

// FuzzSearchHandler sends arbitrary query strings and parameters to the
// search endpoint: every answer is a 200 with a result or a 400 with a JSON
// error, never a 500 or a panic.
func FuzzSearchHandler(f *testing.F) {
	f.Add("满族", "伊通", "2022-01-01", "date", "2")
	f.Add(`"10万余元"`, "", "", "", "")
	f.Add("((", "火星", "2022-13-01", "best", "-1")
	f.Add("title:黑土地 OR author:赵雪", "梨树", "", "-date", "1")
	f.Add("\xff\xfe", "\x00", "0000-00-00", "relevance", "99999999999999999999")
	fx := searchtest.Get(f)
	h := web.New(serving.Fixed(fx.Engine, fx.Tagger), web.Options{Logger: slog.New(slog.DiscardHandler), Limits: web.Limits{RatePerSecond: -1}}).Handler()
	f.Fuzz(func(t *testing.T, q, county, from, sort, page string) {
		v := url.Values{"q": {q}, "county": {county}, "from": {from}, "sort": {sort}, "page": {page}}
		req := httptest.NewRequest(http.MethodGet, "/api/v1/search?"+v.Encode(), nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var res struct{ Total *uint64 }
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || res.Total == nil {
				t.Fatalf("%v: 200 with body %q", v, rec.Body.String())
			}
		case http.StatusBadRequest, http.StatusRequestURITooLong:
			var e web.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Message == "" {
				t.Fatalf("%v: %d with body %q", v, rec.Code, rec.Body.String())
			}
		default:
			t.Fatalf("%v: status %d: %s", v, rec.Code, rec.Body.String())
		}
	})
}
