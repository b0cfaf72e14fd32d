package chassis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/templates"
)

// ErrNoGraphviz reports that SVG found no Graphviz dot command on PATH.
var ErrNoGraphviz = errors.New("chassis: Graphviz's dot command is not on PATH: install Graphviz (apt-get install graphviz; brew install graphviz on macOS; https://graphviz.org/download/)")

// svgTimeout bounds one run of dot.
const svgTimeout = 30 * time.Second

// container is a chassis component whose children and links are known before
// it runs: Pipeline and Graphline.
type container interface {
	axon.Part
	graphParts() []axon.Part
	graphWirings() []axon.Wiring
}

func (p *Pipeline[I, O]) graphParts() []axon.Part     { return slices.Clone(p.stages) }
func (p *Pipeline[I, O]) graphWirings() []axon.Wiring { return slices.Concat(p.inner, p.tail) }

func (g *Graphline[I, O]) graphParts() []axon.Part     { return g.Parts() }
func (g *Graphline[I, O]) graphWirings() []axon.Wiring { return g.Wirings() }

// Graph describes root, and everything inside it, for templates.Graph: a
// picture of components and the links between them.
//
// Each component is a node: its ID is unique in the graph ("Pipeline_1",
// "ConsoleReader_2"...), its Label is its Go type's name without type
// arguments, and its ports are its boxes: those of its BoxTable, when it has
// one (axon.Described, which kamgen generates), then any other box a link
// uses. A Pipeline or a Graphline is a node too, with its own boxes, and
// its children follow it, recursively: a Pipeline inside a Graphline shows
// its stages and their links as well.
//
// Each link is an edge from a box to a box, labelled with the message type
// of the box it comes from (the BoxTable row's Type; for a generic
// component, whose rows name type parameters, the type it was instantiated
// with). Passthroughs, from a container's inbox to a child's or from a
// child's outbox to its container's, are dashed. A Pipeline's edges are the
// links it makes when it starts: stage to stage (outbox to inbox, signal to
// control), and its passthroughs (or, when Circular, last stage back to
// first). A Graphline's are its Wirings. Links made while components run
// (Carousel's and Seq's children, links made by hand) are not shown: Graph
// reads how components were built, needs no runtime, and works before
// activation as well as after.
func Graph(root axon.Part) templates.GraphData {
	b := grapher{ids: map[*axon.Component]int{}}
	if root == nil || root.Base() == nil {
		return templates.GraphData{Name: "nil"}
	}
	b.visit(root, "")
	for _, w := range b.wirings {
		b.edge(w)
	}
	data := templates.GraphData{Name: b.nodes[0].Label, Edges: b.edges}
	for _, n := range b.nodes {
		data.Nodes = append(data.Nodes, n.GraphNode)
	}
	return data
}

// grapher accumulates Graph's nodes and edges.
type grapher struct {
	ids     map[*axon.Component]int // index in nodes
	nodes   []*graphNode
	wirings []axon.Wiring
	edges   []templates.GraphEdge
}

type graphNode struct {
	templates.GraphNode
	part  axon.Part
	table []axon.BoxInfo // nil when the component has no BoxTable
}

// visit adds p, inside the node parent, and, for a container, its children
// and its wirings.
func (b *grapher) visit(p axon.Part, parent string) {
	if p == nil || p.Base() == nil {
		return
	}
	if _, seen := b.ids[p.Base()]; seen {
		return
	}
	n := &graphNode{part: p}
	n.Parent = parent
	n.Label = typeName(p)
	n.ID = fmt.Sprintf("%s_%d", n.Label, len(b.nodes)+1)
	if d, ok := p.(axon.Described); ok {
		n.table = d.BoxTable()
		for _, row := range n.table {
			n.addPort(row.Dir, row.Name)
		}
	}
	b.ids[p.Base()] = len(b.nodes)
	b.nodes = append(b.nodes, n)
	if c, ok := p.(container); ok {
		b.wirings = append(b.wirings, c.graphWirings()...)
		for _, child := range c.graphParts() {
			b.visit(child, n.ID)
		}
	}
}

// node returns the node of the component that owns box, or nil.
func (b *grapher) node(box axon.BoxRef) *graphNode {
	if box == nil || box.Owner() == nil {
		return nil
	}
	i, ok := b.ids[box.Owner()]
	if !ok {
		return nil
	}
	return b.nodes[i]
}

