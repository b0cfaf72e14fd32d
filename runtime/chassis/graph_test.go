package chassis_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/templates"
	"github.com/stretchr/testify/require"
)

var writeGraphs = flag.Bool("write-graphs", false, "write the pictures in docs/img (needs Graphviz)")

// dotEdge is one "->" line of DOT source.
type dotEdge struct {
	From, FromPort, To, ToPort, Label string
	Dashed                            bool
}

var (
	dotEdgeLine = regexp.MustCompile(`^"([^"]+)":"([^"]+)":e -> "([^"]+)":"([^"]+)":w \[label="((?:[^"\\]|\\.)*)"(, style=dashed)?\];$`)
	dotNodeLine = regexp.MustCompile(`^"([^"]+)" \[label="(.*)"\];$`)
	dotCluster  = regexp.MustCompile(`^subgraph "cluster_([^"]+)" \{$`)
)

// parsedDOT is what the graph template wrote, line by line: each node's
// record label, each cluster, each edge.
type parsedDOT struct {
	Nodes    map[string]string // ID -> label
	Clusters []string
	Edges    []dotEdge
}

// parseDOT reads DOT source as the graph template writes it, failing the
// test on a line it does not recognise.
func parseDOT(t *testing.T, dot string) parsedDOT {
	t.Helper()
	p := parsedDOT{Nodes: map[string]string{}}
	lines := strings.Split(strings.TrimSpace(dot), "\n")
	require.Regexp(t, `^digraph ".*" \{$`, lines[0])
	require.Equal(t, "}", lines[len(lines)-1])
	for _, line := range lines[1 : len(lines)-1] {
		line = strings.TrimSpace(line)
		switch m := []string(nil); {
		case strings.Contains(line, "->"):
			m = dotEdgeLine.FindStringSubmatch(line)
			require.NotNil(t, m, "edge line %q", line)
			p.Edges = append(p.Edges, dotEdge{m[1], m[2], m[3], m[4], m[5], m[6] != ""})
		case dotCluster.MatchString(line):
			p.Clusters = append(p.Clusters, dotCluster.FindStringSubmatch(line)[1])
		case dotNodeLine.MatchString(line):
			m = dotNodeLine.FindStringSubmatch(line)
			_, dup := p.Nodes[m[1]]
			require.False(t, dup, "node %s twice", m[1])
			p.Nodes[m[1]] = m[2]
		case line == "}", line == "rankdir=LR;", strings.HasPrefix(line, "label="),
			strings.HasPrefix(line, "graph ["), strings.HasPrefix(line, "node ["), strings.HasPrefix(line, "edge ["):
		default:
			t.Fatalf("unexpected DOT line %q", line)
		}
	}
	return p
}

// edgesOf returns the edges of a GraphData.
func edgesOf(g templates.GraphData) []templates.GraphEdge { return g.Edges }

