// Package sample holds the archive's embedded sample corpus: a real bulletin
// page of a Siping city newspaper and pages written for this project in the
// same format. It lets a fresh checkout serve something on first start.
package sample

import "embed"

// FS holds the sample bulletin files at its root.
//
//go:embed *.txt
var FS embed.FS
