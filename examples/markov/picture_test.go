package main

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/util"
)

var writeGraph = flag.Bool("write-graph", false, "draw docs/img/markov.svg again (needs Graphviz)")

const picture = "../../docs/img/markov.svg"

// The Markov chat's picture, docs/img/markov.svg, is drawn from the very
// pipeline -console runs, with the real Chatty:
//
//	go test ./examples/markov -run TestMarkovPicture -write-graph
func TestMarkovPicture(t *testing.T) {
	p := chassis.Pipeline3(util.NewConsoleReader(), NewChatty(&Chain{Store: NewMemoryStore()}), util.NewConsoleEchoer[[]byte]())
	dot, err := chassis.DOT(p)
	require.NoError(t, err)
	for _, name := range []string{"ConsoleReader", "Chatty", "ConsoleEchoer", "[]byte"} {
		assert.Contains(t, dot, name)
	}
	svg, err := chassis.SVG(dot)
	require.NoError(t, err, "drawing needs Graphviz's dot: apt-get install graphviz (make test installs it)")
	assert.True(t, bytes.Contains(svg, []byte("<svg")), "an SVG picture")
	if *writeGraph {
		require.NoError(t, os.WriteFile(picture, svg, 0o644))
	}
	saved, err := os.ReadFile(picture)
	require.NoError(t, err, "run with -write-graph to draw it")
	assert.Contains(t, string(saved), "Chatty", "the saved picture shows the chat")
}
