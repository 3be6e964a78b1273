package topologies

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// builtinFS holds the built-in topologies, one YAML file each.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtins returns the names of the built-in topologies, sorted.
func Builtins() []string {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		panic("topologies: embedded builtin directory is missing: " + err.Error()) // a broken build
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// Builtin returns the YAML text of the built-in topology name, such as
// "here-there".
func Builtin(name string) ([]byte, error) {
	if !slices.Contains(Builtins(), name) {
		return nil, fmt.Errorf("topologies: no built-in topology %q (have: %s)", name, strings.Join(Builtins(), ", "))
	}
	return builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
}

// BuiltinDescription returns the one-line description of the built-in
// topology name.
func BuiltinDescription(name string) (string, error) {
	t, err := LoadBuiltin(name)
	if err != nil {
		return "", err
	}
	return t.Description, nil
}

// LoadBuiltin parses the built-in topology name; errors name the file
// "name.yaml".
func LoadBuiltin(name string) (*Topology, error) {
	data, err := Builtin(name)
	if err != nil {
		return nil, err
	}
	return Parse(name+".yaml", data)
}

// LoadFile reads and parses the topology file at path; errors name the
// file by path.
func LoadFile(path string) (*Topology, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}
