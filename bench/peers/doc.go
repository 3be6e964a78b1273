// Package peers compares the sipstack message layer of sipsim with other
// SIP stacks, on the same bytes in the same benchmark run. It is a module
// of its own so that the simulator does not depend on the stacks it is
// compared with. The code is in peers_test.go; README.md has the numbers.
package peers
