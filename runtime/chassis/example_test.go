package chassis_test

import (
	"fmt"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/util"
)

// Chatty stands in for examples/markov's Chatty, which package main keeps to
// itself: a stage from []byte to []byte with the same boxes and the
// BoxTable kamgen generates for it.
type Chatty struct{ *mapStage[[]byte, []byte] }

func newChatty() Chatty { return Chatty{relay[[]byte]()} }

// BoxTable is what kamgen writes for examples/markov's Chatty.
func (Chatty) BoxTable() []axon.BoxInfo {
	return []axon.BoxInfo{
		{Name: "inbox", Field: "In", Dir: axon.In, Type: "[]byte", Doc: "bytes from the client"},
		{Name: "control", Field: "Control", Dir: axon.In, Type: "axon.Signal", Doc: "the connection closed, or a shutdown"},
		{Name: "outbox", Field: "Out", Dir: axon.Out, Type: "[]byte", Doc: "one reply per line"},
		{Name: "signal", Field: "Signal", Dir: axon.Out, Type: "axon.Signal", Doc: "the signal that stopped it"},
	}
}

// markovConsole is the Markov chat on the console (examples/markov -console):
// Kamaelia's Pipeline(ConsoleReader(), Chatty(), ConsoleEchoer()).
func markovConsole() *chassis.Pipeline[axon.None, []byte] {
	return chassis.Pipeline3(util.NewConsoleReader(), newChatty(), util.NewConsoleEchoer[[]byte]())
}

// The picture of the Markov chat on the console, docs/img/markov-console.svg.
// SVG renders it; so does Graphviz's own "dot -Tsvg". The Pipeline is a box
// around its stages, its own inboxes on the left and outboxes on the right;
// passthroughs are dashed.
func ExampleDOT() {
	p := chassis.Pipeline3(util.NewConsoleReader(), newChatty(), util.NewConsoleEchoer[[]byte]())
	dot, err := chassis.DOT(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(dot)
	// Output:
	// digraph "Pipeline" {
	// 	rankdir=LR;
	// 	graph [fontname="Helvetica", fontsize=11];
	// 	node [shape=record, fontname="Helvetica", fontsize=11];
	// 	edge [fontname="Helvetica", fontsize=9];
	// 	subgraph "cluster_Pipeline_1" {
	// 		label="Pipeline"; style=rounded;
	// 		"Pipeline_1.in" [label="<in_inbox> inbox|<in_control> control"];
	// 		"Pipeline_1.out" [label="<out_outbox> outbox|<out_signal> signal"];
	// 		"ConsoleReader_2" [label="{ {<in_inbox> inbox|<in_control> control} | ConsoleReader | {<out_outbox> outbox|<out_signal> signal} }"];
	// 		"Chatty_3" [label="{ {<in_inbox> inbox|<in_control> control} | Chatty | {<out_outbox> outbox|<out_signal> signal} }"];
	// 		"ConsoleEchoer_4" [label="{ {<in_inbox> inbox|<in_control> control} | ConsoleEchoer | {<out_outbox> outbox|<out_signal> signal} }"];
	// 	}
	// 	"Pipeline_1.in":"in_inbox":e -> "ConsoleReader_2":"in_inbox":w [label="axon.None", style=dashed];
	// 	"Pipeline_1.in":"in_control":e -> "ConsoleReader_2":"in_control":w [label="axon.Signal", style=dashed];
	// 	"ConsoleReader_2":"out_outbox":e -> "Chatty_3":"in_inbox":w [label="[]byte"];
	// 	"ConsoleReader_2":"out_signal":e -> "Chatty_3":"in_control":w [label="axon.Signal"];
	// 	"Chatty_3":"out_outbox":e -> "ConsoleEchoer_4":"in_inbox":w [label="[]byte"];
	// 	"Chatty_3":"out_signal":e -> "ConsoleEchoer_4":"in_control":w [label="axon.Signal"];
	// 	"ConsoleEchoer_4":"out_outbox":e -> "Pipeline_1.out":"out_outbox":w [label="[]byte", style=dashed];
	// 	"ConsoleEchoer_4":"out_signal":e -> "Pipeline_1.out":"out_signal":w [label="axon.Signal", style=dashed];
	// }
}
