package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"newsarchive/corpus"
)

// run is one Update with the test's defaults and opts' other fields.
func run(t testing.TB, opts Options) (Summary, error) {
	t.Helper()
	if opts.Parser == nil {
		opts.Parser = newParser(t)
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = 50
	}
	return Update(context.Background(), opts)
}

func mustRun(t testing.TB, opts Options) Summary {
	t.Helper()
	sum, err := run(t, opts)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return sum
}

// writeOld writes a file with a modification time an hour ago, out of the
// racy window: its time is trusted.
func writeOld(t testing.TB, path, text string) {
	t.Helper()
	writeFile(t, path, text)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func genNames(t testing.TB, dir string) []string {
	t.Helper()
	gens, err := Generations(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range gens {
		state := "complete"
		if !g.Complete {
			state = "incomplete"
		}
		if g.Current {
			state += ",current"
		}
		names = append(names, g.Name+"("+state+")")
	}
	return names
}

func record(t testing.TB, indexDir, source string, ordinal int) corpus.Article {
	t.Helper()
	idx, err := Open(indexDir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer idx.Close()
	// By the path id, an alias of the article's id when it has metadata.
	a, err := idx.Record(context.Background(), corpus.ArticleID(source, ordinal))
	if moved := (*MovedError)(nil); errors.As(err, &moved) {
		a, err = idx.Record(context.Background(), moved.To)
	}
	if err != nil {
		t.Fatalf("record %s #%d: %v", source, ordinal, err)
	}
	return a
}

func docCount(t testing.TB, indexDir string) int {
	t.Helper()
	idx, err := Open(indexDir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer idx.Close()
	n, err := idx.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// smallCorpus writes n one-article files, f00.txt …, with old times.
func smallCorpus(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		writeOld(t, filepath.Join(dir, fmt.Sprintf("f%02d.txt", i)), fmt.Sprintf("### 第%d条消息\n\n内容%d。\n", i, i))
	}
	return dir
}

// Item 1: after CURRENT names the new generation, a failing cleanup of an
// old generation is a warning: the run succeeds, CURRENT stays valid and
// the index answers; the next run removes what was left.
func TestCleanupFailureAfterSwitchKeepsCurrent(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 2), filepath.Join(t.TempDir(), "idx")
	for i := range KeepGenerations {
		writeOld(t, filepath.Join(corpusDir, "f00.txt"), fmt.Sprintf("### 第%d版标题\n\n内容。\n", i))
		mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
		time.Sleep(2 * time.Millisecond)
	}
	before, err := Generations(indexDir)
	if err != nil || len(before) != KeepGenerations {
		t.Fatalf("generations before: %v %v", genNames(t, indexDir), err)
	}

	writeOld(t, filepath.Join(corpusDir, "f00.txt"), "### 最新标题\n\n内容。\n")
	var removals []string
	failing := func(path string) error {
		removals = append(removals, filepath.Base(path))
		return &os.PathError{Op: "unlinkat", Path: path, Err: errors.New("device or resource busy")}
	}
	sum, err := run(t, Options{Corpus: corpusDir, Dir: indexDir, removeAll: failing})
	if err != nil {
		t.Fatalf("run with a failing cleanup: %v", err)
	}
	if want := []string{before[0].Name}; !reflect.DeepEqual(removals, want) {
		t.Errorf("removals tried %v, want %v (the oldest)", removals, want)
	}
	cur, err := CurrentGeneration(indexDir)
	if err != nil || cur != sum.Generation {
		t.Fatalf("CURRENT = %s, %v; want the run's %s", cur, err, sum.Generation)
	}
	if _, err := os.Stat(filepath.Join(cur, completeFile)); err != nil {
		t.Fatalf("the current generation is gone or incomplete: %v", err)
	}
	if a := record(t, indexDir, "f00.txt", 1); a.Title != "最新标题" {
		t.Errorf("record after the run: %q, want 最新标题", a.Title)
	}
	if n := docCount(t, indexDir); n != 2 {
		t.Errorf("%d articles, want 2", n)
	}

	// The next run retries the removal.
	writeOld(t, filepath.Join(corpusDir, "f01.txt"), "### 又一条\n\n内容。\n")
	mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	gens, _ := Generations(indexDir)
	if len(gens) != KeepGenerations || gens[0].Name == before[0].Name || gens[0].Name == before[1].Name {
		t.Errorf("after the next run: %v", genNames(t, indexDir))
	}
}

// Item 1, before the switch: a run that fails removes its own generation
// and leaves CURRENT as it was.
func TestFailureBeforeSwitchRemovesOnlyTheNewGeneration(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 3), filepath.Join(t.TempDir(), "idx")
	first := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir}).Generation
	writeOld(t, filepath.Join(corpusDir, "f00.txt"), "### 改了\n\n内容。\n")
	ctx, cancel := context.WithCancel(context.Background())
	opts := Options{Corpus: corpusDir, Dir: indexDir, Parser: newParser(t), Progress: func(Progress) { cancel() }}
	if _, err := Update(ctx, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	if cur, _ := CurrentGeneration(indexDir); cur != first {
		t.Errorf("CURRENT %s, want %s", cur, first)
	}
	if got := genNames(t, indexDir); len(got) != 1 {
		t.Errorf("generations %v, want only the first", got)
	}
}

// Item 2: a manifest edit re-reads exactly the files whose row changed,
// and their records carry the new metadata.
func TestManifestEditReachesRecords(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 3), filepath.Join(t.TempDir(), "idx")
	manifest := filepath.Join(corpusDir, corpus.ManifestName)
	writeOld(t, manifest, "path,paper,date,page\nf00.txt,四平日报,2022-06-20,2\nf01.txt,四平日报,2022-06-21,3\n")
	mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	if a := record(t, indexDir, "f00.txt", 1); a.Date != "2022-06-20" || a.Page != "2" {
		t.Fatalf("first run: date %q page %q", a.Date, a.Page)
	}

	writeOld(t, manifest, "path,paper,date,page\nf00.txt,四平日报,2022-07-01,5\nf01.txt,四平日报,2022-06-21,3\nf02.txt,双辽报,2023-01-02,1\n")
	sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	// Ids come from the metadata: the two articles get new ids (the old
	// ones go), which is no loss of articles for the deletion limit.
	if sum.NothingChanged || sum.FilesRead != 2 || sum.FilesUnchanged != 1 || sum.Added+sum.Updated != 2 || sum.Articles != 3 || sum.Retagged != 2 {
		t.Errorf("manifest run: %+v", sum)
	}
	if want := []string{"manifest changed for 2 files"}; !reflect.DeepEqual(sum.Reasons, want) {
		t.Errorf("reasons %q, want %q", sum.Reasons, want)
	}
	if a := record(t, indexDir, "f00.txt", 1); a.Date != "2022-07-01" || a.Page != "5" || a.Paper != "四平日报" {
		t.Errorf("edited row: paper %q date %q page %q", a.Paper, a.Date, a.Page)
	}
	if a := record(t, indexDir, "f02.txt", 1); a.Date != "2023-01-02" || a.Paper != "双辽报" {
		t.Errorf("new row: paper %q date %q", a.Paper, a.Date)
	}
	if a := record(t, indexDir, "f01.txt", 1); a.Date != "2022-06-21" {
		t.Errorf("unchanged row: date %q", a.Date)
	}

	// A removed row: the file loses the metadata.
	writeOld(t, manifest, "path,paper,date,page\nf01.txt,四平日报,2022-06-21,3\nf02.txt,双辽报,2023-01-02,1\n")
	sum = mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	if sum.FilesRead != 1 {
		t.Errorf("row removed: %d files read, want 1", sum.FilesRead)
	}
	if a := record(t, indexDir, "f00.txt", 1); a.Date != "" || a.Paper != "" {
		t.Errorf("row removed: paper %q date %q, want none", a.Paper, a.Date)
	}
}

