// Package templates holds the text templates kamgen fills for what is not
// Go code: a reference page per component, and a Graphviz picture of a
// Pipeline or Graphline. They are embedded, so the kamgen binary and the
// runtime carry them.
package templates

import (
	"embed"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// Component is the reference page of one component, in the shape of
// Kamaelia's reference pages: what it is, an example, how it works, and its
// inboxes and outboxes. It is executed with a ComponentPage.
var Component = template.Must(template.New("component.md.tmpl").ParseFS(files, "component.md.tmpl"))

// Graph is a Graphviz (DOT) picture of components and the links between
// them, left to right. It is executed with a GraphData. A node with nodes
// inside it (GraphNode.Parent) is drawn as a box around them, its own
// inboxes on its left and outboxes on its right; every other node as a
// record of its inboxes, its label and its outboxes. Passthroughs are
// dashed.
var Graph = template.Must(template.New("graph.dot.tmpl").Funcs(template.FuncMap{
	"quote":    quoteDot,
	"record":   RecordLabel,
	"ports":    recordPorts,
	"children": children,
	"scope":    func(d any, parent, indent string) graphScope { return graphScope{graphOf(d), parent, indent} },
	"endpoint": endpoint,
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
	Lines           int // the longest line of a line-framed inbox (lines=N), or 0
}

// GraphData is what the graph template draws.
type GraphData struct {
	Name  string
	Nodes []GraphNode
	Edges []GraphEdge
}

// GraphNode is a component: its inboxes on one side, outboxes on the other.
// Parent is the ID of the node it is inside of (the container it is a child
// of), or "" at the top.
type GraphNode struct {
	ID, Label string
	Inboxes   []string
	Outboxes  []string
	Parent    string
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

// graphScope is what the graph template's "nodes" draws: the nodes of Data
// inside Parent, each line after Indent.
type graphScope struct {
	Data           *GraphData
	Parent, Indent string
}

// graphOf returns the GraphData the template was executed with: a GraphData
// or a *GraphData.
func graphOf(d any) *GraphData {
	switch d := d.(type) {
	case *GraphData:
		if d != nil {
			return d
		}
	case GraphData:
		return &d
	}
	return &GraphData{}
}

// children returns the nodes of d whose Parent is parent.
func children(d any, parent string) []GraphNode {
	var out []GraphNode
	for _, n := range graphOf(d).Nodes {
		if n.Parent == parent && n.ID != parent {
			out = append(out, n)
		}
	}
	return out
}

// endpoint returns the DOT spelling of the port of node id: id:port, or for
// a node drawn as a cluster the node of the cluster that holds that port
// (id.in for an inbox, id.out for an outbox).
func endpoint(d any, id, port string) string {
	if len(children(d, id)) > 0 {
		if strings.HasPrefix(port, "in_") {
			id += ".in"
		} else {
			id += ".out"
		}
	}
	return quoteDot(id) + ":" + quoteDot(port)
}

// recordPorts returns the fields of a record label for boxes, each a port
// named prefix+box: "<in_inbox> inbox|<in_control> control".
func recordPorts(prefix string, boxes []string) string {
	fields := make([]string, len(boxes))
	for i, b := range boxes {
		fields[i] = "<" + RecordLabel(prefix+b) + "> " + RecordLabel(b)
	}
	return strings.Join(fields, "|")
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
