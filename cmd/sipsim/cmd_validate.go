package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/sipsim/sipsim/topologies"
)

func init() {
	register(&command{
		name:    "validate",
		summary: "check topology files",
		usage:   "FILE...",
		detail: `
Parses and validates each topology FILE as 'sipsim run FILE' would, without
running it. Prints "FILE: ok" for a valid file; for an invalid one, one
line per problem on standard error, "FILE:LINE: FIELD: MESSAGE".

Exit status: 0 when every file is valid, 2 otherwise.`,
		flags: func(fs *pflag.FlagSet) func(*env, []string) int {
			return runValidate
		},
	})
}

func runValidate(e *env, files []string) int {
	if len(files) == 0 {
		return fail(e, &usageError{"validate: no FILE given"})
	}
	status := exitOK
	for _, f := range files {
		_, err := topologies.LoadFile(f)
		if err == nil {
			fmt.Fprintf(e.stdout, "%s: ok\n", f)
			continue
		}
		status = exitBadInput
		var es topologies.Errors
		if errors.As(err, &es) {
			for _, x := range es {
				fmt.Fprintln(e.stderr, x.Error())
			}
		} else {
			fmt.Fprintf(e.stderr, "sipsim: %v\n", err)
		}
	}
	return status
}