// Item 2: another gazetteer re-tags every file, and says so.
func TestGazetteerChangeRetags(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	writeOld(t, filepath.Join(corpusDir, "a.txt"), "### 甲乙丙召开会议\n\n会议内容。\n")
	writeOld(t, filepath.Join(corpusDir, "b.txt"), "### 另一条\n\n别的内容。\n")
	mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	if a := record(t, indexDir, "a.txt", 1); a.County != "" {
		t.Fatalf("default gazetteer: county %q, want none", a.County)
	}

	// The embedded gazetteer plus an alias.
	gaz := filepath.Join(t.TempDir(), "gazetteer.tsv")
	data, err := os.ReadFile("../corpus/data/gazetteer.tsv")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, gaz, string(data)+"220323\t伊通满族自治县\talias\t甲乙丙\n")
	tagger, err := corpus.LoadTagger(corpus.TaggerFiles{Gazetteer: gaz})
	if err != nil {
		t.Fatal(err)
	}
	def, _ := corpus.DefaultTagger()
	if tagger.Fingerprint() == def.Fingerprint() || !strings.HasPrefix(tagger.Fingerprint(), "gazetteer=") {
		t.Fatalf("fingerprints %q and %q", tagger.Fingerprint(), def.Fingerprint())
	}
	sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir, Parser: corpus.NewParser(tagger)})
	if sum.FilesRead != 2 || sum.Retagged != 2 || !reflect.DeepEqual(sum.Reasons, []string{"gazetteer changed"}) {
		t.Errorf("run with another gazetteer: %+v", sum)
	}
	if a := record(t, indexDir, "a.txt", 1); a.County != "伊通满族自治县" {
		t.Errorf("after the gazetteer change: county %q, want 伊通满族自治县", a.County)
	}
	// Same data again: nothing to do.
	if sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir, Parser: corpus.NewParser(tagger)}); !sum.NothingChanged {
		t.Errorf("second run with the same gazetteer: %+v", sum)
	}
}

