// Command sipsim is the command line of the sipsim SIP network simulator.
//
// Each subcommand lives in its own file (cmd_NAME.go) and registers a
// [command] in the commands table; main only dispatches. Exit status: 0 on
// success, 1 when the command ran but found a problem in what it checked
// (such as a malformed SIP message for parse), 2 for a usage error or bad
// input (one clear line on standard error, never a stack trace).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// version is the release of this build, printed by --version and recorded in
// result metadata.
const version = "0.1.0-dev"

// Exit statuses shared by every subcommand.
const (
	exitOK       = 0
	exitProblem  = 1 // the command ran and found a problem in its input's content
	exitBadInput = 2 // usage error, unreadable file, invalid configuration
)

// env is what a subcommand may touch of the outside world. Tests give it
// buffers; main gives it the process's files.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand of sipsim.
type command struct {
	name    string
	summary string // one line for `sipsim help`
	usage   string // argument synopsis, such as "FILE..."
	detail  string // paragraphs printed by `sipsim help NAME`
	// flags declares the subcommand's flags on fs and returns the function
	// that runs it with the remaining arguments.
	flags func(fs *pflag.FlagSet) func(e *env, args []string) int
}

// commands is the table of subcommands, filled by init functions of the
// cmd_*.go files.
var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

func main() {
	os.Exit(run(os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

// usageError is a mistake on the command line: it is printed as one line,
// followed by a hint to ask for help, and exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// fail prints err as the single line "sipsim: err" and returns exit status 2.
func fail(e *env, err error) int {
	fmt.Fprintf(e.stderr, "sipsim: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(e.stderr, "Run 'sipsim help' for usage.")
	}
	return exitBadInput
}

// run executes the command line args and returns the exit status.
func run(args []string, e *env) int {
	if len(args) == 0 {
		printHelp(e.stderr)
		return exitBadInput
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintf(e.stdout, "sipsim %s\n", version)
		return exitOK
	case "help", "--help", "-h":
		return runHelp(e, args[1:])
	}
	c, ok := commands[args[0]]
	if !ok {
		return fail(e, &usageError{fmt.Sprintf("unknown command %q", args[0])})
	}
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	runFn := c.flags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printCommandHelp(e.stdout, c)
			return exitOK
		}
		return fail(e, &usageError{fmt.Sprintf("%s: %v", c.name, err)})
	}
	return runFn(e, fs.Args())
}

func runHelp(e *env, args []string) int {
	if len(args) == 0 {
		printHelp(e.stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		return fail(e, &usageError{fmt.Sprintf("help: unknown command %q", args[0])})
	}
	printCommandHelp(e.stdout, c)
	return exitOK
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "sipsim %s: a discrete-event SIP network simulator\n\n", version)
	fmt.Fprintln(w, "Usage:\n  sipsim COMMAND [flags] [arguments]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'sipsim help COMMAND' for a command's flags, 'sipsim --version' for the version.")
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: sipsim %s [flags] %s\n\n%s\n", c.name, c.usage, c.summary)
	if c.detail != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.detail))
	}
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SortFlags = false
	c.flags(fs)
	if fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
}
