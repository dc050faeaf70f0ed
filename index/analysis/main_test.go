package analysis

import (
	"fmt"
	"os"
	"testing"

	"github.com/go-ego/gse"
)

// testUserWords are gazetteer place names added as user words, as the
// program does at start.
var testUserWords = []string{"伊通满族自治县", "铁东区", "叶赫满族镇", "郑家屯", "梨树县"}

func TestMain(m *testing.M) {
	// Load the segmenter once for the whole test binary.
	if err := Init(testUserWords); err != nil {
		fmt.Fprintln(os.Stderr, "analysis.Init:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func testSegmenter(t testing.TB) *gse.Segmenter {
	t.Helper()
	seg, err := segmenter()
	if err != nil {
		t.Fatalf("segmenter: %v", err)
	}
	return seg
}
