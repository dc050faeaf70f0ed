package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"newsarchive/corpus/corpustest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func defaultParser(t testing.TB) *Parser {
	t.Helper()
	tagger, err := DefaultTagger()
	if err != nil {
		t.Fatalf("DefaultTagger: %v", err)
	}
	return NewParser(tagger)
}

func parseRealPage(t *testing.T) FileResult {
	t.Helper()
	files, err := FindFiles(filepath.Dir(corpustest.RealPage(t)))
	if err != nil || len(files) != 1 {
		t.Fatalf("FindFiles = %v, %v", files, err)
	}
	res := defaultParser(t).ParseFile(files[0])
	if res.Skipped || len(res.Problems) != 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	return res
}

// TestRealPage checks what the ingestion issue asks of the real page.
func TestRealPage(t *testing.T) {
	res := parseRealPage(t)
	type want struct {
		kind, kicker, title, subtitle string
		authors                       []string
		county, topic                 string
	}
	// Since the national gazetteer (issue 12) a county is its display name,
	// unique in China: 铁东区 and 铁西区 are also districts of 鞍山 (and 铁西区
	// of 沈阳), so they read 铁东区（四平）, 铁西区（四平）.
	wants := []want{
		{"article", "", "强化教育教学研培 推进“双减”政策落实", "伊通满族自治县教育工作综述", []string{"孙月秋"}, "伊通满族自治县", "教育"},
		{"article", "统筹调配 夯实责任", "铁东区召开全区农田排涝推进会", "", []string{}, "铁东区（四平）", "农业农村"},
		{"article", "传承革命精神 践行初心使命", "双辽市王奔镇开展主题活动", "", []string{}, "双辽市", ""},
		{"article", "创新理论宣讲 力求入脑入心", "“百姓名嘴”走进基层宣讲省第十二次党代会精神", "", []string{}, "铁西区（四平）", ""},
		{"article", "强基固本 规范提升", "梨树县推动离退休干部党建工作迈上新台阶", "", []string{}, "梨树县", "党建"},
		{"article", "新征程 青山环绕 新时代 绿水长流", "双辽市河长办组织志愿者开展主题服务活动", "", []string{}, "双辽市", "生态环境"},
		{"photo", "", "", "", []string{"王健"}, "铁东区（四平）", "文化旅游"},
		{"photo", "", "", "", []string{"尹微"}, "伊通满族自治县", ""},
	}
	if len(res.Items) != len(wants) {
		t.Fatalf("%d items, want %d", len(res.Items), len(wants))
	}
	for i, w := range wants {
		a := res.Items[i]
		got := want{a.Kind, a.Kicker, a.Title, a.Subtitle, a.Authors, a.County, a.Topic}
		if w.topic == "" {
			got.topic = "" // the issue fixes no topic for this item
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("item %d:\n got  %+v\n want %+v", i+1, got, w)
		}
		if a.Ordinal != i+1 || a.Source != "000_23e23115af799f35.txt" || a.ID != ArticleID(a.Source, a.Ordinal) {
			t.Errorf("item %d: ordinal %d source %q id %q", i+1, a.Ordinal, a.Source, a.ID)
		}
		if a.Date != "" || a.Paper != "" {
			t.Errorf("item %d: invented metadata paper=%q date=%q", i+1, a.Paper, a.Date)
		}
	}
	// Column cuts repaired in the real page.
	all := ""
	for _, a := range res.Items {
		all += a.Body + "\n"
	}
	for _, s := range []string{"确保作物正常生长", "捐款10万余元", "组织老同志深入学习", "我看中国特色社会主义新时代"} {
		if !strings.Contains(all, s) {
			t.Errorf("column cut not repaired: %q missing", s)
		}
	}
	// Section headings stay in the first article's body, as paragraphs.
	if !strings.Contains(res.Items[0].Body, "\n有力推进党建工作 常态化开展实践活动\n") {
		t.Errorf("section heading missing from the body of item 1")
	}
}

// TestRealPageGolden compares the whole output with a golden file that was
// reviewed by reading it. Run with -update to rewrite it after a reviewed
// change.
func TestRealPageGolden(t *testing.T) {
	res := parseRealPage(t)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, a := range res.Items {
		if err := enc.Encode(a); err != nil {
			t.Fatal(err)
		}
	}
	golden := filepath.Join("testdata", "realpage.golden.jsonl")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s:\n%s", golden, buf.String())
	}
}

// TestEncodingsGiveIdenticalRecords converts the real page to other
// encodings and line ends: the records must be identical but for id and
// source.
func TestEncodingsGiveIdenticalRecords(t *testing.T) {
	raw, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	crlf := strings.ReplaceAll(text, "\n", "\r\n")
	variants := map[string][]byte{}
	for _, v := range []struct {
		name string
		data []byte
	}{
		{"utf8bom.txt", append([]byte{0xEF, 0xBB, 0xBF}, raw...)},
		{"crlf.txt", []byte(crlf)},
		{"cr.txt", []byte(strings.ReplaceAll(text, "\n", "\r"))},
	} {
		variants[v.name] = v.data
	}
	variants["gb18030.txt"] = encode(t, simplifiedchinese.GB18030, text)
	variants["gbk-crlf.txt"] = encode(t, simplifiedchinese.GBK, crlf)
	variants["utf16le.txt"] = encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), text)
	variants["utf16be-crlf.txt"] = encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), crlf)

	dir := t.TempDir()
	for name, data := range variants {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := parseRealPage(t).Items
	files, err := FindFiles(dir)
	if err != nil || len(files) != len(variants) {
		t.Fatalf("FindFiles: %d files, %v", len(files), err)
	}
	err = defaultParser(t).ParseFiles(context.Background(), files, 2, func(res FileResult) error {
		if res.Skipped || len(res.Problems) > 0 {
			t.Errorf("%s: problems %v", res.File.Source, res.Problems)
			return nil
		}
		if len(res.Items) != len(want) {
			t.Errorf("%s (%s): %d items, want %d", res.File.Source, res.Encoding, len(res.Items), len(want))
			return nil
		}
		for i := range want {
			got, w := res.Items[i], want[i]
			got.ID, got.Source, w.ID, w.Source = "", "", "", ""
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%s (%s) item %d differs:\n got  %+v\n want %+v", res.File.Source, res.Encoding, i+1, got, w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSampleCopyIsTheRealPage keeps the embedded sample's copy of the real
// page identical to the shared one.
func TestSampleCopyIsTheRealPage(t *testing.T) {
	a, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("sample", "000_23e23115af799f35.txt"))
	if err != nil || !bytes.Equal(a, b) {
		t.Errorf("corpus/sample copy of the real page differs (err %v)", err)
	}
}