// node returns the node id of g.
func node(t *testing.T, g templates.GraphData, id string) templates.GraphNode {
	t.Helper()
	for _, n := range g.Nodes {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("no node %s in %+v", id, g.Nodes)
	return templates.GraphNode{}
}

func TestGraphPipeline3(t *testing.T) {
	g := chassis.Graph(markovConsole())
	require.Equal(t, "Pipeline", g.Name)
	require.Len(t, g.Nodes, 4)
	std := []string{"inbox", "control"}
	stdOut := []string{"outbox", "signal"}
	for i, want := range []templates.GraphNode{
		{ID: "Pipeline_1", Label: "Pipeline", Inboxes: std, Outboxes: stdOut},
		{ID: "ConsoleReader_2", Label: "ConsoleReader", Inboxes: std, Outboxes: stdOut, Parent: "Pipeline_1"},
		{ID: "Chatty_3", Label: "Chatty", Inboxes: std, Outboxes: stdOut, Parent: "Pipeline_1"},
		{ID: "ConsoleEchoer_4", Label: "ConsoleEchoer", Inboxes: std, Outboxes: stdOut, Parent: "Pipeline_1"},
	} {
		require.Equal(t, want, g.Nodes[i])
	}
	// The links the Pipeline makes when it starts: it has not.
	require.Equal(t, []templates.GraphEdge{
		{From: "Pipeline_1", FromPort: "in_inbox", To: "ConsoleReader_2", ToPort: "in_inbox", Label: "axon.None", Passthrough: true},
		{From: "Pipeline_1", FromPort: "in_control", To: "ConsoleReader_2", ToPort: "in_control", Label: "axon.Signal", Passthrough: true},
		{From: "ConsoleReader_2", FromPort: "out_outbox", To: "Chatty_3", ToPort: "in_inbox", Label: "[]byte"},
		{From: "ConsoleReader_2", FromPort: "out_signal", To: "Chatty_3", ToPort: "in_control", Label: "axon.Signal"},
		{From: "Chatty_3", FromPort: "out_outbox", To: "ConsoleEchoer_4", ToPort: "in_inbox", Label: "[]byte"},
		{From: "Chatty_3", FromPort: "out_signal", To: "ConsoleEchoer_4", ToPort: "in_control", Label: "axon.Signal"},
		{From: "ConsoleEchoer_4", FromPort: "out_outbox", To: "Pipeline_1", ToPort: "out_outbox", Label: "[]byte", Passthrough: true},
		{From: "ConsoleEchoer_4", FromPort: "out_signal", To: "Pipeline_1", ToPort: "out_signal", Label: "axon.Signal", Passthrough: true},
	}, g.Edges)
}

func TestDOTPipeline3(t *testing.T) {
	dot, err := chassis.DOT(markovConsole())
	require.NoError(t, err)
	p := parseDOT(t, dot)
	require.Equal(t, []string{"Pipeline_1"}, p.Clusters)
	require.Equal(t, map[string]string{
		// The Pipeline's own boxes: its inboxes on the left, outboxes on the right.
		"Pipeline_1.in":   "<in_inbox> inbox|<in_control> control",
		"Pipeline_1.out":  "<out_outbox> outbox|<out_signal> signal",
		"ConsoleReader_2": "{ {<in_inbox> inbox|<in_control> control} | ConsoleReader | {<out_outbox> outbox|<out_signal> signal} }",
		"Chatty_3":        "{ {<in_inbox> inbox|<in_control> control} | Chatty | {<out_outbox> outbox|<out_signal> signal} }",
		"ConsoleEchoer_4": "{ {<in_inbox> inbox|<in_control> control} | ConsoleEchoer | {<out_outbox> outbox|<out_signal> signal} }",
	}, p.Nodes)
	require.ElementsMatch(t, []dotEdge{
		{"Pipeline_1.in", "in_inbox", "ConsoleReader_2", "in_inbox", "axon.None", true},
		{"Pipeline_1.in", "in_control", "ConsoleReader_2", "in_control", "axon.Signal", true},
		{"ConsoleReader_2", "out_outbox", "Chatty_3", "in_inbox", "[]byte", false},
		{"ConsoleReader_2", "out_signal", "Chatty_3", "in_control", "axon.Signal", false},
		{"Chatty_3", "out_outbox", "ConsoleEchoer_4", "in_inbox", "[]byte", false},
		{"Chatty_3", "out_signal", "ConsoleEchoer_4", "in_control", "axon.Signal", false},
		{"ConsoleEchoer_4", "out_outbox", "Pipeline_1.out", "out_outbox", "[]byte", true},
		{"ConsoleEchoer_4", "out_signal", "Pipeline_1.out", "out_signal", "axon.Signal", true},
	}, p.Edges)
}

// A Graphline with passthroughs both ways and a Pipeline inside: the
// Pipeline's stages and links appear too, inside it.
func TestDOTGraphlineWithPassthroughs(t *testing.T) {
	parse := newMap(func(s string) (int, bool) { return len(s), true })
	double := relay[int]()
	show := newMap(func(n int) (*msg, bool) { return &msg{n}, true })
	inner := chassis.Pipeline2(double, show)
	logger := relay[axon.Signal]()
	g := chassis.NewGraphline[string, *msg](parse, inner, logger)
	require.NoError(t, g.Wire(
		axon.WireIn(&g.In, &parse.In),
		axon.WireIn(&g.Control, &parse.Control),
		axon.Wire(&parse.Out, &inner.In),
		axon.Wire(&parse.Signal, &logger.In),
		axon.WireOut(&inner.Out, &g.Out),
		axon.WireOut(&logger.Signal, &g.Signal),
	))

	data := chassis.Graph(g)
	require.Equal(t, "Graphline", data.Name)
	var ids, labels, parents []string
	for _, n := range data.Nodes {
		ids, labels, parents = append(ids, n.ID), append(labels, n.Label), append(parents, n.Parent)
	}
	require.Equal(t, []string{"Graphline_1", "mapStage_2", "Pipeline_3", "mapStage_4", "mapStage_5", "mapStage_6"}, ids)
	require.Equal(t, []string{"Graphline", "mapStage", "Pipeline", "mapStage", "mapStage", "mapStage"}, labels)
	require.Equal(t, []string{"", "Graphline_1", "Graphline_1", "Pipeline_3", "Pipeline_3", "Graphline_1"}, parents)
	// Without a BoxTable, a component's ports are the boxes its links use.
	require.Equal(t, []string{"inbox", "control"}, node(t, data, "mapStage_2").Inboxes)
	require.Equal(t, []string{"outbox", "signal"}, node(t, data, "mapStage_2").Outboxes)
	require.Equal(t, []string{"inbox"}, node(t, data, "mapStage_6").Inboxes)
	require.Equal(t, []string{"signal"}, node(t, data, "mapStage_6").Outboxes)

	dot, err := chassis.DOT(g)
	require.NoError(t, err)
	p := parseDOT(t, dot)
	require.Equal(t, []string{"Graphline_1", "Pipeline_3"}, p.Clusters)
	require.Contains(t, p.Nodes, "Graphline_1.in")
	require.Contains(t, p.Nodes, "Pipeline_3.out")
	require.Equal(t, "{ {<in_inbox> inbox} | mapStage | {<out_signal> signal} }", p.Nodes["mapStage_6"])
	require.ElementsMatch(t, []dotEdge{
		// The Graphline's wirings.
		{"Graphline_1.in", "in_inbox", "mapStage_2", "in_inbox", "string", true},
		{"Graphline_1.in", "in_control", "mapStage_2", "in_control", "axon.Signal", true},
		{"mapStage_2", "out_outbox", "Pipeline_3.in", "in_inbox", "int", false},
		{"mapStage_2", "out_signal", "mapStage_6", "in_inbox", "axon.Signal", false},
		{"Pipeline_3.out", "out_outbox", "Graphline_1.out", "out_outbox", "*chassis_test.msg", true},
		{"mapStage_6", "out_signal", "Graphline_1.out", "out_signal", "axon.Signal", true},
		// The inner Pipeline's links.
		{"Pipeline_3.in", "in_inbox", "mapStage_4", "in_inbox", "int", true},
		{"Pipeline_3.in", "in_control", "mapStage_4", "in_control", "axon.Signal", true},
		{"mapStage_4", "out_outbox", "mapStage_5", "in_inbox", "int", false},
		{"mapStage_4", "out_signal", "mapStage_5", "in_control", "axon.Signal", false},
		{"mapStage_5", "out_outbox", "Pipeline_3.out", "out_outbox", "*chassis_test.msg", true},
		{"mapStage_5", "out_signal", "Pipeline_3.out", "out_signal", "axon.Signal", true},
	}, p.Edges)
}

// A circular Pipeline's last stage feeds its first, with plain links.
func TestGraphCircularPipeline(t *testing.T) {
	a, b := relay[int](), relay[int]()
	data := chassis.Graph(chassis.Circular(chassis.NewPipeline(a, b)))
	require.Contains(t, edgesOf(data), templates.GraphEdge{From: "mapStage_3", FromPort: "out_outbox", To: "mapStage_2", ToPort: "in_inbox", Label: "int"})
	require.Contains(t, edgesOf(data), templates.GraphEdge{From: "mapStage_3", FromPort: "out_signal", To: "mapStage_2", ToPort: "in_control", Label: "axon.Signal"})
	for _, e := range data.Edges {
		require.NotEqual(t, "Pipeline_1", e.To, "a circular Pipeline's outboxes are not fed")
	}
}

// A component that is not a container is a graph of one node; nil is an
// empty graph. Both are valid DOT.
func TestGraphOfOneComponent(t *testing.T) {
	data := chassis.Graph(axontest.NewSink[string]())
	require.Len(t, data.Nodes, 1)
	require.Equal(t, "Sink", data.Nodes[0].Label)
	require.Empty(t, data.Edges)
	dot, err := chassis.DOT(axontest.NewSink[string]())
	require.NoError(t, err)
	require.Equal(t, map[string]string{"Sink_1": "{ Sink }"}, parseDOT(t, dot).Nodes)

	require.Empty(t, chassis.Graph(nil).Nodes)
	dot, err = chassis.DOT(nil)
	require.NoError(t, err)
	require.Empty(t, parseDOT(t, dot).Nodes)
}

// Graph reads how the components were built: a Pipeline that has run and
// finished gives the same picture as before it ran.
func TestGraphAfterRun(t *testing.T) {
	src, sink := axontest.NewSource("a", "b"), axontest.NewSink[string]()
	p := chassis.Pipeline2(src, sink)
	before := chassis.Graph(p)
	activate(t, newRT(t), p)
	require.NoError(t, waitFinished(t, p))
	require.Equal(t, []string{"a", "b"}, sink.Messages())
	require.Equal(t, before, chassis.Graph(p))
	require.Len(t, before.Edges, 6)
}

// requireDot fails the test, saying how to install Graphviz, when dot is not
// on PATH: the picture tests never skip.
func requireDot(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("dot")
	require.NoError(t, err, "Graphviz's dot is needed: apt-get install graphviz (brew install graphviz on macOS)")
}

func TestSVG(t *testing.T) {
	requireDot(t)
	dot, err := chassis.DOT(markovConsole())
	require.NoError(t, err)
	svg, err := chassis.SVG(dot)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(svg, []byte("<?xml")) || bytes.HasPrefix(svg, []byte("<svg")), "not SVG: %.200s", svg)
	require.Contains(t, string(svg), "</svg>")
	for _, name := range []string{"ConsoleReader", "Chatty", "ConsoleEchoer", "Pipeline"} {
		require.Contains(t, string(svg), name)
	}
}

