package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/sipsim/sipsim/topologies"
)

func init() {
	register(&command{
		name:    "topologies",
		summary: "list the built-in topologies",
		detail: `
Prints one line per built-in topology: its name and its one-line
description. Run one with 'sipsim run NAME'; print its YAML with
'sipsim topology show NAME'.`,
		flags: func(fs *pflag.FlagSet) func(*env, []string) int {
			return runTopologies
		},
	})
	register(&command{
		name:    "topology",
		summary: "print the YAML of a built-in topology (topology show NAME)",
		usage:   "show NAME",
		detail: `
'sipsim topology show NAME' prints the embedded YAML file of the built-in
topology NAME, to copy and edit:

  sipsim topology show here-there > my.yaml
  sipsim run my.yaml`,
		flags: func(fs *pflag.FlagSet) func(*env, []string) int {
			return runTopology
		},
	})
}

func runTopologies(e *env, args []string) int {
	if len(args) > 0 {
		return fail(e, &usageError{"topologies: takes no argument"})
	}
	names := topologies.Builtins()
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		d, err := topologies.BuiltinDescription(n)
		if err != nil {
			return fail(e, err)
		}
		fmt.Fprintf(e.stdout, "%-*s  %s\n", width, n, d)
	}
	return exitOK
}

func runTopology(e *env, args []string) int {
	if len(args) != 2 || args[0] != "show" {
		return fail(e, &usageError{"topology: usage: sipsim topology show NAME"})
	}
	data, err := topologies.Builtin(args[1])
	if err != nil {
		_, err = loadTopology(args[1]) // the same message as run's
		return fail(e, err)
	}
	e.stdout.Write(data)
	return exitOK
}
