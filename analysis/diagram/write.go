package diagram

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sipsim/sipsim/analysis"
)

// Extensions returns the file name extensions that [Write] and
// [WriteFile] support, in the order of the error that names them.
func Extensions() []string { return []string{".txt", ".svg", ".png", ".puml", ".mmd"} }

// ErrUnsupported is the error, wrapped, of [Write] and [WriteFile] for an
// extension they do not support.
var ErrUnsupported = errors.New("unsupported ladder format")

// Write writes the ladder l to w in the format that the file name
// extension ext chooses, in any case: ".txt" the text ladder
// ([analysis.Ladder.WriteText]), ".puml" PlantUML
// ([analysis.Ladder.WritePlantUML]), ".mmd" Mermaid
// ([analysis.Ladder.WriteMermaid]), ".svg" and ".png" the picture of
// [Draw] with default options. Any other extension is an error that
// wraps ErrUnsupported and names the supported ones.
func Write(w io.Writer, ext string, l *analysis.Ladder) error {
	switch strings.ToLower(ext) {
	case ".txt":
		return l.WriteText(w)
	case ".puml":
		return l.WritePlantUML(w)
	case ".mmd":
		return l.WriteMermaid(w)
	case ".svg":
		return Draw(l, Options{}).WriteSVG(w)
	case ".png":
		return Draw(l, Options{}).WritePNG(w)
	}
	if ext == "" {
		ext = `""`
	}
	return fmt.Errorf("%w %s: use one of %s", ErrUnsupported, ext, strings.Join(Extensions(), ", "))
}

// WriteFile writes the ladder l to the file at path in the format that
// its extension chooses (see [Write]). Nothing is written when the
// extension is not supported.
func WriteFile(path string, l *analysis.Ladder) error {
	var b bytes.Buffer
	if err := Write(&b, filepath.Ext(path), l); err != nil {
		return fmt.Errorf("ladder %s: %w", path, err)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
