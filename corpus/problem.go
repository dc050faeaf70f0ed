package corpus

import "fmt"

// Problem is something wrong with a bulletin file, at a line (1-based; line
// 1 for problems with the whole file). A Problem that Skipped the file means
// none of its items were read; otherwise its items are complete and the
// problem is a warning.
type Problem struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Message string `json:"message"`
	Skipped bool   `json:"skipped"`
}

// Error formats the problem as "path:line: message", the form the CLI
// prints.
func (p Problem) Error() string {
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
}