// Item 2: records made under other rules are re-read.
func TestRulesVersionChangeRereads(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 2), filepath.Join(t.TempDir(), "idx")
	first := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	// Make the current generation's state look written by other rules.
	setState(t, first.Generation, func(st map[string]fileState) {
		for k, v := range st {
			v.Rules = "0"
			st[k] = v
		}
	})
	sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	if sum.FilesRead != 2 || sum.Retagged != 2 || len(sum.Reasons) != 1 || !strings.HasPrefix(sum.Reasons[0], "parsing rules changed") {
		t.Errorf("run after a rules change: %+v", sum)
	}
}

// Item 2, stat before reading: a file edited right after its bytes were
// read (from the afterRead hook, before the run takes its state) is read
// again by the next run.
func TestFileEditedDuringRunIsReadAgain(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 4), filepath.Join(t.TempDir(), "idx")
	mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	target := filepath.Join(corpusDir, "f01.txt")
	writeOld(t, target, "### 第一次修改\n\n内容。\n")
	edited := false
	sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir, afterRead: func(f corpus.File) {
		if !edited && f.Source == "f01.txt" {
			edited = true
			// Same size, a new time: what an editor saving again does.
			if err := os.WriteFile(target, []byte("### 第二次修改\n\n内容。\n"), 0o644); err != nil {
				t.Error(err)
			}
		}
	}})
	if sum.FilesRead != 1 {
		t.Fatalf("edit run: %+v", sum)
	}
	if a := record(t, indexDir, "f01.txt", 1); a.Title != "第一次修改" {
		t.Fatalf("after the edit run: %q (the bytes read were the first edit)", a.Title)
	}
	sum = mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	if sum.NothingChanged || sum.FilesRead != 1 {
		t.Errorf("run after the edit during a run: %+v", sum)
	}
	if a := record(t, indexDir, "f01.txt", 1); a.Title != "第二次修改" {
		t.Errorf("the edit made during the run: %q, want 第二次修改", a.Title)
	}
}