func TestSVGReportsDotErrors(t *testing.T) {
	requireDot(t)
	_, err := chassis.SVG("digraph { this is not DOT")
	require.Error(t, err)
	require.Contains(t, err.Error(), "syntax error")
}

func TestSVGWithoutGraphviz(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := chassis.SVG("digraph {}")
	require.ErrorIs(t, err, chassis.ErrNoGraphviz)
	require.Contains(t, err.Error(), "apt-get install graphviz")
}

// markovPicture is the picture of markovConsole in the repository.
const markovPicture = "../../docs/img/markov-console.svg"

// TestMarkovPicture checks that docs/img/markov-console.svg is there; with
// -write-graphs it draws it again:
//
//	go test ./runtime/chassis -run TestMarkovPicture -write-graphs
func TestMarkovPicture(t *testing.T) {
	if *writeGraphs {
		requireDot(t)
		dot, err := chassis.DOT(markovConsole())
		require.NoError(t, err)
		svg, err := chassis.SVG(dot)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(markovPicture), 0o755))
		require.NoError(t, os.WriteFile(markovPicture, svg, 0o644))
	}
	svg, err := os.ReadFile(markovPicture)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s is missing: go test ./runtime/chassis -run TestMarkovPicture -write-graphs", markovPicture)
	}
	require.NoError(t, err)
	for _, name := range []string{"ConsoleReader", "Chatty", "ConsoleEchoer"} {
		require.Contains(t, string(svg), name, "%s is stale: go test ./runtime/chassis -run TestMarkovPicture -write-graphs", markovPicture)
	}
}
