package ident_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/sipsim/sipsim/sipstack/ident"
)

// A node draws its identifiers from its own seeded stream, so the same seed
// gives the same branches, tags and Call-IDs on every run.
func Example() {
	stream := rand.New(rand.NewPCG(1, 0x5eed)) // the node's stream
	g, err := ident.New(stream, "here.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("branch: ", g.Branch())
	fmt.Println("tag:    ", g.Tag())
	fmt.Println("Call-ID:", g.CallID())
	// Output:
	// branch:  z9hG4bK44p1bfbfbgooi
	// tag:     4iqudl0v7sal6
	// Call-ID: c9g10opg1un9e2f64tcbm4b0d0@here.com
}

// The Append forms write into a caller's buffer without allocating, for a
// transport that builds its Via in place.
func ExampleGenerator_AppendBranch() {
	g, _ := ident.New(rand.New(rand.NewPCG(2, 0)), "")
	buf := make([]byte, 0, 64)
	buf = append(buf, "SIP/2.0/UDP client.here.com:5060;branch="...)
	buf = g.AppendBranch(buf)
	fmt.Println(string(buf))
	// Output: SIP/2.0/UDP client.here.com:5060;branch=z9hG4bKasujmjb8ojgjf
}

func ExampleNew_error() {
	_, err := ident.New(rand.New(rand.NewPCG(1, 1)), "bad host")
	fmt.Println(err)
	// Output: ident: host is not a Call-ID word
}
