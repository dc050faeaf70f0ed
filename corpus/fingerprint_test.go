package corpus

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
)

func TestTaggerFingerprint(t *testing.T) {
	def, err := DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	fp := def.Fingerprint()
	if !regexp.MustCompile(`^gazetteer=[0-9a-f]{16} taxonomy=[0-9a-f]{16} places=[0-9a-f]{16} papers=[0-9a-f]{16}$`).MatchString(fp) {
		t.Fatalf("default fingerprint %q", fp)
	}
	// The same bytes from a file: the same fingerprint.
	dir := t.TempDir()
	gaz, tax := filepath.Join(dir, "gazetteer.tsv"), filepath.Join(dir, "taxonomy.tsv")
	os.WriteFile(gaz, []byte(defaultGazetteerTSV), 0o644)
	os.WriteFile(tax, []byte(defaultTaxonomyTSV), 0o644)
	same, err := LoadTagger(TaggerFiles{Gazetteer: gaz, Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	if same.Fingerprint() != fp {
		t.Errorf("same data from files: %q, want %q", same.Fingerprint(), fp)
	}
	// One more row in the gazetteer: only its component changes.
	os.WriteFile(gaz, []byte(defaultGazetteerTSV+"220323\t伊通满族自治县\talias\t甲乙丙\n"), 0o644)
	other, err := LoadTagger(TaggerFiles{Gazetteer: gaz, Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	if got := ChangedData(fp, other.Fingerprint()); !reflect.DeepEqual(got, []string{"gazetteer"}) {
		t.Errorf("ChangedData after a gazetteer edit: %v (%q vs %q)", got, fp, other.Fingerprint())
	}
	if got := ChangedData(fp, fp); got != nil {
		t.Errorf("ChangedData of equal fingerprints: %v", got)
	}
	var none *Tagger
	if got := ChangedData(fp, none.Fingerprint()); !reflect.DeepEqual(got, []string{"gazetteer", "taxonomy", "places", "papers"}) {
		t.Errorf("ChangedData to no tagger: %v", got)
	}
	if got := ChangedData("", fp); !reflect.DeepEqual(got, []string{"tagging data"}) {
		t.Errorf("ChangedData from an empty fingerprint: %v", got)
	}
}
