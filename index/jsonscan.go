package index

import (
	"bytes"
	"encoding/json"
)

// jsonText is a JSON string value as it stands in the encoded record:
// searching it for a run of searchable characters without decoding is
// exact when the run has no ASCII character (escape sequences are ASCII;
// encoding/json never escapes letters, digits or Han characters).
type jsonText struct {
	enc     []byte // between the quotes, still escaped
	escaped bool   // enc holds an escape sequence
	dec     []byte // decoded, once needed
}

// decode returns the decoded text (enc itself when nothing is escaped; nil
// if the string is malformed).
func (t *jsonText) decode() []byte {
	if !t.escaped {
		return t.enc
	}
	if t.dec == nil {
		quoted := make([]byte, 0, len(t.enc)+2)
		quoted = append(append(append(quoted, '"'), t.enc...), '"')
		var s string
		if json.Unmarshal(quoted, &s) == nil {
			t.dec = []byte(s)
		}
	}
	return t.dec
}

// scanObject calls fn with every key of the top-level JSON object in b
// whose value is a string, and skips the other values. It reports whether
// b is a well-formed object as far as scanning needs (it does not check
// everything a decoder would).
func scanObject(b []byte, fn func(key []byte, val jsonText)) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return true
	}
	for i < len(b) {
		if b[i] != '"' {
			return false
		}
		end, _ := scanString(b, i)
		if end < 0 {
			return false
		}
		key := b[i+1 : end]
		i = skipSpace(b, end+1)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return false
		}
		if b[i] == '"' {
			end, esc := scanString(b, i)
			if end < 0 {
				return false
			}
			fn(key, jsonText{enc: b[i+1 : end], escaped: esc})
			i = end + 1
		} else if i = skipValue(b, i); i < 0 {
			return false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return true
		default:
			return false
		}
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the index of the closing quote of the string that
// opens at b[i], and whether it holds an escape; -1 if it does not end.
func scanString(b []byte, i int) (int, bool) {
	for j := i + 1; ; {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1, false
		}
		q := j + k
		n := 0 // backslashes right before the quote
		for n < q-i-1 && b[q-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return q, bytes.IndexByte(b[i+1:q], '\\') >= 0
		}
		j = q + 1
	}
}

// skipValue returns the index just after the non-string value that starts
// at b[i] (a number, literal, array or object), or -1.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			end, _ := scanString(b, i)
			if end < 0 {
				return -1
			}
			i = end + 1
			continue
		case '[', '{':
			depth++
		case ']', '}':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	if depth == 0 {
		return i
	}
	return -1
}