// Item 3: idle runs write nothing; a touched file is hashed once, then
// known by the stat cache.
func TestIdleRunsWriteNothing(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 5), filepath.Join(t.TempDir(), "idx")
	writeOld(t, filepath.Join(corpusDir, "broken.txt"), "\x00\x01binary")
	first := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	want := genNames(t, indexDir)
	if len(want) != 1 || first.FilesSkipped != 1 {
		t.Fatalf("first run: %v %+v", want, first)
	}
	// Touched, not changed.
	now := time.Now().Add(-10 * time.Second)
	if err := os.Chtimes(filepath.Join(corpusDir, "f02.txt"), now, now); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
		if !sum.NothingChanged || sum.Generation != first.Generation || sum.Articles != 5 || sum.FilesSkipped != 1 || sum.Added+sum.Updated+sum.Deleted != 0 {
			t.Fatalf("idle run %d: %+v", i+1, sum)
		}
		wantHashed := 0
		if i == 0 {
			wantHashed = 1
		}
		if sum.FilesHashed != wantHashed {
			t.Errorf("idle run %d hashed %d files, want %d", i+1, sum.FilesHashed, wantHashed)
		}
		if got := genNames(t, indexDir); !reflect.DeepEqual(got, want) {
			t.Fatalf("idle run %d: generations %v, want %v", i+1, got, want)
		}
	}
	// The next real change records the touched file's time in the new
	// generation; the cache of the old one no longer applies.
	writeOld(t, filepath.Join(corpusDir, "f00.txt"), "### 新内容\n\n内容。\n")
	sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	if sum.NothingChanged || sum.FilesRead != 1 || sum.FilesUnchanged != 4 || sum.FilesSkipped != 1 {
		t.Errorf("change run: %+v", sum)
	}
	if sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir}); !sum.NothingChanged || sum.FilesHashed != 0 {
		t.Errorf("idle run after the change: %+v", sum)
	}
}

// Item 3: retention keeps the newest Keep complete generations, and always
// the current one and the one before it.
func TestKeepGenerations(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 2), filepath.Join(t.TempDir(), "idx")
	var made []string
	for i := range 4 {
		writeOld(t, filepath.Join(corpusDir, "f00.txt"), fmt.Sprintf("### 第%d版\n\n内容。\n", i))
		made = append(made, filepath.Base(mustRun(t, Options{Corpus: corpusDir, Dir: indexDir, Keep: 1}).Generation))
		time.Sleep(2 * time.Millisecond)
	}
	gens, _ := Generations(indexDir)
	if len(gens) != 2 || gens[0].Name != made[2] || gens[1].Name != made[3] {
		t.Fatalf("keep 1: %v, want %v (current and rollback point)", genNames(t, indexDir), made[2:])
	}
	// After a rollback the current one is the older: the next run with
	// keep 1 keeps the new one, the one before it by age (the rollback
	// point) and the one it started from.
	if _, err := Rollback(context.Background(), indexDir, "", 0); err != nil {
		t.Fatal(err)
	}
	writeOld(t, filepath.Join(corpusDir, "f00.txt"), "### 回滚后\n\n内容。\n")
	sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir, Keep: 1})
	gens, _ = Generations(indexDir)
	names := []string{}
	for _, g := range gens {
		names = append(names, g.Name)
	}
	if want := []string{made[2], made[3], filepath.Base(sum.Generation)}; !reflect.DeepEqual(names, want) {
		t.Errorf("after a rollback and a run with keep 1: %v, want %v", names, want)
	}
}

