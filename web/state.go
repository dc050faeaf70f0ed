package web

import (
	"net/url"
	"slices"
	"strings"

	"newsarchive/search"
)

// dropTrackingDates removes from a UI page's URL the from and to values
// that hold no digit: no date, but what a sharing app appends to a link
// (WeChat adds from=singlemessage, from=groupmessage, from=timeline). A
// shared results link then opens with its results instead of a 400; any
// other malformed date is still reported. The API stays strict.
func dropTrackingDates(u *url.URL) {
	q := u.Query()
	changed := false
	for _, k := range []string{"from", "to"} {
		vs := q[k]
		kept := vs[:0]
		for _, v := range vs {
			if v != "" && !strings.ContainsAny(v, "0123456789") {
				changed = true
				continue
			}
			kept = append(kept, v)
		}
		if len(kept) == 0 {
			delete(q, k)
		} else {
			q[k] = kept
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
}

// stateKeys are the parameters that make up a search's state, in the
// order hidden form fields are written. page and after only say where in
// the results the reader is: every change of the state drops them.
var stateKeys = []string{"q", "province", "prefecture", "county", "topic", "author", "paper", "from", "to", "sort", "size"}

// placeKeys say where in a search's results the reader is.
var placeKeys = []string{"page", "after"}

// state is a search's parameters, as the results page reads them from its
// URL and writes them into its links, and the place in its results (page
// or after), which only the links to articles keep.
type state struct{ v, at url.Values }

func newState(q url.Values) state {
	pick := func(keys []string) url.Values {
		v := url.Values{}
		for _, k := range keys {
			for _, s := range q[k] {
				if s != "" {
					v.Add(k, s)
				}
			}
		}
		return v
	}
	return state{pick(stateKeys), pick(placeKeys)}
}

// withPlace is the state's values with its page or after.
func (s state) withPlace() url.Values {
	v := s.clone()
	for k, vs := range s.at {
		v[k] = slices.Clone(vs)
	}
	return v
}

// articleURL is an article's page reached from the results of the state:
// the state and the place ride along in its query (q also highlights the
// query's terms), so that the page's back link returns to the same hits
// on the same page (backURL).
func (s state) articleURL(id string) string {
	u := "/articles/" + url.PathEscape(id)
	if v := s.withPlace(); len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// backURL is the results page an article page was reached from: the
// search's parameters and place in the article page's query; "" when it
// has none (the reader came from elsewhere).
func backURL(q url.Values) string {
	s := newState(q)
	if len(s.v) == 0 {
		return ""
	}
	return searchURL(s.withPlace())
}

// clone copies the state's values, without page and after.
func (s state) clone() url.Values {
	v := url.Values{}
	for k, vs := range s.v {
		v[k] = slices.Clone(vs)
	}
	return v
}

// url is the results page of the state changed by the edits, back on the
// first page.
func (s state) url(edits ...func(url.Values)) string {
	v := s.clone()
	for _, e := range edits {
		e(v)
	}
	return searchURL(v)
}

// query is the state as a query string (for the export links).
func (s state) query(drop ...string) string {
	v := s.clone()
	for _, k := range drop {
		v.Del(k)
	}
	return v.Encode()
}

// has reports whether the state holds value for key.
func (s state) has(key, value string) bool { return slices.Contains(s.v[key], value) }

// hidden are the state's values as hidden form fields, leaving out keys.
func (s state) hidden(skip ...string) []field {
	var out []field
	for _, k := range stateKeys {
		if slices.Contains(skip, k) {
			continue
		}
		for _, val := range s.v[k] {
			out = append(out, field{k, val})
		}
	}
	return out
}

// field is a form field's name and value.
type field struct{ Name, Value string }

func addValue(key, value string) func(url.Values) {
	return func(v url.Values) {
		if !slices.Contains(v[key], value) {
			v.Add(key, value)
		}
	}
}

func removeValue(key, value string) func(url.Values) {
	return func(v url.Values) {
		v[key] = slices.DeleteFunc(v[key], func(s string) bool { return s == value })
		if len(v[key]) == 0 {
			v.Del(key)
		}
	}
}

func setValue(key, value string) func(url.Values) {
	return func(v url.Values) {
		if value == "" {
			v.Del(key)
		} else {
			v.Set(key, value)
		}
	}
}

func setPeriod(from, to string) func(url.Values) {
	return func(v url.Values) {
		setValue("from", from)(v)
		setValue("to", to)(v)
	}
}

// dayURL lists a day's items as the papers printed them: by paper, page
// and position on the page (search.SortPage).
func dayURL(date string) string {
	return searchURL(url.Values{"from": {date}, "to": {date}, "sort": {search.SortPage}})
}
