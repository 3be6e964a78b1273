// Package diagram draws the ladder of a run ([analysis.Ladder]) as a
// picture for a design review: one lifeline per node under a box with its
// name and address, one labelled horizontal arrow per message, the
// virtual time in milliseconds at the left, retransmissions in blue and
// marked "(retx)", lost messages as red dashed arrows that end in a cross
// where they were lost, and timers as a clock on the node's lifeline with
// a note. The picture is sized from its content and drawn with gonum's
// vector graphics ([gonum.org/v1/plot/vg]), so the same drawing gives an
// SVG ([Diagram.WriteSVG]), a PNG ([Diagram.WritePNG]) or any other
// [vg.Canvas].
//
// [WriteFile] writes a ladder in the format its file name's extension
// chooses: the text ladder (.txt), PlantUML (.puml), Mermaid (.mmd), SVG
// (.svg) or PNG (.png).
//
// Drawing is deterministic: the same ladder and options give the same SVG
// bytes.
package diagram
