package topologies

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that the loader never panics, that it returns either a
// topology or Errors, and that every error is one line, in line order,
// naming the file.
func FuzzParse(f *testing.F) {
	for _, name := range Builtins() {
		data, err := Builtin(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(twoNodes))
	f.Add([]byte(twoNodes + "    loss: {rate: 1%, mean-burst: 3}\n    forward: {bandwidth: 2Mbit/s, queue: {packets: 10}}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("name: x\nnodes:\n  - &n {name: a, kind: ua, address: 10.0.0.1, aor: sip:a@b}\n  - *n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := Parse("f.yaml", data)
		if err == nil {
			if top == nil {
				t.Fatal("nil topology without error")
			}
			// A valid topology builds.
			if _, err := Build(top, 1, nil); err != nil {
				t.Fatalf("valid topology does not build: %v", err)
			}
			return
		}
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 {
			t.Fatalf("error %T %v is not Errors", err, err)
		}
		for i, e := range es {
			if strings.Contains(e.Error(), "\n") {
				t.Errorf("error %q spans lines", e.Error())
			}
			if e.File != "f.yaml" {
				t.Errorf("error %q names file %q", e.Error(), e.File)
			}
			if i > 0 && es[i-1].Line > e.Line {
				t.Errorf("errors out of line order: %v", es)
			}
		}
	})
}
