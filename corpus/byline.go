package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"newsarchive/corpus/textnorm"
)

// bylineRoles are the words that introduce the names in a byline, longest
// first so that 本报特约通讯员 is not read as 本报 + 特约通讯员.
var bylineRoles = []string{
	"本报特约通讯员", "本报特约记者", "本报摄影记者", "本报见习记者", "本报实习记者",
	"本报通讯员", "本报记者", "特约通讯员", "特约记者", "摄影记者", "见习记者", "实习记者",
	"通讯员", "记者", "实习生", "摄影", "文/图", "图/文", "文", "图",
}

// byline is a parsed byline or photo credit line.
type byline struct {
	names  []string
	credit bool // ends in 摄: the credit line of a photo
}

// parseByline reads lines such as "本报通讯员 孙月秋", "本报记者 张三 李四",
// "记者 X", "(本报记者 X 通讯员 Y)" and, ending in 摄, photo credits such as
// "本报通讯员 王健 摄"; in traditional characters too (本報記者), the names
// kept as written. It reports false for anything else, so body text that
// merely starts with 记者 is never taken for a byline.
func parseByline(line string) (byline, bool) {
	s := strings.TrimSpace(line)
	s = trimPair(s, "(", ")")
	s = trimPair(s, "（", "）")
	s = trimPair(s, "【", "】")
	orig, fields := foldedFields(s)
	if len(fields) < 2 && !(len(fields) == 1 && splitRole(fields[0]) != "") {
		return byline{}, false
	}
	var b byline
	sawRole := false
	for i, f := range fields {
		if i == len(fields)-1 && (f == "摄" || f == "摄影" || f == "摄影报道") && len(b.names) > 0 {
			b.credit = true
			continue
		}
		if f == "报道" && i == len(fields)-1 && len(b.names) > 0 {
			continue
		}
		if isRole(f) {
			sawRole = true
			continue
		}
		if i == 0 {
			// "本报记者孙月秋": the role glued to the name.
			role := splitRole(f)
			if role == "" {
				return byline{}, false
			}
			f = strings.TrimPrefix(f, role)
			sawRole = true
		}
		if strings.HasSuffix(f, "摄") && i == len(fields)-1 && isPersonName(strings.TrimSuffix(f, "摄")) {
			name := strings.TrimSuffix(f, "摄")
			b.names = append(b.names, lastRunes(orig[i][:len(orig[i])-len("摄")], utf8.RuneCountInString(name)))
			b.credit = true
			continue
		}
		if !isPersonName(f) {
			return byline{}, false
		}
		b.names = append(b.names, lastRunes(orig[i], utf8.RuneCountInString(f)))
	}
	if !sawRole || len(b.names) == 0 {
		return byline{}, false
	}
	return b, true
}

// foldedFields splits a byline at spaces and list commas, giving each
// field as written and folded (simplified, half-width) for matching roles.
// Folding keeps the rune count of each field.
func foldedFields(s string) (orig, folded []string) {
	rs := []rune(s)
	fs := []rune(textnorm.String(s))
	sep := func(r rune) bool { return unicode.IsSpace(r) || r == '、' || r == ',' || r == '，' }
	for i := 0; i < len(rs); {
		if sep(rs[i]) || sep(fs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && !sep(rs[j]) && !sep(fs[j]) {
			j++
		}
		orig = append(orig, string(rs[i:j]))
		folded = append(folded, string(fs[i:j]))
		i = j
	}
	return orig, folded
}

// lastRunes returns the last n runes of s.
func lastRunes(s string, n int) string {
	rs := []rune(s)
	return string(rs[len(rs)-n:])
}

func isRole(s string) bool {
	for _, r := range bylineRoles {
		if s == r {
			return true
		}
	}
	return false
}

// splitRole returns the role that s starts with, when the rest of s is a
// name.
func splitRole(s string) string {
	for _, r := range bylineRoles {
		if len(r) > 3 && strings.HasPrefix(s, r) && isPersonName(strings.TrimPrefix(s, r)) {
			return r
		}
	}
	return ""
}

// isPersonName accepts 2 to 4 Chinese characters, or a transliterated name
// of Chinese characters joined by a middle dot (艾力·买买提).
func isPersonName(s string) bool {
	n := utf8.RuneCountInString(s)
	dotted := strings.ContainsAny(s, "·•")
	if n < 2 || n > 4 && !dotted || n > 12 {
		return false
	}
	for _, r := range s {
		if r != '·' && r != '•' && !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

func trimPair(s, open, close string) string {
	if strings.HasPrefix(s, open) && strings.HasSuffix(s, close) {
		return strings.TrimSpace(s[len(open) : len(s)-len(close)])
	}
	return s
}

// datelineAuthors reads the names in the dateline that opens many short
// news items, "本报讯（记者 刘洋 通讯员 王健）…", in simplified or
// traditional characters. It returns nil when para does not open so.
func datelineAuthors(para string) []string {
	rs := []rune(strings.TrimSpace(para))
	fs := []rune(textnorm.String(string(rs)))
	lead := []rune("本报讯")
	if len(fs) < len(lead)+4 || string(fs[:len(lead)]) != string(lead) {
		return nil
	}
	i := len(lead)
	for i < len(fs) && unicode.IsSpace(fs[i]) {
		i++
	}
	if i == len(fs) || fs[i] != '(' && fs[i] != '【' {
		return nil
	}
	end := i + 1
	for end < len(fs) && fs[end] != ')' && fs[end] != '】' {
		end++
	}
	if end == len(fs) || end-i > 40 {
		return nil
	}
	b, ok := parseByline(string(rs[i+1 : end]))
	if !ok || b.credit {
		return nil
	}
	return b.names
}