// Item 4: a second writer gets ErrLocked at once, or waits.
func TestWriteLockExcludes(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 2), filepath.Join(t.TempDir(), "idx")
	mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	lock, err := lockForWrite(context.Background(), indexDir, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = run(t, Options{Corpus: corpusDir, Dir: indexDir})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another index run is writing "+indexDir+"; try again when it ends") {
		t.Fatalf("run while locked: %v", err)
	}
	if _, err := Rollback(context.Background(), indexDir, "", 0); !errors.Is(err, ErrLocked) {
		t.Errorf("rollback while locked: %v", err)
	}
	if _, err := Rollback(context.Background(), indexDir, "", 100*time.Millisecond); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "waited 100ms") {
		t.Errorf("rollback that waited too little: %v", err)
	}
	_, err = run(t, Options{Corpus: corpusDir, Dir: indexDir, LockWait: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "waited 100ms") {
		t.Errorf("run that waited too little: %v", err)
	}
	time.AfterFunc(200*time.Millisecond, func() { lock.release() })
	sum, err := run(t, Options{Corpus: corpusDir, Dir: indexDir, LockWait: 30 * time.Second})
	if err != nil || !sum.NothingChanged {
		t.Errorf("run that waited for the lock: %+v, %v", sum, err)
	}
}

// Item 5: a missing or empty corpus deletes nothing.
func TestEmptyCorpusDeletesNothing(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 3), filepath.Join(t.TempDir(), "idx")
	first := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	empty := t.TempDir()
	writeFile(t, filepath.Join(empty, "notes.pdf"), "not a bulletin")
	for _, dir := range []string{empty, filepath.Join(empty, "missing")} {
		for _, rebuild := range []bool{false, true} {
			_, err := run(t, Options{Corpus: dir, Dir: indexDir, Rebuild: rebuild, AllowDeletions: true})
			if !errors.Is(err, ErrEmptyCorpus) || !strings.Contains(err.Error(), "corpus "+dir+" has no bulletin files") || !strings.Contains(err.Error(), "nothing deleted") {
				t.Errorf("corpus %s, rebuild %v: %v", dir, rebuild, err)
			}
		}
	}
	if cur, _ := CurrentGeneration(indexDir); cur != first.Generation || docCount(t, indexDir) != 3 || len(genNames(t, indexDir)) != 1 {
		t.Errorf("after the empty corpus runs: current %s, %d articles, %v", cur, docCount(t, indexDir), genNames(t, indexDir))
	}
}

