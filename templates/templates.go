// Package templates holds the text templates kamgen fills for what is not
// Go code: a reference page per component, and a Graphviz picture of a
// Pipeline or Graphline. They are embedded, so the kamgen binary and the
// runtime carry them.
package templates

import (
	"embed"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// Component is the reference page of one component, in the shape of
// Kamaelia's reference pages: what it is, an example, how it works, and its
// inboxes and outboxes. It is executed with a ComponentPage.
var Component = template.Must(template.New("component.md.tmpl").ParseFS(files, "component.md.tmpl"))

// Graph is a Graphviz (DOT) picture of components and the links between
// them. It is executed with a GraphData.
var Graph = template.Must(template.New("graph.dot.tmpl").Funcs(template.FuncMap{
	"quote": quoteDot,
}).ParseFS(files, "graph.dot.tmpl"))

// ComponentPage is what the component template shows.
type ComponentPage struct {
	Name       string // the Go type, such as "ConsoleEchoer[T]"
	ImportPath string
	Package    string
	Kind       string // "reactive" or "threaded"
	Doc        string // the type's doc comment as Markdown, box sections removed
	Inboxes    []BoxRow
	Outboxes   []BoxRow
}

// BoxRow is one box on a reference page or in a picture.
type BoxRow struct {
	Name, Type, Doc string
	Cap             int
}

// GraphData is what the graph template draws.
type GraphData struct {
	Name  string
	Nodes []GraphNode
	Edges []GraphEdge
}

// GraphNode is a component: its inboxes on one side, outboxes on the other.
type GraphNode struct {
	ID, Label string
	Inboxes   []string
	Outboxes  []string
}

// GraphEdge is a link from a box to a box, labelled with its message type.
// A port is "in_NAME" or "out_NAME": a passthrough starts at an inbox or
// ends at an outbox.
type GraphEdge struct {
	From, FromPort, To, ToPort, Label string
	Passthrough                       bool
}

// RecordLabel escapes text for a field of a DOT record label.
func RecordLabel(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '{', '}', '|', '<', '>', '"', '\\', ' ':
			out = append(out, '\\', c)
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func quoteDot(s string) string {
	out := make([]byte, 0, len(s)+2)
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			out = append(out, '\\', c)
		case '\n':
			out = append(out, '\\', 'n')
		default:
			out = append(out, c)
		}
	}
	return string(append(out, '"'))
}
