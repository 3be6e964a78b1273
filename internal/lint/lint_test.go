package lint

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The rules, as named in violation messages and allow-list entries.
const (
	ruleWallClock  = "wall-clock"  // reads or waits on the wall clock
	ruleGlobalRand = "global-rand" // draws from math/rand's global source
	ruleCryptoRand = "crypto-rand" // uses crypto/rand, which no seed reproduces
	ruleGoroutine  = "goroutine"   // starts a goroutine: scheduling order is not reproducible
	ruleDotImport  = "dot-import"  // dot-imports a watched package, hiding its uses
)

// allowEntry lets one file break one rule, for a stated reason.
type allowEntry struct {
	path   string // slash-separated, relative to the module root
	rule   string
	reason string
}

// allowList holds the exceptions to the rules.
var allowList = []allowEntry{
	{path: "analysis/sweep.go", rule: ruleGoroutine, reason: "replications run in parallel, each on its own Simulator with a seed fixed by its point and index; results are handed over in point and replication order"},
}

// wallClock lists the functions of package time that read or wait on the
// wall clock. Types, constants and pure functions (time.Duration,
// time.Second, time.ParseDuration) stay allowed.
var wallClock = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true,
	"After": true, "AfterFunc": true, "Tick": true,
	"NewTimer": true, "NewTicker": true,
}

// randAllowed lists what math/rand and math/rand/v2 may be used for: the
// constructors of explicit generators and the types they return. Every
// other package-level name (rand.IntN, rand.Float64, rand.Shuffle, rand.Seed,
// ...) reaches the global source.
var randAllowed = map[string]bool{
	"New": true, "NewPCG": true, "NewChaCha8": true, "NewSource": true, "NewZipf": true,
	"Rand": true, "Source": true, "Source64": true, "PCG": true, "ChaCha8": true, "Zipf": true,
}

// violation is one broken rule at one place.
type violation struct {
	path string // slash-separated, relative to the module root
	line int
	col  int
	rule string
	msg  string
}

func (v violation) String() string {
	return fmt.Sprintf("%s:%d:%d: %s (rule %s)", v.path, v.line, v.col, v.msg, v.rule)
}

// lintSource checks one file's source and returns its violations in source
// order. path is only used in the results.
func lintSource(path string, src []byte) ([]violation, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		return nil, err
	}
	var out []violation
	report := func(pos token.Pos, rule, format string, args ...any) {
		p := fset.Position(pos)
		out = append(out, violation{path: path, line: p.Line, col: p.Column, rule: rule, msg: fmt.Sprintf(format, args...)})
	}

	// Map the names under which the watched packages are imported in this
	// file to their import paths.
	watched := map[string]string{} // local name -> import path
	for _, imp := range f.Imports {
		ipath, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: bad import path %s", path, imp.Path.Value)
		}
		var def string
		switch ipath {
		case "time":
			def = "time"
		case "math/rand", "math/rand/v2", "crypto/rand":
			def = "rand"
		default:
			continue
		}
		if ipath == "crypto/rand" {
			report(imp.Pos(), ruleCryptoRand, "import of crypto/rand: its bytes cannot be reproduced from the run seed; draw from a sim.Stream")
			continue
		}
		name := def
		if imp.Name != nil {
			name = imp.Name.Name
		}
		switch name {
		case "_":
			continue
		case ".":
			report(imp.Pos(), ruleDotImport, "dot import of %s hides which of its functions the file uses; import it by name", ipath)
			continue
		}
		watched[name] = ipath
	}

	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			report(n.Pos(), ruleGoroutine, "go statement: goroutines make the order of events depend on the Go scheduler; schedule an event instead")
		case *ast.SelectorExpr:
			id, ok := n.X.(*ast.Ident)
			// id.Obj is set when the name resolves to a declaration in
			// this file (a variable shadowing the package name).
			if !ok || id.Obj != nil {
				return true
			}
			ipath, ok := watched[id.Name]
			if !ok {
				return true
			}
			sel := n.Sel.Name
			switch ipath {
			case "time":
				if wallClock[sel] {
					report(n.Pos(), ruleWallClock, "%s.%s reads the wall clock; simulation code uses Simulator.Now and schedules events", id.Name, sel)
				}
			case "math/rand", "math/rand/v2":
				if !randAllowed[sel] {
					report(n.Pos(), ruleGlobalRand, "%s.%s (%s) draws from the global random source; draw from a sim.Stream", id.Name, sel, ipath)
				}
			}
		}
		return true
	})
	return out, nil
}

