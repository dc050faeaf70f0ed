package corpus

import (
	"fmt"
	"testing"
)

func TestScratchTopics(t *testing.T) {
	tg, _ := DefaultTagger()
	arts := scratchXWLB(t)
	for i := 0; i < len(arts); i += 233 {
		a := arts[i]
		ex := tg.Apply(&a)
		s := ""
		for _, sc := range ex.Topic {
			s += fmt.Sprintf(" %s=%.0f", sc.Value, sc.Score)
		}
		t.Logf("%-40s |%s", a.Title, s)
	}
}
