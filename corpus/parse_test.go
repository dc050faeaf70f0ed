package corpus

import (
	"reflect"
	"strings"
	"testing"
)

// item is the part of an Article that page parsing decides.
type item struct {
	Kind, Kicker, Title, Subtitle string
	Authors                       []string
	Body                          string
}

func items(t *testing.T, text string) ([]item, []Problem) {
	t.Helper()
	page, problems, err := ParsePage("test.txt", text)
	if err != nil {
		t.Fatalf("ParsePage: %v", err)
	}
	var out []item
	for _, a := range page.Items {
		out = append(out, item{a.Kind, a.Kicker, a.Title, a.Subtitle, a.Authors, a.Body})
	}
	return out, problems
}

func TestParsePageRules(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []item
	}{
		{
			name: "kicker over title, then body",
			text: "## 统筹调配 夯实责任\n\n### 铁东区召开推进会\n\n日前，铁东区召开推进会。\n",
			want: []item{{Kind: "article", Kicker: "统筹调配 夯实责任", Title: "铁东区召开推进会", Authors: []string{}, Body: "日前，铁东区召开推进会。"}},
		},
		{
			name: "subtitle without its dashes, byline",
			text: "# 强化教育教学研培\n\n## ——伊通满族自治县教育工作综述\n\n本报通讯员 孙月秋\n\n今年以来，成绩显著。\n",
			want: []item{{Kind: "article", Title: "强化教育教学研培", Subtitle: "伊通满族自治县教育工作综述", Authors: []string{"孙月秋"}, Body: "今年以来，成绩显著。"}},
		},
		{
			name: "kicker, title and subtitle",
			text: "## 引题在上\n### 主题在中\n## ——副题在下\n正文。\n",
			want: []item{{Kind: "article", Kicker: "引题在上", Title: "主题在中", Subtitle: "副题在下", Authors: []string{}, Body: "正文。"}},
		},
		{
			name: "section heading under a # title stays in the body",
			text: "# 总标题\n\n第一段。\n\n### 小标题一\n\n第二段。\n\n### 小标题二\n\n第三段。\n",
			want: []item{{Kind: "article", Title: "总标题", Authors: []string{}, Body: "第一段。\n小标题一\n第二段。\n小标题二\n第三段。"}},
		},
		{
			name: "### titles one after the other are separate articles",
			text: "### 第一条新闻\n\n内容一。\n\n### 第二条新闻\n\n内容二。\n",
			want: []item{
				{Kind: "article", Title: "第一条新闻", Authors: []string{}, Body: "内容一。"},
				{Kind: "article", Title: "第二条新闻", Authors: []string{}, Body: "内容二。"},
			},
		},
		{
			name: "## kicker + ### title after a # article starts a new article",
			text: "# 甲\n\n甲的正文。\n\n### 甲的小标题\n\n更多。\n\n## 引题\n\n### 乙\n\n乙的正文。\n",
			want: []item{
				{Kind: "article", Title: "甲", Authors: []string{}, Body: "甲的正文。\n甲的小标题\n更多。"},
				{Kind: "article", Kicker: "引题", Title: "乙", Authors: []string{}, Body: "乙的正文。"},
			},
		},
		{
			name: "several bylines and names",
			text: "### 标题\n本报记者 张三 李四\n通讯员 王五\n正文。\n",
			want: []item{{Kind: "article", Title: "标题", Authors: []string{"张三", "李四", "王五"}, Body: "正文。"}},
		},
		{
			name: "byline forms",
			text: "### 一\n记者 赵六\n正文。\n### 二\n特约通讯员 欧阳明月\n正文。\n### 三\n（本报记者 钱七 通讯员 孙八）\n正文。\n### 四\n本报记者周九\n正文。\n",
			want: []item{
				{Kind: "article", Title: "一", Authors: []string{"赵六"}, Body: "正文。"},
				{Kind: "article", Title: "二", Authors: []string{"欧阳明月"}, Body: "正文。"},
				{Kind: "article", Title: "三", Authors: []string{"钱七", "孙八"}, Body: "正文。"},
				{Kind: "article", Title: "四", Authors: []string{"周九"}, Body: "正文。"},
			},
		},
		{
			name: "body text that starts with 记者 is not a byline",
			text: "### 标题\n\n记者从会上获悉，工作进展顺利。\n\n记者 了解到\n",
			want: []item{{Kind: "article", Title: "标题", Authors: []string{}, Body: "记者从会上获悉，工作进展顺利。\n记者 了解到"}},
		},
		{
			name: "photos after the last article, split at the block breaks",
			text: "### 新闻\n\n正文一。\n\n正文二。\n\n\n\n日前，演出在山门镇举行。\n\n本报通讯员 王健 摄\n\n\n\n近日，宣讲团进入社区。\n\n本报通讯员 尹微 摄\n",
			want: []item{
				{Kind: "article", Title: "新闻", Authors: []string{}, Body: "正文一。\n正文二。"},
				{Kind: "photo", Authors: []string{"王健"}, Body: "日前，演出在山门镇举行。"},
				{Kind: "photo", Authors: []string{"尹微"}, Body: "近日，宣讲团进入社区。"},
			},
		},
		{
			name: "a titled photo keeps its title",
			text: "### 丰收时节\n\n农民在田间收割玉米。\n\n本报记者 李明 摄\n",
			want: []item{{Kind: "photo", Title: "丰收时节", Authors: []string{"李明"}, Body: "农民在田间收割玉米。"}},
		},
		{
			name: "a caption of two paragraphs",
			text: "### 新闻\n\n正文。\n\n\n说明第一段，\n\n说明第二段。\n\n记者 李明 摄\n",
			want: []item{
				{Kind: "article", Title: "新闻", Authors: []string{}, Body: "正文。"},
				{Kind: "photo", Authors: []string{"李明"}, Body: "说明第一段，说明第二段。"},
			},
		},
		{
			name: "column cuts are joined, even inside a word",
			text: "### 标题\n\n确保作物正\n\n常生长和安全成熟。\n\n捐款10万\n\n余元，帮助学生。\n",
			want: []item{{Kind: "article", Title: "标题", Authors: []string{}, Body: "确保作物正常生长和安全成熟。\n捐款10万余元，帮助学生。"}},
		},
		{
			name: "no join before a heading, after sentence-final punctuation or across a block break",
			text: "# 标题\n\n正文没有结束\n\n### 小标题\n\n完整的一句。\n\n另一句”\n\n下一段。\n\n断开的\n\n\n\n新的块。\n",
			want: []item{{Kind: "article", Title: "标题", Authors: []string{}, Body: "正文没有结束\n小标题\n完整的一句。\n另一句”\n下一段。\n断开的\n新的块。"}},
		},
		{
			name: "Latin words cut by a column keep their space",
			text: "### 标题\n\nthe quick brown\n\nfox jumps over 5G\n\n网络。\n",
			want: []item{{Kind: "article", Title: "标题", Authors: []string{}, Body: "the quick brown fox jumps over 5G网络。"}},
		},
		{
			name: "indentation and trailing spaces are trimmed",
			text: "###   标题  \n\n\u3000\u3000首行缩进的段落。  \n",
			want: []item{{Kind: "article", Title: "标题", Authors: []string{}, Body: "首行缩进的段落。"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := items(t, tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if len(problems) != 0 {
				t.Errorf("unexpected problems: %v", problems)
			}
		})
	}
}

func TestParsePageWarnings(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		wantLine int
		wantMsg  string
		want     []item
	}{
		{
			name:     "text before any heading",
			text:     "\n没有标题的段落。\n\n### 标题\n\n正文。\n",
			wantLine: 2, wantMsg: "no heading above it",
			want: []item{
				{Kind: "article", Authors: []string{}, Body: "没有标题的段落。"},
				{Kind: "article", Title: "标题", Authors: []string{}, Body: "正文。"},
			},
		},
		{
			name:     "photo credit without caption",
			text:     "### 标题\n\n### 下一条\n本报通讯员 王健 摄\n正文。\n",
			wantLine: 4, wantMsg: "has no caption",
			want: []item{
				{Kind: "article", Title: "标题", Authors: []string{}},
				{Kind: "article", Title: "下一条", Authors: []string{}, Body: "正文。"},
			},
		},
		{
			name:     "bad date in front matter",
			text:     "---\npaper: 四平日报\ndate: 2023-02-30\n---\n### 标题\n正文。\n",
			wantLine: 3, wantMsg: "not a valid date",
			want: []item{{Kind: "article", Title: "标题", Authors: []string{}, Body: "正文。"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := items(t, tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if len(problems) != 1 || problems[0].Line != tt.wantLine || !strings.Contains(problems[0].Message, tt.wantMsg) || problems[0].Skipped {
				t.Errorf("problems = %v, want one warning at line %d containing %q", problems, tt.wantLine, tt.wantMsg)
			}
		})
	}
}

func TestParsePageErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unclosed front matter", "\n---\npaper: x\n### 标题\n正文。\n", "line 2: front matter opened with --- is never closed"},
		{"only headings marks", "###\n\n#\n", "no articles found"},
	}
	for _, tt := range tests {
		_, _, err := ParsePage("x.txt", tt.text)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestFrontMatter(t *testing.T) {
	page, problems, err := ParsePage("x.txt", "\ufeff---\npaper: 四平日报\ndate: 2023年4月5日\nedition: 02\n---\n### 标题\n正文。\n")
	if err != nil || len(problems) != 0 {
		t.Fatalf("err=%v problems=%v", err, problems)
	}
	want := Meta{Paper: "四平日报", Date: "2023-04-05", Page: "2"}
	if page.Meta != want || page.Items[0].Date != "2023-04-05" || page.Items[0].Paper != "四平日报" {
		t.Errorf("meta = %+v, item %+v, want %+v", page.Meta, page.Items[0], want)
	}
}

func TestParseByline(t *testing.T) {
	tests := []struct {
		line   string
		ok     bool
		names  []string
		credit bool
	}{
		{"本报通讯员 孙月秋", true, []string{"孙月秋"}, false},
		{"本报通讯员 王健 摄", true, []string{"王健"}, true},
		{"本报记者 张三 李四 摄", true, []string{"张三", "李四"}, true},
		{"记者 艾力·买买提", true, []string{"艾力·买买提"}, false},
		{"本报记者\u3000张三", true, []string{"张三"}, false},
		{"本报记者 张三、李四", true, []string{"张三", "李四"}, false},
		{"记者 张三 报道", true, []string{"张三"}, false},
		{"本报记者", false, nil, false},
		{"记者从会上获悉", false, nil, false},
		{"会议 强调", false, nil, false},
		{"本报记者 这是一个很长的句子不是名字", false, nil, false},
		{"王健 摄", false, nil, false},
		{"本報通訊員 張廣", true, []string{"張廣"}, false},
		{"本報記者 陳曉 攝", true, []string{"陳曉"}, true},
		{"（本报记者 刘洋 通讯员 王健）", true, []string{"刘洋", "王健"}, false},
	}
	for _, tt := range tests {
		b, ok := parseByline(tt.line)
		if ok != tt.ok || ok && (!reflect.DeepEqual(b.names, tt.names) || b.credit != tt.credit) {
			t.Errorf("parseByline(%q) = %+v, %v; want %v, %v, %v", tt.line, b, ok, tt.names, tt.credit, tt.ok)
		}
	}
}

func TestDatelineAuthors(t *testing.T) {
	tests := []struct {
		para string
		want []string
	}{
		{"本报讯（记者 刘洋） 9月18日，四平市第五届全民健身运动会开幕。", []string{"刘洋"}},
		{"本报讯(记者 刘洋 通讯员 王健)近日，……", []string{"刘洋", "王健"}},
		{"本報訊（記者 劉洋）近日，……", []string{"劉洋"}},
		{"本报讯 近日，全市召开会议。", nil},
		{"本报讯（这是一个很长的句子不是名字）近日", nil},
		{"近日，本报讯（记者 刘洋）", nil},
	}
	for _, tt := range tests {
		if got := datelineAuthors(tt.para); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("datelineAuthors(%q) = %q, want %q", tt.para, got, tt.want)
		}
	}
}