// moduleRoot returns the directory of the go.mod above the working
// directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// skipDirs are the top-level directories outside the lint: commands (which
// may show progress against the wall clock) and benchmarks.
var skipDirs = []string{"cmd", "bench"}

// lintTree checks every non-test .go file under root, except under the top
// level cmd/ and bench/, any testdata/ or hidden directory, and nested
// modules. Allowed violations are removed; allow entries that matched
// nothing are returned as stale, so that the list cannot rot.
func lintTree(root string, allow []allowEntry) (vs []violation, stale []allowEntry, err error) {
	used := make([]bool, len(allow))
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			name := d.Name()
			if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				slices.Contains(skipDirs, rel) {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fvs, err := lintSource(rel, src)
		if err != nil {
			return err
		}
	next:
		for _, v := range fvs {
			for i, a := range allow {
				if a.path == v.path && a.rule == v.rule {
					used[i] = true
					continue next
				}
			}
			vs = append(vs, v)
		}
		return nil
	})
	for i, a := range allow {
		if !used[i] {
			stale = append(stale, a)
		}
	}
	return vs, stale, err
}

// TestDeterminism is the lint itself, over the module.
func TestDeterminism(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range allowList {
		if a.reason == "" {
			t.Errorf("allow-list entry %s (rule %s) gives no reason", a.path, a.rule)
		}
	}
	vs, stale, err := lintTree(root, allowList)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Error(v)
	}
	for _, a := range stale {
		t.Errorf("allow-list entry %s (rule %s) matches nothing: remove it", a.path, a.rule)
	}
}