// Item 5: removing 60% of the files stops the run unless allowed; so does
// a rebuild that comes out too small.
func TestMassDeletionNeedsPermission(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 10), filepath.Join(t.TempDir(), "idx")
	first := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	for i := range 6 {
		if err := os.Remove(filepath.Join(corpusDir, fmt.Sprintf("f%02d.txt", i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, rebuild := range []bool{false, true} {
		_, err := run(t, Options{Corpus: corpusDir, Dir: indexDir, Rebuild: rebuild})
		if !errors.Is(err, ErrTooManyDeletions) || err.Error() != "would delete 6 of 10 articles (60%)" {
			t.Errorf("rebuild %v: %v", rebuild, err)
		}
		if cur, _ := CurrentGeneration(indexDir); cur != first.Generation || len(genNames(t, indexDir)) != 1 || docCount(t, indexDir) != 10 {
			t.Errorf("rebuild %v refused: current %s, %v, %d articles", rebuild, cur, genNames(t, indexDir), docCount(t, indexDir))
		}
	}
	// A higher limit lets it through; so does AllowDeletions.
	if _, err := run(t, Options{Corpus: corpusDir, Dir: indexDir, MaxDeletions: 0.7, Rebuild: true}); err != nil {
		t.Errorf("with a 70%% limit: %v", err)
	}
	if _, err := Rollback(context.Background(), indexDir, filepath.Base(first.Generation), 0); err != nil {
		t.Fatal(err)
	}
	sum, err := run(t, Options{Corpus: corpusDir, Dir: indexDir, AllowDeletions: true})
	if err != nil || sum.Deleted != 6 || sum.Articles != 4 || docCount(t, indexDir) != 4 {
		t.Errorf("allowed: %+v, %v", sum, err)
	}
}

// Item 5: a corpus renamed away during a rebuild fails the run; CURRENT
// stays. A malformed file is only skipped.
func TestCorpusVanishesDuringRebuild(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 20), filepath.Join(t.TempDir(), "idx")
	writeOld(t, filepath.Join(corpusDir, "broken.txt"), "\x00\x01binary")
	first := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	if first.FilesSkipped != 1 || first.Articles != 20 {
		t.Fatalf("first run (one malformed file): %+v", first)
	}
	moved := corpusDir + ".moved"
	renamed := false
	_, err := run(t, Options{Corpus: corpusDir, Dir: indexDir, Rebuild: true, Workers: 1, AllowDeletions: true, Progress: func(Progress) {
		if !renamed {
			renamed = true
			if err := os.Rename(corpusDir, moved); err != nil {
				t.Error(err)
			}
		}
	}})
	t.Cleanup(func() { os.RemoveAll(moved) })
	if !errors.Is(err, ErrCorpusUnreadable) || !strings.Contains(err.Error(), "corpus "+corpusDir+" became unreadable during the run") {
		t.Fatalf("rebuild with the corpus renamed away: %v", err)
	}
	if cur, _ := CurrentGeneration(indexDir); cur != first.Generation || docCount(t, indexDir) != 20 || len(genNames(t, indexDir)) != 1 {
		t.Errorf("after the failed rebuild: current %s, %d articles, %v", cur, docCount(t, indexDir), genNames(t, indexDir))
	}
}

// setState rewrites the file state of a generation (and drops its
// checksums, which no longer match).
func setState(t testing.TB, gen string, edit func(map[string]fileState)) {
	t.Helper()
	// unsafe_batch off: SetInternal is on disk when it returns.
	b, err := bleve.OpenUsing(gen, map[string]interface{}{"unsafe_batch": false})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st, err := readState(b)
	if err != nil {
		t.Fatal(err)
	}
	edit(st)
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetInternal(keyFiles, data); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(gen, checksumFile))
}

// Item 6: rollback --to repairs a CURRENT that is missing, garbage, or
// names a removed or incomplete generation.
func TestRollbackRepairsBadCurrent(t *testing.T) {
	corpusDir, indexDir := smallCorpus(t, 2), filepath.Join(t.TempDir(), "idx")
	good := filepath.Base(mustRun(t, Options{Corpus: corpusDir, Dir: indexDir}).Generation)
	incomplete := filepath.Join(indexDir, "gen-20000101T000000.000000000Z")
	if err := os.MkdirAll(incomplete, 0o755); err != nil {
		t.Fatal(err)
	}
	current := filepath.Join(indexDir, currentFile)
	for _, bad := range []struct {
		name   string
		break_ func()
	}{
		{"missing", func() { os.Remove(current) }},
		{"garbage", func() { os.WriteFile(current, []byte("\x00garbage/../x\n"), 0o644) }},
		{"removed generation", func() { os.WriteFile(current, []byte("gen-20991231T000000.000000000Z\n"), 0o644) }},
		{"incomplete generation", func() { os.WriteFile(current, []byte(filepath.Base(incomplete)+"\n"), 0o644) }},
	} {
		bad.break_()
		if _, err := Rollback(context.Background(), indexDir, "", 0); err == nil || !strings.Contains(err.Error(), "pass --to GEN") {
			t.Errorf("%s: rollback without --to: %v", bad.name, err)
		}
		if bad.name != "missing" {
			if _, err := run(t, Options{Corpus: corpusDir, Dir: indexDir}); !errors.Is(err, ErrBadCurrent) || !strings.Contains(err.Error(), "--rollback --to GEN") {
				t.Errorf("%s: index run: %v", bad.name, err)
			}
		}
		if _, err := Rollback(context.Background(), indexDir, filepath.Base(incomplete), 0); err == nil || !strings.Contains(err.Error(), "incomplete") {
			t.Errorf("%s: rollback to the incomplete generation: %v", bad.name, err)
		}
		got, err := Rollback(context.Background(), indexDir, good, 0)
		if err != nil || filepath.Base(got) != good {
			t.Fatalf("%s: rollback --to %s: %s, %v", bad.name, good, got, err)
		}
		if cur, err := CurrentGeneration(indexDir); err != nil || filepath.Base(cur) != good || docCount(t, indexDir) != 2 {
			t.Errorf("%s: after the repair: %s, %v", bad.name, cur, err)
		}
	}
}
