package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestSharedLinkWithTrackingParameter: a results link shared through
// WeChat (which appends from=singlemessage) shows the results; the API
// stays strict, and a real malformed date is still a 400 on both.
func TestSharedLinkWithTrackingParameter(t *testing.T) {
	ts, _ := uiServer(t)
	q := url.QueryEscape("经济")
	code, _, plain := get(t, ts, "/search?q="+q)
	if code != 200 {
		t.Fatalf("plain results: %d", code)
	}
	for _, extra := range []string{"&from=singlemessage", "&from=groupmessage&isappinstalled=0", "&from=timeline&to=timeline"} {
		code, _, body := get(t, ts, "/search?q="+q+extra)
		if code != 200 {
			t.Errorf("%s: %d", extra, code)
		}
		if n, m := strings.Count(string(body), `<li class="hit`), strings.Count(string(plain), `<li class="hit`); n != m || n == 0 {
			t.Errorf("%s: %d results shown, %d without it", extra, n, m)
		}
	}
	if code, _, _ := get(t, ts, "/search?q="+q+"&from=2023-13-45"); code != 400 {
		t.Errorf("a bad date on the UI: %d, want 400", code)
	}
	if code, _, _ := get(t, ts, "/api/v1/search?q="+q+"&from=singlemessage"); code != 400 {
		t.Errorf("the API with from=singlemessage: %d, want 400", code)
	}
}
