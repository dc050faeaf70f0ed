// Command newsarchive ingests bulletin pages, builds and checks the search
// index and serves the archive over HTTP.
//
// Usage:
//
//	newsarchive parse [--explain] PATH...
//
// Run "newsarchive help" for every command and flag.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit statuses shared by the commands.
const (
	exitOK      = 0
	exitPartial = 1 // some input was skipped; the rest was processed
	exitUsage   = 2 // bad flags or arguments, or the output cannot be written
)

// exitError carries an exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(err error) error { return &exitError{exitUsage, err} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != exitPartial {
			fmt.Fprintln(stderr, "newsarchive:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "newsarchive:", err)
	return exitUsage
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "newsarchive",
		Short:         "A full-text searchable archive of Chinese regional news",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError(fmt.Errorf("%w\nSee '%s --help'.", err, c.CommandPath()))
	})
	root.AddCommand(newParseCmd(), newIndexCmd(), newSearchCmd(), newStatsCmd(), newServeCmd(), newGenerationsCmd(), newExportCmd(), newPlacesCmd())
	return root
}

// wrapArgs turns cobra's argument validation errors into usage errors.
func wrapArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError(fmt.Errorf("%w\nSee '%s --help'.", err, cmd.CommandPath()))
		}
		return nil
	}
}