// edge adds the edge of w, and its boxes as ports of their nodes.
func (b *grapher) edge(w axon.Wiring) {
	src, dst := w.Source(), w.Sink()
	from, to := b.node(src), b.node(dst)
	if from == nil || to == nil {
		return // an empty wiring, or a box of no component in the graph
	}
	b.edges = append(b.edges, templates.GraphEdge{
		From:        from.ID,
		FromPort:    from.addPort(src.Dir(), src.Name()),
		To:          to.ID,
		ToPort:      to.addPort(dst.Dir(), dst.Name()),
		Label:       from.messageType(src),
		Passthrough: w.Kind() != axon.Normal,
	})
}

// addPort adds the box to the node's ports, unless it is there, and returns
// its port name, as templates.GraphEdge spells it.
func (n *graphNode) addPort(dir axon.Direction, name string) string {
	ports, prefix := &n.Outboxes, "out_"
	if dir == axon.In {
		ports, prefix = &n.Inboxes, "in_"
	}
	if !slices.Contains(*ports, name) {
		*ports = append(*ports, name)
	}
	return prefix + name
}

// messageType returns the type of the messages box carries, as Go spells it.
func (n *graphNode) messageType(box axon.BoxRef) string {
	if !isGeneric(n.part) {
		for _, row := range n.table {
			if row.Name == box.Name() && row.Dir == box.Dir() {
				return row.Type
			}
		}
	}
	if t := boxMessageType(box); t != nil {
		return typeString(t)
	}
	return "?"
}

// typeName is the name of p's type, without package or type arguments.
func typeName(p axon.Part) string {
	t := reflect.TypeOf(p)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := t.Name()
	if name == "" {
		return typeString(t)
	}
	name, _, _ = strings.Cut(name, "[")
	return name
}

func isGeneric(p axon.Part) bool {
	t := reflect.TypeOf(p)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.Contains(t.Name(), "[")
}

// boxMessageType returns T for an *axon.Inbox[T] or *axon.Outbox[T], from
// their methods' signatures, or nil.
func boxMessageType(box axon.BoxRef) reflect.Type {
	t := reflect.TypeOf(box)
	if m, ok := t.MethodByName("TryRecv"); ok && m.Type.NumOut() == 2 { // Inbox: TryRecv() (T, bool)
		return m.Type.Out(0)
	}
	if m, ok := t.MethodByName("Offer"); ok && m.Type.NumIn() == 2 { // Outbox: (receiver) Offer(T) bool
		return m.Type.In(1)
	}
	return nil
}

// importPath matches the directories of an import path, which reflect
// writes in the type arguments of generic types.
var importPath = regexp.MustCompile(`(?:[\w.~-]+/)+`)

// typeString spells t as Go source does, with package names rather than
// import paths: []byte rather than []uint8, any rather than interface {},
// and axon.None for struct{}.
func typeString(t reflect.Type) string {
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return t.Name() // predeclared
		}
		s := importPath.ReplaceAllString(t.String(), "")
		return strings.NewReplacer("[]uint8", "[]byte", "interface {}", "any").Replace(s)
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && t.Elem().Name() == "uint8" {
			return "[]byte"
		}
		return "[]" + typeString(t.Elem())
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), typeString(t.Elem()))
	case reflect.Pointer:
		return "*" + typeString(t.Elem())
	case reflect.Map:
		return "map[" + typeString(t.Key()) + "]" + typeString(t.Elem())
	case reflect.Struct:
		if t.NumField() == 0 {
			return "axon.None"
		}
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return "any"
		}
	}
	return importPath.ReplaceAllString(t.String(), "")
}

// DOT returns the Graphviz (DOT) source of root's picture: Graph(root)
// through templates.Graph. Render it with SVG, or with Graphviz's own tools.
func DOT(root axon.Part) (string, error) {
	var b strings.Builder
	if err := templates.Graph.Execute(&b, Graph(root)); err != nil {
		return "", fmt.Errorf("chassis: DOT: %w", err)
	}
	return b.String(), nil
}

// SVG renders DOT source as SVG by running Graphviz's dot command (dot
// -Tsvg), which must be on PATH: without it SVG returns an error wrapping
// ErrNoGraphviz, which says how to install it. dot is given 30 seconds.
func SVG(dot string) ([]byte, error) {
	path, err := exec.LookPath("dot")
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoGraphviz, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), svgTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-Tsvg")
	cmd.Stdin = strings.NewReader(dot)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("chassis: SVG: dot did not finish within %v: %w", svgTimeout, ctx.Err())
		}
		return nil, fmt.Errorf("chassis: SVG: %s: %w: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}
