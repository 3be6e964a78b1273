// Package lint holds the determinism lint of sipsim, a test that fails the
// build when non-test code of the module reads the wall clock, draws from a
// global random source, uses crypto/rand, or starts a goroutine. Those rules
// keep every run reproducible from its seed (see the package doc of sim).
//
// The lint is the test in lint_test.go: run it with
//
//	go test ./internal/lint/
//
// It parses every non-test .go file of the module, found by walking from the
// module root, except under cmd/, bench/ and testdata/ directories and in
// nested modules. A file may break a rule only through an entry of the
// allow-list in lint_test.go, which names the file, the rule and the reason.
package lint