func TestLintSourceRules(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line:rule"
	}{
		{"clean", `package p
import "time"
func f(d time.Duration) time.Duration { return d + time.Second }`, nil},
		{"time.Now", `package p
import "time"
func f() { _ = time.Now() }`, []string{"3:wall-clock"}},
		{"every wall-clock function", `package p
import "time"
func f() {
	time.Sleep(1)
	time.AfterFunc(1, nil)
	_ = time.Since(time.Time{})
	_ = time.Until(time.Time{})
	_ = time.Tick(1)
	_ = time.NewTimer(1)
	_ = time.NewTicker(1)
	_ = time.After(1)
}`, []string{"4:wall-clock", "5:wall-clock", "6:wall-clock", "7:wall-clock", "8:wall-clock", "9:wall-clock", "10:wall-clock", "11:wall-clock"}},
		{"function value, not a call", `package p
import "time"
var clock = time.Now`, []string{"3:wall-clock"}},
		{"aliased time", `package p
import wall "time"
func f() { _ = wall.Now() }`, []string{"3:wall-clock"}},
		{"a local variable named time is not the package", `package p
import "time"
type clock struct{ Now func() int }
func f(d time.Duration) { time := clock{}; _ = time.Now }`, nil},
		{"another package named time", `package p
import time "example.com/virtual/clock"
func f() { _ = time.Now() }`, nil},
		{"math/rand/v2 global functions", `package p
import "math/rand/v2"
func f() { _ = rand.IntN(3); _ = rand.Float64(); rand.Shuffle(2, nil) }`, []string{"3:global-rand", "3:global-rand", "3:global-rand"}},
		{"math/rand global functions", `package p
import "math/rand"
func f() { rand.Seed(1); _ = rand.Intn(3) }`, []string{"3:global-rand", "3:global-rand"}},
		{"rand constructors and types are allowed", `package p
import (
	"math/rand/v2"
	v1 "math/rand"
)
func f() *rand.Rand {
	_ = v1.New(v1.NewSource(1))
	_ = rand.NewZipf(rand.New(rand.NewChaCha8([32]byte{})), 2, 1, 10)
	var s rand.Source = rand.NewPCG(1, 2)
	return rand.New(s)
}`, nil},
		{"methods of a generator are allowed", `package p
import "math/rand/v2"
func f(r *rand.Rand) int { return r.IntN(3) }`, nil},
		{"aliased math/rand/v2", `package p
import mr "math/rand/v2"
func f() int { return mr.IntN(3) }`, []string{"3:global-rand"}},
		{"crypto/rand", `package p
import "crypto/rand"
func f(b []byte) { rand.Read(b) }`, []string{"2:crypto-rand"}},
		{"crypto/rand aliased and blank", `package p
import (
	cr "crypto/rand"
	_ "crypto/rand"
)
var _ = cr.Reader`, []string{"3:crypto-rand", "4:crypto-rand"}},
		{"dot import", `package p
import . "time"
func f() { _ = Now() }`, []string{"2:dot-import"}},
		{"go statement", `package p
func f() {
	go f()
	go func() {}()
}`, []string{"3:goroutine", "4:goroutine"}},
		{"mentions in strings and comments are fine", `package p
// time.Now and go f() in a comment
var s = "rand.IntN(3) time.Sleep"`, nil},
	}
	for _, tt := range tests {
		vs, err := lintSource("p.go", []byte(tt.src))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var got []string
		for _, v := range vs {
			got = append(got, fmt.Sprintf("%d:%s", v.line, v.rule))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: lintSource = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Messages name the file, line and column, and the rule.
func TestViolationMessage(t *testing.T) {
	vs, err := lintSource("sim/x.go", []byte("package p\nimport \"time\"\nfunc f() { _ = time.Now() }\n"))
	if err != nil || len(vs) != 1 {
		t.Fatalf("lintSource = %v, %v; want one violation", vs, err)
	}
	got := vs[0].String()
	want := "sim/x.go:3:16: time.Now reads the wall clock; simulation code uses Simulator.Now and schedules events (rule wall-clock)"
	if got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestLintSourceSyntaxError(t *testing.T) {
	if _, err := lintSource("bad.go", []byte("package p\nfunc {")); err == nil {
		t.Error("lintSource of a syntax error returned no error")
	}
}

// lintTree walks the right files and honours the allow-list.
func TestLintTree(t *testing.T) {
	root := t.TempDir()
	bad := "package p\nimport \"time\"\nvar _ = time.Now()\n"
	files := map[string]string{
		"go.mod":                      "module example.com/m\n",
		"a/a.go":                      bad,                      // checked
		"a/a_test.go":                 bad,                      // tests are exempt
		"a/testdata/x.go":             bad,                      // test data
		"cmd/tool/main.go":            bad,                      // commands
		"bench/b.go":                  bad,                      // benchmarks
		"internal/lint/testdata/t.go": bad,                      // the lint's own test data
		"nested/go.mod":               "module example.com/n\n", // another module
		"nested/n.go":                 bad,                      //
		".hidden/h.go":                bad,                      //
		"deep/cmd/c.go":               bad,                      // only the top-level cmd/ is exempt
		"runner/runner.go":            "package runner\nfunc f() { go f() }\n",
		"runner/notes.txt":            "go f()",
	}
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	vs, stale, err := lintTree(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.path+":"+v.rule)
	}
	want := []string{"a/a.go:wall-clock", "deep/cmd/c.go:wall-clock", "runner/runner.go:goroutine"}
	if !slices.Equal(got, want) || len(stale) != 0 {
		t.Errorf("lintTree = %q (stale %v), want %q", got, stale, want)
	}

	allow := []allowEntry{
		{path: "runner/runner.go", rule: ruleGoroutine, reason: "test"},
		{path: "runner/runner.go", rule: ruleWallClock, reason: "matches nothing"},
	}
	vs, stale, err = lintTree(root, allow)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, v := range vs {
		got = append(got, v.path+":"+v.rule)
	}
	if want := []string{"a/a.go:wall-clock", "deep/cmd/c.go:wall-clock"}; !slices.Equal(got, want) {
		t.Errorf("lintTree with an allow entry = %q, want %q", got, want)
	}
	if len(stale) != 1 || stale[0].rule != ruleWallClock {
		t.Errorf("stale allow entries = %v, want the wall-clock one", stale)
	}
}
